"""A small in-process fake registry on ``httpx.MockTransport`` that can misbehave on request."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx

from core.oci import Digest

Handler = Callable[[httpx.Request], httpx.Response | None]


@dataclass
class FakeRegistry:
    """Serves blobs and manifests; hooks let a test override any answer."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    manifests: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    hooks: list[Handler] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    multipart: bool = True
    truncate_after: int | None = None  # cut every blob body after this many bytes
    truncations_left: int = 0

    def add_blob(self, data: bytes) -> Digest:
        d = Digest.of_bytes(data)
        self.blobs[str(d)] = data
        return d

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport())

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for hook in self.hooks:
            answer = hook(request)
            if answer is not None:
                return answer
        path = request.url.path
        if path == "/v2/":
            return httpx.Response(200)
        m = re.fullmatch(r"/v2/(.+)/blobs/(sha256:[0-9a-f]+)", path)
        if m:
            return self._blob(request, m.group(2))
        m = re.fullmatch(r"/v2/(.+)/manifests/(.+)", path)
        if m:
            entry = self.manifests.get(m.group(2))
            if entry is None:
                return error(404, "MANIFEST_UNKNOWN", "manifest unknown")
            raw, media_type = entry
            return httpx.Response(
                200,
                content=raw,
                headers={
                    "Content-Type": media_type,
                    "Docker-Content-Digest": str(Digest.of_bytes(raw)),
                },
            )
        return error(404, "NAME_UNKNOWN", "repository name not known to registry")

    def _blob(self, request: httpx.Request, digest: str) -> httpx.Response:
        data = self.blobs.get(digest)
        if data is None:
            return error(404, "BLOB_UNKNOWN", "blob unknown to registry")
        headers = {"Docker-Content-Digest": digest, "Accept-Ranges": "bytes"}
        if request.method == "HEAD":
            return httpx.Response(200, headers={**headers, "Content-Length": str(len(data))})
        rng = request.headers.get("range")
        if rng:
            specs = []
            for spec in rng.removeprefix("bytes=").split(","):
                a, _, b = spec.partition("-")
                if a == "":
                    first, last = max(0, len(data) - int(b)), len(data) - 1
                else:
                    first, last = int(a), min(int(b), len(data) - 1) if b else len(data) - 1
                if first >= len(data):
                    return httpx.Response(416, headers={"Content-Range": f"bytes */{len(data)}"})
                specs.append((first, last))
            if len(specs) == 1:
                first, last = specs[0]
                return self._body(
                    206,
                    data[first : last + 1],
                    {**headers, "Content-Range": f"bytes {first}-{last}/{len(data)}"},
                )
            if not self.multipart:
                return httpx.Response(200, content=data, headers=headers)
            boundary = "a:b=c"  # needs quoting per RFC 2046, sent unquoted like some CDNs
            body = b""
            for first, last in specs:
                body += (
                    f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n"
                    f"Content-Range: bytes {first}-{last}/{len(data)}\r\n\r\n"
                ).encode() + data[first : last + 1]
            body += f"\r\n--{boundary}--\r\n".encode()
            return httpx.Response(
                206,
                content=body,
                headers={**headers, "Content-Type": f"multipart/byteranges; boundary={boundary}"},
            )
        return self._body(200, data, headers)

    def _body(self, status: int, data: bytes, headers: dict[str, str]) -> httpx.Response:
        if (
            self.truncate_after is not None
            and self.truncations_left > 0
            and len(data) > self.truncate_after
        ):
            self.truncations_left -= 1
            cut = self.truncate_after
            return httpx.Response(
                status,
                content=_truncated(data[:cut]),
                headers={**headers, "Content-Length": str(len(data))},
            )
        return httpx.Response(status, content=data, headers=headers)


async def _truncated(data: bytes) -> AsyncIterator[bytes]:
    yield data
    raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def error(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps({"errors": [{"code": code, "message": message, "detail": None}]}),
        headers={"Content-Type": "application/json", **headers},
    )
