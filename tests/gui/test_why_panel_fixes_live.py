"""The function form's "why is this image not accelerated?" panel on a real Local server: its
Enable acceleration and Convert now buttons do what they say, through the Images page's
actions: the conversion runs (its task in the task log), the registry gets the
``_accelerated`` twin, and the panel and the badge follow (Switch to twin then offered)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt

from core.cloud import open_clients
from core.settings import LocalProfile
from gui.backend import AccelState
from gui.backend._core import CoreBackend
from gui.dialogs.function_dialog import FunctionDialog
from gui.viewmodels.tasks_vm import TasksViewModel
from tests.core.emulator.helpers import push_image
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread

pytestmark = [pytest.mark.integration]


def _run(qtbot: Any, coro: Any, timeout: int = 60_000) -> Any:
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


async def _push(srv: LocalServerHandle, tag: str) -> None:
    async with srv.registry_client() as reg:
        await push_image(reg, "demo/app", tag, {"app.txt": b"x" * 5000 + tag.encode()})


async def _manifest_status(srv: LocalServerHandle, tag: str) -> int:
    async with srv.registry_client() as reg:
        r = await reg.get(
            f"/v2/demo/app/manifests/{tag}",
            headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
        )
        return r.status_code


def _cards(dialog: FunctionDialog) -> list[str]:
    panel = dialog.why_panel
    return [c.badge.text() for c in panel.cards] if panel is not None else []


def _fix_button(dialog: FunctionDialog, code: str) -> Any:
    assert dialog.why_panel is not None
    for card in dialog.why_panel.cards:
        if card.button is not None and card.button.objectName() == f"fix-{code}":
            return card.button
    raise AssertionError(f"no fix-{code} button in {_cards(dialog)}")


def _open_form(qtbot: Any, ctx: Any, srv: LocalServerHandle, tag: str) -> FunctionDialog:
    dialog = FunctionDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    image = f"{srv.host}/demo/app:{tag}"
    qtbot.keyClicks(dialog.image_edit, image)
    dialog._set_accel(AccelState.NONE, tag)  # as the picker says for a tag with no twin
    assert dialog.why_button.isVisible()
    qtbot.mouseClick(dialog.why_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(_cards(dialog)), timeout=30_000)
    return dialog


def _follow_to_twin(qtbot: Any, dialog: FunctionDialog, srv: LocalServerHandle, tasks: Any) -> None:
    """The conversion runs to its end: the twin in the registry, its task in the task log,
    the badge and the panel updated; Switch to twin puts the twin in the form."""
    qtbot.waitUntil(
        lambda: _run(qtbot, _manifest_status(srv, "v1_accelerated")) == 200, timeout=120_000
    )
    qtbot.waitUntil(
        lambda: any(t.source_tag == "v1" and t.status.finished for t in tasks.model.rows),
        timeout=60_000,
    )
    qtbot.waitUntil(lambda: dialog.image_accel is AccelState.READY, timeout=60_000)
    assert dialog.fix_status.text() == "v1_accelerated is ready."
    # the panel looked again: nothing left in the way (the twin exists, or a card saying
    # the plain tag has one, with Switch to twin)
    panel = dialog.why_panel
    assert panel is not None
    qtbot.waitUntil(
        lambda: (
            panel.status.text()
            in ("Nothing stands in the way of acceleration.", "Accelerated twin ready, but:")
        ),
        timeout=60_000,
    )
    assert _cards(dialog) in ([], ["Plain tag, twin exists"])
    assert dialog.accel_badge.text() == "Twin ready"
    if _cards(dialog):
        qtbot.mouseClick(_fix_button(dialog, "plain-tag-with-twin"), Qt.MouseButton.LeftButton)
        assert dialog.image_edit.text() == f"{srv.host}/demo/app:v1_accelerated"


@pytest.fixture
def local(qtbot: Any, ctx: Any, tmp_path: Path) -> Any:
    srv = start_local_server_thread(tmp_path / "local")
    http = httpx.AsyncClient(timeout=60)
    try:
        _run(qtbot, _push(srv, "v1"))
        profile = LocalProfile(url=srv.url, access_key_id=srv.access_key_id)
        backend = CoreBackend(open_clients(profile, http, srv.credentials), http, kind="local")
        tasks = TasksViewModel(ctx)
        ctx.set_backend(backend, profile="Local", kind="local")
        qtbot.waitUntil(lambda: ctx.events.live, timeout=20_000)
        yield srv, backend, tasks
        ctx.set_backend(None)
        tasks.deleteLater()
    finally:
        _run(qtbot, http.aclose())
        srv.stop()


def test_enable_acceleration_switches_it_on_and_converts_the_tag(
    qtbot: Any, ctx: Any, local: Any
) -> None:
    srv, backend, tasks = local
    dialog = _open_form(qtbot, ctx, srv, "v1")
    assert "Acceleration off" in _cards(dialog)
    assert _run(qtbot, _manifest_status(srv, "v1_accelerated")) == 404
    qtbot.mouseClick(_fix_button(dialog, "acceleration-off"), Qt.MouseButton.LeftButton)
    assert not _fix_button(dialog, "acceleration-off").isEnabled()  # once is enough
    assert dialog.fix_status.isVisible()
    _follow_to_twin(qtbot, dialog, srv, tasks)

    async def rule_on() -> bool:
        [inst] = await backend.list_instances()
        [repo] = [
            r for r in await backend.list_repositories(inst.instance_id) if r.path == "demo/app"
        ]
        return await backend.get_acceleration(inst.instance_id, repo)

    assert _run(qtbot, rule_on())
    assert ctx.errors == []
    dialog.reject()


def test_convert_now_converts_a_tag_pushed_before_the_rule(
    qtbot: Any, ctx: Any, local: Any
) -> None:
    srv, backend, tasks = local

    async def enable_without_converting() -> None:
        [inst] = await backend.list_instances()
        [repo] = [
            r for r in await backend.list_repositories(inst.instance_id) if r.path == "demo/app"
        ]
        await backend.set_acceleration(inst.instance_id, repo, True)

    _run(qtbot, enable_without_converting())
    dialog = _open_form(qtbot, ctx, srv, "v1")
    assert _cards(dialog) == ["Never converted"]
    qtbot.mouseClick(_fix_button(dialog, "twin-missing"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "v1" in dialog.fix_status.text(), timeout=30_000)
    _follow_to_twin(qtbot, dialog, srv, tasks)
    assert ctx.errors == []
    dialog.reject()
