"""The image picker: accelerated first and pre-selected, twins, switching acceleration on,
VPC addresses."""

from __future__ import annotations

from gui.backend import AccelState
from gui.dialogs.image_picker_dialog import ImagePickerDialog
from tests.gui.fakes import FakeBackend


def _picker(qtbot, ctx, backend, image: str = ""):
    ctx.set_backend(backend)
    picker = ImagePickerDialog(ctx)
    qtbot.addWidget(picker)
    picker.show()
    picker.start(image)
    qtbot.waitUntil(lambda: picker.vm.tags.rowCount() > 0, timeout=5000)
    qtbot.waitUntil(lambda: picker.selected_tag() is not None, timeout=5000)
    return picker


def test_accelerated_tag_is_listed_first_and_preselected(qtbot, ctx) -> None:
    backend = FakeBackend(tags=4)
    picker = _picker(qtbot, ctx, backend)
    assert picker.vm.repo.path == "demo/app"
    assert picker.selected_tag() == "v3_accelerated"
    assert picker.vm.tags.index(0, 0).data() == "v3_accelerated"
    assert picker.hint_badge.text() == "Accelerated"
    assert picker.address_label.text() == backend.address(backend.repos[0], "v3_accelerated")
    assert "-vpc." in picker.address_label.text()
    picker.vpc_check.setChecked(False)
    assert "-vpc." not in picker.address_label.text()


def test_plain_tag_with_twin_offers_it(qtbot, ctx) -> None:
    backend = FakeBackend(tags=4)
    picker = _picker(qtbot, ctx, backend)
    picker.select_tag("v3")
    assert picker.hint_badge.text() == "Twin ready"
    assert picker.use_twin_button.isVisibleTo(picker)
    picker.use_twin_button.click()
    assert picker.selected_tag() == "v3_accelerated"


def test_plain_tag_without_twin_offers_conversion(qtbot, ctx) -> None:
    backend = FakeBackend(tags=4)
    picker = _picker(qtbot, ctx, backend)
    picker.select_tag("v1")
    assert picker.hint_badge.text() == "No twin"
    assert picker.convert_button.isVisibleTo(picker)  # acceleration is on: convert now
    picker.convert_button.click()
    qtbot.waitUntil(lambda: "convert_now:v1" in backend.calls, timeout=5000)
    qtbot.waitUntil(lambda: picker.vm.tags.twin_state("v1") is AccelState.READY, timeout=5000)


def test_repository_without_acceleration_offers_to_switch_it_on(qtbot, ctx) -> None:
    backend = FakeBackend(tags=2)
    backend.rules.clear()
    picker = _picker(qtbot, ctx, backend)
    picker.select_tag("v0")
    qtbot.waitUntil(lambda: picker.switch_on_button.isVisibleTo(picker), timeout=5000)
    assert "Switch it on" in picker.hint.text()
    picker.switch_on_button.click()
    qtbot.waitUntil(lambda: "convert_now:v0" in backend.calls, timeout=5000)
    assert "set_acceleration:True" in backend.calls
    qtbot.waitUntil(lambda: picker.vm.tags.twin_state("v0") is AccelState.READY, timeout=5000)


def test_accepting_returns_the_address_and_state(qtbot, ctx) -> None:
    backend = FakeBackend(tags=3)
    picker = _picker(qtbot, ctx, backend, image="x/demo/app:v1")
    qtbot.waitUntil(lambda: picker.selected_tag() == "v1", timeout=5000)
    with qtbot.waitSignal(picker.picked, timeout=2000) as sig:
        picker._on_accept()
    picked = sig.args[0]
    assert picked.tag == "v1"
    assert picked.address.endswith("/demo/app:v1")
    assert picked.accel is AccelState.NONE
    assert picked.instance_id == "cri-test"


def test_search_filters_tags(qtbot, ctx) -> None:
    backend = FakeBackend(tags=12)
    picker = _picker(qtbot, ctx, backend)
    picker.tag_search.setText("v1")
    picker.tag_search.flush()
    shown = [picker.vm.tags.index(r, 0).data() for r in range(picker.vm.tags.rowCount())]
    assert shown
    assert all("v1" in s for s in shown)


def test_the_instance_entry_is_not_cut(qtbot, ctx) -> None:
    from dataclasses import replace

    from PySide6.QtGui import QFontMetrics

    backend = FakeBackend(tags=2)
    backend.instances = [
        replace(backend.instances[0], name="production-image-registry-cn-shanghai-east")
    ]
    picker = _picker(qtbot, ctx, backend)
    combo = picker.instance_combo
    text = combo.currentText()
    assert text
    assert combo.width() >= QFontMetrics(combo.font()).horizontalAdvance(text) + 24
