"""Settings: profiles, where secrets live, language, theme and the Local server."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core import __version__
from core.settings import AliyunProfile, RegistryProfile
from gui.async_bridge import ask, async_slot, spawn
from gui.dialogs.profile_dialog import ProfileDialog
from gui.i18n import arg, available_languages
from gui.resources import icon
from gui.viewmodels.settings_vm import SettingsViewModel

__all__ = ["SettingsView"]


class SettingsView(QWidget):
    crumbsChanged = Signal(list)
    restartServerRequested = Signal()
    profileActivated = Signal(str)

    def __init__(self, vm: SettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("settingsView")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 12)
        title = QLabel(self.tr("Settings"))
        title.setObjectName("pageTitle")
        layout.addWidget(title)

        # -- profiles
        profiles = QGroupBox(self.tr("Profiles"))
        playout = QHBoxLayout(profiles)
        self.profile_list = QListWidget()
        self.profile_list.setAccessibleName(self.tr("Profiles"))
        self.profile_list.setMinimumHeight(130)
        playout.addWidget(self.profile_list, 1)
        pbuttons = QVBoxLayout()
        self.add_aliyun_button = QPushButton(icon("cloud"), self.tr("Add Alibaba Cloud…"))
        self.add_oci_button = QPushButton(icon("registry"), self.tr("Add OCI registry…"))
        self.use_button = QPushButton(self.tr("Switch to"))
        self.default_button = QPushButton(self.tr("Make default"))
        self.remove_button = QPushButton(icon("delete"), self.tr("Remove"))
        for b in (
            self.add_aliyun_button,
            self.add_oci_button,
            self.use_button,
            self.default_button,
            self.remove_button,
        ):
            pbuttons.addWidget(b)
        pbuttons.addStretch(1)
        playout.addLayout(pbuttons)
        layout.addWidget(profiles)

        # -- secrets
        secrets = QGroupBox(self.tr("Secrets"))
        slayout = QVBoxLayout(secrets)
        self.secret_status = QLabel()
        self.secret_status.setWordWrap(True)
        slayout.addWidget(self.secret_status)
        self.keyring_radio = QRadioButton(self.tr("System keyring (recommended)"))
        self.file_radio = QRadioButton(
            self.tr("A file readable only by you (mode 0600) in the configuration folder")
        )
        self.session_radio = QRadioButton(
            self.tr("Keep secrets for this session only (enter them again next time)")
        )
        for r in (self.keyring_radio, self.file_radio, self.session_radio):
            slayout.addWidget(r)
        layout.addWidget(secrets)

        # -- appearance
        appearance = QGroupBox(self.tr("Appearance"))
        aform = QFormLayout(appearance)
        self.language_combo = QComboBox()
        self.language_combo.setAccessibleName(self.tr("Language"))
        self.language_combo.addItem(self.tr("System language"), "")
        for code in available_languages():
            from PySide6.QtCore import QLocale

            self.language_combo.addItem(QLocale(code).nativeLanguageName() or code, code)
        aform.addRow(self.tr("Language:"), self.language_combo)
        self.theme_combo = QComboBox()
        self.theme_combo.setAccessibleName(self.tr("Theme"))
        self.theme_combo.addItem(self.tr("Follow the system"), "system")
        self.theme_combo.addItem(self.tr("Light"), "light")
        self.theme_combo.addItem(self.tr("Dark"), "dark")
        aform.addRow(self.tr("Theme:"), self.theme_combo)
        self.language_note = QLabel()
        self.language_note.setObjectName("hintLabel")
        aform.addRow("", self.language_note)
        layout.addWidget(appearance)

        # -- local server
        server = QGroupBox(self.tr("Local server"))
        sform = QFormLayout(server)
        dir_row = QHBoxLayout()
        self.data_dir_edit = QLineEdit()
        self.data_dir_edit.setAccessibleName(self.tr("Data directory"))
        self.data_dir_edit.setPlaceholderText(str(vm.server_data_dir()))
        self.browse_button = QPushButton(self.tr("Browse…"))
        if vm.data_dir_override is not None:
            # Started with --data-dir: that directory is in use; the saved one is not.
            self.data_dir_edit.setEnabled(False)
            self.browse_button.setEnabled(False)
            self.data_dir_edit.setToolTip(
                self.tr("Set with --data-dir when fcdesk was started (for this session only).")
            )
        dir_row.addWidget(self.data_dir_edit, 1)
        dir_row.addWidget(self.browse_button)
        sform.addRow(self.tr("Data directory:"), dir_row)
        self.port_spin = QSpinBox()
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText(self.tr("any free port"))
        self.port_spin.setAccessibleName(self.tr("Port"))
        sform.addRow(self.tr("Port:"), self.port_spin)
        status_row = QHBoxLayout()
        self.server_status = QLabel("—")
        self.server_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.restart_button = QPushButton(icon("refresh"), self.tr("Restart server"))
        status_row.addWidget(self.server_status, 1)
        status_row.addWidget(self.restart_button)
        sform.addRow(self.tr("State:"), status_row)
        layout.addWidget(server)

        about = QLabel(
            arg(self.tr("fcdesk %1 — Function Compute and image acceleration console"), __version__)
        )
        about.setObjectName("hintLabel")
        layout.addWidget(about)
        layout.addStretch(1)

        self._fill()
        self.add_aliyun_button.clicked.connect(lambda: self._open_profile_dialog("aliyun"))
        self.add_oci_button.clicked.connect(lambda: self._open_profile_dialog("registry"))
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.default_button.clicked.connect(self._on_default_clicked)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.profile_list.itemDoubleClicked.connect(lambda _i: self._on_use_clicked())
        self.profile_list.currentRowChanged.connect(lambda _r: self._update_buttons())
        self.keyring_radio.toggled.connect(lambda on: self._on_secret_mode(on, "keyring"))
        self.file_radio.toggled.connect(lambda on: self._on_secret_mode(on, "file"))
        self.session_radio.toggled.connect(lambda on: self._on_secret_mode(on, "session"))
        self.language_combo.currentIndexChanged.connect(self._on_language_changed)
        self.theme_combo.currentIndexChanged.connect(
            lambda _i: vm.set_pref("theme", self.theme_combo.currentData())
        )
        self.data_dir_edit.editingFinished.connect(
            lambda: vm.set_pref("server_data_dir", self.data_dir_edit.text().strip())
        )
        self.port_spin.valueChanged.connect(lambda v: vm.set_pref("server_port", int(v)))
        self.browse_button.clicked.connect(self._on_browse_clicked)
        self.restart_button.clicked.connect(self.restartServerRequested.emit)
        vm.profilesChanged.connect(self._fill_profiles)

    def _on_secret_mode(self, on: bool, mode: str) -> None:
        if on:
            self.vm.set_secret_mode(mode)

    def crumbs(self) -> list[str]:
        return [self.tr("Settings")]

    def refresh(self) -> None:
        self._fill()

    def _fill(self) -> None:
        self._fill_profiles()
        mode = self.vm.secret_mode()
        if self.vm.needs_secret_choice():
            mode = ""  # the keyring is the default but absent: nothing is chosen yet
        for radio, value in (
            (self.keyring_radio, "keyring"),
            (self.file_radio, "file"),
            (self.session_radio, "session"),
        ):
            radio.blockSignals(True)
            radio.setAutoExclusive(False)  # an exclusive radio cannot be unchecked
            radio.setChecked(mode == value)
            radio.setAutoExclusive(True)
            radio.blockSignals(False)
        if self.vm.keyring_ok():
            self.secret_status.setText(self.tr("A system keyring is available."))
        else:
            self.secret_status.setText(
                self.tr(
                    "No system keyring is available on this computer. Choose where "
                    "secrets go: a private file, or this session only."
                )
            )
            self.secret_status.setObjectName("warningLabel")
        self.keyring_radio.setEnabled(self.vm.keyring_ok())
        for combo, key in ((self.language_combo, "language"), (self.theme_combo, "theme")):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(self.vm.pref(key))))
            combo.blockSignals(False)
        if self.vm.data_dir_override is None:
            self.data_dir_edit.setText(str(self.vm.pref("server_data_dir") or ""))
        self.port_spin.blockSignals(True)
        self.port_spin.setValue(int(self.vm.pref("server_port") or 0))
        self.port_spin.blockSignals(False)

    def _fill_profiles(self) -> None:
        self.profile_list.clear()
        default = self.vm.settings.default_profile
        for name in self.vm.profile_names():
            kind = self.vm.profile_kind(name)
            label = {
                "local": self.tr("Local server"),
                "aliyun": self.tr("Alibaba Cloud"),
                "registry": self.tr("OCI registry"),
            }.get(kind, kind)
            text = f"{name} — {label}" + (" · " + self.tr("default") if name == default else "")
            item = QListWidgetItem(
                icon({"local": "server", "aliyun": "cloud"}.get(kind, "registry")), text
            )
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.profile_list.addItem(item)
        self._update_buttons()

    def _selected_profile(self) -> str | None:
        item = self.profile_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def _update_buttons(self) -> None:
        name = self._selected_profile()
        self.remove_button.setEnabled(bool(name) and name != "Local")
        self.default_button.setEnabled(bool(name))
        self.use_button.setEnabled(bool(name))

    def set_server_state(self, text: str) -> None:
        self.server_status.setText(text)

    def _open_profile_dialog(self, kind: str) -> ProfileDialog:
        dialog = ProfileDialog(kind, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.acceptedProfile.connect(
            lambda profile, secret: spawn(self._save_profile(dialog, profile, secret))
        )
        dialog.open()
        return dialog

    async def _save_profile(self, dialog: ProfileDialog, profile: object, secret: str) -> None:
        """Check the new profile's credentials with its service, then save it; the dialog
        stays open (with the reason by its field) when either fails."""
        from shiboken6 import isValid

        from core.errors import CoreError

        assert isinstance(profile, AliyunProfile | RegistryProfile)
        try:
            if dialog.check_credentials:
                await self.vm.check_profile(profile, secret)
            await self.vm.add_profile(profile, secret)
        except CoreError as exc:
            if isValid(dialog) and dialog.isVisible():
                dialog.save_failed(exc)
            else:
                self.vm.failed.emit(exc)
            return
        if isValid(dialog):
            dialog.save_succeeded()

    @async_slot()
    async def _on_remove_clicked(self) -> None:
        name = self._selected_profile()
        if not name or name == "Local":
            return
        answer = await ask(
            self,
            self.tr("Remove profile"),
            arg(self.tr("Remove the profile “%1” and its stored secrets?"), name),
        )
        if answer.name == "Yes":
            await self.vm.remove_profile(name)

    def _on_default_clicked(self) -> None:
        name = self._selected_profile()
        if name:
            self.vm.set_default_profile(name)
            self._fill_profiles()

    def _on_use_clicked(self) -> None:
        name = self._selected_profile()
        if name:
            self.profileActivated.emit(name)

    def _on_language_changed(self, _i: int) -> None:
        self.vm.set_pref("language", self.language_combo.currentData())
        self.language_note.setText(self.tr("The language changes after a restart."))

    def _on_browse_clicked(self) -> None:
        dialog = QFileDialog(self, self.tr("Local server data directory"))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self._on_dir_selected)
        dialog.open()

    def _on_dir_selected(self, path: str) -> None:
        self.data_dir_edit.setText(path)
        self.vm.set_pref("server_data_dir", path)
