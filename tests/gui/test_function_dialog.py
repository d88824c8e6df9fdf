"""Create/Edit dialog: validation as the API requires, env vars, command parsing, saving."""

from __future__ import annotations

import pytest

from gui.backend import AccelState, FunctionInfo, HealthCheck
from gui.dialogs.function_dialog import FunctionDialog, parse_args
from tests.gui.fakes import FakeBackend


def _dialog(qtbot, ctx, existing=None):
    backend = FakeBackend()
    ctx.set_backend(backend)
    dialog = FunctionDialog(ctx, existing)
    qtbot.addWidget(dialog)
    dialog.show()
    return backend, dialog


def test_invalid_fields_show_errors_and_block_saving(qtbot, ctx) -> None:
    _backend, dialog = _dialog(qtbot, ctx)
    # A fresh form: saving is blocked, but nothing is red before the user typed.
    assert not dialog.save_button.isEnabled()
    assert not any(label.isVisible() for label in dialog._errors.values())
    assert "Fill in the name" in dialog.summary.text()
    qtbot.keyClicks(dialog.name_edit, "9bad")
    qtbot.keyClicks(dialog.image_edit, "nope")
    assert not dialog.save_button.isEnabled()
    assert dialog._errors["functionName"].isVisible()
    assert dialog._errors["image"].isVisible()
    assert "problem" in dialog.summary.text()
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "good-name")
    dialog.image_edit.clear()
    qtbot.keyClicks(dialog.image_edit, "reg.example.com/ns/app:v1")
    dialog.cpu_spin.setValue(0.05)
    dialog.memory_spin.setValue(4096)
    assert not dialog.save_button.isEnabled()
    assert "1:4" in dialog._errors["cpu"].text()
    dialog.cpu_spin.setValue(1.0)
    assert dialog.save_button.isEnabled()
    assert not dialog._errors["cpu"].isVisible()


def test_env_vars_and_commands_are_checked(qtbot, ctx) -> None:
    _backend, dialog = _dialog(qtbot, ctx)
    dialog.name_edit.setText("fn")
    dialog.image_edit.setText("reg.example.com/ns/app:v1")
    assert dialog.save_button.isEnabled()
    dialog.env_editor.set_variables({"GOOD": "1", "1BAD": "x"})
    assert not dialog.save_button.isEnabled()
    assert "1BAD" in dialog.env_error.text()
    dialog.env_editor.set_variables({"GOOD": "1"})
    dialog.command_edit.setText('app.py "unclosed')
    assert not dialog.save_button.isEnabled()
    dialog.command_edit.setText('app.py --name "two words"')
    dialog.entrypoint_edit.setText('["python", "-u"]')
    assert dialog.save_button.isEnabled()
    spec = dialog.spec()
    assert spec.command == ("app.py", "--name", "two words")
    assert spec.entrypoint == ("python", "-u")
    assert spec.environment == {"GOOD": "1"}


def test_save_emits_the_spec_with_health_check(qtbot, ctx) -> None:
    _backend, dialog = _dialog(qtbot, ctx)
    dialog.name_edit.setText("fn")
    dialog.image_edit.setText("reg.example.com/ns/app:v1_accelerated")
    dialog.health_group.setChecked(True)
    dialog.hc_url.setText("/ready")
    dialog.port_spin.setValue(8080)
    with qtbot.waitSignal(dialog.saveRequested, timeout=2000) as sig:
        dialog._on_save_clicked()
    spec, creating = sig.args
    assert creating
    assert spec.port == 8080
    assert spec.health_check == HealthCheck(http_get_url="/ready")


def test_edit_keeps_the_name_and_warns_about_plain_images(qtbot, ctx) -> None:
    existing = FunctionInfo(
        "fn",
        "reg.example.com/ns/app:v1",
        cpu=0.5,
        memory_mb=1024,
        accel=AccelState.CONVERTING,
        detailed=True,
    )
    _backend, dialog = _dialog(qtbot, ctx, existing)
    assert dialog.name_edit.isReadOnly()
    assert dialog.save_button.text() == "Save"
    assert "not ready" in dialog.accel_hint.text()
    assert dialog.accel_hint.isVisibleTo(dialog)
    assert dialog.accel_badge.isVisibleTo(dialog)
    assert dialog.memory_spin.value() == 1024


def test_no_empty_row_under_the_image_until_it_says_something(qtbot, ctx) -> None:
    _backend, dialog = _dialog(qtbot, ctx)
    assert not dialog.accel_hint.isVisibleTo(dialog)  # a new function: nothing to say yet
    assert not dialog.accel_badge.isVisibleTo(dialog)
    dialog._set_accel(AccelState.READY, "v1_accelerated")
    assert dialog.accel_hint.isVisibleTo(dialog)
    assert dialog.accel_badge.isVisibleTo(dialog)
    dialog._set_accel(AccelState.UNKNOWN, "v1")
    assert not dialog.accel_hint.isVisibleTo(dialog)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", ()), ("python app.py", ("python", "app.py")), ('["a b", "c"]', ("a b", "c"))],
)
def test_parse_args(text: str, expected: tuple[str, ...]) -> None:
    assert parse_args(text) == expected


def test_parse_args_rejects_bad_json() -> None:
    with pytest.raises(ValueError, match="list of strings"):
        parse_args('["a", 1]')
