"""Client-side conversion in a child process.

Converting an image is CPU work (tar parsing, zstd, sha256); zstd and sha256 release the
interpreter lock, the Python parts do not. Run inside the console, it would compete with
the GUI thread for the lock and stall the window. So the console runs it in a child process
(``fcdesk --convert-worker``, Qt-free) and reads its progress:

* the parent writes one JSON request line on the child's stdin (registry, credentials,
  source reference) — secrets never appear on a command line;
* the child writes JSON lines: ``{"progress": {...}}`` (at most ten a second per item, and
  each item's last), then ``{"result": {...}}`` or ``{"error": {...}}`` naming the
  `core.errors` class, message, code and detail;
* cancelling the parent's task terminates the child (SIGTERM), whose conversion is cancelled
  like any core job: nothing is tagged unless the whole image converted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from core import Progress
from core import errors as core_errors
from core.errors import ConvertError, CoreError

__all__ = ["WORKER_FLAG", "run_conversion", "worker_command", "worker_main"]

WORKER_FLAG = "--convert-worker"
_PROGRESS_INTERVAL_S = 0.1


def worker_command() -> list[str]:
    """How to start the worker: the packaged ``fcdesk`` executable, or this interpreter."""
    if getattr(sys, "frozen", False):
        return [sys.executable, WORKER_FLAG]
    return [sys.executable, "-m", "gui", WORKER_FLAG]


# -- parent side --------------------------------------------------------------------------
def _error_from(data: dict[str, Any]) -> CoreError:
    name = str(data.get("type", ""))
    message = str(data.get("message", "")) or "the conversion failed"
    code = data.get("code")
    raw_detail = data.get("detail")
    detail: dict[str, Any] = dict(raw_detail) if isinstance(raw_detail, dict) else {}
    cls = getattr(core_errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, CoreError)):
        return ConvertError(message, code=str(code) if code else None)
    try:
        return cls(message, code=str(code) if code else None, **detail)
    except TypeError:  # a subclass with its own constructor: rebuild it field by field
        exc = cls.__new__(cls)
        CoreError.__init__(exc, message, code=str(code) if code else None, **detail)
        return exc


async def run_conversion(
    request: dict[str, Any],
    on_progress: Callable[[Progress], None] | None = None,
    *,
    command: list[str] | None = None,
) -> dict[str, Any]:
    """Run one conversion in a child process; returns its result, raises its error."""
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.pop("QT_QPA_PLATFORM", None)
    proc = await asyncio.create_subprocess_exec(
        *(command or worker_command()),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        limit=1 << 20,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None
    stderr_tail: list[bytes] = []

    async def drain_stderr() -> None:
        assert proc.stderr is not None
        async for line in proc.stderr:
            stderr_tail.append(line)
            del stderr_tail[:-20]

    drain = asyncio.create_task(drain_stderr())
    result: dict[str, Any] | None = None
    error: CoreError | None = None
    try:
        proc.stdin.write(json.dumps(request).encode() + b"\n")
        await proc.stdin.drain()
        proc.stdin.close()
        async for raw in proc.stdout:
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            if "progress" in message and on_progress is not None:
                p = message["progress"]
                on_progress(
                    Progress(
                        phase=str(p.get("phase", "")),
                        done=int(p.get("done", 0)),
                        total=p.get("total"),
                        item=str(p.get("item", "")),
                        extra=dict(p.get("extra") or {}),
                    )
                )
            elif "result" in message:
                result = dict(message["result"])
            elif "error" in message:
                error = _error_from(dict(message["error"]))
        code = await proc.wait()
    except BaseException:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        raise
    finally:
        drain.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await drain
    if error is not None:
        raise error
    if result is None:
        tail = b"".join(stderr_tail).decode("utf-8", "replace").strip()
        raise ConvertError(
            f"the conversion process ended with code {code} without a result"
            + (f": {tail.splitlines()[-1]}" if tail else ""),
            code="ConvertWorkerFailed",
        )
    return result


# -- child side ---------------------------------------------------------------------------
class _Writer:
    """JSON lines on stdout; progress at most ten a second per (phase, item)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str], float] = {}

    def emit(self, message: dict[str, Any]) -> None:
        line = json.dumps(message, default=str)
        with self._lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def progress(self, p: Progress) -> None:
        key = (p.phase, p.item)
        now = time.monotonic()
        final = p.total is not None and p.done >= p.total
        if not final and now - self._last.get(key, 0.0) < _PROGRESS_INTERVAL_S:
            return
        self._last[key] = now
        self.emit(
            {
                "progress": {
                    "phase": p.phase,
                    "done": p.done,
                    "total": p.total,
                    "item": p.item,
                    "extra": dict(p.extra),
                }
            }
        )


async def _convert(request: dict[str, Any], writer: _Writer) -> None:
    from core.convert import convert_image
    from core.registry import RegistryClient

    creds = request.get("credentials")
    credentials = (str(creds[0]), str(creds[1])) if creds else None
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if task is not None:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    async with RegistryClient(
        str(request["registry"]), credentials=credentials, insecure=request.get("insecure")
    ) as client:
        result = await convert_image(client, str(request["source"]), on_progress=writer.progress)
    writer.emit(
        {
            "result": {
                "status": result.status.value,
                "source": result.source,
                "target": result.target,
                "digest": result.digest,
            }
        }
    )


def worker_main() -> int:
    """``fcdesk --convert-worker``: read one request on stdin, convert, report on stdout."""
    writer = _Writer()
    try:
        request = json.loads(sys.stdin.readline())
        if not isinstance(request, dict):
            raise ValueError("the request is not a JSON object")
        asyncio.run(_convert(request, writer))
    except CoreError as exc:
        writer.emit(
            {
                "error": {
                    "type": type(exc).__name__,
                    "message": exc.message,
                    "code": exc.code,
                    "detail": json.loads(json.dumps(exc.detail, default=str)),
                }
            }
        )
        return 1
    except ValueError as exc:
        writer.emit({"error": {"type": "InvalidInput", "message": f"bad request: {exc}"}})
        return 2
    except (asyncio.CancelledError, KeyboardInterrupt):
        return 130
    return 0
