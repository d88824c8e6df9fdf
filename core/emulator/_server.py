"""The Local server process: one ASGI app (Starlette) served by uvicorn on loopback.

```python
config = ServerConfig(data_dir=Path("data"), port=0, secret_store="file")
async with LocalServer(config) as server:       # opens stores, binds, starts workers
    print(server.url, server.ready_info())
    await server.wait_closed()                  # until stop() or a signal
```

Contract for the processes that start ``fcaccel serve`` (documented in docs/local-server.md):
one stdout line ``FCDESK-READY {json}`` once requests are answered, the same JSON in
``<data-dir>/server.json`` (removed on clean exit) and an exclusive lock on
``<data-dir>/server.lock`` while the server runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core._files import atomic_write, lock_exclusive
from core._version import __version__
from core.emulator import _faults
from core.emulator._acr import AcrApi, acr_routes
from core.emulator._auth import Authenticator
from core.emulator._blobs import BlobStore
from core.emulator._context import ServerConfig, ServerContext
from core.emulator._credentials import load_access_key
from core.emulator._db import Database
from core.emulator._errors import fc_error
from core.emulator._events import EventBus
from core.emulator._ext import ext_routes
from core.emulator._guard import RequestGuard, guarded_protocol
from core.emulator._registry import Registry, registry_routes
from core.errors import ServerError

__all__ = ["AlreadyRunning", "LocalServer", "read_server_json"]

log = logging.getLogger(__name__)

_SERVER_JSON = "server.json"
_LOCK = "server.lock"
# The port of the last start: with ``--port 0`` the server listens there again when it is
# free, so registry addresses stored in functions and scripts stay valid across restarts.
_LAST_PORT = "last-port"


class AlreadyRunning(ServerError):
    """Another ``fcaccel serve`` holds the data directory's lock."""

    code = "AlreadyRunning"

    def __init__(self, message: str, *, info: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.info = info or {}


def read_server_json(data_dir: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads((data_dir / _SERVER_JSON).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _acquire_lock(data_dir: Path) -> int:
    fd = os.open(data_dir / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        lock_exclusive(fd, wait=False)
    except BlockingIOError:
        os.close(fd)
        info = read_server_json(data_dir) or {}
        where = f" at {info['url']} (pid {info.get('pid')})" if "url" in info else ""
        raise AlreadyRunning(
            f"a Local server is already running on data directory {data_dir}{where}", info=info
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the process owner decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _previous_port(data_dir: Path) -> int:
    try:
        port = int((data_dir / _LAST_PORT).read_text("utf-8").strip())
    except (OSError, ValueError):
        return 0
    return port if 1024 <= port <= 65535 else 0


class LocalServer:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.ctx: ServerContext | None = None
        self._lock_fd: int | None = None
        self._uvicorn: uvicorn.Server | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._closed = asyncio.Event()
        self.url = ""

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> LocalServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        cfg = self.config
        data_dir = cfg.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(data_dir, 0o700)
        self._lock_fd = _acquire_lock(data_dir)
        try:
            await self._start(data_dir)
        except BaseException:
            await self._teardown()
            raise

    async def _start(self, data_dir: Path) -> None:
        cfg = self.config
        credentials = await asyncio.to_thread(load_access_key, data_dir, cfg.secret_store)
        db = Database(data_dir / "state.db")
        await db.open()
        blobs = BlobStore(data_dir)
        await asyncio.to_thread(blobs.prepare)
        auth = Authenticator(credentials, db, anonymous_pull=cfg.anonymous_pull)
        ctx = ServerContext(
            config=cfg, credentials=credentials, db=db, blobs=blobs, auth=auth, bus=EventBus()
        )
        self.ctx = ctx
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when the
        # listening socket's proto says TCP (without it every response waits ~40 ms on
        # Nagle + delayed ACK).
        family = socket.AF_INET6 if ":" in cfg.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        previous = _previous_port(data_dir) if cfg.port == 0 else 0
        try:
            try:
                sock.bind((cfg.host, cfg.port or previous))
            except OSError:
                if not previous:
                    raise
                sock.bind((cfg.host, 0))  # the previous port is taken: any free one
        except OSError as exc:
            sock.close()
            raise ServerError(f"cannot listen on {cfg.host}:{cfg.port}: {exc.strerror}") from exc
        sock.listen(512)
        sock.setblocking(False)
        self._socket = sock
        host, port = sock.getsockname()[:2]
        with contextlib.suppress(OSError):
            (data_dir / _LAST_PORT).write_text(str(port), "utf-8")
        shown = f"[{host}]" if ":" in host else host
        self.url = ctx.url = f"http://{shown}:{port}"
        registry = Registry(ctx)
        ctx.services["registry"] = registry
        # Nothing runs yet: every upload file without a session is a leftover.
        await registry.sweep_uploads(cfg.upload_ttl, orphan_age=0)
        self._sweeper = asyncio.create_task(self._sweep_uploads(registry), name="upload-sweep")
        await self._start_services(ctx)
        app = self._build_app(ctx, registry)
        config = uvicorn.Config(
            app,
            http=guarded_protocol(cfg.header_timeout),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=75,
            timeout_graceful_shutdown=5,
            limit_concurrency=1024,
        )
        server = _QuietServer(config)
        self._uvicorn = server
        self._serve_task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if self._serve_task.done():
                self._serve_task.result()
                raise ServerError("the HTTP server stopped while starting")
            await asyncio.sleep(0.01)
        await self._after_listen(ctx)
        info = self.ready_info()
        atomic_write(data_dir / _SERVER_JSON, json.dumps(info))
        _faults.activate()

    async def _sweep_uploads(self, registry: Registry) -> None:
        """Abandoned uploads go on a schedule, not only at start-up."""
        cfg = self.config
        while True:
            await asyncio.sleep(cfg.upload_sweep_interval)
            try:
                await registry.sweep_uploads(cfg.upload_ttl)
            except Exception:  # the next round tries again
                log.warning("sweeping abandoned uploads failed", exc_info=True)

    async def _start_services(self, ctx: ServerContext) -> None:
        """Hook for the conversion worker, function runtime and FC API (see `_services`)."""
        from core.emulator._services import start_services

        await start_services(ctx)

    async def _after_listen(self, ctx: ServerContext) -> None:
        from core.emulator._services import after_listen

        await after_listen(ctx)

    def _build_app(self, ctx: ServerContext, registry: Registry) -> Starlette:
        from core.emulator._services import service_routes

        acr = AcrApi(ctx)
        ctx.services["acr"] = acr

        async def not_found(request: Request) -> Response:
            return fc_error(
                404,
                "PathNotSupported",
                f"'{request.method}' against '{request.url.path}' is not supported",
                str(time.time_ns()),
            )

        routes = [
            *registry_routes(registry),
            *acr_routes(acr),
            *ext_routes(ctx),
            *service_routes(ctx),
            Route("/{rest:path}", not_found, methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
        ]
        return Starlette(
            routes=routes,
            middleware=[Middleware(RequestGuard, body_timeout=self.config.body_timeout)],
        )

    def ready_info(self) -> dict[str, Any]:
        assert self.ctx is not None
        return {
            "url": self.url,
            "pid": os.getpid(),
            "accessKeyId": self.ctx.credentials.access_key_id,
            "dataDir": str(self.config.data_dir),
            "secretStore": self.ctx.credentials.source,
            "version": __version__,
        }

    async def wait_closed(self) -> None:
        assert self._serve_task is not None
        waiter = asyncio.ensure_future(self._closed.wait())
        try:
            await asyncio.wait({self._serve_task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()

    def request_stop(self) -> None:
        self._closed.set()

    async def stop(self) -> None:
        self._closed.set()
        await self._teardown()

    async def _teardown(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            self._sweeper = None
        ctx = self.ctx
        if ctx is not None:
            ctx.bus.close()
            from core.emulator._services import stop_services

            await stop_services(ctx)
        if self._uvicorn is not None and self._serve_task is not None:
            self._uvicorn.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await self._serve_task
            self._uvicorn = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if ctx is not None:
            await ctx.db.close()
            self.ctx = None
            with contextlib.suppress(FileNotFoundError):
                (self.config.data_dir / _SERVER_JSON).unlink()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
