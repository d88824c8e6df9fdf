"""The live event stream: tag pushed, task progress/finished, function state, cold starts.

Events carry a sequence number; a ring buffer keeps the most recent ones so a client that
reconnects with ``Last-Event-ID`` (SSE) or ``?since=`` gets what it missed.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Event", "EventBus"]


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    type: str
    data: dict[str, Any]
    ts: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "type": self.type, "ts": self.ts, "data": self.data}


class EventBus:
    def __init__(self, keep: int = 2000, queue_size: int = 1000) -> None:
        self._seq = 0
        self._recent: collections.deque[Event] = collections.deque(maxlen=keep)
        self._subscribers: set[asyncio.Queue[Event | None]] = set()
        self._queue_size = queue_size

    @property
    def last_seq(self) -> int:
        return self._seq

    def publish(self, type_: str, **data: Any) -> Event:
        """Publish from the event loop thread."""
        self._seq += 1
        event = Event(self._seq, type_, data)
        self._recent.append(event)
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # A consumer that cannot keep up is dropped; it reconnects with its last seq.
                self._subscribers.discard(queue)
        return event

    def close(self) -> None:
        for queue in list(self._subscribers):
            while queue.full():
                queue.get_nowait()
            queue.put_nowait(None)
        self._subscribers.clear()

    async def subscribe(
        self, since: int | None = None, types: frozenset[str] | None = None
    ) -> AsyncIterator[Event]:
        """Events after ``since`` (replayed from the buffer), then live ones."""
        queue: asyncio.Queue[Event | None] = asyncio.Queue(self._queue_size)
        self._subscribers.add(queue)
        last = since if since is not None else self._seq
        try:
            if since is not None:
                for event in list(self._recent):
                    if event.seq > last and (types is None or event.type in types):
                        last = event.seq
                        yield event
            while True:
                item = await queue.get()
                if item is None:
                    return
                if item.seq <= last:
                    continue
                last = item.seq
                if types is None or item.type in types:
                    yield item
        finally:
            self._subscribers.discard(queue)
