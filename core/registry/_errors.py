"""Map registry responses and httpx exceptions to the :mod:`core.errors` tree."""

from __future__ import annotations

import json
from typing import Any, Literal, NoReturn

import httpx

from core._retry import parse_retry_after
from core.errors import (
    AuthError,
    BlobNotFound,
    CoreError,
    ManifestNotFound,
    NotFound,
    RangeNotSupported,
    RegistryError,
    RepositoryNotFound,
    TooManyRequests,
    TransportError,
    TransportTimeout,
    UploadError,
)

__all__ = [
    "Subject",
    "parse_error_body",
    "raise_for_status",
    "transport_error",
]

#: What a request was about, to choose among the ``NotFound`` subclasses.
Subject = Literal["manifest", "blob", "upload", "repository", "registry"]

_UPLOAD_CODES = frozenset(
    {"BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID", "SIZE_INVALID"}
)


def parse_error_body(body: bytes) -> tuple[str | None, str | None, object]:
    """``(code, message, detail)`` of the first entry of a Distribution error body."""
    try:
        obj = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, None, None
    if not isinstance(obj, dict):
        return None, None, None
    errors = obj.get("errors")
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return None, None, None
    first = errors[0]
    code = first.get("code")
    message = first.get("message")
    return (
        code if isinstance(code, str) else None,
        message if isinstance(message, str) else None,
        first.get("detail"),
    )


def raise_for_status(response: httpx.Response, subject: Subject, what: str) -> NoReturn:
    """Raise the specific error for a failed response (its body must have been read).

    ``what`` names the object for the message (``"manifest app:v1"``); the registry's own
    error code and message are kept on the exception.
    """
    status = response.status_code
    try:
        body = response.content
    except httpx.ResponseNotRead:
        body = b""
    code, message, detail = parse_error_body(body)
    reason = message or response.reason_phrase or "error"
    text = f"{what}: {reason} (HTTP {status}{', ' + code if code else ''})"
    extra: dict[str, Any] = {"status": status}
    if detail is not None:
        extra["registry_detail"] = detail
    request_id = response.headers.get("docker-distribution-api-version")
    if request_id:
        extra["api_version"] = request_id
    exc: RegistryError
    if status == 401 or code in ("UNAUTHORIZED",):
        exc = AuthError(text, code=code or "UNAUTHORIZED", **extra)
    elif status == 403 or code == "DENIED":
        exc = AuthError(text, code=code or "DENIED", **extra)
    elif status == 429 or code == "TOOMANYREQUESTS":
        exc = TooManyRequests(
            text, retry_after=parse_retry_after(response.headers.get("retry-after"))
        )
        if code:
            exc.code = code
    elif code == "MANIFEST_UNKNOWN" or (status == 404 and subject == "manifest" and not code):
        exc = ManifestNotFound(text, code=code, **extra)
    elif code == "BLOB_UNKNOWN" or (status == 404 and subject == "blob" and not code):
        exc = BlobNotFound(text, code=code, **extra)
    elif code == "NAME_UNKNOWN" or (status == 404 and subject == "repository" and not code):
        exc = RepositoryNotFound(text, code=code, **extra)
    elif code in _UPLOAD_CODES or (subject == "upload" and status in (400, 404, 416)):
        exc = UploadError(text, code=code, **extra)
    elif status == 404:
        exc = NotFound(text, code=code, **extra)
    elif status == 416:
        exc = RangeNotSupported(
            text,
            code=code or "RANGE_NOT_SATISFIABLE",
            content_range=response.headers.get("content-range"),
            **extra,
        )
    else:
        exc = RegistryError(text, code=code or f"HTTP_{status}", **extra)
    raise exc


def transport_error(exc: httpx.HTTPError, what: str) -> CoreError:
    """The core error for an httpx exception (to be raised ``from exc``)."""
    if isinstance(exc, httpx.TimeoutException):
        return TransportTimeout(f"{what}: timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return TransportError(f"{what}: invalid URL ({exc})", code="InvalidURL")
    return TransportError(f"{what}: {type(exc).__name__}: {exc}")
