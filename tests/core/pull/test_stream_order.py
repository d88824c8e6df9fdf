"""The order of a streamed prefetch: layer by layer, until a reader waits for a chunk of a
layer further down the queue (that layer's pieces up to the chunk move to the front)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from core.formats import ByteRange
from core.pull._lazy import _PieceQueue

MiB = 1 << 20


@dataclass
class _Source:
    index: int


def _queue(layout: dict[int, int]) -> _PieceQueue:
    """Pieces of 1 MiB for each layer (``layer: pieces``), bottom layer first."""
    pieces = [
        (cast(Any, _Source(layer)), ByteRange(k * MiB, (k + 1) * MiB))
        for layer, count in layout.items()
        for k in range(count)
    ]
    return _PieceQueue(pieces)


def _drain(queue: _PieceQueue) -> list[tuple[int, int]]:
    out = []
    while (item := queue.pop()) is not None:
        out.append((item[0].index, item[1].start // MiB))
    return out


def test_layers_stream_in_order_without_waiters() -> None:
    assert _drain(_queue({0: 2, 1: 1, 2: 2})) == [(0, 0), (0, 1), (1, 0), (2, 0), (2, 1)]


def test_a_waiting_reader_moves_its_layer_up_to_the_chunk_to_the_front() -> None:
    queue = _queue({0: 3, 1: 1, 2: 3})
    assert queue.pop() is not None  # (0, 0) in flight
    # A chunk of layer 2 ending inside its second piece: pieces 0 and 1 of layer 2 go first,
    # in order; the rest keeps its order.
    queue.bump(2, MiB + 10)
    assert queue.bumps == 1
    assert _drain(queue) == [(2, 0), (2, 1), (0, 1), (0, 2), (1, 0), (2, 2)]


def test_bumps_that_change_nothing_are_not_counted() -> None:
    queue = _queue({0: 2, 1: 2})
    queue.bump(0, 2 * MiB)  # already at the front
    queue.bump(1, 0)  # nothing of layer 1 lies before offset 0
    queue.bump(5, MiB)  # no such layer queued (its region was fetched already)
    assert queue.bumps == 0
    assert _drain(queue) == [(0, 0), (0, 1), (1, 0), (1, 1)]
