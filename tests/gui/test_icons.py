"""Icons follow the palette live: a theme change re-colours icons already on screen."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication, QToolButton

from gui.resources import PaletteIconEngine, icon
from gui.theme import apply_theme, dark_palette, light_palette


def _opaque_colours(image: QImage) -> set[str]:
    return {
        image.pixelColor(x, y).name()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    }


def test_an_icon_on_screen_follows_a_theme_change(qtbot, qapp: QApplication) -> None:
    apply_theme(qapp, "light")
    try:
        button = QToolButton()
        qtbot.addWidget(button)
        button.setIcon(icon("refresh"))
        button.show()
        light_text = light_palette().color(QPalette.ColorRole.WindowText).name()
        dark_text = dark_palette().color(QPalette.ColorRole.WindowText).name()
        assert _opaque_colours(button.icon().pixmap(24, 24).toImage()) == {light_text}
        assert light_text in _opaque_colours(button.grab().toImage())
        apply_theme(qapp, "dark")
        # the same QIcon the button holds, not a new one
        assert _opaque_colours(button.icon().pixmap(24, 24).toImage()) == {dark_text}
        grabbed = _opaque_colours(button.grab().toImage())
        assert dark_text in grabbed
        assert light_text not in grabbed
    finally:
        apply_theme(qapp, "light")


def test_icon_modes_sizes_and_fixed_colours(qapp: QApplication) -> None:
    apply_theme(qapp, "light")
    palette = qapp.palette()
    ic = icon("refresh")
    assert not ic.isNull()
    selected = ic.pixmap(20, 20, QIcon.Mode.Selected).toImage()
    assert _opaque_colours(selected) == {palette.color(QPalette.ColorRole.HighlightedText).name()}
    disabled = ic.pixmap(20, 20, QIcon.Mode.Disabled).toImage()
    assert _opaque_colours(disabled) == {
        palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText).name()
    }
    big = ic.pixmap(64, 64)
    assert big.width() == 64
    hidpi = ic.pixmap(QSize(64, 64), 2.0)
    assert hidpi.devicePixelRatio() == 2.0
    assert hidpi.width() == 128  # rendered at device pixels, not scaled up
    from PySide6.QtGui import QColor

    red = icon("refresh", QColor("#ff0000"))
    assert _opaque_colours(red.pixmap(24, 24).toImage()) == {"#ff0000"}
    assert icon("no-such-icon").isNull()


def test_a_modified_copy_of_an_icon_is_safe(qapp: QApplication) -> None:
    """Qt clones the engine when a shared icon is modified; the clone must stay valid."""
    import gc

    from PySide6.QtGui import QPixmap

    original = icon("refresh")
    copy = QIcon(original)
    copy.addPixmap(QPixmap(8, 8))
    gc.collect()
    assert not copy.pixmap(16, 16).isNull()
    assert not original.pixmap(16, 16).isNull()
    del copy
    gc.collect()
    assert isinstance(PaletteIconEngine("x", "<svg/>", None), PaletteIconEngine)


def test_choosing_a_theme_in_settings_applies_it_while_running(
    qtbot, qloop, data_dir, tmp_path, qapp: QApplication
) -> None:
    from gui.app import Console
    from gui.main_window import Page

    apply_theme(qapp, "light")
    console = Console(lab_history=tmp_path / "lab.json")
    window = console.window
    assert window is not None
    try:
        window.show()
        nav_icon = window.nav.item(Page.IMAGES).icon()
        light_text = light_palette().color(QPalette.ColorRole.WindowText).name()
        dark_text = dark_palette().color(QPalette.ColorRole.WindowText).name()
        assert _opaque_colours(nav_icon.pixmap(20, 20).toImage()) == {light_text}
        window.go(Page.SETTINGS)
        combo = window.settings_view.theme_combo
        combo.setCurrentIndex(combo.findData("dark"))
        assert console.settings.pref("theme") == "dark"
        assert qapp.palette().color(QPalette.ColorRole.Window) == dark_palette().color(
            QPalette.ColorRole.Window
        )
        assert _opaque_colours(nav_icon.pixmap(20, 20).toImage()) == {dark_text}
        assert dark_text in _opaque_colours(window.nav.grab().toImage())
        # What is on screen, not only what the icon would draw: the icon's own area of a
        # navigation row and of a tool button, repainted in the new tint.
        rect = window.nav.visualItemRect(window.nav.item(Page.IMAGES))
        icon_area = window.nav.viewport().grab(rect.adjusted(0, 0, -rect.width() + 40, 0))
        on_screen = _opaque_colours(icon_area.toImage())
        assert dark_text in on_screen
        assert light_text not in on_screen
        button = _opaque_colours(window.refresh_button.grab().toImage())
        assert dark_text in button
        assert light_text not in button
        combo.setCurrentIndex(combo.findData("light"))
        assert _opaque_colours(nav_icon.pixmap(20, 20).toImage()) == {light_text}
    finally:
        apply_theme(qapp, "light")
        task = console.shutdown()
        qtbot.waitUntil(task.done, timeout=5000)
        window.close()
        window.deleteLater()
        console.deleteLater()


def test_the_style_sheets_images_exist(qapp: QApplication) -> None:
    import re
    from pathlib import Path

    from gui.resources import read_qss

    qss = read_qss("app")
    urls = re.findall(r"url\(([^)]+)\)", qss)
    assert len(urls) >= 3  # drop-down and spin arrows, check mark
    assert "@ICONS@" not in qss
    for url in urls:
        assert Path(url).is_absolute(), url
        assert Path(url).is_file(), url
