"""Exported demo frames are laid out for their fonts: no cut-off title, subtitle or figures.

Before, ``X`` (frames and an animated PNG) drew every frame at 1280x720 with the fonts
scaled to that size but the labels still at the heights of the smaller fonts, so the title
"Cold start: plain image vs accelerated image", the subtitle, the ratio and the bytes line
came out with their lower part cut off.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

import gui.views.demo_view as demo_view
import gui.widgets.race_export as race_export
from gui.views.demo_view import DemoStage
from tests.gui.test_demo import FakeClock, _comparison, _view


def test_every_exported_frame_has_its_labels_at_full_height(
    qtbot, ctx, tmp_path: Path, monkeypatch
) -> None:
    clipped: list[str] = []
    checked: list[int] = []
    real_encode = race_export.encode_png  # what the demo view calls

    def checking_encode(image):
        for widget in QApplication.allWidgets():
            if isinstance(widget, DemoStage) and widget.testAttribute(
                Qt.WidgetAttribute.WA_DontShowOnScreen
            ):
                checked.append(1)
                for label in widget.findChildren(QLabel):
                    if label.text() and label.height() < label.sizeHint().height():
                        clipped.append(f"{label.objectName()}: {label.height()}")
        return real_encode(image)

    monkeypatch.setattr(demo_view, "encode_png", checking_encode)
    vm, view = _view(qtbot, ctx, FakeClock())
    vm.load(_comparison())
    paths = view.export_frames(tmp_path / "frames")
    assert paths
    assert checked
    assert clipped == []
