"""Long calls wait as long as the server shows progress, and give up only on silence."""

from __future__ import annotations

import asyncio
import time

import pytest

from core.errors import TransportTimeout
from gui.backend._liveness import call_while_alive, invoke_timeout


def test_a_call_that_keeps_showing_progress_is_never_given_up() -> None:
    async def main() -> str:
        last = [time.monotonic()]

        async def slow() -> str:
            for _ in range(8):  # 0.8 s in all, four times the silence allowed
                await asyncio.sleep(0.1)
                last[0] = time.monotonic()  # a heartbeat
            return "answer"

        return await call_while_alive(slow(), lambda: last[0], what="x", silence_s=0.2, poll_s=0.02)

    assert asyncio.run(main()) == "answer"


def test_a_silent_call_is_given_up_and_cancelled() -> None:
    cancelled: list[bool] = []

    async def main() -> None:
        started = time.monotonic()

        async def stuck() -> None:
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled.append(True)
                raise

        await call_while_alive(
            stuck(), lambda: started, what="Invoke f", silence_s=0.2, poll_s=0.02
        )

    with pytest.raises(TransportTimeout, match="no sign of progress") as info:
        asyncio.run(main())
    assert info.value.code == "NoProgress"
    assert cancelled == [True]


def test_cancelling_the_caller_cancels_the_call() -> None:
    cancelled: list[bool] = []

    async def main() -> None:
        async def long() -> None:
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled.append(True)
                raise

        now = time.monotonic
        task = asyncio.ensure_future(call_while_alive(long(), now, what="x", poll_s=0.02))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert cancelled == [True]


def test_a_cloud_invocation_may_last_its_functions_timeout() -> None:
    assert invoke_timeout(600).read == pytest.approx(600 + 120)
    assert (invoke_timeout(None).read or 0) >= 86400  # FC's longest
    assert invoke_timeout(3).connect == 10.0
