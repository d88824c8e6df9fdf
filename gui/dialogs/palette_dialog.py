"""`PaletteDialog`: the Ctrl+K command palette — a search box over a list of results, used
with the keyboard alone (type, ↑/↓ or Page Up/Down, Enter opens, Esc closes)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from gui.i18n import arg
from gui.models.palette_model import PaletteItem, PaletteRoles
from gui.resources import icon
from gui.viewmodels.palette_vm import PaletteViewModel

__all__ = ["PaletteDialog", "kind_label"]

_ICONS = {
    "action": "bolt",
    "function": "functions",
    "repository": "registry",
    "tag": "image",
    "task": "tasks",
    "profile": "server",
}


def kind_label(kind: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return {
        "action": QCoreApplication.translate("PaletteDialog", "Action"),
        "function": QCoreApplication.translate("PaletteDialog", "Function"),
        "repository": QCoreApplication.translate("PaletteDialog", "Repository"),
        "tag": QCoreApplication.translate("PaletteDialog", "Tag"),
        "task": QCoreApplication.translate("PaletteDialog", "Task"),
        "profile": QCoreApplication.translate("PaletteDialog", "Profile"),
    }.get(kind, kind)


class _Delegate(QStyledItemDelegate):
    """Title over subtitle, the kind at the right, an icon at the left."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        height = option.fontMetrics.height()
        return QSize(400, 2 * height + 14)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        item = index.data(PaletteRoles.Item)
        if not isinstance(item, PaletteItem):
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        rect: QRect = option.rect
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        text = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        size = rect.height() - 16
        icon(_ICONS.get(item.kind, "search")).paint(
            painter, QRect(rect.left() + 8, rect.top() + 8, size // 2 + 6, size // 2 + 6)
        )
        left = rect.left() + 8 + size // 2 + 16
        kind = kind_label(item.kind)
        kind_width = option.fontMetrics.horizontalAdvance(kind) + 16
        line = option.fontMetrics.height()
        title_rect = QRect(left, rect.top() + 5, rect.right() - left - kind_width, line)
        sub_rect = QRect(left, rect.top() + 7 + line, rect.right() - left - kind_width, line)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text)
        metrics = painter.fontMetrics()
        painter.drawText(
            title_rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(item.title, Qt.TextElideMode.ElideMiddle, title_rect.width()),
        )
        painter.setFont(option.font)
        painter.setPen(muted)
        painter.drawText(
            sub_rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            painter.fontMetrics().elidedText(
                item.subtitle, Qt.TextElideMode.ElideRight, sub_rect.width()
            ),
        )
        painter.drawText(
            QRect(rect.right() - kind_width, rect.top(), kind_width - 8, rect.height()),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            kind,
        )
        painter.restore()


class PaletteDialog(QDialog):
    def __init__(self, vm: PaletteViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("paletteDialog")
        self.setWindowTitle(self.tr("Find anything"))
        self.setModal(True)
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setStyleSheet(
            "QDialog#paletteDialog { border: 1px solid palette(mid); border-radius: 8px; }"
        )
        self.resize(680, 460)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 8)
        self.edit = QLineEdit()
        self.edit.setObjectName("paletteEdit")
        self.edit.setPlaceholderText(
            self.tr("Functions, repositories, tags, tasks, actions… (Esc closes)")
        )
        self.edit.setAccessibleName(self.tr("Find anything"))
        self.edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        font = self.edit.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.edit.setFont(font)
        layout.addWidget(self.edit)
        self.list = QListView()
        self.list.setObjectName("paletteList")
        self.list.setModel(vm.model)
        self.list.setItemDelegate(_Delegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAccessibleName(self.tr("Results"))
        layout.addWidget(self.list, 1)
        self.hint = QLabel()
        self.hint.setObjectName("hintLabel")
        layout.addWidget(self.hint)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.edit.installEventFilter(self)
        self.list.clicked.connect(lambda index: self._activate(index.row()))
        vm.resultsChanged.connect(self._on_vm_results_changed)
        if vm.catalog is not None:
            vm.catalog.readingChanged.connect(self._on_catalog_reading_changed)

    def open_palette(self) -> None:
        """Show the palette with everything known now, the search box focused and empty."""
        self.edit.blockSignals(True)
        self.edit.clear()
        self.edit.blockSignals(False)
        self.vm.query = ""
        self.vm.refresh()
        parent = self.parentWidget()
        if parent is not None:
            top = parent.mapToGlobal(parent.rect().topLeft())
            self.move(top.x() + (parent.width() - self.width()) // 2, top.y() + 80)
        self.open()
        self.activateWindow()
        self.edit.setFocus()

    def _on_edit_text_changed(self, text: str) -> None:
        self.vm.search(text)

    def _on_catalog_reading_changed(self, _reading: bool) -> None:
        self._on_vm_results_changed()

    def _on_vm_results_changed(self) -> None:
        count = self.vm.model.rowCount()
        if count:
            self.list.setCurrentIndex(self.vm.model.index(0))
        self.hint.setText(
            arg(
                self.tr("%1 of %2 — ↑↓ choose, Enter opens, Esc closes"),
                str(count),
                f"{len(self.vm.index):,}",
            )
            if self.vm.query
            else arg(self.tr("%1 items — type a few letters"), f"{len(self.vm.index):,}")
        )
        catalog = self.vm.catalog
        if catalog is not None and catalog.is_reading(self.vm.target):
            self.hint.setText(
                self.hint.text() + " · " + self.tr("reading every repository's tags…")
            )

    def _move(self, step: int) -> None:
        count = self.vm.model.rowCount()
        if not count:
            return
        row = max(0, min(count - 1, self.list.currentIndex().row() + step))
        self.list.setCurrentIndex(self.vm.model.index(row))

    def _activate(self, row: int) -> None:
        if row < 0:
            return
        self.accept()
        self.vm.activate(row)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.edit
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
        ):
            key = event.key()
            page = max(1, self.list.height() // max(1, self.list.sizeHintForRow(0)) - 1)
            moves = {
                Qt.Key.Key_Down: 1,
                Qt.Key.Key_Up: -1,
                Qt.Key.Key_PageDown: page,
                Qt.Key.Key_PageUp: -page,
            }
            if key in moves:
                self._move(moves[Qt.Key(key)])
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._activate(self.list.currentIndex().row())
                return True
        return super().eventFilter(watched, event)
