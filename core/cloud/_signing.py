"""ACS3-HMAC-SHA256 request signing (Alibaba Cloud signature V3).

The canonicalisation steps are pure functions so that a server (the Local server) can verify
requests with exactly the code that signs them:

```
CanonicalRequest = METHOD \\n CanonicalURI \\n CanonicalQuery \\n CanonicalHeaders \\n
                   SignedHeaders \\n HashedPayload
StringToSign     = "ACS3-HMAC-SHA256\\n" + hex(sha256(CanonicalRequest))
Signature        = hex(hmac_sha256(AccessKeySecret, StringToSign))
Authorization    = "ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b;c>,Signature=<sig>"
```

`ACS3Auth` is the client side as an ``httpx.Auth``; `verify_signature` is the server side.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote

import httpx

from core.errors import SignatureError

if TYPE_CHECKING:
    from collections.abc import Generator

    from core.cloud._credentials import Credentials

__all__ = [
    "ALGORITHM",
    "EMPTY_PAYLOAD_SHA256",
    "ACS3Auth",
    "SignatureInfo",
    "authorization_header",
    "canonical_headers",
    "canonical_query_string",
    "canonical_request",
    "format_acs_date",
    "hash_payload",
    "parse_acs_date",
    "parse_authorization",
    "parse_query_string",
    "percent_encode",
    "sign",
    "signed_header_names",
    "string_to_sign",
    "verify_signature",
]

ALGORITHM = "ACS3-HMAC-SHA256"
EMPTY_PAYLOAD_SHA256 = hashlib.sha256(b"").hexdigest()
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: Default tolerance between ``x-acs-date`` and the verifier's clock.
DEFAULT_MAX_SKEW = timedelta(minutes=15)


def percent_encode(value: str) -> str:
    """RFC 3986 encoding: unreserved ``A-Z a-z 0-9 - _ . ~`` kept, everything else ``%XX``."""
    return quote(value, safe="-_.~")


def parse_query_string(query: str | bytes) -> list[tuple[str, str]]:
    """Decode a raw query string into ``(name, value)`` pairs (``+`` means space)."""
    if isinstance(query, bytes):
        query = query.decode("ascii", errors="strict")
    return parse_qsl(query, keep_blank_values=True)


def canonical_query_string(pairs: Iterable[tuple[str, str]]) -> str:
    """Sorted, RFC 3986-encoded ``name=value`` pairs joined by ``&`` ("" when empty)."""
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


#: Headers that belong to the connection, not to the request: the HTTP stack may add, drop or
#: rewrite them on the way (compression, keep-alive, framing), so they are never signed.
_UNSIGNED_HEADERS = frozenset(
    {
        "authorization",
        "accept-encoding",
        "connection",
        "content-length",
        "expect",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


def signed_header_names(header_names: Iterable[str]) -> list[str]:
    """The header names a client signs: every header of the request itself (``host``,
    ``accept``, ``content-type``, ``user-agent``, ``x-acs-*``, ``x-fc-*`` …), as the official
    SDKs do, but none of the connection's (``content-length``, ``accept-encoding`` …)."""
    names = {n.lower() for n in header_names}
    return sorted(n for n in names if n not in _UNSIGNED_HEADERS)


def canonical_headers(headers: Mapping[str, str], signed_headers: Sequence[str]) -> str:
    """``name:value\\n`` for each signed header (lower-case names, trimmed values, sorted).

    ``headers`` must be looked up case-insensitively (``httpx.Headers`` or a dict with
    lower-case keys). A signed header that is missing counts as an empty value, as a verifier
    must not fail open on it: the signature then simply does not match.
    """
    lines = []
    for name in sorted(n.lower() for n in signed_headers):
        value = headers.get(name)
        lines.append(f"{name}:{(value or '').strip()}\n")
    return "".join(lines)


def canonical_request(
    method: str,
    path: str,
    query_pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    payload_hash: str,
) -> str:
    """The canonical request string. ``path`` is the raw, already percent-encoded path."""
    names = sorted(n.lower() for n in signed_headers)
    return "\n".join(
        [
            method.upper(),
            path or "/",
            canonical_query_string(query_pairs),
            canonical_headers(headers, names),
            ";".join(names),
            payload_hash,
        ]
    )


def string_to_sign(canonical: str) -> str:
    return f"{ALGORITHM}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def sign(secret: str, to_sign: str) -> str:
    """Lower-hex HMAC-SHA256 of ``to_sign`` keyed with the AccessKey secret."""
    return hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def hash_payload(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def authorization_header(access_key_id: str, signed_headers: Sequence[str], signature: str) -> str:
    names = ";".join(sorted(n.lower() for n in signed_headers))
    return f"{ALGORITHM} Credential={access_key_id},SignedHeaders={names},Signature={signature}"


_AUTH_RE = re.compile(
    r"^\s*ACS3-HMAC-SHA256\s+(?P<params>.+?)\s*$",
)


def parse_authorization(header: str) -> tuple[str, list[str], str]:
    """Split an ``Authorization`` header into ``(access_key_id, signed_headers, signature)``.

    Raises `SignatureError` (code ``IncompleteSignature``) when it is not a well-formed ACS3
    header.
    """
    match = _AUTH_RE.match(header or "")
    if match is None:
        raise SignatureError(
            "Authorization header is not ACS3-HMAC-SHA256", code="IncompleteSignature"
        )
    fields: dict[str, str] = {}
    for part in match.group("params").split(","):
        name, sep, value = part.strip().partition("=")
        if not sep or not name:
            raise SignatureError("malformed Authorization header", code="IncompleteSignature")
        fields[name] = value
    try:
        access_key_id = fields["Credential"]
        signed = fields["SignedHeaders"]
        signature = fields["Signature"]
    except KeyError as exc:
        raise SignatureError(
            f"Authorization header lacks {exc.args[0]}", code="IncompleteSignature"
        ) from exc
    if not access_key_id or not signed or not re.fullmatch(r"[0-9a-f]{64}", signature):
        raise SignatureError("malformed Authorization header", code="IncompleteSignature")
    return access_key_id, [n.lower() for n in signed.split(";") if n], signature


def format_acs_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_DATE_FORMAT)


def parse_acs_date(value: str) -> datetime:
    try:
        return datetime.strptime(value, _DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError as exc:
        raise SignatureError(
            "x-acs-date is not YYYY-MM-DDThh:mm:ssZ", code="InvalidTimeStamp.Format"
        ) from exc


@dataclass(frozen=True, slots=True)
class SignatureInfo:
    """What a verified request was signed with (no secret in it)."""

    access_key_id: str
    signed_headers: tuple[str, ...]
    nonce: str
    date: datetime
    security_token: str | None

    def __repr__(self) -> str:
        token = "set" if self.security_token else "none"
        return (
            f"SignatureInfo(access_key_id={self.access_key_id!r}, nonce={self.nonce!r}, "
            f"date={format_acs_date(self.date)!r}, security_token={token})"
        )


def verify_signature(
    *,
    method: str,
    path: str,
    query: str | bytes | Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes | None,
    secret_for: Callable[[str], str | None],
    now: datetime | None = None,
    max_skew: timedelta = DEFAULT_MAX_SKEW,
) -> SignatureInfo:
    """Check an ACS3-signed request the way the cloud does; return who signed it.

    ``headers`` must be case-insensitive (``httpx.Headers``, Starlette ``Headers``) or use
    lower-case keys. ``path`` is the raw path as sent (percent-encoded, without the query).
    ``secret_for`` maps an AccessKey id to its secret (``None`` = unknown id). Replay
    protection (remembering nonces) is the caller's, as it needs state. ``body=None``
    verifies everything the headers carry (the signature covers the declared body hash)
    and leaves the body to `verify_payload`, so that a server can refuse a request before
    reading its body.

    Raises `SignatureError` with the cloud's codes: ``IncompleteSignature``,
    ``InvalidAccessKeyId.NotFound``, ``MissingHeader``, ``ContentSHA256Mismatch``,
    ``InvalidTimeStamp.Expired``, ``SignatureNotMatch``.
    """
    access_key_id, signed, signature = parse_authorization(headers.get("authorization") or "")
    required = {"host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}
    for name in sorted(required):
        if name not in signed or not headers.get(name):
            raise SignatureError(
                f"header {name} must be present and signed", code="MissingHeader", header=name
            )
    secret = secret_for(access_key_id)
    if secret is None:
        raise SignatureError(
            f"AccessKey id {access_key_id!r} is unknown", code="InvalidAccessKeyId.NotFound"
        )
    declared_hash = (headers.get("x-acs-content-sha256") or "").strip().lower()
    if body is not None:
        verify_payload(headers, body)
    date = parse_acs_date((headers.get("x-acs-date") or "").strip())
    current = now or datetime.now(UTC)
    skew = (current - date).total_seconds()  # > 0: the client's clock is behind
    if abs(skew) > max_skew.total_seconds():
        raise SignatureError(
            f"x-acs-date is {skew:+.0f} s away from the server clock",
            code="InvalidTimeStamp.Expired",
            skew_seconds=skew,
        )
    pairs = parse_query_string(query) if isinstance(query, str | bytes) else list(query)
    canonical = canonical_request(method, path, pairs, headers, signed, declared_hash)
    expected = sign(secret, string_to_sign(canonical))
    if not hmac.compare_digest(expected, signature):
        raise SignatureError(
            "The request signature does not match the one calculated by the server",
            code="SignatureNotMatch",
            access_key_id=access_key_id,
            string_to_sign=string_to_sign(canonical),
        )
    token = headers.get("x-acs-security-token")
    if token is not None and "x-acs-security-token" not in signed:
        raise SignatureError(
            "x-acs-security-token must be signed", code="MissingHeader", header="token"
        )
    return SignatureInfo(
        access_key_id=access_key_id,
        signed_headers=tuple(signed),
        nonce=(headers.get("x-acs-signature-nonce") or "").strip(),
        date=date,
        security_token=token,
    )


def verify_payload(headers: Mapping[str, str], body: bytes) -> None:
    """Check a body against the ``x-acs-content-sha256`` its request declares (and signs):
    raise `SignatureError` ``ContentSHA256Mismatch``. A server that verified the signature
    with ``body=None`` (from the headers alone, before reading the body) calls this once it
    has the body."""
    declared_hash = (headers.get("x-acs-content-sha256") or "").strip().lower()
    if declared_hash != hash_payload(body):
        raise SignatureError(
            "x-acs-content-sha256 does not match the request body", code="ContentSHA256Mismatch"
        )


CredentialsSource = Callable[[], "Credentials"]


class ACS3Auth(httpx.Auth):
    """Sign every request with ACS3-HMAC-SHA256.

    The caller sets ``x-acs-action`` and ``x-acs-version`` on the request; this adds
    ``x-acs-date``, ``x-acs-signature-nonce``, ``x-acs-content-sha256``, the STS headers when
    the credentials carry a token, and ``Authorization``. The query string is re-encoded in its
    canonical form, so what is sent is exactly what was signed.

    ``credentials`` is a `Credentials` or a zero-argument callable returning one (read at
    every request, so refreshed STS tokens are picked up). ``clock`` and ``nonce`` are for tests.
    """

    requires_request_body = True

    def __init__(
        self,
        credentials: Credentials | CredentialsSource,
        *,
        clock: Callable[[], datetime] | None = None,
        nonce: Callable[[], str] | None = None,
    ) -> None:
        self._credentials = credentials
        self._clock = clock or (lambda: datetime.now(UTC))
        self._nonce = nonce or (lambda: secrets.token_hex(16))

    def __repr__(self) -> str:
        return "ACS3Auth()"

    def _current_credentials(self) -> Credentials:
        creds = self._credentials
        return creds() if callable(creds) else creds

    def sign_request(self, request: httpx.Request) -> None:
        """Add the signature headers to ``request`` in place."""
        creds = self._current_credentials()
        body = request.content
        pairs = parse_query_string(request.url.query)
        canonical_query = canonical_query_string(pairs)
        request.url = request.url.copy_with(query=canonical_query.encode("ascii") or None)
        headers = request.headers
        for stale in ("authorization", "x-acs-security-token", "x-acs-accesskey-id"):
            if stale in headers:
                del headers[stale]
        payload_hash = hash_payload(body)
        headers["x-acs-content-sha256"] = payload_hash
        headers["x-acs-date"] = format_acs_date(self._clock())
        headers["x-acs-signature-nonce"] = self._nonce()
        if creds.security_token:
            headers["x-acs-accesskey-id"] = creds.access_key_id
            headers["x-acs-security-token"] = creds.security_token
        if "host" not in headers:
            headers["host"] = request.url.netloc.decode("ascii")
        names = signed_header_names(headers.keys())
        raw_path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        canonical = canonical_request(request.method, raw_path, pairs, headers, names, payload_hash)
        signature = sign(creds.access_key_secret, string_to_sign(canonical))
        headers["authorization"] = authorization_header(creds.access_key_id, names, signature)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign_request(request)
        yield request
