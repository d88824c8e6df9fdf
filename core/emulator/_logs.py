"""Function logs of the Local server: what each function's instances print, as they run.

Every line a function's process writes to stdout or stderr (the sandbox reads both pipes
line by line) is kept with the time it was read and the instance that printed it, in a ring
of the newest ``per_function`` lines per function, numbered by one sequence across the
server; the runtime adds the platform's own lines (``FC Invoke Start RequestId: …``, an
instance started or stopped). ``GET /x-fcdesk/functions/{name}/logs`` reads them, and with
``follow`` stays open and sends each new line as it comes: what Alibaba Cloud keeps in Simple
Log Service (``logConfig``), which the Local server has no need of.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

__all__ = ["FunctionLogs", "LogRecord"]

#: Longest line kept (a process may print anything; the rest of a line is cut).
MAX_LINE = 16 << 10


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One line: ``stream`` is ``stdout``, ``stderr`` or ``platform``."""

    seq: int
    time: float
    function: str
    instance_id: str
    stream: str
    message: str
    request_id: str = ""

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "seq": self.seq,
            "time": round(self.time, 6),
            "functionName": self.function,
            "instanceId": self.instance_id,
            "stream": self.stream,
            "message": self.message,
        }
        if self.request_id:
            doc["requestId"] = self.request_id
        return doc


class FunctionLogs:
    """Per-function rings of log lines, and waiting for new ones. Loop thread only."""

    def __init__(self, per_function: int = 5000) -> None:
        self.per_function = per_function
        self._rings: dict[str, deque[LogRecord]] = {}
        self._seq = 0
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}

    @property
    def last_seq(self) -> int:
        return self._seq

    def add(
        self,
        function: str,
        instance_id: str,
        stream: str,
        message: str,
        *,
        at: float | None = None,
        request_id: str = "",
    ) -> LogRecord:
        self._seq += 1
        record = LogRecord(
            self._seq,
            time.time() if at is None else at,
            function,
            instance_id,
            stream,
            message[:MAX_LINE],
            request_id,
        )
        ring = self._rings.get(function)
        if ring is None:
            ring = self._rings[function] = deque(maxlen=self.per_function)
        ring.append(record)
        for waiter in self._waiters.pop(function, []):
            if not waiter.done():
                waiter.set_result(None)
        return record

    def since(self, function: str, seq: int = 0, limit: int | None = None) -> list[LogRecord]:
        """The lines of ``function`` after ``seq`` (oldest first); with ``limit``, the newest
        ``limit`` of them."""
        out = [r for r in self._rings.get(function, ()) if r.seq > seq]
        if limit is None:
            return out
        return out[-limit:] if limit > 0 else []

    async def wait(self, function: str, seq: int, patience: float) -> bool:
        """Wait (at most ``patience`` seconds) until ``function`` has a line after ``seq``."""
        ring = self._rings.get(function)
        if ring and ring[-1].seq > seq:
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(function, []).append(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), patience)
        except TimeoutError:
            return False
        finally:
            waiters = self._waiters.get(function)
            if waiters is not None and waiter in waiters:
                waiters.remove(waiter)
            waiter.cancel()
        return True

    def forget(self, function: str) -> None:
        """A deleted function's lines go with it."""
        self._rings.pop(function, None)
