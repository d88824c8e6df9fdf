"""`SeedViewModel`: the Local server's first-start demo seeding, as the console shows it.

A fresh Local server seeds a small demo in seconds (``demo/hello``, functions ``demo-plain``
and ``demo-accelerated``), then — for the ``medium`` and ``bloated`` seeds — prepares the
realistic image ``demo/python-app`` in the background (build, convert, record the start-up
profile, convert in optimized order) and switches both demo functions to it. Until then a
cold-start comparison of the demo functions runs on the small image, where acceleration has
little to save.

The state comes from two places: ``/x-fcdesk/info``'s ``seed`` (read when a backend is set and
whenever the event stream reconnects, so a console started while seeding runs, or after it
finished, is right from its first paint) and the ``seed.*`` events of the stream. `SeedState`
is a Qt-free snapshot; `seed_view_model` returns the one view-model of an `AppContext`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from gui.backend import BackendEvent
from gui.context import AppContext
from gui.format import format_bytes
from gui.i18n import arg

__all__ = [
    "SeedState",
    "SeedViewModel",
    "demo_names",
    "seed_view_model",
    "step_label",
]

log = logging.getLogger(__name__)


def demo_names() -> tuple[str, str, str, str]:
    """The Local server's demo: plain function, accelerated function, small image, realistic
    image (``core.cloud`` defines them; imported on use, as it loads after the first paint)."""
    from core.cloud import LOCAL_DEMO_FUNCTIONS, LOCAL_DEMO_REPO, LOCAL_REALISTIC_DEMO_REPO

    plain, accelerated = LOCAL_DEMO_FUNCTIONS
    return plain, accelerated, LOCAL_DEMO_REPO, LOCAL_REALISTIC_DEMO_REPO


def step_label(step: str, stage: str = "") -> str:
    """A seeding step (``build``, ``convert`` …) in the user's language."""
    small = stage == "small"
    labels = {
        "build": QCoreApplication.translate("SeedStatus", "building the small image")
        if small
        else QCoreApplication.translate("SeedStatus", "building the image"),
        "convert": QCoreApplication.translate("SeedStatus", "converting")
        if small
        else QCoreApplication.translate("SeedStatus", "converting for on-demand loading"),
        "record-profile": QCoreApplication.translate(
            "SeedStatus", "recording the start-up profile"
        ),
        "optimize": QCoreApplication.translate("SeedStatus", "converting in start-up order"),
        "switch-functions": QCoreApplication.translate(
            "SeedStatus", "switching the demo functions"
        ),
        "ready": QCoreApplication.translate("SeedStatus", "ready"),
    }
    return labels.get(step, step)


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True, slots=True)
class SeedState:
    """One moment of the seeding. ``state``: ``none`` (nothing to show), ``running``,
    ``finished`` or ``failed``; ``stage``: ``small`` or the realistic kind (``medium``,
    ``bloated``); ``done``/``total``: the stage's steps; ``bytes_done``/``bytes_total``: byte
    progress inside a long step."""

    state: str = "none"
    kind: str = ""
    stage: str = ""
    step: str = ""
    done: int = 0
    total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    reason: str = ""
    warning: str = ""

    @classmethod
    def from_info(cls, seed: Mapping[str, Any] | None) -> SeedState:
        """From ``/x-fcdesk/info``'s ``seed`` (``None``, ``{"state": "finished"}``, or the
        status of this server run)."""
        if not seed:
            return cls()
        state = str(seed.get("state") or "")
        if state not in ("running", "finished", "failed"):
            return cls()
        return cls(
            state=state,
            kind=str(seed.get("kind") or ""),
            stage=str(seed.get("stage") or ""),
            step=str(seed.get("step") or ""),
            done=_int(seed.get("done")),
            total=_int(seed.get("total")),
            reason=str(seed.get("reason") or ""),
        )

    def apply(self, event: BackendEvent) -> SeedState:
        """The state after one ``seed.*`` event."""
        data = event.data
        if event.kind == "seed.started":
            return SeedState(state="running", kind=str(data.get("kind") or ""), stage="small")
        if event.kind == "seed.progress":
            new = replace(self, state="running")
            if "done" in data and "total" in data:
                new = replace(
                    new,
                    stage=str(data.get("stage") or new.stage),
                    step=str(data.get("step") or new.step),
                    done=_int(data.get("done")),
                    total=_int(data.get("total")),
                    bytes_done=0,
                    bytes_total=0,
                )
            elif "bytes" in data:
                new = replace(
                    new,
                    bytes_done=_int(data.get("bytes")),
                    bytes_total=_int(data.get("totalBytes")),
                )
            if data.get("warning"):
                new = replace(new, warning=str(data["warning"]))
            if not new.kind and new.stage and new.stage != "small":
                new = replace(new, kind=new.stage)
            return new
        if event.kind == "seed.finished":
            return replace(
                self, state="finished", kind=str(data.get("kind") or self.kind), step="ready"
            )
        if event.kind == "seed.failed":
            return replace(
                self,
                state="failed",
                kind=str(data.get("kind") or self.kind),
                reason=str(data.get("reason") or ""),
            )
        return self

    # -- derived --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def realistic(self) -> bool:
        """Whether this seeding prepares the realistic image (``medium``/``bloated``)."""
        return (self.kind or self.stage or "small") != "small"

    @property
    def realistic_pending(self) -> bool:
        """Running, and the demo functions will switch to the realistic image when done."""
        return self.running and self.realistic

    @property
    def in_realistic_stage(self) -> bool:
        return bool(self.stage) and self.stage != "small"

    @property
    def step_number(self) -> int:
        """The current step, counted from 1 (``total`` once ready)."""
        return min(self.total, self.done + 1) if self.total else 0

    @property
    def fraction(self) -> float:
        """Progress of the current stage, 0–1 (bytes inside a step count towards it)."""
        if not self.total:
            return 0.0
        within = self.bytes_done / self.bytes_total if self.bytes_total else 0.0
        return max(0.0, min(1.0, (self.done + min(1.0, within)) / self.total))

    # -- words ------------------------------------------------------------------------------
    def headline(self) -> str:
        if self.state == "running":
            if self.in_realistic_stage:
                return QCoreApplication.translate(
                    "SeedStatus", "Preparing the realistic demo image…"
                )
            return QCoreApplication.translate("SeedStatus", "Seeding the demo…")
        if self.state == "finished":
            if self.realistic:
                return QCoreApplication.translate("SeedStatus", "The realistic demo image is ready")
            return QCoreApplication.translate("SeedStatus", "The demo is ready")
        if self.state == "failed":
            if self.in_realistic_stage:
                return QCoreApplication.translate(
                    "SeedStatus", "The realistic demo image could not be prepared"
                )
            return QCoreApplication.translate("SeedStatus", "The demo could not be seeded")
        return ""

    def notification_title(self) -> str:
        """A short title for the notification of a finished or failed seeding."""
        if self.state == "finished":
            return (
                QCoreApplication.translate("SeedStatus", "Realistic demo ready")
                if self.realistic
                else QCoreApplication.translate("SeedStatus", "Demo ready")
            )
        if self.state == "failed":
            return (
                QCoreApplication.translate("SeedStatus", "Realistic demo image failed")
                if self.in_realistic_stage
                else QCoreApplication.translate("SeedStatus", "Demo seeding failed")
            )
        return self.headline()

    def progress_text(self) -> str:
        """``step 3 of 5 (recording the start-up profile)`` plus bytes inside a long step."""
        if not self.total:
            return ""
        text = arg(
            QCoreApplication.translate("SeedStatus", "step %1 of %2 (%3)"),
            str(self.step_number),
            str(self.total),
            step_label(self.step, self.stage),
        )
        if self.bytes_total:
            text += " · " + arg(
                QCoreApplication.translate("SeedStatus", "%1 of %2"),
                format_bytes(self.bytes_done),
                format_bytes(self.bytes_total),
            )
        return text

    def summary(self) -> str:
        """One line for the status bar and the banner."""
        head = self.headline()
        if self.state == "running":
            detail = self.progress_text()
            return f"{head} {detail}" if detail else head
        return head

    def explanation(self) -> str:
        """What this state means for the user (the banner's second line, the tooltip)."""
        plain, accelerated, small, realistic = demo_names()
        if self.state == "running":
            if self.realistic:
                return arg(
                    QCoreApplication.translate(
                        "SeedStatus",
                        "%1 and %2 run the small image %3 until %4 is ready, then switch to "
                        "it by themselves. On the small image acceleration has little to save; "
                        "compare cold starts once the switch is done.",
                    ),
                    plain,
                    accelerated,
                    small,
                    realistic,
                )
            return arg(
                QCoreApplication.translate(
                    "SeedStatus", "The Local server is creating %1 and the functions %2 and %3."
                ),
                small,
                plain,
                accelerated,
            )
        if self.state == "finished":
            return self.finished_text()
        if self.state == "failed":
            reason = self.reason or QCoreApplication.translate("SeedStatus", "no reason given")
            if self.in_realistic_stage:
                meaning = arg(
                    QCoreApplication.translate(
                        "SeedStatus",
                        "The small demo still works: %1 and %2 keep running %3, on which "
                        "acceleration has little to save. Restarting the Local server tries "
                        "again.",
                    ),
                    plain,
                    accelerated,
                    small,
                )
            else:
                meaning = QCoreApplication.translate(
                    "SeedStatus",
                    "Your own functions and images are not affected. Restarting the Local "
                    "server tries again.",
                )
            return (
                arg(QCoreApplication.translate("SeedStatus", "Reason: %1"), reason) + "\n" + meaning
            )
        return ""

    def finished_text(self) -> str:
        plain, accelerated, small, realistic = demo_names()
        if self.realistic:
            return arg(
                QCoreApplication.translate(
                    "SeedStatus",
                    "%1 and %2 now run %3, an image worth accelerating: compare their cold "
                    "starts in the Cold-start lab.",
                ),
                plain,
                accelerated,
                realistic,
            )
        return arg(
            QCoreApplication.translate("SeedStatus", "%1 and %2 run %3."), plain, accelerated, small
        )

    def lab_note(self) -> str:
        """The Cold-start lab's inline note while the demo functions still run the small
        image ('' when no note is due)."""
        *_, small, realistic = demo_names()
        if not self.realistic_pending:
            return ""
        text = QCoreApplication.translate(
            "SeedStatus",
            "The demo functions switch to the realistic image %1 when it is ready. Until then "
            "they run the small image %2, on which acceleration has little to save.",
        )
        text = arg(text, realistic, small)
        if self.in_realistic_stage and self.total:
            text += " " + arg(
                QCoreApplication.translate("SeedStatus", "Preparing it: step %1 of %2."),
                str(self.step_number),
                str(self.total),
            )
        return text


class SeedViewModel(QObject):
    """Follows the current backend's demo seeding; `changed` carries the new `SeedState`.

    ``visible`` is what views show: the running and failed states (until dismissed); the
    finished state is announced once, as a notification, when it happens live."""

    changed = Signal(object)  # SeedState

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else ctx)
        self.setObjectName("seedViewModel")
        self.ctx = ctx
        self._state = SeedState()
        self._dismissed = False
        self._events_seen = 0
        ctx.backendChanged.connect(self._on_backend_changed)
        ctx.events.eventReceived.connect(self._on_event)
        ctx.events.liveChanged.connect(self._on_live_changed)
        if ctx.backend is not None:
            self.refresh()

    @property
    def state(self) -> SeedState:
        return self._state

    @property
    def visible(self) -> bool:
        return self._state.state == "running" or (
            self._state.state == "failed" and not self._dismissed
        )

    def dismiss(self) -> None:
        """Hide a failure the user has read."""
        if self._state.state == "failed" and not self._dismissed:
            self._dismissed = True
            self.changed.emit(self._state)

    def refresh(self) -> None:
        """Read the seeding from the server (``/x-fcdesk/info``)."""
        backend = self.ctx.backend
        fetch = getattr(backend, "seed_status", None)
        if backend is None or fetch is None or self.ctx.profile_kind != "local":
            return
        seen = self._events_seen

        def done(seed: object) -> None:
            if self.ctx.backend is not backend:
                return
            state = SeedState.from_info(seed if isinstance(seed, Mapping) else None)
            if self._events_seen != seen and state.state == "running":
                return  # events arrived meanwhile: they are newer than this answer
            if state.state == "failed" and self._state.state == "failed":
                state = replace(state, warning=self._state.warning)
            self._set(state)

        def failed(exc: BaseException) -> None:
            log.debug("reading the seeding state failed: %r", exc)

        self.ctx.run("seed-info", lambda _sink: fetch(), on_done=done, on_error=failed)

    def _set(self, state: SeedState) -> None:
        if state == self._state:
            return
        if state.state != self._state.state:
            self._dismissed = False
        self._state = state
        self.changed.emit(state)

    def _on_backend_changed(self) -> None:
        self._events_seen = 0
        self._set(SeedState())
        self.refresh()

    def _on_live_changed(self, live: bool) -> None:
        if live:
            self.refresh()  # events missed while the stream was down

    def _on_event(self, event: BackendEvent) -> None:
        if not event.kind.startswith("seed."):
            return
        self._events_seen += 1
        before = self._state
        after = before.apply(event)
        self._set(after)
        if event.kind == "seed.finished" and before.state != "finished":
            self.ctx.notify(after.notification_title(), after.finished_text(), "ok")
        elif event.kind == "seed.failed" and before.state != "failed":
            self.ctx.notify(after.notification_title(), after.explanation(), "bad")


def seed_view_model(ctx: AppContext) -> SeedViewModel:
    """The `SeedViewModel` of ``ctx`` (created on first use, owned by ``ctx``)."""
    existing = ctx.findChild(SeedViewModel, "seedViewModel")
    if isinstance(existing, SeedViewModel):
        return existing
    return SeedViewModel(ctx)
