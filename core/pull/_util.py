"""Small helpers shared by the pull modules."""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from core.errors import CoreError

__all__ = ["chunk_thread", "first_error"]

_P = ParamSpec("_P")
_T = TypeVar("_T")

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


async def chunk_thread(fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Run ``fn`` in the lazy images' own worker threads (verifying, storing and reading
    chunks of the cache), not in the event loop's default executor.

    A lazy mount's reads are answered by this work. Threads that read files through the
    mount, run with :func:`asyncio.to_thread` in the same process, fill the default
    executor (6 threads on a 2-core machine) and each waits in the kernel for a chunk; had
    the chunk's verification been queued behind them, no read would ever return.
    """
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                min(32, (os.cpu_count() or 1) + 4), thread_name_prefix="fcdesk-chunks"
            )
        pool = _pool
    call = functools.partial(fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(pool, call)


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The exception a caller should see for a failed task group: the first core error,
    else the first error that is not a cancellation, else the first one."""
    leaves: list[BaseException] = []

    def walk(exc: BaseException) -> None:
        if isinstance(exc, BaseExceptionGroup):
            for sub in exc.exceptions:
                walk(sub)
        else:
            leaves.append(exc)

    walk(group)
    for exc in leaves:
        if isinstance(exc, CoreError):
            return exc
    for exc in leaves:
        if not isinstance(exc, asyncio.CancelledError):
            return exc
    return leaves[0] if leaves else group
