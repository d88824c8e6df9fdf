"""Add an Alibaba Cloud or plain OCI registry profile (the secret goes to the secret store)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from core.errors import SettingsError
from core.settings import AliyunProfile, RegistryProfile

__all__ = ["REGIONS", "ProfileDialog"]

# Regions where FC custom containers and image acceleration are offered (data, not logic).
REGIONS = (
    "cn-hangzhou",
    "cn-shanghai",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-shenzhen",
    "cn-hongkong",
    "ap-southeast-1",
    "ap-northeast-1",
    "us-east-1",
    "us-west-1",
    "eu-central-1",
)


class ProfileDialog(QDialog):
    """``accepted_profile(profile, secret)`` with a validated profile."""

    acceptedProfile = Signal(object, str)

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName("profileDialog")
        self.setWindowTitle(
            self.tr("Add Alibaba Cloud profile")
            if kind == "aliyun"
            else self.tr("Add OCI registry profile")
        )
        self.setAccessibleName(self.windowTitle())
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(self.tr("Profile name"))
        form.addRow(self.tr("Profile name:"), self.name_edit)
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        if kind == "aliyun":
            self.region_combo = QComboBox()
            self.region_combo.setEditable(True)
            self.region_combo.addItems(REGIONS)
            self.region_combo.setAccessibleName(self.tr("Region"))
            form.addRow(self.tr("Region:"), self.region_combo)
            self.account_edit = QLineEdit()
            self.account_edit.setPlaceholderText(self.tr("for the invoke endpoint (optional)"))
            self.account_edit.setAccessibleName(self.tr("Account id"))
            form.addRow(self.tr("Account id:"), self.account_edit)
            self.source_combo = QComboBox()
            self.source_combo.addItem(self.tr("AccessKey stored securely"), "keyring")
            self.source_combo.addItem(self.tr("Environment variables"), "env")
            self.source_combo.addItem(self.tr("aliyun CLI profile"), "aliyun-cli")
            self.source_combo.setAccessibleName(self.tr("Credential source"))
            form.addRow(self.tr("Credentials:"), self.source_combo)
            self.key_id_edit = QLineEdit()
            self.key_id_edit.setAccessibleName(self.tr("AccessKey id"))
            form.addRow(self.tr("AccessKey id:"), self.key_id_edit)
            self.secret_edit.setAccessibleName(self.tr("AccessKey secret"))
            form.addRow(self.tr("AccessKey secret:"), self.secret_edit)
            self.instance_edit = QLineEdit()
            self.instance_edit.setPlaceholderText("cri-…")
            self.instance_edit.setAccessibleName(self.tr("ACR instance id"))
            form.addRow(self.tr("ACR instance (optional):"), self.instance_edit)
            self.source_combo.currentIndexChanged.connect(self._on_source_changed)
        else:
            self.url_edit = QLineEdit()
            self.url_edit.setPlaceholderText("https://registry.example.com")
            self.url_edit.setAccessibleName(self.tr("Registry URL"))
            form.addRow(self.tr("Registry URL:"), self.url_edit)
            self.user_edit = QLineEdit()
            self.user_edit.setAccessibleName(self.tr("User name"))
            form.addRow(self.tr("User name:"), self.user_edit)
            self.secret_edit.setAccessibleName(self.tr("Password or token"))
            form.addRow(self.tr("Password or token:"), self.secret_edit)
            self.insecure_check = QCheckBox(self.tr("Allow plain HTTP / unverified TLS"))
            form.addRow("", self.insecure_check)
        layout.addLayout(form)
        note = QLabel(
            self.tr(
                "Secrets are kept in the system keyring (or the store you chose "
                "in Settings), never in the settings file."
            )
        )
        note.setWordWrap(True)
        note.setObjectName("hintLabel")
        layout.addWidget(note)
        self.error = QLabel()
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_source_changed(self, _i: int) -> None:
        keyring = self.source_combo.currentData() == "keyring"
        self.key_id_edit.setEnabled(keyring)
        self.secret_edit.setEnabled(keyring)

    def profile(self) -> AliyunProfile | RegistryProfile:
        name = self.name_edit.text().strip()
        if self.kind == "aliyun":
            return AliyunProfile(
                name=name,
                region=self.region_combo.currentText().strip(),
                account_id=self.account_edit.text().strip(),
                access_key_id=self.key_id_edit.text().strip(),
                credential_source=self.source_combo.currentData(),
                acr_instance_id=self.instance_edit.text().strip(),
            )
        return RegistryProfile(
            name=name,
            url=self.url_edit.text().strip(),
            username=self.user_edit.text().strip(),
            insecure=self.insecure_check.isChecked(),
        )

    def _on_ok(self) -> None:
        profile = self.profile()
        try:
            profile.validate()
        except SettingsError as exc:
            self.error.setText(self.describe(exc))
            return
        if (
            self.kind == "aliyun"
            and self.source_combo.currentData() == "keyring"
            and not self.secret_edit.text()
        ):
            self.error.setText(self.tr("Enter the AccessKey secret."))
            return
        self.acceptedProfile.emit(profile, self.secret_edit.text())
        self.accept()

    def describe(self, exc: SettingsError) -> str:
        return {
            "InvalidProfileName": self.tr(
                "Profile names have 1–64 letters, digits, spaces or ._@+- characters."
            ),
            "ReservedProfileName": self.tr("“Local” is reserved; choose another name."),
            "InvalidRegion": self.tr("Enter a region id such as cn-hangzhou."),
            "InvalidAccountId": self.tr("The account id has digits only."),
            "MissingAccessKeyId": self.tr("Enter the AccessKey id."),
            "InvalidURL": self.tr("Enter an http(s) URL."),
            "InvalidInstanceId": self.tr("ACR instance ids look like cri-xxxx."),
        }.get(exc.code, str(exc))
