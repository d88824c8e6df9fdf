"""An editor for environment variables (name → value) with add/remove and checks."""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.i18n import arg

__all__ = ["ENV_NAME_RE", "EnvEditor"]

ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class EnvEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Environment variables"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Value")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 180)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAccessibleName(self.tr("Environment variables"))
        self.table.itemChanged.connect(lambda _i: self.changed.emit())
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add variable"))
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self._on_remove_clicked)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def _on_add_clicked(self) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        first = QTableWidgetItem("")
        self.table.setItem(row, 0, first)
        self.table.setItem(row, 1, QTableWidgetItem(""))
        self.table.editItem(first)
        self.changed.emit()

    def _on_remove_clicked(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
        self.changed.emit()

    def set_variables(self, env: dict[str, str]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for name, value in env.items():
            row = self.table.rowCount()
            self.table.insertRow(row)
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(value))
        self.table.blockSignals(False)
        self.changed.emit()

    def variables(self) -> dict[str, str]:
        env: dict[str, str] = {}
        for row in range(self.table.rowCount()):
            name_item = self.table.item(row, 0)
            value_item = self.table.item(row, 1)
            name = name_item.text().strip() if name_item else ""
            if name:
                env[name] = value_item.text() if value_item else ""
        return env

    def problems(self) -> list[str]:
        """Names that are invalid or duplicated (empty rows are ignored)."""
        seen: set[str] = set()
        bad: list[str] = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            name = item.text().strip() if item else ""
            if not name:
                continue
            if not ENV_NAME_RE.match(name):
                bad.append(arg(self.tr("“%1” is not a valid variable name"), name))
            elif name in seen:
                bad.append(arg(self.tr("“%1” is set twice"), name))
            seen.add(name)
        return bad
