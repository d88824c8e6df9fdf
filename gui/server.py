"""`LocalServerSupervisor`: runs (or finds) the Local server for the Local profile.

It starts ``fcaccel serve --port 0 --data-dir D`` as a child process, waits for the
``FCDESK-READY {json}`` line, checks ``GET /x-fcdesk/health``, and stops the child with
SIGTERM on quit. When ``D/server.json`` names a live process whose health check answers, it
connects to that server instead and leaves it running on quit.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
import json
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QObject, Signal

from core.cloud import LOCAL_READY_PREFIX
from core.errors import ServerError

__all__ = ["LocalServerSupervisor", "ServerInfo", "ServerState"]


def _cpu_ticks(pid: int) -> int | None:
    """CPU time (user + system clock ticks) process ``pid`` has used, where /proc tells."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


log = logging.getLogger(__name__)

HEALTH_PATH = "/x-fcdesk/health"


class ServerState(enum.StrEnum):
    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"  # started by us
    CONNECTED = "connected"  # someone else's server for the same data dir
    FAILED = "failed"
    STOPPING = "stopping"


@dataclass(frozen=True, slots=True)
class ServerInfo:
    url: str
    pid: int
    access_key_id: str = ""
    data_dir: str = ""
    raw: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServerInfo:
        url = str(data.get("url", "")).rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ServerError(f"server announced an invalid url: {url!r}")
        return cls(
            url=url,
            pid=int(data.get("pid", 0)),
            access_key_id=str(data.get("accessKeyId", "")),
            data_dir=str(data.get("dataDir", "")),
            raw=dict(data),
        )


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def default_command() -> list[str]:
    """How to run ``fcaccel``: the interpreter running fcdesk, so the same install is used;
    in the packaged application, the ``fcaccel`` executable next to ``fcdesk``."""
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable)
        return [str(exe.with_name("fcaccel" + exe.suffix))]
    return [sys.executable, "-m", "core.cli"]


class LocalServerSupervisor(QObject):
    stateChanged = Signal(str, str)  # ServerState value, detail (url or reason)
    logLine = Signal(str)

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int = 0,
        command: list[str] | None = None,
        ready_timeout: float = 60.0,
        extra_args: list[str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.port = port
        self._command = command or default_command()
        self._extra_args = list(extra_args or [])
        self._ready_timeout = ready_timeout
        self._proc: asyncio.subprocess.Process | None = None
        self._drain: list[asyncio.Task[None]] = []
        self._watch: asyncio.Task[None] | None = None
        self._state = ServerState.STOPPED
        self._detail = ""
        self.info: ServerInfo | None = None
        self.log_tail: collections.deque[str] = collections.deque(maxlen=500)
        self._stopping = False

    @property
    def state(self) -> ServerState:
        return self._state

    @property
    def detail(self) -> str:
        return self._detail

    @property
    def owned(self) -> bool:
        """Whether this supervisor started the server (and so stops it on quit)."""
        return self._proc is not None

    def _set_state(self, state: ServerState, detail: str = "") -> None:
        if (state, detail) != (self._state, self._detail):
            self._state, self._detail = state, detail
            self.stateChanged.emit(state.value, detail)

    async def ensure_running(self) -> ServerInfo:
        """Connect to the data dir's running server, or start one; returns its info."""
        if self.info is not None and self._state in (ServerState.RUNNING, ServerState.CONNECTED):
            return self.info
        self._set_state(ServerState.STARTING, "")
        try:
            existing = await self._probe_existing()
            if existing is not None:
                self.info = existing
                self._set_state(ServerState.CONNECTED, existing.url)
                return existing
            info = await self._start()
        except asyncio.CancelledError:
            await self.stop()
            raise
        except ServerError as exc:
            self._set_state(ServerState.FAILED, str(exc))
            raise
        except OSError as exc:
            self._set_state(ServerState.FAILED, str(exc))
            raise ServerError(f"cannot start the Local server: {exc}") from exc
        self.info = info
        self._set_state(ServerState.RUNNING, info.url)
        return info

    async def _probe_existing(self) -> ServerInfo | None:
        path = self.data_dir / "server.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            info = ServerInfo.from_json(data)
        except (OSError, ValueError, ServerError):
            return None
        if not _pid_alive(info.pid):
            return None
        if not await self.check_health(info.url):
            return None
        log.info("connecting to the running Local server at %s (pid %s)", info.url, info.pid)
        return info

    @staticmethod
    async def check_health(url: str, wait_s: float = 3.0) -> bool:
        try:
            async with httpx.AsyncClient(timeout=wait_s, trust_env=False) as client:
                response = await client.get(url + HEALTH_PATH)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def _start(self) -> ServerInfo:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            *self._command,
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            *self._extra_args,
        ]
        log.info("starting the Local server: %s", " ".join(args))
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        self._proc = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        proc = self._proc
        assert proc.stdout is not None
        assert proc.stderr is not None
        self._drain.append(asyncio.create_task(self._pump(proc.stderr, None)))
        ready: asyncio.Future[ServerInfo] = asyncio.get_running_loop().create_future()
        self._drain.append(asyncio.create_task(self._pump(proc.stdout, ready)))
        waiter: asyncio.Task[int] = asyncio.create_task(proc.wait())
        try:
            info = await self._wait_ready(proc, ready, waiter)
        except BaseException:
            waiter.cancel()
            await self._terminate()
            raise
        waiter.cancel()
        if not await self.check_health(info.url, wait_s=10.0):
            await self._terminate()
            raise ServerError(f"the Local server at {info.url} does not answer its health check")
        self._watch = asyncio.create_task(self._watch_exit(proc))
        return info

    async def _wait_ready(
        self,
        proc: asyncio.subprocess.Process,
        ready: asyncio.Future[ServerInfo],
        waiter: asyncio.Task[int],
    ) -> ServerInfo:
        """Wait for the ready line as long as the starting server shows signs of work — its
        output, or CPU time it uses (a loaded machine can take minutes) — and give up only
        after ``ready_timeout`` seconds without any."""
        last_sign = time.monotonic()
        cpu = _cpu_ticks(proc.pid)
        lines = len(self.log_tail)
        while True:
            pending: set[asyncio.Future[Any]] = {ready, waiter}
            done, _ = await asyncio.wait(pending, timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
            if ready in done:
                return ready.result()
            if waiter in done:
                tail = "\n".join(list(self.log_tail)[-10:])
                raise ServerError(
                    f"the Local server exited with code {proc.returncode} before it was "
                    f"ready:\n{tail}"
                )
            now_cpu, now_lines = _cpu_ticks(proc.pid), len(self.log_tail)
            if now_cpu != cpu or now_lines != lines:
                cpu, lines, last_sign = now_cpu, now_lines, time.monotonic()
            silent = time.monotonic() - last_sign
            if silent > self._ready_timeout:
                raise ServerError(
                    "the Local server did not report ready and showed no sign of work for "
                    f"{silent:.0f} s"
                )

    async def _pump(
        self, stream: asyncio.StreamReader, ready: asyncio.Future[ServerInfo] | None
    ) -> None:
        while True:
            raw = await stream.readline()
            if not raw:
                return  # the exit watcher reports a server that died before it was ready
            line = raw.decode("utf-8", "replace").rstrip()
            if ready is not None and not ready.done() and line.startswith(LOCAL_READY_PREFIX):
                try:
                    ready.set_result(
                        ServerInfo.from_json(json.loads(line[len(LOCAL_READY_PREFIX) :]))
                    )
                except (ValueError, ServerError) as exc:
                    ready.set_exception(ServerError(f"unreadable ready line: {exc}"))
                continue
            self.log_tail.append(line)
            self.logLine.emit(line)

    async def _watch_exit(self, proc: asyncio.subprocess.Process) -> None:
        code = await proc.wait()
        if self._stopping:
            return
        self.info = None
        self._proc = None
        self._set_state(
            ServerState.FAILED,
            f"the Local server exited unexpectedly (code {code})",
        )

    async def _terminate(self, grace: float = 8.0) -> None:
        proc = self._proc
        if proc is None:
            return
        self._stopping = True
        try:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), grace)
                except TimeoutError:
                    log.warning("the Local server ignored SIGTERM; killing it")
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
                    await proc.wait()
        finally:
            # Read what the server printed last, unless a process it started (a FUSE
            # helper, which dies with it a moment later) keeps its output open; then close
            # our ends of the pipes, which would otherwise outlive the event loop.
            if self._drain:
                await asyncio.wait(self._drain, timeout=1.0)
            for task in self._drain:
                task.cancel()
            await asyncio.gather(*self._drain, return_exceptions=True)
            self._drain.clear()
            transport = getattr(proc, "_transport", None)
            if transport is not None:
                transport.close()
            if self._watch is not None:
                self._watch.cancel()
                self._watch = None
            self._proc = None
            self._stopping = False

    async def stop(self) -> None:
        """Stop the server if we started it; forget a server we only connected to."""
        if self._proc is not None:
            self._set_state(ServerState.STOPPING, "")
            await self._terminate()
        self.info = None
        self._set_state(ServerState.STOPPED, "")

    async def restart(self) -> ServerInfo:
        await self.stop()
        return await self.ensure_running()
