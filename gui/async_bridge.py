"""Typed bridging between Qt signals/dialogs and asyncio (CONTRIBUTING.md, "Jobs and async
slots").

* `async_slot` — the decorated coroutine method becomes a typed Qt slot that schedules a task
  with `spawn`: failures go to ``sys.excepthook`` (the `ErrorPresenter`), cancellation is
  silent. fcdesk's own rather than ``qasync.asyncSlot``, which is untyped and keeps no
  reference to its tasks (asyncio holds tasks weakly: one could be collected mid-way).
* `spawn` — a coroutine run in the background with a strong reference until it ends.
* `dialog_result` / `ask` — wait for a dialog without ``exec()``: the dialog is opened
  window-modal with ``open()`` and a future is resolved by ``finished``.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

__all__ = ["ask", "async_slot", "dialog_result", "spawn"]

P = ParamSpec("P")
R = TypeVar("R")

_background: set[asyncio.Task[Any]] = set()


def _report(task: asyncio.Task[Any]) -> None:
    _background.discard(task)
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        sys.excepthook(type(exc), exc, exc.__traceback__)


def spawn(coro: Coroutine[Any, Any, R]) -> asyncio.Task[R]:
    """Run ``coro`` in the background with a strong reference; errors reach the excepthook."""
    task = asyncio.ensure_future(coro)
    _background.add(task)
    task.add_done_callback(_report)
    return task


def async_slot(
    *types: type,
) -> Callable[[Callable[P, Coroutine[Any, Any, Any]]], Callable[P, asyncio.Task[Any]]]:
    """Decorate ``async def`` methods used as slots. ``types`` are the Qt slot argument types:
    Qt calls the slot with that many of the signal's arguments."""

    def decorator(
        fn: Callable[P, Coroutine[Any, Any, Any]],
    ) -> Callable[P, asyncio.Task[Any]]:
        @Slot(*types)
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> asyncio.Task[Any]:
            return spawn(fn(*args, **kwargs))

        return wrapper

    return decorator


async def dialog_result(dialog: QDialog) -> int:
    """Open ``dialog`` window-modal and wait for its result code without nesting a loop."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[int] = loop.create_future()

    def done(code: int) -> None:
        if not future.done():
            future.set_result(code)

    dialog.finished.connect(done)
    dialog.open()
    try:
        return await future
    except asyncio.CancelledError:
        dialog.reject()
        raise
    finally:
        dialog.finished.disconnect(done)


async def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    informative: str = "",
    buttons: QMessageBox.StandardButton = (
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    ),
    default: QMessageBox.StandardButton = QMessageBox.StandardButton.Yes,
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
) -> QMessageBox.StandardButton:
    """A non-blocking question box; returns the button the user chose."""
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setObjectName("askBox")
    if informative:
        box.setInformativeText(informative)
    box.setDefaultButton(default)
    box.setAccessibleName(title)
    loop = asyncio.get_running_loop()
    future: asyncio.Future[QMessageBox.StandardButton] = loop.create_future()

    def done(_code: int) -> None:
        clicked = box.clickedButton()
        result = (
            box.standardButton(clicked)
            if clicked is not None
            else QMessageBox.StandardButton.Cancel
        )
        if not future.done():
            future.set_result(result)

    box.finished.connect(done)
    box.open()
    try:
        return await future
    except asyncio.CancelledError:
        box.reject()
        raise
    finally:
        box.deleteLater()
