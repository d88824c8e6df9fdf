"""Content digests (``sha256:<hex>`` / ``sha512:<hex>``) with constant-time verification."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import ClassVar, Protocol

from core.errors import DigestMismatch, InvalidDigest

__all__ = ["SUPPORTED_ALGORITHMS", "Digest", "DigestHasher"]

#: Algorithm name → length of its lowercase hex encoding.
SUPPORTED_ALGORITHMS: dict[str, int] = {"sha256": 64, "sha512": 128}

# OCI image-spec descriptor.md: algorithm-component grammar.
_ALGORITHM_RE = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*")
_HEX_RE = re.compile(r"[a-f0-9]+")


class _Hash(Protocol):
    def update(self, data: bytes | bytearray | memoryview, /) -> None: ...
    def hexdigest(self) -> str: ...
    def copy(self) -> _Hash: ...


@dataclass(frozen=True, slots=True, order=True)
class Digest:
    """An OCI content digest, e.g. ``sha256:e3b0c442…``.

    Only ``sha256`` and ``sha512`` are accepted (the algorithms the OCI image spec registers
    for content); the hex part must be lowercase and of the algorithm's length.
    ``str(digest)`` gives the canonical ``algorithm:hex`` form.
    """

    algorithm: str
    hex: str

    _cache: ClassVar[dict[str, Digest]] = {}

    def __post_init__(self) -> None:
        expected = SUPPORTED_ALGORITHMS.get(self.algorithm)
        if expected is None:
            if not _ALGORITHM_RE.fullmatch(self.algorithm):
                raise InvalidDigest(f"invalid digest algorithm {self.algorithm!r}")
            raise InvalidDigest(
                f"unsupported digest algorithm {self.algorithm!r}", algorithm=self.algorithm
            )
        if len(self.hex) != expected or not _HEX_RE.fullmatch(self.hex):
            raise InvalidDigest(
                f"invalid {self.algorithm} digest: expected {expected} lowercase hex characters",
                value=f"{self.algorithm}:{self.hex[:140]}",
            )

    # -- construction -------------------------------------------------------------------
    @classmethod
    def parse(cls, value: str | Digest) -> Digest:
        """Parse ``algorithm:hex``; raises :class:`InvalidDigest`."""
        if isinstance(value, Digest):
            return value
        if not isinstance(value, str):
            raise InvalidDigest(f"digest must be a string, not {type(value).__name__}")
        cached = cls._cache.get(value)
        if cached is not None:
            return cached
        algorithm, sep, hexpart = value.partition(":")
        if not sep or not algorithm or not hexpart:
            raise InvalidDigest(f"invalid digest {value[:150]!r}: expected 'algorithm:hex'")
        digest = cls(algorithm, hexpart)
        if len(cls._cache) < 4096:
            cls._cache[value] = digest
        return digest

    @classmethod
    def of_bytes(cls, data: bytes | bytearray | memoryview, algorithm: str = "sha256") -> Digest:
        """The digest of ``data``."""
        hasher = DigestHasher(algorithm)
        hasher.update(data)
        return hasher.digest()

    @staticmethod
    def hasher(algorithm: str = "sha256") -> DigestHasher:
        """An incremental hasher for ``algorithm``."""
        return DigestHasher(algorithm)

    def new_hasher(self) -> DigestHasher:
        """An incremental hasher using this digest's algorithm."""
        return DigestHasher(self.algorithm)

    # -- comparison ---------------------------------------------------------------------
    def matches(self, other: Digest | str) -> bool:
        """Constant-time comparison with ``other`` (which may be a string)."""
        text = other if isinstance(other, str) else str(other)
        return hmac.compare_digest(str(self).encode(), text.encode())

    def verify(self, data: bytes | bytearray | memoryview) -> None:
        """Raise :class:`DigestMismatch` unless ``data`` has this digest."""
        actual = Digest.of_bytes(data, self.algorithm)
        self.verify_digest(actual)

    def verify_digest(self, actual: Digest) -> None:
        """Raise :class:`DigestMismatch` unless ``actual`` equals this digest (constant time)."""
        if not self.matches(actual):
            raise DigestMismatch(
                f"content digest {actual} does not match expected {self}",
                expected=str(self),
                actual=str(actual),
            )

    # -- presentation ---------------------------------------------------------------------
    @property
    def encoded(self) -> str:
        """The hex part (alias of :attr:`hex`, the OCI spec's name)."""
        return self.hex

    @property
    def short(self) -> str:
        """The first 12 hex characters, for logs and progress events."""
        return self.hex[:12]

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.hex}"

    def __repr__(self) -> str:
        return f"Digest('{self}')"


class DigestHasher:
    """Incremental hasher: ``update()`` chunks, then ``digest()``.

    ``hashlib`` releases the GIL for large updates, so feeding it from a worker thread scales.
    """

    __slots__ = ("_h", "algorithm", "size")

    def __init__(self, algorithm: str = "sha256") -> None:
        if algorithm not in SUPPORTED_ALGORITHMS:
            raise InvalidDigest(f"unsupported digest algorithm {algorithm!r}")
        self.algorithm = algorithm
        self._h: _Hash = hashlib.new(algorithm)
        self.size = 0

    def update(self, data: bytes | bytearray | memoryview) -> None:
        self._h.update(data)
        self.size += len(data)

    def digest(self) -> Digest:
        """The digest of everything fed so far (the hasher stays usable)."""
        return Digest(self.algorithm, self._h.hexdigest())

    def copy(self) -> DigestHasher:
        clone = DigestHasher.__new__(DigestHasher)
        clone.algorithm = self.algorithm
        clone._h = self._h.copy()
        clone.size = self.size
        return clone
