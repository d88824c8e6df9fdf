"""The OCI Distribution v1.1 registry at ``/v2/``.

Pull and push (monolithic, chunked and resumable uploads, cross-repository mount), manifests by
tag or digest, tags list and ``_catalog`` with ``n``/``last`` pagination and ``Link`` headers,
DELETE of manifests, tags and blobs, the referrers API, Range reads of blobs (single, several
as ``multipart/byteranges``, suffix; 416 when none is satisfiable), Basic and Bearer auth.

Repository names are ``<namespace>/<repository>`` like ACR EE; a push creates both, and they
show up in the ACR API at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import secrets
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from core.emulator import _faults
from core.emulator._auth import Principal
from core.emulator._blobs import BlobFile, check_digest
from core.emulator._context import ServerContext, new_id
from core.emulator._errors import registry_error
from core.errors import CoreError, DigestMismatch, InvalidDigest, InvalidReference
from core.oci import (
    OCI_INDEX,
    Index,
    Manifest,
    parse_manifest,
    validate_repository,
    validate_tag,
)

__all__ = ["Registry", "ensure_repository", "registry_routes"]

log = logging.getLogger(__name__)

_MAX_MANIFEST = 4 * 1024 * 1024
_WRITE_BATCH = 4 * 1024 * 1024
_READ_CHUNK = 1024 * 1024
_API_HEADERS = {"Docker-Distribution-API-Version": "registry/2.0"}

_PATH_RE = re.compile(
    r"^/v2/(?P<name>.+?)/(?:"
    r"(?P<manifests>manifests)/(?P<reference>[^/]+)"
    r"|(?P<blobs>blobs)/(?P<digest>[^/]+)"
    r"|(?P<uploads>blobs/uploads)/(?P<upload>[^/]*)"
    r"|(?P<tags>tags/list)"
    r"|(?P<referrers>referrers)/(?P<subject>[^/]+)"
    r")$"
)


class RegistryFailure(Exception):
    def __init__(
        self, status: int, code: str, message: str, detail: Any = None, **headers: str
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.headers = {k.replace("_", "-"): v for k, v in headers.items()}

    def response(self) -> Response:
        return registry_error(
            self.status, self.code, self.message, detail=self.detail, headers=self.headers
        )


def _split_name(name: str) -> tuple[str, str]:
    try:
        validate_repository(name)
    except InvalidReference as exc:
        raise RegistryFailure(400, "NAME_INVALID", str(exc)) from exc
    namespace, sep, repo = name.partition("/")
    if not sep:
        raise RegistryFailure(
            400, "NAME_INVALID", "repository names are <namespace>/<repository> on this registry"
        )
    return namespace, repo


def ensure_repository(conn: sqlite3.Connection, name: str) -> str:
    """The id of repository ``name`` (``ns/repo``), creating it and its namespace if needed."""
    found = check_repository(conn, name)
    if found:
        return found
    namespace, repo = _split_name(name)
    now = int(time.time() * 1000)
    ns = conn.execute(
        "SELECT auto_create_repo FROM namespaces WHERE name = ?", (namespace,)
    ).fetchone()
    if ns is None:
        conn.execute(
            "INSERT INTO namespaces (id, name, auto_create_repo, default_repo_type, created) "
            "VALUES (?, ?, 1, 'PRIVATE', ?)",
            (new_id("crn-"), namespace, now),
        )
    elif not ns["auto_create_repo"]:
        raise RegistryFailure(
            404,
            "NAME_UNKNOWN",
            f"repository {name} does not exist and namespace {namespace} does not create "
            "repositories on push",
        )
    repo_id = new_id("crr-")
    conn.execute(
        "INSERT INTO repositories (id, namespace, name, repo_type, summary, created, modified) "
        "VALUES (?, ?, ?, 'PRIVATE', '', ?, ?)",
        (repo_id, namespace, repo, now, now),
    )
    return repo_id


def check_repository(conn: sqlite3.Connection, name: str) -> str:
    """The id of repository ``name``, or ``""`` when a push may create it; raise
    `RegistryFailure` when it does not exist and its namespace does not create repositories
    on push. Creates nothing: a repository appears when content lands in it."""
    namespace, repo = _split_name(name)
    row = conn.execute(
        "SELECT id FROM repositories WHERE namespace = ? AND name = ?", (namespace, repo)
    ).fetchone()
    if row is not None:
        return str(row["id"])
    ns = conn.execute(
        "SELECT auto_create_repo FROM namespaces WHERE name = ?", (namespace,)
    ).fetchone()
    if ns is not None and not ns["auto_create_repo"]:
        raise RegistryFailure(
            404,
            "NAME_UNKNOWN",
            f"repository {name} does not exist and namespace {namespace} does not create "
            "repositories on push",
        )
    return ""


def _repo_exists(conn: sqlite3.Connection, name: str) -> bool:
    namespace, _, repo = name.partition("/")
    return (
        conn.execute(
            "SELECT 1 FROM repositories WHERE namespace = ? AND name = ?", (namespace, repo)
        ).fetchone()
        is not None
    )


@dataclass(frozen=True, slots=True)
class _Range:
    start: int
    end: int  # inclusive


def parse_ranges(header: str, size: int) -> list[_Range] | None:
    """Satisfiable ranges of a ``Range`` header; ``None`` = ignore the header (serve 200).

    Raises `RegistryFailure` 416 when the header is malformed or nothing is satisfiable.
    """
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    not_satisfiable = RegistryFailure(
        416,
        "RANGE_NOT_SATISFIABLE",
        "requested range not satisfiable",
        Content_Range=f"bytes */{size}",
    )
    result: list[_Range] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        first, dash, last = part.partition("-")
        first, last = first.strip(), last.strip()
        if not dash or (first and not first.isdigit()) or (last and not last.isdigit()):
            raise not_satisfiable
        if not first:
            if not last:
                raise not_satisfiable
            n = int(last)
            if n == 0 or size == 0:
                continue
            result.append(_Range(max(0, size - n), size - 1))
            continue
        start = int(first)
        end = int(last) if last else size - 1
        if end < start:
            raise not_satisfiable
        if start >= size:
            continue
        result.append(_Range(start, min(end, size - 1)))
    if not result:
        raise not_satisfiable
    if len(result) > 100:
        return None
    return result


def _pread(path: str, offset: int, length: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(offset)
        return fh.read(length)


async def _file_chunks(blob: BlobFile, start: int, end: int) -> AsyncIterator[bytes]:
    """Bytes ``start..end`` (inclusive) of a verified blob, read off the event loop."""
    path = str(blob.path)
    pos = start
    # Opened and closed on the loop (both are cheap): when a client hangs up, the stream is
    # cancelled and an await in ``finally`` (or a cancelled to_thread(open)) would leak the file.
    fh = open(path, "rb")  # noqa: ASYNC230, SIM115 - closed in finally
    try:
        while pos <= end:
            chunk = await asyncio.to_thread(_read_at, fh, pos, min(_READ_CHUNK, end - pos + 1))
            if not chunk:
                raise RuntimeError(f"blob {blob.digest} is shorter than recorded")
            pos += len(chunk)
            yield chunk
    finally:
        fh.close()


def _read_at(fh: BinaryIO, offset: int, length: int) -> bytes:
    fh.seek(offset)
    return fh.read(length)


class Registry:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self._upload_locks: dict[str, asyncio.Lock] = {}

    # -- entry point ---------------------------------------------------------------------

    async def dispatch(self, request: Request) -> Response:
        try:
            principal = self._authenticate(request)
            path = request.url.path
            if path in ("/v2", "/v2/"):
                return JSONResponse({}, headers=_API_HEADERS)
            if path == "/v2/_catalog":
                return await self._catalog(request)
            match = _PATH_RE.match(path)
            if match is None:
                raise RegistryFailure(404, "NOT_FOUND", "unknown registry endpoint")
            name = match["name"]
            _split_name(name)
            method = request.method
            writing = method not in ("GET", "HEAD")
            if writing and not principal.can_push:
                raise self._challenge(request, name, "push", "anonymous access is pull-only")
            if match["manifests"]:
                return await self._manifests(request, name, match["reference"])
            if match["uploads"]:
                return await self._uploads(request, name, match["upload"])
            if match["blobs"]:
                return await self._blobs(request, name, match["digest"])
            if match["tags"]:
                return await self._tags(request, name)
            if match["referrers"]:
                return await self._referrers(request, name, match["subject"])
            raise RegistryFailure(404, "NOT_FOUND", "unknown registry endpoint")
        except RegistryFailure as exc:
            return exc.response()
        except DigestMismatch as exc:
            return registry_error(400, "DIGEST_INVALID", str(exc))
        except InvalidDigest as exc:
            if exc.code == "UNSUPPORTED":
                return registry_error(400, "UNSUPPORTED", str(exc))
            return registry_error(400, "DIGEST_INVALID", str(exc))

    # -- auth ------------------------------------------------------------------------------

    def _challenge(
        self, request: Request, name: str | None, actions: str, message: str
    ) -> RegistryFailure:
        realm = f"{request.url.scheme}://{request.headers.get('host', '')}/x-fcdesk/token"
        value = f'Bearer realm="{realm}",service="fcdesk-local"'
        if name:
            value += f',scope="repository:{name}:{actions}"'
        return RegistryFailure(401, "UNAUTHORIZED", message, WWW_Authenticate=value)

    def _authenticate(self, request: Request) -> Principal:
        principal = self.ctx.auth.registry_principal(request.headers.get("authorization"))
        if principal is None:
            match = _PATH_RE.match(request.url.path)
            name = match["name"] if match else None
            actions = "pull" if request.method in ("GET", "HEAD") else "pull,push"
            raise self._challenge(request, name, actions, "authentication required")
        return principal

    # -- catalog and tags ------------------------------------------------------------------

    @staticmethod
    def _page_params(request: Request) -> tuple[int | None, str]:
        raw_n = request.query_params.get("n")
        n: int | None = None
        if raw_n is not None:
            if not raw_n.isdigit():
                raise RegistryFailure(400, "PAGINATION_NUMBER_INVALID", "n must be a number")
            n = int(raw_n)
        return n, request.query_params.get("last", "")

    @staticmethod
    def _link(path: str, n: int, last: str) -> str:
        return f'<{path}?{urlencode({"n": n, "last": last})}>; rel="next"'

    async def _catalog(self, request: Request) -> Response:
        n, last = self._page_params(request)

        def query(conn: sqlite3.Connection) -> list[str]:
            rows = conn.execute(
                "SELECT namespace || '/' || name AS full FROM repositories "
                "WHERE namespace || '/' || name > ? ORDER BY full LIMIT ?",
                (last, -1 if n is None else n + 1),
            ).fetchall()
            return [str(r["full"]) for r in rows]

        names = await self.ctx.db.run(query)
        headers = dict(_API_HEADERS)
        if n is not None and len(names) > n:
            names = names[:n]
            headers["Link"] = self._link("/v2/_catalog", n, names[-1])
        if n == 0:
            names = []
        return JSONResponse({"repositories": names}, headers=headers)

    async def _tags(self, request: Request, name: str) -> Response:
        if request.method not in ("GET", "HEAD"):
            raise RegistryFailure(405, "UNSUPPORTED", "method not allowed")
        n, last = self._page_params(request)

        def query(conn: sqlite3.Connection) -> list[str] | None:
            if not _repo_exists(conn, name):
                return None
            rows = conn.execute(
                "SELECT tag FROM tags WHERE repo = ? AND tag > ? ORDER BY tag LIMIT ?",
                (name, last, -1 if n is None else n + 1),
            ).fetchall()
            return [str(r["tag"]) for r in rows]

        tags = await self.ctx.db.run(query)
        if tags is None:
            raise RegistryFailure(404, "NAME_UNKNOWN", f"repository {name} is not known")
        headers = dict(_API_HEADERS)
        if n is not None and len(tags) > n:
            tags = tags[:n]
            headers["Link"] = self._link(f"/v2/{name}/tags/list", n, tags[-1])
        if n == 0:
            tags = []
        return JSONResponse({"name": name, "tags": tags}, headers=headers)

    # -- manifests ------------------------------------------------------------------------

    async def _resolve(self, name: str, reference: str) -> sqlite3.Row | None:
        """The manifest row of a tag or digest in ``name``."""

        def query(conn: sqlite3.Connection) -> sqlite3.Row | None:
            digest = reference
            if ":" not in reference:
                row = conn.execute(
                    "SELECT digest FROM tags WHERE repo = ? AND tag = ?", (name, reference)
                ).fetchone()
                if row is None:
                    return None
                digest = row["digest"]
            result: sqlite3.Row | None = conn.execute(
                "SELECT * FROM manifests WHERE repo = ? AND digest = ?", (name, digest)
            ).fetchone()
            return result

        return await self.ctx.db.run(query)

    def _check_reference(self, reference: str) -> None:
        try:
            if ":" in reference:
                check_digest(reference)
            else:
                validate_tag(reference)
        except InvalidReference as exc:
            raise RegistryFailure(400, "TAG_INVALID", str(exc)) from exc

    async def _manifests(self, request: Request, name: str, reference: str) -> Response:
        method = request.method
        self._check_reference(reference)
        if method in ("GET", "HEAD"):
            row = await self._resolve(name, reference)
            if row is None:
                raise RegistryFailure(
                    404, "MANIFEST_UNKNOWN", f"manifest {reference} not found in {name}"
                )
            digest = str(row["digest"])
            headers = {
                **_API_HEADERS,
                "Docker-Content-Digest": digest,
                "ETag": f'"{digest}"',
                "Content-Type": str(row["media_type"]),
            }
            if method == "HEAD":
                headers["Content-Length"] = str(row["size"])
                return Response(status_code=200, headers=headers)
            data = await self.ctx.blobs.read_verified(digest)
            if data is None:
                raise RegistryFailure(
                    404, "MANIFEST_UNKNOWN", f"manifest {digest} is missing or damaged on disk"
                )
            return Response(data, status_code=200, headers=headers)
        if method == "PUT":
            return await self._put_manifest(request, name, reference)
        if method == "DELETE":
            return await self._delete_manifest(name, reference)
        raise RegistryFailure(405, "UNSUPPORTED", "method not allowed")

    async def _put_manifest(self, request: Request, name: str, reference: str) -> Response:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > _MAX_MANIFEST:
                raise RegistryFailure(413, "SIZE_INVALID", "manifest larger than 4 MiB")
        raw = bytes(body)
        content_type = request.headers.get("content-type")
        try:
            parsed = parse_manifest(raw, content_type)
        except CoreError as exc:
            raise RegistryFailure(400, "MANIFEST_INVALID", str(exc)) from exc
        digest = "sha256:" + hashlib.sha256(raw).hexdigest()
        if ":" in reference and reference != digest:
            raise RegistryFailure(
                400, "DIGEST_INVALID", f"manifest digest is {digest}, not {reference}"
            )
        tag = None if ":" in reference else reference
        await self.store_manifest(name, raw, parsed, digest, tag)
        headers = {
            **_API_HEADERS,
            "Location": f"/v2/{name}/manifests/{digest}",
            "Docker-Content-Digest": digest,
        }
        if parsed.subject is not None:
            headers["OCI-Subject"] = str(parsed.subject.digest)
        return Response(status_code=201, headers=headers)

    async def store_manifest(
        self,
        name: str,
        raw: bytes,
        parsed: Manifest | Index,
        digest: str,
        tag: str | None,
    ) -> None:
        """Store a manifest (and its tag, in the same transaction); fire the tag hooks."""
        if isinstance(parsed, Manifest):
            blob_children = [str(parsed.config.digest)] + [str(d.digest) for d in parsed.layers]
            manifest_children: list[str] = []
            image_size = parsed.config.size + sum(d.size for d in parsed.layers)
            config_digest: str | None = str(parsed.config.digest)
        else:
            blob_children = []
            manifest_children = [str(d.digest) for d in parsed.manifests]
            image_size = sum(d.size for d in parsed.manifests)
            config_digest = None

        def check_children(conn: sqlite3.Connection) -> None:
            for child in blob_children:
                if (
                    conn.execute(
                        "SELECT 1 FROM repo_blobs WHERE repo = ? AND digest = ?", (name, child)
                    ).fetchone()
                    is None
                ):
                    raise RegistryFailure(
                        400,
                        "MANIFEST_BLOB_UNKNOWN",
                        f"blob {child} referenced by the manifest is not in {name}",
                        detail={"digest": child},
                    )
            for child in manifest_children:
                if (
                    conn.execute(
                        "SELECT 1 FROM manifests WHERE repo = ? AND digest = ?", (name, child)
                    ).fetchone()
                    is None
                ):
                    raise RegistryFailure(
                        400,
                        "MANIFEST_UNKNOWN",
                        f"manifest {child} referenced by the index is not in {name}",
                        detail={"digest": child},
                    )

        # A manifest refused for what it references leaves nothing behind: checked before
        # its bytes are stored (and again in the transaction that links it).
        await self.ctx.db.run(check_children)
        await self.ctx.blobs.write_bytes(raw, digest)
        subject = str(parsed.subject.digest) if parsed.subject is not None else None
        now = int(time.time() * 1000)

        def write(conn: sqlite3.Connection) -> bool:
            ensure_repository(conn, name)
            check_children(conn)
            conn.execute(
                "INSERT OR IGNORE INTO blobs (digest, size, created) VALUES (?, ?, ?)",
                (digest, len(raw), now),
            )
            conn.execute(
                "INSERT OR REPLACE INTO manifests (repo, digest, media_type, size, "
                "artifact_type, subject, config_digest, image_size, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    digest,
                    parsed.media_type,
                    len(raw),
                    parsed.artifact_type,
                    subject,
                    config_digest,
                    image_size,
                    now,
                ),
            )
            for child in blob_children + manifest_children:
                conn.execute(
                    "INSERT OR IGNORE INTO manifest_refs (repo, digest, child) VALUES (?, ?, ?)",
                    (name, digest, child),
                )
            if tag is None:
                return False
            old = conn.execute(
                "SELECT digest FROM tags WHERE repo = ? AND tag = ?", (name, tag)
            ).fetchone()
            if old is not None and old["digest"] == digest:
                return False
            conn.execute(
                "INSERT INTO tags (repo, tag, digest, created, updated) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (repo, tag) DO UPDATE SET digest = excluded.digest, "
                "updated = excluded.updated",
                (name, tag, digest, now, now),
            )
            namespace, _, repo = name.partition("/")
            conn.execute(
                "UPDATE repositories SET modified = ? WHERE namespace = ? AND name = ?",
                (now, namespace, repo),
            )
            return True

        changed = await self.ctx.db.run(write, "tag" if tag else "manifest")
        if tag is not None and changed:
            self.ctx.bus.publish(
                "tag.pushed", repo=name, tag=tag, digest=digest, size=image_size, updated=now
            )
            await self.ctx.tag_written(name, tag, digest)

    async def _delete_manifest(self, name: str, reference: str) -> Response:
        def delete(conn: sqlite3.Connection) -> list[str] | None:
            if ":" not in reference:
                cur = conn.execute("DELETE FROM tags WHERE repo = ? AND tag = ?", (name, reference))
                return [reference] if cur.rowcount else None
            row = conn.execute(
                "SELECT 1 FROM manifests WHERE repo = ? AND digest = ?", (name, reference)
            ).fetchone()
            if row is None:
                return None
            tags = [
                str(r["tag"])
                for r in conn.execute(
                    "SELECT tag FROM tags WHERE repo = ? AND digest = ?", (name, reference)
                )
            ]
            conn.execute("DELETE FROM tags WHERE repo = ? AND digest = ?", (name, reference))
            conn.execute("DELETE FROM manifests WHERE repo = ? AND digest = ?", (name, reference))
            conn.execute(
                "DELETE FROM manifest_refs WHERE repo = ? AND digest = ?", (name, reference)
            )
            return tags

        removed = await self.ctx.db.run(delete, "delete")
        if removed is None:
            raise RegistryFailure(404, "MANIFEST_UNKNOWN", f"{reference} not found in {name}")
        for tag in removed:
            self.ctx.bus.publish("tag.deleted", repo=name, tag=tag)
        digests = (reference,) if ":" in reference else ()
        await self.ctx.images_deleted(name, tuple(removed), digests)
        return Response(status_code=202, headers=_API_HEADERS)

    async def _referrers(self, request: Request, name: str, subject: str) -> Response:
        check_digest(subject)
        artifact_type = request.query_params.get("artifactType")

        def query(conn: sqlite3.Connection) -> list[sqlite3.Row]:
            return conn.execute(
                "SELECT digest, media_type, size, artifact_type FROM manifests "
                "WHERE repo = ? AND subject = ? ORDER BY digest",
                (name, subject),
            ).fetchall()

        manifests = []
        for row in await self.ctx.db.run(query):
            if artifact_type and row["artifact_type"] != artifact_type:
                continue
            entry: dict[str, Any] = {
                "mediaType": row["media_type"],
                "digest": row["digest"],
                "size": row["size"],
            }
            if row["artifact_type"]:
                entry["artifactType"] = row["artifact_type"]
            manifests.append(entry)
        headers = {**_API_HEADERS, "Content-Type": OCI_INDEX}
        if artifact_type:
            headers["OCI-Filters-Applied"] = "artifactType"
        body = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
        return Response(json.dumps(body), headers=headers, media_type=OCI_INDEX)

    # -- blobs ----------------------------------------------------------------------------

    async def _linked(self, name: str, digest: str) -> bool:
        row = await self.ctx.db.fetchone(
            "SELECT 1 FROM repo_blobs WHERE repo = ? AND digest = ? UNION ALL "
            "SELECT 1 FROM manifests WHERE repo = ? AND digest = ? LIMIT 1",
            (name, digest, name, digest),
        )
        return row is not None

    async def _blobs(self, request: Request, name: str, digest: str) -> Response:
        check_digest(digest)
        method = request.method
        if method == "DELETE":
            return await self._delete_blob(name, digest)
        if method not in ("GET", "HEAD"):
            raise RegistryFailure(405, "UNSUPPORTED", "method not allowed")
        if not await self._linked(name, digest):
            raise RegistryFailure(404, "BLOB_UNKNOWN", f"blob {digest} not found in {name}")
        blob = await self.ctx.blobs.open_verified(digest)
        if blob is None:
            await self.ctx.db.execute("DELETE FROM repo_blobs WHERE digest = ?", (digest,))
            await self.ctx.db.execute("DELETE FROM blobs WHERE digest = ?", (digest,))
            raise RegistryFailure(
                404, "BLOB_UNKNOWN", f"blob {digest} is missing or damaged on disk"
            )
        headers = {
            **_API_HEADERS,
            "Docker-Content-Digest": digest,
            "ETag": f'"{digest}"',
            "Accept-Ranges": "bytes",
            "Cache-Control": "max-age=31536000",
        }
        size = blob.size
        range_header = request.headers.get("range")
        ranges = parse_ranges(range_header, size) if range_header else None
        if method == "HEAD":
            headers["Content-Length"] = str(size)
            headers["Content-Type"] = "application/octet-stream"
            return Response(status_code=200, headers=headers)
        if ranges is None:
            headers["Content-Length"] = str(size)
            return StreamingResponse(
                _file_chunks(blob, 0, size - 1) if size else _empty(),
                headers=headers,
                media_type="application/octet-stream",
            )
        if len(ranges) == 1:
            r = ranges[0]
            headers["Content-Range"] = f"bytes {r.start}-{r.end}/{size}"
            headers["Content-Length"] = str(r.end - r.start + 1)
            return StreamingResponse(
                _file_chunks(blob, r.start, r.end),
                status_code=206,
                headers=headers,
                media_type="application/octet-stream",
            )
        boundary = secrets.token_hex(16)
        parts: list[tuple[bytes, _Range]] = []
        total = 0
        for r in ranges:
            head = (
                f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n"
                f"Content-Range: bytes {r.start}-{r.end}/{size}\r\n\r\n"
            ).encode()
            parts.append((head, r))
            total += len(head) + r.end - r.start + 1
        tail = f"\r\n--{boundary}--\r\n".encode()
        total += len(tail)
        headers["Content-Length"] = str(total)

        async def multipart() -> AsyncIterator[bytes]:
            for head, r in parts:
                yield head
                async for chunk in _file_chunks(blob, r.start, r.end):
                    yield chunk
            yield tail

        return StreamingResponse(
            multipart(),
            status_code=206,
            headers=headers,
            media_type=f"multipart/byteranges; boundary={boundary}",
        )

    async def _delete_blob(self, name: str, digest: str) -> Response:
        def delete(conn: sqlite3.Connection) -> tuple[bool, bool]:
            cur = conn.execute(
                "DELETE FROM repo_blobs WHERE repo = ? AND digest = ?", (name, digest)
            )
            if not cur.rowcount:
                return False, False
            still_used = conn.execute(
                "SELECT 1 FROM repo_blobs WHERE digest = ? UNION ALL "
                "SELECT 1 FROM manifests WHERE digest = ? LIMIT 1",
                (digest, digest),
            ).fetchone()
            if still_used is None:
                conn.execute("DELETE FROM blobs WHERE digest = ?", (digest,))
                return True, True
            return True, False

        found, orphan = await self.ctx.db.run(delete, "delete")
        if not found:
            raise RegistryFailure(404, "BLOB_UNKNOWN", f"blob {digest} not found in {name}")
        if orphan:
            await asyncio.to_thread(self.ctx.blobs.remove, digest)
        return Response(status_code=202, headers=_API_HEADERS)

    # -- uploads --------------------------------------------------------------------------

    def _upload_headers(self, name: str, upload_id: str, size: int) -> dict[str, str]:
        return {
            **_API_HEADERS,
            "Location": f"/v2/{name}/blobs/uploads/{upload_id}",
            "Docker-Upload-UUID": upload_id,
            "Range": f"0-{max(size - 1, 0)}",
            "OCI-Chunk-Min-Length": "0",
        }

    async def _link_blob(self, name: str, digest: str, size: int) -> None:
        now = int(time.time() * 1000)

        def write(conn: sqlite3.Connection) -> None:
            ensure_repository(conn, name)
            conn.execute(
                "INSERT OR IGNORE INTO blobs (digest, size, created) VALUES (?, ?, ?)",
                (digest, size, now),
            )
            conn.execute(
                "INSERT OR IGNORE INTO repo_blobs (repo, digest) VALUES (?, ?)", (name, digest)
            )

        await self.ctx.db.run(write, "blob")

    def _created(self, name: str, digest: str) -> Response:
        return Response(
            status_code=201,
            headers={
                **_API_HEADERS,
                "Location": f"/v2/{name}/blobs/{digest}",
                "Docker-Content-Digest": digest,
            },
        )

    async def _receive_into(self, request: Request, upload_id: str) -> int:
        """Append the request body to the upload file; return the new size."""
        upload = self.ctx.blobs.upload(upload_id)
        buf = bytearray()
        size = await asyncio.to_thread(upload.size)
        async for chunk in request.stream():
            buf += chunk
            if len(buf) >= _WRITE_BATCH:
                data, buf = bytes(buf), bytearray()
                size = await asyncio.to_thread(upload.append, data)
        if buf:
            size = await asyncio.to_thread(upload.append, bytes(buf))
        return size

    async def _session(self, name: str, upload_id: str) -> sqlite3.Row:
        row = await self.ctx.db.fetchone(
            "SELECT * FROM uploads WHERE id = ? AND repo = ?", (upload_id, name)
        )
        if row is None:
            raise RegistryFailure(404, "BLOB_UPLOAD_UNKNOWN", f"upload {upload_id} is not known")
        return row

    async def _new_session(self, name: str) -> str:
        upload_id = str(uuid.uuid4())
        now = int(time.time() * 1000)

        def write(conn: sqlite3.Connection) -> None:
            check_repository(conn, name)  # the repository itself appears with its content
            conn.execute(
                "INSERT INTO uploads (id, repo, size, created, updated) VALUES (?, ?, 0, ?, ?)",
                (upload_id, name, now, now),
            )

        await self.ctx.db.run(write, "upload")
        await asyncio.to_thread(self.ctx.blobs.upload(upload_id).path.touch)
        return upload_id

    async def _finish(self, name: str, upload_id: str, digest: str) -> Response:
        check_digest(digest)
        upload = self.ctx.blobs.upload(upload_id)
        try:
            size = await self.ctx.blobs.commit_upload(upload, digest)
        except DigestMismatch:
            await self._drop_session(upload_id)
            raise
        await self._link_blob(name, digest, size)
        await self.ctx.db.execute("DELETE FROM uploads WHERE id = ?", (upload_id,))
        return self._created(name, digest)

    async def sweep_uploads(self, ttl: float, *, orphan_age: float | None = None) -> int:
        """Drop upload sessions untouched for ``ttl`` seconds, and upload files that belong
        to no session and were not written for ``orphan_age`` seconds (default ``ttl``);
        returns how many sessions went. Sessions in use are kept."""
        orphan_age = ttl if orphan_age is None else orphan_age
        cutoff = int((time.time() - ttl) * 1000)
        busy = [u for u, lock in self._upload_locks.items() if lock.locked()]

        def sweep(conn: sqlite3.Connection) -> tuple[list[str], set[str]]:
            marks = ",".join("?" * len(busy))
            rows = conn.execute(
                "SELECT id FROM uploads WHERE updated < ?"
                + (f" AND id NOT IN ({marks})" if busy else ""),
                (cutoff, *busy),
            ).fetchall()
            gone = [str(r["id"]) for r in rows]
            conn.executemany("DELETE FROM uploads WHERE id = ?", [(u,) for u in gone])
            live = {str(r["id"]) for r in conn.execute("SELECT id FROM uploads")}
            return gone, live

        gone, live = await self.ctx.db.run(sweep, "sweep")
        upload_dir = self.ctx.blobs.upload_dir

        def remove_files() -> None:
            old = time.time() - orphan_age
            for path in upload_dir.iterdir():
                if path.name in live:
                    continue
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime <= old:
                        path.unlink()

        await asyncio.to_thread(remove_files)
        for upload_id in gone:
            lock = self._upload_locks.get(upload_id)
            if lock is not None and not lock.locked():
                del self._upload_locks[upload_id]
        if gone:
            log.info("swept %d abandoned upload session(s)", len(gone))
        return len(gone)

    async def _drop_session(self, upload_id: str) -> None:
        await self.ctx.db.execute("DELETE FROM uploads WHERE id = ?", (upload_id,))
        path = self.ctx.blobs.upload(upload_id).path
        await asyncio.to_thread(path.unlink, True)

    async def _uploads(self, request: Request, name: str, upload_id: str) -> Response:
        method = request.method
        if not upload_id:
            if method != "POST":
                raise RegistryFailure(405, "UNSUPPORTED", "method not allowed")
            return await self._start_upload(request, name)
        lock = self._upload_locks.setdefault(upload_id, asyncio.Lock())
        async with lock:
            response = await self._upload_step(request, name, upload_id)
        if response.status_code != 202:
            self._upload_locks.pop(upload_id, None)
        return response

    async def _start_upload(self, request: Request, name: str) -> Response:
        params = request.query_params
        mount, source = params.get("mount"), params.get("from")
        if mount:
            check_digest(mount)
            if source and await self._linked(source, mount) and self.ctx.blobs.exists(mount):
                size_row = await self.ctx.db.fetchone(
                    "SELECT size FROM blobs WHERE digest = ?", (mount,)
                )
                size = int(size_row["size"]) if size_row else 0
                await self._link_blob(name, mount, size)
                return self._created(name, mount)
        digest = params.get("digest")
        if digest:
            check_digest(digest)
        upload_id = await self._new_session(name)
        if digest:
            # A monolithic upload's session is known to no client: if its body does not
            # arrive whole (a hang-up, a body over a limit) nothing can resume it.
            lock = self._upload_locks.setdefault(upload_id, asyncio.Lock())
            try:
                async with lock:  # in use: the sweep leaves it alone
                    await self._receive_into(request, upload_id)
                    return await self._finish(name, upload_id, digest)
            except BaseException:
                await asyncio.shield(self._drop_session(upload_id))
                raise
            finally:
                self._upload_locks.pop(upload_id, None)
        return Response(status_code=202, headers=self._upload_headers(name, upload_id, 0))

    async def _upload_step(self, request: Request, name: str, upload_id: str) -> Response:
        method = request.method
        await self._session(name, upload_id)
        upload = self.ctx.blobs.upload(upload_id)
        if method == "GET":
            size = await asyncio.to_thread(upload.size)
            headers = self._upload_headers(name, upload_id, size)
            return Response(status_code=204, headers=headers)
        if method == "DELETE":
            await self._drop_session(upload_id)
            return Response(status_code=204, headers=_API_HEADERS)
        if method not in ("PATCH", "PUT"):
            raise RegistryFailure(405, "UNSUPPORTED", "method not allowed")
        current = await asyncio.to_thread(upload.size)
        content_range = request.headers.get("content-range")
        if content_range:
            m = re.fullmatch(r"(?:bytes[ =])?(\d+)-(\d+)(?:/\d+|/\*)?", content_range.strip())
            if m is None or int(m.group(1)) != current:
                raise RegistryFailure(
                    416,
                    "BLOB_UPLOAD_INVALID",
                    f"chunk must start at offset {current}",
                    Range=f"0-{max(current - 1, 0)}",
                    Location=f"/v2/{name}/blobs/uploads/{upload_id}",
                    Docker_Upload_UUID=upload_id,
                )
        size = await self._receive_into(request, upload_id)
        await self.ctx.db.execute(
            "UPDATE uploads SET size = ?, updated = ? WHERE id = ?",
            (size, int(time.time() * 1000), upload_id),
        )
        if method == "PATCH":
            _faults.hit("during-upload")
            return Response(status_code=202, headers=self._upload_headers(name, upload_id, size))
        digest = request.query_params.get("digest")
        if not digest:
            raise RegistryFailure(400, "DIGEST_INVALID", "digest parameter is required")
        return await self._finish(name, upload_id, digest)


async def _empty() -> AsyncIterator[bytes]:
    yield b""


def registry_routes(registry: Registry) -> list[Route]:
    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    return [
        Route("/v2", registry.dispatch, methods=methods),
        Route("/v2/{rest:path}", registry.dispatch, methods=methods),
    ]


def quote_name(name: str) -> str:
    return quote(name, safe="/")
