"""Confirmation before a start-up profile becomes a repository rule's prefetch list.

Alibaba Cloud's registry takes the files to prefetch from the acceleration rule
(``Parameters.PriorityFile``); there is no call that updates a rule, so an existing one is
deleted and created again with the list. The dialog shows every path that will be sent and
what happens to the rule; Apply or Cancel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gui.i18n import arg

__all__ = ["PriorityFileDialog"]


class PriorityFileDialog(QDialog):
    """Lists ``paths`` (in order) for ``repo``; ``accepted`` means apply."""

    def __init__(
        self,
        repo: str,
        paths: list[str],
        *,
        rule_exists: bool,
        source: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths = paths
        self.setObjectName("priorityFileDialog")
        self.setWindowTitle(self.tr("Set the prefetch list"))
        self.setMinimumSize(620, 460)
        layout = QVBoxLayout(self)
        head = QLabel(
            arg(
                self.tr(
                    "The acceleration rule of <b>%1</b> will prefetch these %n file(s) first "
                    "(PriorityFile):",
                    "",
                    len(paths),
                ),
                repo,
            )
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        if source:
            origin = QLabel(arg(self.tr("From %1"), source))
            origin.setObjectName("hintLabel")
            origin.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(origin)
        self.listing = QPlainTextEdit()
        self.listing.setObjectName("priorityFileList")
        self.listing.setReadOnly(True)
        self.listing.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.listing.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.listing.setAccessibleName(self.tr("Files to prefetch"))
        width = len(str(len(paths)))
        self.listing.setPlainText(
            "\n".join(f"{i:>{width}}  /{p.lstrip('/')}" for i, p in enumerate(paths, 1))
        )
        layout.addWidget(self.listing, 1)
        if rule_exists:
            what = self.tr(
                "The current rule is replaced: it is deleted and created again with the same "
                "settings and this list (a rule cannot be changed in place)."
            )
        else:
            what = self.tr("Acceleration is off for this repository: this switches it on.")
        self.effect = QLabel(
            what
            + " "
            + self.tr(
                "Tags pushed afterwards are converted with it; existing tags need a new conversion."
            )
        )
        self.effect.setWordWrap(True)
        layout.addWidget(self.effect)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel
        )
        self.apply_button = buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setText(self.tr("Set prefetch list"))
        self.apply_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
