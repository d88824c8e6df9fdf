"""The core exception tree. Every failure a user can meet maps to one of these.

```
CoreError
├── InvalidInput                     bad argument or value given by the caller / user
│   └── InvalidReference             an image reference that cannot be parsed
├── DigestError
│   ├── InvalidDigest                a digest string that is not ``algo:hex``
│   └── DigestMismatch               bytes whose digest is not the expected one
├── ManifestError                    a manifest / index / config that is malformed
│   └── UnsupportedMediaType
├── LayoutError                      an OCI image-layout directory that is invalid
├── TransportError                   network failure after retries (reset, timeout, DNS …)
│   └── TransportTimeout
├── RegistryError                    the registry answered with an error (has code/message)
│   ├── AuthError                    401/403 after auth was attempted, or a bad challenge
│   ├── NotFound
│   │   ├── ManifestNotFound
│   │   ├── BlobNotFound
│   │   └── RepositoryNotFound
│   ├── RangeNotSupported            the registry refused or lied about a Range request
│   ├── UploadError
│   └── TooManyRequests              429 after retries (``retry_after`` seconds)
├── FormatError                      a seekable layer (zstd:chunked / eStargz) is malformed
│   ├── TOCError                     a TOC that is invalid, hostile, or does not match
│   └── TarFormatError               a tar stream that is malformed (names the entry)
├── UnsafeContent                    an archive entry that would escape its target, a bomb …
├── ConvertError                     image conversion failed (names layer and entry)
├── PullError                        pulling / mounting an image failed
│   └── MountError
├── ColdStartError                   a cold start could not be run or measured
├── CloudError                       an Alibaba Cloud (or Local server) API call failed
│   ├── SignatureError               signature refused (SignatureNotMatch, stale, replayed)
│   ├── CredentialsError             missing / unusable credentials, no keyring backend
│   ├── ThrottledError
│   └── ResourceNotFound
├── ServerError                      the Local server could not start or serve
└── SettingsError                    the settings file is unreadable / invalid, unknown profile
```

Rules: core raises these, never bare ``Exception``; ``httpx`` errors are mapped at the
boundary with ``raise … from exc``; messages never contain secrets. Messages are for logs and
developers; the GUI maps exception *types* and *codes* to translated text.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AuthError",
    "BlobNotFound",
    "CloudError",
    "ColdStartError",
    "ConvertError",
    "CoreError",
    "CredentialsError",
    "DigestError",
    "DigestMismatch",
    "FormatError",
    "InvalidDigest",
    "InvalidInput",
    "InvalidReference",
    "LayoutError",
    "ManifestError",
    "ManifestNotFound",
    "MountError",
    "NotFound",
    "PullError",
    "RangeIgnored",
    "RangeNotSupported",
    "RegistryError",
    "RepositoryNotFound",
    "ResourceNotFound",
    "ServerError",
    "SettingsError",
    "SignatureError",
    "TOCError",
    "TarFormatError",
    "ThrottledError",
    "TooManyRequests",
    "TransportError",
    "TransportTimeout",
    "UnsafeContent",
    "UnsupportedMediaType",
    "UploadError",
]


class CoreError(Exception):
    """Root of every error raised by ``core``.

    ``code`` is a stable machine-readable code (the registry's or cloud's own code where one
    exists); ``detail`` carries structured context for logs and the GUI's details dialog.
    """

    code: str = "CoreError"

    def __init__(self, message: str, *, code: str | None = None, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.detail: dict[str, Any] = detail

    def __str__(self) -> str:
        return self.message


class InvalidInput(CoreError):
    code = "InvalidInput"


class InvalidReference(InvalidInput):
    code = "InvalidReference"


class DigestError(CoreError):
    code = "DigestError"


class InvalidDigest(DigestError, InvalidInput):
    code = "InvalidDigest"


class DigestMismatch(DigestError):
    code = "DigestMismatch"

    def __init__(self, message: str, *, expected: str = "", actual: str = "", **detail: Any):
        super().__init__(message, **detail)
        self.expected = expected
        self.actual = actual


class ManifestError(CoreError):
    code = "ManifestError"


class UnsupportedMediaType(ManifestError):
    code = "UnsupportedMediaType"


class LayoutError(CoreError):
    code = "LayoutError"


class TransportError(CoreError):
    code = "TransportError"


class TransportTimeout(TransportError):
    code = "Timeout"


class RegistryError(CoreError):
    """The registry answered with an error. ``status`` is the HTTP status when there was one."""

    code = "RegistryError"

    def __init__(
        self, message: str, *, code: str | None = None, status: int | None = None, **detail: Any
    ) -> None:
        super().__init__(message, code=code, **detail)
        self.status = status


class AuthError(RegistryError):
    code = "UNAUTHORIZED"


class NotFound(RegistryError):
    code = "NOT_FOUND"


class ManifestNotFound(NotFound):
    code = "MANIFEST_UNKNOWN"


class BlobNotFound(NotFound):
    code = "BLOB_UNKNOWN"


class RepositoryNotFound(NotFound):
    code = "NAME_UNKNOWN"


class RangeNotSupported(RegistryError):
    code = "RangeNotSupported"


class RangeIgnored(RangeNotSupported):
    """The registry answered a ``Range`` request with the whole blob (status 200)."""

    code = "RangeIgnored"


class UploadError(RegistryError):
    code = "BLOB_UPLOAD_INVALID"


class TooManyRequests(RegistryError):
    code = "TOOMANYREQUESTS"

    def __init__(self, message: str, *, retry_after: float | None = None, **detail: Any):
        super().__init__(message, status=429, **detail)
        self.retry_after = retry_after


class FormatError(CoreError):
    code = "FormatError"


class TOCError(FormatError):
    code = "TOCError"


class TarFormatError(FormatError):
    """A malformed tar stream; ``entry`` names the entry being read, when known."""

    code = "TarFormatError"

    def __init__(self, message: str, *, entry: str = "", **detail: Any) -> None:
        super().__init__(message, entry=entry, **detail)
        self.entry = entry


class UnsafeContent(CoreError):
    """Content the safety policy refuses (`core.formats` safety: escapes, decompression
    bombs …), in the same words from every reader.

    The message names what is known of where: ``image``, ``layer`` (its digest, or index and
    digest), ``entry`` (the path inside the archive), then ``reason`` and the ``rule``, and
    ``allow``, the option that accepts it when one exists: ``image …, layer sha256:…, entry
    'evil/x': goes through the symlink 'evil' (rule through-symlink)``. A reader that knows
    more than the code that refused adds it with :meth:`locate`.
    """

    code = "UnsafeContent"

    def __init__(
        self,
        reason: str,
        *,
        entry: str = "",
        layer: str = "",
        image: str = "",
        rule: str = "",
        allow: str = "",
        **detail: Any,
    ) -> None:
        self.reason = reason
        self.entry = entry
        self.layer = layer
        self.image = image
        self.rule = rule
        self.allow = allow
        super().__init__(self._compose(), rule=rule, **detail)

    def _compose(self) -> str:
        where = []
        if self.image:
            where.append(f"image {self.image}")
        if self.layer:
            where.append(f"layer {self.layer}")
        if self.entry:
            where.append(f"entry {self.entry!r}")
        text = (", ".join(where) + ": " if where else "") + self.reason
        if self.rule:
            text += f" (rule {self.rule}" + (f"; {self.allow} accepts it" if self.allow else "")
            text += ")"
        return text

    def locate(self, *, image: str = "", layer: str = "") -> UnsafeContent:
        """Add the image and layer when they are not known yet; returns ``self``."""
        if image and not self.image:
            self.image = image
        if layer and not self.layer:
            self.layer = layer
        self.message = self._compose()
        self.args = (self.message,)
        self.detail.setdefault("layer", self.layer)
        if self.image:
            self.detail["image"] = self.image
        return self


class ConvertError(CoreError):
    code = "ConvertError"


class PullError(CoreError):
    code = "PullError"


class MountError(PullError):
    code = "MountError"


class ColdStartError(CoreError):
    code = "ColdStartError"


class CloudError(CoreError):
    """An API call failed. ``request_id`` is the service's request id when one was returned."""

    code = "CloudError"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        **detail: Any,
    ) -> None:
        super().__init__(message, code=code, **detail)
        self.status = status
        self.request_id = request_id


class SignatureError(CloudError):
    code = "SignatureNotMatch"


class CredentialsError(CloudError):
    code = "CredentialsError"


class ThrottledError(CloudError):
    code = "Throttling"


class ResourceNotFound(CloudError):
    code = "NotFound"


class ServerError(CoreError):
    code = "ServerError"


class SettingsError(CoreError):
    code = "SettingsError"
