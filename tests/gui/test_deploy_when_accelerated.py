"""The function form's "deploy only when the accelerated image is ready": live progress while
the twin converts, then the twin deployed; the reasons and an untouched function when it
will not get ready; the plain image when asked; and "Why?" next to a plain image."""

from __future__ import annotations

from PySide6.QtCore import Qt
from shiboken6 import isValid

from gui.app import Console
from tests.gui.fakes import FakeBackend


def _console(qtbot, tmp_path, consoles, backend):
    console = Console(lab_history=tmp_path / "lab.json")
    consoles.append(console)
    console.window.show()
    console.ctx.set_backend(backend, profile="Local", kind="local")
    console.ctx.set_connection("running", "http://127.0.0.1:1")
    qtbot.waitUntil(lambda: console.functions.model.rowCount() == 3, timeout=5000)
    return console.window


def _fill(qtbot, dialog, name: str, image: str) -> None:
    qtbot.keyClicks(dialog.name_edit, name)
    qtbot.keyClicks(dialog.image_edit, image)


def test_waits_with_progress_then_deploys_the_twin(
    qtbot, qloop, data_dir, tmp_path, consoles
) -> None:
    backend = FakeBackend(tags=3, convert_steps=6, step_delay=0.05)
    window = _console(qtbot, tmp_path, consoles, backend)
    app = backend.repos[0]
    # v0 starts converting now; the form waits for its twin
    task_id = backend.start_task(app, "v0")
    dialog = window.open_create_dialog()
    assert dialog is not None
    _fill(qtbot, dialog, "fn-wait", backend.address(app, "v0"))
    assert not dialog._wait_options.isEnabled()
    dialog.wait_check.setChecked(True)
    assert dialog._wait_options.isEnabled()
    dialog.wait_minutes.setValue(3)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Converting" in dialog.wait_status.text(), timeout=5000)
    assert "wait_for_twin:" + backend.address(app, "v0") + ":180" in backend.calls
    assert dialog.wait_progress.isVisible()
    assert dialog.saving
    assert "create_function" not in backend.calls  # nothing deployed while waiting
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=10_000)
    assert backend.tasks[task_id].status.finished
    assert backend.functions["fn-wait"].image == backend.address(app, "v0_accelerated")


def test_says_why_and_deploys_nothing_or_the_plain_image(
    qtbot, qloop, data_dir, tmp_path, consoles
) -> None:
    backend = FakeBackend(tags=3)
    window = _console(qtbot, tmp_path, consoles, backend)
    web = backend.repos[1]  # no acceleration rule
    dialog = window.open_create_dialog()
    assert dialog is not None
    _fill(qtbot, dialog, "fn-web", backend.address(web, "latest_accelerated"))
    dialog.wait_check.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.why_panel is not None and bool(dialog.why_panel.cards), timeout=5000
    )
    assert dialog.isVisible()
    assert not dialog.saving
    assert "will not get ready: nothing was deployed" in dialog.wait_status.text()
    assert [c.badge.text() for c in dialog.why_panel.cards] == ["Acceleration off"]
    assert "fn-web" not in backend.functions
    # asked for: the plain image when the twin does not come
    dialog.or_plain_check.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=5000)
    assert backend.functions["fn-web"].image == backend.address(web, "latest")


def test_why_next_to_a_plain_image(qtbot, qloop, data_dir, tmp_path, consoles) -> None:
    backend = FakeBackend(tags=3)
    window = _console(qtbot, tmp_path, consoles, backend)
    dialog = window.open_edit_dialog(backend.functions["fn-001"])
    # fn-001 runs demo/app:v1, whose twin does not exist: not accelerated
    dialog._set_accel(backend.functions["fn-001"].accel.__class__("none"), "v1")
    assert dialog.why_button.isVisible()
    dialog.why_button.click()
    qtbot.waitUntil(
        lambda: dialog.why_panel is not None and bool(dialog.why_panel.cards), timeout=5000
    )
    assert [c.badge.text() for c in dialog.why_panel.cards] == ["Never converted"]
    assert any(c.startswith("check_image:") and c.endswith(":fn-001") for c in backend.calls)
    dialog.reject()


def test_redeploy_from_the_why_panel_saves_the_function(
    qtbot, qloop, data_dir, tmp_path, consoles
) -> None:
    """'Not redeployed' in the form's why panel: its Redeploy saves the function, which
    deploys its image again (the function form has nothing else to change for it)."""
    from core.report import Finding, FixKind, FunctionRow, ProblemCode, TargetKey, TwinState
    from gui.backend import image_tag

    backend = FakeBackend(tags=3)
    window = _console(qtbot, tmp_path, consoles, backend)
    fn = backend.functions["fn-001"]
    dialog = window.open_edit_dialog(fn)
    row = FunctionRow(
        TargetKey("Local"),
        "fn-001",
        fn.image,
        False,
        TwinState.NONE,
        tag=image_tag(fn.image),
        problems=(
            Finding(
                ProblemCode.REDEPLOY_NEEDED,
                detail={"deployed": "sha256:" + "1" * 64, "current": "sha256:" + "2" * 64},
                fix=FixKind.REDEPLOY,
            ),
        ),
    )
    dialog._why()[1].show_row(row)
    [card] = dialog.why_panel.cards
    assert card.badge.text() == "Not redeployed"
    assert card.button is not None
    assert card.button.text() == "Redeploy…"
    before = backend.calls.count("update_function")
    qtbot.mouseClick(card.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: backend.calls.count("update_function") == before + 1, timeout=5000)
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=5000)
    assert backend.functions["fn-001"].image == fn.image


def test_a_failed_wait_says_why_under_the_choice_and_keeps_the_form(
    qtbot, qloop, data_dir, tmp_path, consoles
) -> None:
    """Waiting for the twin fails (the registry refuses a request): the service's message is
    shown under "Deploy only when accelerated", the progress stops, nothing is deployed, the
    form keeps what was typed; changing the image clears the message, and a save after the
    registry answers again deploys the twin."""
    from core.errors import CloudError

    backend = FakeBackend(tags=3)
    window = _console(qtbot, tmp_path, consoles, backend)
    app = backend.repos[0]
    image = backend.address(app, "v2_accelerated")  # its twin exists: ready at once
    backend.check_error = CloudError(
        "GetRepoTag: the AccessKey has no permission on repository demo/app",
        code="Forbidden.RAMUserNoPermission",
    )
    dialog = window.open_create_dialog()
    assert dialog is not None
    _fill(qtbot, dialog, "fn-refused", image)
    dialog.wait_check.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.saving, timeout=5000)
    assert dialog.isVisible()
    status = dialog.wait_status
    assert status.isVisible()
    assert status.objectName() == "errorLabel"
    assert status.text().startswith("Waiting for the accelerated image failed:")
    assert "no permission on repository demo/app" in status.text()
    assert not dialog.wait_progress.isVisible()
    assert "Nothing was deployed" in dialog.summary.text()
    assert "refused the function" not in dialog.summary.text()
    assert (dialog.name_edit.text(), dialog.image_edit.text()) == ("fn-refused", image)
    assert dialog.wait_check.isChecked()
    assert "create_function" not in backend.calls
    assert "fn-refused" not in backend.functions
    # editing the image clears the refusal (it was about the image as it was)
    qtbot.keyClick(dialog.image_edit, Qt.Key.Key_End)
    qtbot.keyClicks(dialog.image_edit, "x")
    assert "Nothing was deployed" not in dialog.summary.text()
    qtbot.keyClick(dialog.image_edit, Qt.Key.Key_Backspace)
    # the registry answers again: saving deploys the twin
    backend.check_error = None
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=5000)
    assert backend.functions["fn-refused"].image == image
