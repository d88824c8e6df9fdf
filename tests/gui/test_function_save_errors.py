"""Saving a function never loses what was typed: the dialog stays open while the service
answers, and a refusal is shown next to the field it concerns (and in the summary)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from shiboken6 import isValid

from core.errors import CloudError
from gui.app import Console
from gui.dialogs.function_dialog import FunctionDialog, field_of_error
from tests.gui.fakes import FakeBackend


@pytest.fixture
def consoles(qtbot, qloop):
    made: list[Console] = []
    yield made
    for console in made:
        task = console.shutdown()
        qtbot.waitUntil(task.done, timeout=5000)
        console.window.close()
        console.window.deleteLater()
        console.deleteLater()


def _console(qtbot, tmp_path, consoles):
    console = Console(lab_history=tmp_path / "lab.json")
    consoles.append(console)
    console.window.show()
    backend = FakeBackend()
    console.ctx.set_backend(backend, profile="Local", kind="local")
    console.ctx.set_connection("running", "http://127.0.0.1:1")
    notes: list[tuple[str, str, str]] = []
    console.ctx.notified.connect(lambda t, x, k: notes.append((t, x, k)))
    qtbot.waitUntil(lambda: console.functions.model.rowCount() == 3, timeout=5000)
    return console, console.window, backend, notes


def test_an_existing_name_keeps_the_dialog_open_with_the_reason_by_the_name(
    qtbot, qloop, data_dir, tmp_path, consoles
) -> None:
    _, window, backend, notes = _console(qtbot, tmp_path, consoles)
    dialog = window.open_create_dialog()
    assert dialog is not None
    qtbot.keyClicks(dialog.name_edit, "fn-001")  # exists already
    qtbot.keyClicks(dialog.image_edit, backend.address(backend.repos[0], "v3_accelerated"))
    dialog.description_edit.setText("typed by hand")
    dialog.memory_spin.setValue(1024)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "create_function" in backend.calls, timeout=5000)
    error = dialog._errors["functionName"]
    qtbot.waitUntil(lambda: error.isVisible(), timeout=5000)
    # Still open, everything typed still there, the service's reason next to the name.
    assert dialog.isVisible()
    assert "already exists" in error.message()
    assert "already exists" in dialog.summary.text()
    assert dialog.name_edit.text() == "fn-001"
    assert dialog.description_edit.text() == "typed by hand"
    assert dialog.memory_spin.value() == 1024
    assert not dialog.saving
    assert not [n for n in notes if n[0] == "Function created"]
    # Renaming clears the service's message; the next create succeeds, announced once.
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, "fn-new")
    assert not error.isVisible()
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: window.functions_view.detail.name == "fn-new", timeout=5000)
    assert [n[0] for n in notes].count("Function created") == 1
    assert backend.functions["fn-new"].description == "typed by hand"


def test_a_refused_value_is_shown_by_its_field_on_its_tab(qtbot, ctx) -> None:
    ctx.set_backend(FakeBackend())
    dialog = FunctionDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name_edit.setText("fn")
    dialog.image_edit.setText("reg.example.com/ns/app:v1")
    dialog.tabs.setCurrentIndex(2)
    requested = []
    dialog.saveRequested.connect(lambda spec, creating: requested.append(spec))
    dialog._on_save_clicked()
    assert requested
    assert dialog.saving
    assert not dialog.save_button.isEnabled()
    dialog.save_failed(
        CloudError(
            "CreateFunction: InvalidArgument: port 9000 is reserved by the platform",
            code="InvalidArgument",
            status=400,
        )
    )
    assert dialog.isVisible()
    assert not dialog.saving
    assert dialog.tabs.currentIndex() == 1  # the Container tab, where the port is
    assert "reserved by the platform" in dialog._errors["port"].message()
    assert dialog.save_button.isEnabled()


def test_a_failure_without_a_field_goes_to_the_summary(qtbot, ctx) -> None:
    ctx.set_backend(FakeBackend())
    dialog = FunctionDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name_edit.setText("fn")
    dialog.image_edit.setText("reg.example.com/ns/app:v1")
    dialog._on_save_clicked()
    dialog.save_failed(CloudError("quota exceeded for this account", code="QuotaExceeded"))
    assert "quota exceeded" in dialog.summary.text()
    assert not any(label.isVisible() for label in dialog._errors.values())


@pytest.mark.parametrize(
    ("message", "code", "field"),
    [
        ("exists", "FunctionAlreadyExists", "functionName"),
        ("InvalidArgument: memorySize must be a multiple of 64", "InvalidArgument", "memorySize"),
        ("InvalidArgument: cpu must be at most 16", "InvalidArgument", "cpu"),
        ("the image cannot be pulled: manifest unknown", "InvalidArgument", "image"),
        (
            "InvalidArgument: instanceConcurrency out of range",
            "InvalidArgument",
            "instanceConcurrency",
        ),
        ("something else", "InternalError", None),
    ],
)
def test_field_of_error(message: str, code: str, field: str | None) -> None:
    assert field_of_error(CloudError(message, code=code)) == field


def test_fields_do_not_move_while_errors_come_and_go(qtbot, ctx) -> None:
    ctx.set_backend(FakeBackend())
    dialog = FunctionDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = {w: w.mapTo(dialog, w.rect().topLeft()) for w in (dialog.image_edit, dialog.cpu_spin)}
    qtbot.keyClicks(dialog.name_edit, "9bad")  # an error appears under the name
    assert dialog._errors["functionName"].isVisible()
    qtbot.keyClicks(dialog.image_edit, "x")  # and one under the image
    assert dialog._errors["image"].isVisible()
    for widget, pos in before.items():
        assert widget.mapTo(dialog, widget.rect().topLeft()) == pos


def test_an_out_of_range_memory_stays_as_typed_and_is_flagged(qtbot, ctx) -> None:
    ctx.set_backend(FakeBackend())
    dialog = FunctionDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.memory_spin.lineEdit().selectAll()
    qtbot.keyClicks(dialog.memory_spin, "999999")
    assert dialog.memory_spin.value() == 999999
    assert "between 128 and 32768" in dialog._errors["memorySize"].message()
    assert not dialog.save_button.isEnabled()
