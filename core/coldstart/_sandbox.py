"""Sandboxed function processes (Linux): bubblewrap over a root filesystem directory.

:class:`Sandbox` runs an image's entrypoint with ``bwrap``:

* the root is a fresh tmpfs holding read-only binds of every top-level entry of the image's
  root filesystem (so the image needs no ``/proc`` or ``/dev`` mount points of its own, and
  a read-only FUSE mount works as well as a directory), then ``--remount-ro /``;
* a new ``/proc``, a minimal ``/dev``, a writable tmpfs ``/tmp``;
* its own PID, IPC, UTS and network namespaces; the network namespace has only loopback
  (up), so the function can listen on ``0.0.0.0:9000`` like on FC without colliding with
  the host or with other instances;
* a clean environment (the caller passes image + FC variables), working directory, user;
* it dies with its owner (``--die-with-parent``).

The function's port is reached from the host through :class:`NetnsConnector`: a dedicated
thread joins the instance's network namespace (``setns``) and creates sockets there, which
the event loop then connects and uses like any other. :class:`Sandbox` also serves a host
loopback port chosen by the OS (``endpoint``) that bridges to the port inside, so any HTTP
client can call the function. Readiness is a TCP connect plus an HTTP answer to ``GET /``
(any status), as FC's own local runtime checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import json
import logging
import os
import queue
import select
import shutil
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ColdStartError

__all__ = [
    "LogLine",
    "NetnsConnector",
    "Sandbox",
    "SandboxSpec",
    "sandbox_available",
]

log = logging.getLogger(__name__)

_CLONE_NEWNET = 0x40000000
_RUNTIME_MOUNTS = frozenset({"proc", "dev", "tmp", "sys"})
_LOG_LINES = 2000


def sandbox_available() -> str | None:
    """``None`` when sandboxes can run here, otherwise the reason they cannot."""
    if not sys.platform.startswith("linux"):
        return "sandboxed instances need Linux"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    if not os.path.exists("/proc/self/ns/net"):
        return "network namespaces are not available"
    return None


_libc: ctypes.CDLL | None = None


def _setns(fd: int, nstype: int) -> None:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if _libc.setns(fd, nstype) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


class NetnsConnector:
    """Creates sockets inside another process's network namespace.

    A dedicated daemon thread calls ``setns`` once and then only creates sockets; a socket
    belongs to the namespace it was created in, so the caller may connect and use it from any
    thread (typically the event loop). The namespace file stays open, so the namespace lives
    as long as this object even if the process exits first. :meth:`close` ends the thread.
    """

    def __init__(self, pid: int) -> None:
        self._nsfd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        self._requests: queue.SimpleQueue[tuple[int, int, Future[socket.socket]] | None] = (
            queue.SimpleQueue()
        )
        ready: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._serve, args=(ready,), name=f"netns-{pid}", daemon=True
        )
        self._thread.start()
        try:
            ready.result(timeout=10)
        except BaseException:
            self.close()
            raise

    def _serve(self, ready: Future[None]) -> None:
        try:
            _setns(self._nsfd, _CLONE_NEWNET)
        except OSError as exc:
            ready.set_exception(exc)
            return
        ready.set_result(None)
        while (item := self._requests.get()) is not None:
            family, kind, result = item
            try:
                sock = socket.socket(family, kind)
            except OSError as exc:
                result.set_exception(exc)
            else:
                result.set_result(sock)

    def socket(
        self, family: int = socket.AF_INET, kind: int = socket.SOCK_STREAM
    ) -> Future[socket.socket]:
        """A future of a new, unconnected socket in the namespace."""
        result: Future[socket.socket] = Future()
        if not self._thread.is_alive():
            result.set_exception(OSError("network namespace connector is closed"))
        else:
            self._requests.put((family, kind, result))
        return result

    async def open_connection(
        self, port: int, host: str = "127.0.0.1", *, limit: int = 1 << 16
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Connect to ``host:port`` as seen inside the namespace."""
        sock = await asyncio.wrap_future(self.socket())
        try:
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, (host, port))
        except BaseException:
            sock.close()
            raise
        return await asyncio.open_connection(sock=sock, limit=limit)

    def close(self) -> None:
        if self._thread.is_alive():
            self._requests.put(None)
            self._thread.join(timeout=5)
        if self._nsfd >= 0:
            os.close(self._nsfd)
            self._nsfd = -1


@dataclass(frozen=True, slots=True)
class SandboxSpec:
    """What to run and how. ``argv[0]`` is looked up on the ``PATH`` of ``env``."""

    rootfs: Path
    argv: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)
    workdir: str = "/"
    uid: int = 0
    gid: int = 0
    port: int = 9000
    hostname: str = "fc-instance"
    tmp_size: int | None = None


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line the function printed. ``stream`` is ``"stdout"`` or ``"stderr"``."""

    time: float
    stream: str
    text: str


def _bwrap_argv(spec: SandboxSpec, info_fd: int) -> list[str]:
    root = Path(spec.rootfs)
    argv = [
        "bwrap",
        "--die-with-parent",
        "--new-session",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        spec.hostname,
        "--tmpfs",
        "/",
    ]
    try:
        names = sorted(os.listdir(root))
    except OSError as exc:
        raise ColdStartError(f"root filesystem {root} cannot be listed: {exc}") from exc
    for name in names:
        if name in _RUNTIME_MOUNTS:
            continue
        path = root / name
        try:
            if path.is_symlink():
                argv += ["--symlink", os.readlink(path), f"/{name}"]
                continue
        except OSError as exc:
            raise ColdStartError(f"cannot read {path}: {exc}") from exc
        argv += ["--ro-bind", str(path), f"/{name}"]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    if spec.tmp_size is not None:
        argv += ["--size", str(spec.tmp_size)]
    argv += ["--tmpfs", "/tmp", "--remount-ro", "/", "--clearenv"]
    for key, value in spec.env.items():
        argv += ["--setenv", key, value]
    if spec.uid != 0 or spec.gid != 0:
        argv += ["--unshare-user", "--uid", str(spec.uid), "--gid", str(spec.gid)]
    argv += ["--chdir", spec.workdir or "/", "--info-fd", str(info_fd), "--", *spec.argv]
    return argv


class Sandbox:
    """One sandboxed function process.

    Use as ``async with Sandbox(spec) as box:`` or call :meth:`start` / :meth:`stop`.
    ``endpoint`` is ``http://127.0.0.1:<port>`` on the host, bridged to ``spec.port`` inside.
    ``on_log`` is called (on the loop) for every line the function prints.
    """

    def __init__(
        self, spec: SandboxSpec, *, on_log: Callable[[LogLine], None] | None = None
    ) -> None:
        self.spec = spec
        self.logs: deque[LogLine] = deque(maxlen=_LOG_LINES)
        self.started_at: float | None = None
        self.child_pid: int | None = None
        self._on_log = on_log
        self._proc: asyncio.subprocess.Process | None = None
        self._connector: NetnsConnector | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._bridges: set[asyncio.Task[Any]] = set()
        self._bridge_writers: set[asyncio.StreamWriter] = set()
        self.host_port: int | None = None
        self._pidfd: int | None = None

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the process (returns once its namespaces exist; not yet ready)."""
        reason = sandbox_available()
        if reason is not None:
            raise ColdStartError(reason, code="SandboxUnavailable")
        if self._proc is not None:
            raise ColdStartError("sandbox already started")
        info_r, info_w = os.pipe()
        try:
            argv = await asyncio.to_thread(_bwrap_argv, self.spec, info_w)
            self.started_at = time.monotonic()
            self._proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                pass_fds=(info_w,),
                start_new_session=True,
            )
        except OSError as exc:
            os.close(info_r)
            raise ColdStartError(f"cannot start bubblewrap: {exc}") from exc
        finally:
            os.close(info_w)
        try:
            for name, stream in (("stdout", self._proc.stdout), ("stderr", self._proc.stderr)):
                assert stream is not None
                self._spawn(self._pump(name, stream))
            info = await asyncio.to_thread(_read_info, info_r)
            if "child-pid" not in info:
                await self._proc.wait()
                raise ColdStartError(
                    f"sandbox failed to start (exit {self._proc.returncode}): " + self.log_tail(),
                    code="SandboxFailed",
                )
            self.child_pid = int(info["child-pid"])
            # A pidfd: signals can never reach another process that reused the number.
            with contextlib.suppress(OSError):
                self._pidfd = os.pidfd_open(self.child_pid)
            try:
                self._connector = await asyncio.to_thread(NetnsConnector, self.child_pid)
            except (FileNotFoundError, ProcessLookupError):
                # The process is already gone (an entrypoint that cannot run exits at
                # once): wait_ready reports how it ended, with what it printed.
                log.debug(
                    "sandbox %d exited before its network namespace was joined", self.child_pid
                )
            self._server = await asyncio.start_server(self._bridge, "127.0.0.1", 0)
            self.host_port = self._server.sockets[0].getsockname()[1]
        except BaseException:
            await self.stop(grace=0)
            raise

    async def wait_ready(
        self, *, limit_s: float = 120.0, path: str = "/", interval: float = 0.005
    ) -> float:
        """Poll until the port answers HTTP; returns seconds since the process started.

        Raises :class:`ColdStartError` if the process exits or ``limit_s`` passes first
        (FC gives a function 120 s to start).
        """
        assert self._proc is not None
        assert self.started_at is not None
        deadline = time.monotonic() + limit_s
        while True:
            if self._proc.returncode is not None:
                raise await self._exit_error()
            if self._connector is None:  # gone before it could be reached: wait for its end
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self._proc.wait()), interval)
                if time.monotonic() > deadline:
                    raise ColdStartError(
                        f"function process is unreachable and has not exited within {limit_s:g} s",
                        code="FunctionNotStarted",
                    )
                continue
            if await self._probe(path):
                return time.monotonic() - self.started_at
            if time.monotonic() > deadline:
                raise ColdStartError(
                    f"function port {self.spec.port} did not answer within {limit_s:g} s",
                    code="FunctionNotStarted",
                )
            await asyncio.sleep(interval)

    async def _exit_error(self) -> ColdStartError:
        """Why the function ended before its port answered, with what it printed (read to
        the end of its output first, however fast it exited)."""
        assert self._proc is not None
        if self._tasks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*self._tasks, return_exceptions=True), 5.0)
        tail = self.log_tail()
        argv0 = self.spec.argv[0] if self.spec.argv else ""
        prefix = f"bwrap: execvp {argv0}: "
        for line in reversed(list(self.logs)):
            if line.text.startswith(prefix):
                return ColdStartError(
                    f"the entrypoint {argv0!r} cannot be run in the image: "
                    f"{line.text.removeprefix(prefix)}",
                    code="FunctionNotStarted",
                )
        return ColdStartError(
            f"function process exited with {self._proc.returncode} before its port "
            f"{self.spec.port} answered: {tail}",
            code="FunctionNotStarted",
        )

    async def _probe(self, path: str) -> bool:
        try:
            reader, writer = await asyncio.wait_for(self.open_connection(), 2.0)
        except (OSError, TimeoutError):
            return False
        try:
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
            )
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), 5.0)
            return line.startswith(b"HTTP/")
        except (OSError, TimeoutError):
            return False
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def open_connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A TCP stream to the function's port inside the sandbox."""
        if self._connector is None:
            raise ColdStartError("sandbox is not running")
        return await self._connector.open_connection(self.spec.port)

    @property
    def endpoint(self) -> str:
        if self.host_port is None:
            raise ColdStartError("sandbox is not running")
        return f"http://127.0.0.1:{self.host_port}"

    @property
    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.returncode

    async def stop(self, *, grace: float = 2.0) -> int | None:
        """Stop the function: SIGTERM to its processes, SIGKILL to the sandbox after
        ``grace`` seconds. Returns the sandbox exit status. Safe to call twice."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._bridge_writers):
            writer.close()
        proc = self._proc
        if proc is not None and proc.returncode is None:
            if grace > 0 and self.child_pid is not None:
                for child in _children(self.child_pid):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(child, signal.SIGTERM)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(proc.wait()), grace)
            if proc.returncode is None:
                self._kill_init()
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if self._pidfd is not None:
            # The namespace's init dies with bwrap (SIGKILL from --die-with-parent); make sure
            # it is gone before reporting the sandbox stopped.
            deadline = time.monotonic() + 5
            while not _exited(self._pidfd) and time.monotonic() < deadline:
                self._kill_init()
                await asyncio.sleep(0.01)
            os.close(self._pidfd)
            self._pidfd = None
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._bridges:
            await asyncio.gather(*self._bridges, return_exceptions=True)
        if self._connector is not None:
            await asyncio.to_thread(self._connector.close)
            self._connector = None
        return None if proc is None else proc.returncode

    def _kill_init(self) -> None:
        if self._pidfd is not None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- logs and the host bridge -----------------------------------------------------------

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(line.text for line in list(self.logs)[-lines:])

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _pump(self, name: str, stream: asyncio.StreamReader) -> None:
        while True:
            try:
                raw = await stream.readline()
            except ValueError:  # a line longer than the reader's limit
                raw = await stream.read(1 << 16)
            if not raw:
                return
            line = LogLine(time.time(), name, raw.decode("utf-8", "replace").rstrip("\r\n"))
            self.logs.append(line)
            if self._on_log is not None:
                self._on_log(line)

    async def _bridge(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        # Handlers are never cancelled (asyncio reports cancelled server callbacks as
        # errors); stop() closes their writers instead, which ends both copies.
        task = asyncio.current_task()
        assert task is not None
        self._bridges.add(task)
        self._bridge_writers.add(client_w)
        try:
            try:
                inner_r, inner_w = await self.open_connection()
            except (OSError, ColdStartError):
                return
            self._bridge_writers.add(inner_w)
            try:
                await asyncio.gather(_copy(client_r, inner_w), _copy(inner_r, client_w))
            finally:
                inner_w.close()
                self._bridge_writers.discard(inner_w)
        finally:
            client_w.close()
            self._bridge_writers.discard(client_w)
            self._bridges.discard(task)


async def _copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(1 << 16):
            sink.write(data)
            await sink.drain()
    except OSError:
        pass
    finally:
        if sink.can_write_eof():
            with contextlib.suppress(OSError):
                sink.write_eof()


def _read_info(fd: int) -> dict[str, Any]:
    """Read bwrap's --info-fd JSON (written once the child exists; EOF if setup failed)."""
    chunks: list[bytes] = []
    try:
        while True:
            data = os.read(fd, 4096)
            if not data:
                break
            chunks.append(data)
            try:
                parsed = json.loads(b"".join(chunks))
            except ValueError:
                continue
            return parsed if isinstance(parsed, dict) else {}
    finally:
        os.close(fd)
    return {}


def _exited(pidfd: int) -> bool:
    """Whether the process behind ``pidfd`` has exited (a pidfd polls readable then)."""
    readable, _, _ = select.select([pidfd], [], [], 0)
    return bool(readable)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []
