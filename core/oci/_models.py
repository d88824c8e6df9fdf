"""Typed OCI / Docker schema 2 models that round-trip byte-exact.

Every parsed document keeps the bytes it was parsed from (``raw``): its digest is the digest of
those bytes, never of a re-serialisation. Fields the model does not know are kept in ``extra``
and written back when a modified copy is serialised. Documents built new are serialised
deterministically (fixed key order, compact separators), so the same inputs give the same
digest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeAlias

from core.errors import InvalidDigest, InvalidInput, ManifestError, UnsupportedMediaType
from core.oci._digest import Digest
from core.oci._mediatypes import (
    DOCKER_MANIFEST_V1,
    DOCKER_MANIFEST_V1_SIGNED,
    OCI_CONFIG,
    OCI_INDEX,
    OCI_MANIFEST,
    is_index,
    is_manifest,
)

__all__ = [
    "ANNOTATION_REF_NAME",
    "Descriptor",
    "History",
    "ImageConfig",
    "Index",
    "Manifest",
    "ManifestLike",
    "Platform",
    "canonical_json",
    "parse_manifest",
]

#: The annotation an OCI layout's ``index.json`` uses to name (tag) a manifest.
ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name"

JSON: TypeAlias = Any


def canonical_json(value: JSON) -> bytes:
    """Compact UTF-8 JSON in the key order given: the deterministic form of new documents."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _load(raw: bytes, what: str) -> dict[str, JSON]:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{what} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ManifestError(f"{what} is not a JSON object")
    return value


def _str(obj: Mapping[str, JSON], key: str, what: str, *, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise ManifestError(f"{what}: missing {key!r}")
        return None
    if not isinstance(value, str):
        raise ManifestError(f"{what}: {key!r} must be a string")
    return value


def _str_map(obj: Mapping[str, JSON], key: str, what: str) -> dict[str, str] | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ManifestError(f"{what}: {key!r} must map strings to strings")
    return dict(value)


def _str_list(obj: Mapping[str, JSON], key: str, what: str) -> tuple[str, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"{what}: {key!r} must be a list of strings")
    return tuple(value)


# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Platform:
    """The platform an image runs on (``linux/amd64``, ``linux/arm64/v8`` …)."""

    os: str
    architecture: str
    variant: str | None = None
    os_version: str | None = None
    os_features: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    extra: Mapping[str, JSON] = field(default_factory=dict)

    _KNOWN = frozenset({"os", "architecture", "variant", "os.version", "os.features", "features"})

    @classmethod
    def parse(cls, text: str) -> Platform:
        """Parse ``os/arch[/variant]``, e.g. ``linux/arm64/v8``."""
        parts = text.split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise InvalidInput(f"invalid platform {text!r}: expected os/arch[/variant]")
        return cls(
            os=parts[0], architecture=parts[1], variant=parts[2] if len(parts) == 3 else None
        )

    @classmethod
    def from_dict(cls, obj: JSON) -> Platform:
        what = "platform"
        if not isinstance(obj, dict):
            raise ManifestError("platform must be a JSON object")
        return cls(
            os=_str(obj, "os", what) or "",
            architecture=_str(obj, "architecture", what) or "",
            variant=_str(obj, "variant", what, required=False),
            os_version=_str(obj, "os.version", what, required=False),
            os_features=_str_list(obj, "os.features", what),
            features=_str_list(obj, "features", what),
            extra={k: v for k, v in obj.items() if k not in cls._KNOWN},
        )

    def to_dict(self) -> dict[str, JSON]:
        out: dict[str, JSON] = {"architecture": self.architecture, "os": self.os}
        if self.os_version is not None:
            out["os.version"] = self.os_version
        if self.os_features:
            out["os.features"] = list(self.os_features)
        if self.variant is not None:
            out["variant"] = self.variant
        if self.features:
            out["features"] = list(self.features)
        out.update(self.extra)
        return out

    def matches(self, other: Platform) -> bool:
        """Same os and architecture, and same variant when both name one."""
        if self.os != other.os or self.architecture != other.architecture:
            return False
        return self.variant is None or other.variant is None or self.variant == other.variant

    def __str__(self) -> str:
        base = f"{self.os}/{self.architecture}"
        return f"{base}/{self.variant}" if self.variant else base


# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Descriptor:
    """A content descriptor: media type, digest and size of a blob, plus optional metadata."""

    media_type: str
    digest: Digest
    size: int
    annotations: Mapping[str, str] | None = None
    urls: tuple[str, ...] = ()
    platform: Platform | None = None
    artifact_type: str | None = None
    extra: Mapping[str, JSON] = field(default_factory=dict)

    _KNOWN = frozenset(
        {"mediaType", "digest", "size", "annotations", "urls", "platform", "artifactType"}
    )

    def __post_init__(self) -> None:
        if self.size < 0:
            raise InvalidInput(f"descriptor size must not be negative: {self.size}")

    @classmethod
    def from_dict(cls, obj: JSON) -> Descriptor:
        what = "descriptor"
        if not isinstance(obj, dict):
            raise ManifestError("descriptor must be a JSON object")
        size = obj.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ManifestError("descriptor: 'size' must be a non-negative integer")
        try:
            digest = Digest.parse(_str(obj, "digest", what) or "")
        except InvalidDigest as exc:
            raise ManifestError(f"descriptor: {exc}") from exc
        platform = obj.get("platform")
        return cls(
            media_type=_str(obj, "mediaType", what) or "",
            digest=digest,
            size=size,
            annotations=_str_map(obj, "annotations", what),
            urls=_str_list(obj, "urls", what),
            platform=Platform.from_dict(platform) if platform is not None else None,
            artifact_type=_str(obj, "artifactType", what, required=False),
            extra={k: v for k, v in obj.items() if k not in cls._KNOWN},
        )

    def to_dict(self) -> dict[str, JSON]:
        out: dict[str, JSON] = {
            "mediaType": self.media_type,
            "digest": str(self.digest),
            "size": self.size,
        }
        if self.urls:
            out["urls"] = list(self.urls)
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        if "data" in self.extra:
            out["data"] = self.extra["data"]
        if self.platform is not None:
            out["platform"] = self.platform.to_dict()
        if self.artifact_type is not None:
            out["artifactType"] = self.artifact_type
        out.update({k: v for k, v in self.extra.items() if k != "data"})
        return out

    def with_annotations(self, **annotations: str) -> Descriptor:
        merged = dict(self.annotations or {})
        merged.update(annotations)
        return replace(self, annotations=merged)


def _descriptors(obj: Mapping[str, JSON], key: str, what: str) -> tuple[Descriptor, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ManifestError(f"{what}: {key!r} must be a list")
    return tuple(Descriptor.from_dict(v) for v in value)


def _check_schema(obj: Mapping[str, JSON], what: str) -> None:
    version = obj.get("schemaVersion")
    if version == 1:
        raise UnsupportedMediaType(f"{what}: Docker schema 1 manifests are not supported")
    if version != 2:
        raise ManifestError(f"{what}: schemaVersion must be 2, got {version!r}")


def _resolve_media_type(obj: Mapping[str, JSON], header: str | None, what: str) -> str | None:
    body = obj.get("mediaType")
    if body is not None and not isinstance(body, str):
        raise ManifestError(f"{what}: 'mediaType' must be a string")
    header_base = header.split(";", 1)[0].strip() if header else None
    if header_base in (DOCKER_MANIFEST_V1, DOCKER_MANIFEST_V1_SIGNED):
        raise UnsupportedMediaType(f"{what}: Docker schema 1 manifests are not supported")
    return body or header_base or None


# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Manifest:
    """An OCI image manifest or a Docker schema 2 manifest.

    Build one with :meth:`build` (deterministic bytes) or parse received bytes with
    :meth:`parse`. ``raw`` are the exact bytes; :attr:`digest` is their digest.
    """

    raw: bytes
    media_type: str
    config: Descriptor
    layers: tuple[Descriptor, ...]
    annotations: Mapping[str, str] | None = None
    subject: Descriptor | None = None
    artifact_type: str | None = None
    #: Whether the body itself carries ``mediaType`` (OCI makes it optional).
    media_type_in_body: bool = True
    extra: Mapping[str, JSON] = field(default_factory=dict)

    _KNOWN = frozenset(
        {"schemaVersion", "mediaType", "config", "layers", "annotations", "subject", "artifactType"}
    )

    @classmethod
    def parse(
        cls, raw: bytes, media_type: str | None = None, *, digest: Digest | str | None = None
    ) -> Manifest:
        """Parse received bytes; ``media_type`` is the ``Content-Type`` they came with.

        When ``digest`` is given the bytes are verified against it first
        (:class:`DigestMismatch`).
        """
        if digest is not None:
            Digest.parse(digest).verify(raw)
        what = "manifest"
        obj = _load(raw, what)
        _check_schema(obj, what)
        mt = _resolve_media_type(obj, media_type, what)
        if mt is None:
            # OCI allows omitting mediaType; a document with config+layers is a manifest.
            if "config" in obj and "manifests" not in obj:
                mt = OCI_MANIFEST
            else:
                raise UnsupportedMediaType("manifest has no media type")
        if not is_manifest(mt):
            raise UnsupportedMediaType(f"not an image manifest: {mt[:200]!r}", media_type=mt)
        if "config" not in obj:
            raise ManifestError(f"{what}: missing 'config'")
        return cls(
            raw=bytes(raw),
            media_type=mt,
            config=Descriptor.from_dict(obj["config"]),
            layers=_descriptors(obj, "layers", what),
            annotations=_str_map(obj, "annotations", what),
            subject=Descriptor.from_dict(obj["subject"]) if obj.get("subject") else None,
            artifact_type=_str(obj, "artifactType", what, required=False),
            media_type_in_body="mediaType" in obj,
            extra={k: v for k, v in obj.items() if k not in cls._KNOWN},
        )

    @classmethod
    def build(
        cls,
        config: Descriptor,
        layers: Iterable[Descriptor],
        *,
        media_type: str = OCI_MANIFEST,
        annotations: Mapping[str, str] | None = None,
        subject: Descriptor | None = None,
        artifact_type: str | None = None,
        extra: Mapping[str, JSON] | None = None,
    ) -> Manifest:
        """A new manifest serialised deterministically."""
        if not is_manifest(media_type):
            raise UnsupportedMediaType(f"not an image manifest media type: {media_type!r}")
        obj: dict[str, JSON] = {"schemaVersion": 2, "mediaType": media_type}
        if artifact_type is not None:
            obj["artifactType"] = artifact_type
        obj["config"] = config.to_dict()
        obj["layers"] = [layer.to_dict() for layer in layers]
        if subject is not None:
            obj["subject"] = subject.to_dict()
        if annotations:
            obj["annotations"] = dict(annotations)
        if extra:
            obj.update({k: v for k, v in extra.items() if k not in cls._KNOWN})
        return cls.parse(canonical_json(obj), media_type)

    def evolve(self, **changes: Any) -> Manifest:
        """A modified copy (``layers=``, ``config=``, ``annotations=`` …) with new bytes.

        Unknown fields are kept; the result is serialised deterministically.
        """
        data: dict[str, Any] = {
            "config": self.config,
            "layers": self.layers,
            "media_type": self.media_type,
            "annotations": self.annotations,
            "subject": self.subject,
            "artifact_type": self.artifact_type,
            "extra": self.extra,
        }
        unknown = set(changes) - set(data)
        if unknown:
            raise InvalidInput(f"unknown manifest fields: {sorted(unknown)}")
        data.update(changes)
        config = data.pop("config")
        layers = data.pop("layers")
        return Manifest.build(config, layers, **data)

    @property
    def digest(self) -> Digest:
        return Digest.of_bytes(self.raw)

    @property
    def size(self) -> int:
        return len(self.raw)

    def descriptor(self, **kwargs: Any) -> Descriptor:
        """A descriptor of this manifest (for an index or a layout's ``index.json``)."""
        return Descriptor(self.media_type, self.digest, len(self.raw), **kwargs)

    @property
    def blobs(self) -> tuple[Descriptor, ...]:
        """The config then the layers: every blob this manifest references."""
        return (self.config, *self.layers)


@dataclass(frozen=True, slots=True)
class Index:
    """An OCI image index or a Docker manifest list (a multi-platform image)."""

    raw: bytes
    media_type: str
    manifests: tuple[Descriptor, ...]
    annotations: Mapping[str, str] | None = None
    subject: Descriptor | None = None
    artifact_type: str | None = None
    media_type_in_body: bool = True
    extra: Mapping[str, JSON] = field(default_factory=dict)

    _KNOWN = frozenset(
        {"schemaVersion", "mediaType", "manifests", "annotations", "subject", "artifactType"}
    )

    @classmethod
    def parse(
        cls, raw: bytes, media_type: str | None = None, *, digest: Digest | str | None = None
    ) -> Index:
        if digest is not None:
            Digest.parse(digest).verify(raw)
        what = "index"
        obj = _load(raw, what)
        _check_schema(obj, what)
        mt = _resolve_media_type(obj, media_type, what)
        if mt is None:
            if "manifests" in obj and "config" not in obj:
                mt = OCI_INDEX
            else:
                raise UnsupportedMediaType("index has no media type")
        if not is_index(mt):
            raise UnsupportedMediaType(f"not an image index: {mt[:200]!r}", media_type=mt)
        if not isinstance(obj.get("manifests"), list):
            raise ManifestError(f"{what}: 'manifests' must be a list")
        return cls(
            raw=bytes(raw),
            media_type=mt,
            manifests=_descriptors(obj, "manifests", what),
            annotations=_str_map(obj, "annotations", what),
            subject=Descriptor.from_dict(obj["subject"]) if obj.get("subject") else None,
            artifact_type=_str(obj, "artifactType", what, required=False),
            media_type_in_body="mediaType" in obj,
            extra={k: v for k, v in obj.items() if k not in cls._KNOWN},
        )

    @classmethod
    def build(
        cls,
        manifests: Iterable[Descriptor],
        *,
        media_type: str = OCI_INDEX,
        annotations: Mapping[str, str] | None = None,
        subject: Descriptor | None = None,
        artifact_type: str | None = None,
        extra: Mapping[str, JSON] | None = None,
        include_media_type: bool = True,
    ) -> Index:
        """A new index serialised deterministically."""
        if not is_index(media_type):
            raise UnsupportedMediaType(f"not an image index media type: {media_type!r}")
        obj: dict[str, JSON] = {"schemaVersion": 2}
        if include_media_type:
            obj["mediaType"] = media_type
        if artifact_type is not None:
            obj["artifactType"] = artifact_type
        obj["manifests"] = [m.to_dict() for m in manifests]
        if subject is not None:
            obj["subject"] = subject.to_dict()
        if annotations:
            obj["annotations"] = dict(annotations)
        if extra:
            obj.update({k: v for k, v in extra.items() if k not in cls._KNOWN})
        return cls.parse(canonical_json(obj), media_type)

    def evolve(self, **changes: Any) -> Index:
        """A modified copy (``manifests=``, ``annotations=`` …) with new bytes."""
        data: dict[str, Any] = {
            "manifests": self.manifests,
            "media_type": self.media_type,
            "annotations": self.annotations,
            "subject": self.subject,
            "artifact_type": self.artifact_type,
            "extra": self.extra,
            "include_media_type": self.media_type_in_body,
        }
        unknown = set(changes) - set(data)
        if unknown:
            raise InvalidInput(f"unknown index fields: {sorted(unknown)}")
        data.update(changes)
        manifests = data.pop("manifests")
        return Index.build(manifests, **data)

    @property
    def digest(self) -> Digest:
        return Digest.of_bytes(self.raw)

    @property
    def size(self) -> int:
        return len(self.raw)

    def descriptor(self, **kwargs: Any) -> Descriptor:
        return Descriptor(self.media_type, self.digest, len(self.raw), **kwargs)

    def select(self, platform: Platform) -> Descriptor:
        """The first entry for ``platform``; :class:`ManifestError` if there is none."""
        for entry in self.manifests:
            if entry.platform is not None and platform.matches(entry.platform):
                return entry
        available = ", ".join(str(m.platform) for m in self.manifests if m.platform) or "none"
        raise ManifestError(
            f"no manifest for platform {platform} in index (available: {available})",
            platform=str(platform),
        )


ManifestLike: TypeAlias = Manifest | Index


def parse_manifest(
    raw: bytes, media_type: str | None = None, *, digest: Digest | str | None = None
) -> Manifest | Index:
    """Parse a manifest or an index, choosing by media type (header, then body)."""
    if digest is not None:
        Digest.parse(digest).verify(raw)
    obj = _load(raw, "manifest")
    body_mt = obj.get("mediaType") if isinstance(obj.get("mediaType"), str) else None
    mt = body_mt or (media_type.split(";", 1)[0].strip() if media_type else None)
    if mt is None:
        mt = OCI_INDEX if "manifests" in obj else OCI_MANIFEST
    if is_index(mt):
        return Index.parse(raw, media_type)
    if mt in (DOCKER_MANIFEST_V1, DOCKER_MANIFEST_V1_SIGNED):
        raise UnsupportedMediaType("Docker schema 1 manifests are not supported", media_type=mt)
    if is_manifest(mt):
        return Manifest.parse(raw, media_type)
    raise UnsupportedMediaType(f"unsupported manifest media type {mt[:200]!r}", media_type=mt)


# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class History:
    """One entry of an image config's ``history``."""

    created: str | None = None
    created_by: str | None = None
    author: str | None = None
    comment: str | None = None
    empty_layer: bool = False

    def to_dict(self) -> dict[str, JSON]:
        out: dict[str, JSON] = {}
        if self.created is not None:
            out["created"] = self.created
        if self.created_by is not None:
            out["created_by"] = self.created_by
        if self.author is not None:
            out["author"] = self.author
        if self.comment is not None:
            out["comment"] = self.comment
        if self.empty_layer:
            out["empty_layer"] = True
        return out


@dataclass(frozen=True, slots=True)
class ImageConfig:
    """An image configuration (OCI ``config.json`` / Docker container image v1).

    ``data`` is the whole parsed document (unknown fields included); the typed properties read
    from it. ``raw`` are the exact bytes, and :attr:`digest` their digest.
    """

    raw: bytes
    data: Mapping[str, JSON]
    media_type: str = OCI_CONFIG

    @classmethod
    def parse(
        cls, raw: bytes, media_type: str = OCI_CONFIG, *, digest: Digest | str | None = None
    ) -> ImageConfig:
        if digest is not None:
            Digest.parse(digest).verify(raw)
        obj = _load(raw, "image config")
        rootfs = obj.get("rootfs")
        if rootfs is not None:
            if not isinstance(rootfs, dict) or not isinstance(rootfs.get("diff_ids", []), list):
                raise ManifestError("image config: 'rootfs.diff_ids' must be a list")
            try:
                for d in rootfs.get("diff_ids", []):
                    Digest.parse(d)
            except InvalidDigest as exc:
                raise ManifestError(f"image config: bad diff_id: {exc}") from exc
        for key in ("architecture", "os"):
            if key in obj and not isinstance(obj[key], str):
                raise ManifestError(f"image config: {key!r} must be a string")
        if "config" in obj and obj["config"] is not None and not isinstance(obj["config"], dict):
            raise ManifestError("image config: 'config' must be an object")
        if "history" in obj and not isinstance(obj["history"], list):
            raise ManifestError("image config: 'history' must be a list")
        return cls(raw=bytes(raw), data=obj, media_type=media_type)

    @classmethod
    def from_data(cls, data: Mapping[str, JSON], media_type: str = OCI_CONFIG) -> ImageConfig:
        """Serialise ``data`` deterministically (key order as given)."""
        return cls.parse(canonical_json(dict(data)), media_type)

    @classmethod
    def build(
        cls,
        *,
        diff_ids: Sequence[Digest],
        architecture: str = "amd64",
        os: str = "linux",
        variant: str | None = None,
        created: str | None = None,
        author: str | None = None,
        env: Sequence[str] | None = None,
        entrypoint: Sequence[str] | None = None,
        cmd: Sequence[str] | None = None,
        working_dir: str | None = None,
        user: str | None = None,
        exposed_ports: Iterable[str] | None = None,
        labels: Mapping[str, str] | None = None,
        history: Sequence[History] | None = None,
        media_type: str = OCI_CONFIG,
    ) -> ImageConfig:
        """A new config, with keys in the order container tools write them."""
        data: dict[str, JSON] = {}
        if created is not None:
            data["created"] = created
        if author is not None:
            data["author"] = author
        data["architecture"] = architecture
        if variant is not None:
            data["variant"] = variant
        data["os"] = os
        cfg: dict[str, JSON] = {}
        if user:
            cfg["User"] = user
        if exposed_ports:
            cfg["ExposedPorts"] = {_port_key(p): {} for p in exposed_ports}
        if env:
            cfg["Env"] = list(env)
        if entrypoint is not None:
            cfg["Entrypoint"] = list(entrypoint)
        if cmd is not None:
            cfg["Cmd"] = list(cmd)
        if working_dir:
            cfg["WorkingDir"] = working_dir
        if labels:
            cfg["Labels"] = dict(labels)
        data["config"] = cfg
        data["rootfs"] = {"type": "layers", "diff_ids": [str(d) for d in diff_ids]}
        if history:
            data["history"] = [h.to_dict() for h in history]
        return cls.from_data(data, media_type)

    # -- typed views ----------------------------------------------------------------------
    @property
    def digest(self) -> Digest:
        return Digest.of_bytes(self.raw)

    @property
    def size(self) -> int:
        return len(self.raw)

    def descriptor(self) -> Descriptor:
        return Descriptor(self.media_type, self.digest, len(self.raw))

    @property
    def architecture(self) -> str:
        return str(self.data.get("architecture", ""))

    @property
    def os(self) -> str:
        return str(self.data.get("os", ""))

    @property
    def variant(self) -> str | None:
        v = self.data.get("variant")
        return v if isinstance(v, str) else None

    @property
    def platform(self) -> Platform:
        return Platform(os=self.os, architecture=self.architecture, variant=self.variant)

    @property
    def created(self) -> str | None:
        v = self.data.get("created")
        return v if isinstance(v, str) else None

    @property
    def diff_ids(self) -> tuple[Digest, ...]:
        rootfs = self.data.get("rootfs") or {}
        return tuple(Digest.parse(d) for d in rootfs.get("diff_ids", []))

    @property
    def history(self) -> tuple[History, ...]:
        out = []
        for h in self.data.get("history") or []:
            if isinstance(h, dict):
                out.append(
                    History(
                        created=h.get("created"),
                        created_by=h.get("created_by"),
                        author=h.get("author"),
                        comment=h.get("comment"),
                        empty_layer=bool(h.get("empty_layer", False)),
                    )
                )
        return tuple(out)

    def _cfg(self) -> Mapping[str, JSON]:
        cfg = self.data.get("config")
        return cfg if isinstance(cfg, dict) else {}

    @property
    def env(self) -> tuple[str, ...]:
        return tuple(self._cfg().get("Env") or ())

    @property
    def entrypoint(self) -> tuple[str, ...] | None:
        v = self._cfg().get("Entrypoint")
        return tuple(v) if isinstance(v, list) else None

    @property
    def cmd(self) -> tuple[str, ...] | None:
        v = self._cfg().get("Cmd")
        return tuple(v) if isinstance(v, list) else None

    @property
    def working_dir(self) -> str | None:
        v = self._cfg().get("WorkingDir")
        return v if isinstance(v, str) and v else None

    @property
    def user(self) -> str | None:
        v = self._cfg().get("User")
        return v if isinstance(v, str) and v else None

    @property
    def exposed_ports(self) -> tuple[str, ...]:
        v = self._cfg().get("ExposedPorts")
        return tuple(v) if isinstance(v, dict) else ()

    @property
    def labels(self) -> Mapping[str, str]:
        v = self._cfg().get("Labels")
        return dict(v) if isinstance(v, dict) else {}

    def evolve(self, **changes: JSON) -> ImageConfig:
        """A copy with top-level keys replaced (``rootfs=``, ``history=`` …), new bytes."""
        data = dict(self.data)
        data.update(changes)
        return ImageConfig.from_data(data, self.media_type)


def _port_key(port: str) -> str:
    port = str(port)
    return port if "/" in port else f"{port}/tcp"
