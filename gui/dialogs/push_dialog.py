"""How to push an image into the selected repository: the exact ``skopeo``, ``podman`` and
``fcaccel import`` commands, each with a copy button.

On the Local profile (and a plain OCI registry with a saved login) the commands carry working
credentials: the screen shows the secret masked, the copied command the real one. On Alibaba
Cloud the registry login is the one set in the ACR console, so the command asks for it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.oci import is_loopback_host
from gui.i18n import arg

__all__ = ["PushCommand", "PushDialog", "push_commands"]

_MASK = "••••••••"


@dataclass(frozen=True, slots=True)
class PushCommand:
    tool: str
    shown: str  # the secret masked
    copied: str  # what the copy button puts on the clipboard


def push_commands(address: str, login: tuple[str, str] | None) -> list[PushCommand]:
    """``skopeo``, ``podman`` and ``fcaccel import`` commands that push to ``address``
    (``host/namespace/repository:tag``) with ``login`` (None: the user's own)."""
    host = address.split("/", 1)[0]
    plain_http = is_loopback_host(host)
    user, secret = login if login is not None else ("USER", "")

    def creds(masked: bool) -> str:
        if login is None:
            return shlex.quote(user)  # the tools prompt for the password
        return shlex.quote(f"{user}:{_MASK if masked else secret}")

    out = []
    for masked in (True, False):
        c = creds(masked)
        skopeo = ["skopeo", "copy"]
        if plain_http:
            skopeo.append("--dest-tls-verify=false")
        skopeo_cmd = " ".join([*skopeo, "--dest-creds", c, "docker-archive:image.tar"])
        skopeo_cmd += f" docker://{address}"
        podman = ["podman", "push"]
        if plain_http:
            podman.append("--tls-verify=false")
        podman_cmd = " ".join([*podman, "--creds", c, "localhost/app:latest", address])
        fcaccel = ["fcaccel", "import", "./rootfs", "./app"]
        fcaccel_cmd = " ".join([*fcaccel, f"docker://{address}", "--creds", c])
        if plain_http:
            fcaccel_cmd += " --insecure"
        out.append((skopeo_cmd, podman_cmd, fcaccel_cmd))
    shown, copied = out
    return [
        PushCommand(tool, s, c)
        for tool, s, c in zip(("skopeo", "podman", "fcaccel"), shown, copied, strict=True)
    ]


class PushDialog(QDialog):
    """The push commands for one repository; the tag can be changed."""

    def __init__(
        self,
        repository: str,
        address_of: object,
        login: tuple[str, str] | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pushDialog")
        self.setWindowTitle(arg(self.tr("Push an image into %1"), repository))
        self.setMinimumWidth(720)
        self._address_of = address_of
        self._login = login
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Push with any of these commands (from a saved image archive, a local podman "
                "image, or directories as layers). With acceleration on for this repository, "
                "the tag is converted into its _accelerated twin as soon as it arrives."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.login_note = QLabel()
        self.login_note.setObjectName("hintLabel")
        self.login_note.setWordWrap(True)
        layout.addWidget(self.login_note)
        tag_row = QGridLayout()
        tag_row.addWidget(QLabel(self.tr("Tag:")), 0, 0)
        self.tag_edit = QLineEdit("v1")
        self.tag_edit.setAccessibleName(self.tr("Tag to push"))
        tag_row.addWidget(self.tag_edit, 0, 1)
        layout.addLayout(tag_row)
        grid = QGridLayout()
        self.command_labels: dict[str, QLabel] = {}
        self.copy_buttons: dict[str, QPushButton] = {}
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        for row, tool in enumerate(("skopeo", "podman", "fcaccel")):
            name = QLabel(f"<b>{tool}</b>")
            label = QLabel()
            label.setFont(mono)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setObjectName("pushCommand")
            button = QPushButton(self.tr("Copy"))
            button.setAccessibleName(arg(self.tr("Copy the %1 command"), tool))
            button.clicked.connect(lambda _c=False, t=tool: self.copy(t))
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, row, 1)
            grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignTop)
            self.command_labels[tool] = label
            self.copy_buttons[tool] = button
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.commands: list[PushCommand] = []
        self.tag_edit.textChanged.connect(lambda _t: self._fill())
        self._fill()

    def _fill(self) -> None:
        tag = self.tag_edit.text().strip() or "v1"
        address = str(self._address_of(tag))  # type: ignore[operator]
        self.commands = push_commands(address, self._login)
        for command in self.commands:
            self.command_labels[command.tool].setText(command.shown)
        if self._login is None:
            self.login_note.setText(
                self.tr(
                    "Log in with the registry user name and password set for this instance "
                    "(Container Registry console › Access credentials); the tools ask for the "
                    "password."
                )
            )
        else:
            self.login_note.setText(
                self.tr(
                    "The commands carry this registry's login; the secret is masked here and "
                    "included when you copy a command."
                )
            )

    def copy(self, tool: str) -> str:
        command = next(c for c in self.commands if c.tool == tool)
        QGuiApplication.clipboard().setText(command.copied)
        self.copy_buttons[tool].setText(self.tr("Copied"))
        return command.copied
