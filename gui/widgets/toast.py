"""In-app notifications: short toasts stacked in the window's bottom-right corner, plus the
system tray message when a tray exists."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.widgets.badge import badge_colors

__all__ = ["Toast", "ToastArea"]


class Toast(QFrame):
    closed = Signal()

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()

    def __init__(self, title: str, text: str, kind: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setProperty("kind", kind)
        self.setAccessibleName(title)
        self.setAccessibleDescription(text)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        bg, fg = badge_colors(kind, self.palette())
        base = self.palette().color(self.backgroundRole())
        self.setStyleSheet(
            f"QFrame#toast {{ background: {base.name()}; border: 1px solid {fg.name()};"
            f" border-left: 5px solid {fg.name()}; border-radius: 6px; }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 6, 8)
        body = QVBoxLayout()
        heading = QLabel(f"<b>{title}</b>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        body.addWidget(heading)
        if text:
            label = QLabel(text)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            body.addWidget(label)
        layout.addLayout(body, 1)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setAccessibleName(self.tr("Dismiss notification"))
        close.clicked.connect(self.close)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.setFixedWidth(360)
        del bg


class ToastArea(QObject):
    """Keeps toasts positioned over ``host``; each closes itself after ``timeout_ms``."""

    def __init__(self, host: QWidget, timeout_ms: int = 6000) -> None:
        super().__init__(host)
        self._host = host
        self._timeout = timeout_ms
        self._toasts: list[Toast] = []
        self.tray: QSystemTrayIcon | None = None
        self.history: list[tuple[str, str, str]] = []
        host.installEventFilter(self)

    def show_message(self, title: str, text: str = "", kind: str = "info") -> Toast:
        self.history.append((title, text, kind))
        toast = Toast(title, text, kind, self._host)
        toast.closed.connect(lambda t=toast: self._forget(t))
        self._toasts.append(toast)
        toast.adjustSize()
        toast.show()
        toast.raise_()
        self._layout()
        # The toast is the timer's context: when it is deleted first (its window closed),
        # the pending timeout is dropped instead of calling into a deleted object.
        QTimer.singleShot(self._timeout, toast, toast.close)
        toast.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if self.tray is not None and not self._host.isActiveWindow():
            icon = {
                "bad": QSystemTrayIcon.MessageIcon.Critical,
                "warn": QSystemTrayIcon.MessageIcon.Warning,
            }.get(kind, QSystemTrayIcon.MessageIcon.Information)
            self.tray.showMessage(title, text, icon, self._timeout)
        return toast

    def _forget(self, toast: Toast) -> None:
        if toast in self._toasts:
            self._toasts.remove(toast)
            self._layout()

    def visible_count(self) -> int:
        return len(self.visible_toasts())

    def visible_toasts(self) -> list[Toast]:
        return [t for t in self._toasts if shiboken6.isValid(t) and t.isVisible()]

    def _layout(self) -> None:
        if not shiboken6.isValid(self._host):
            return
        margin = 16
        bottom = self._host.height() - margin - 24
        for toast in reversed(self._toasts):
            if not shiboken6.isValid(toast) or not toast.isVisible():
                continue
            toast.adjustSize()
            x = self._host.width() - toast.width() - margin
            bottom -= toast.height()
            toast.move(max(margin, x), max(margin, bottom))
            bottom -= 8

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._host and event.type() == QEvent.Type.Resize:
            self._layout()
        return False
