"""Add an Alibaba Cloud or plain OCI registry profile (the secret goes to the secret store).

The dialog stays open while the console checks the credentials with the service and saves
the profile; a refusal is shown next to the field it concerns, and everything typed stays.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core import errors as E
from core.errors import SettingsError
from core.settings import AliyunProfile, RegistryProfile
from gui.widgets.field_error import FieldError

__all__ = ["REGIONS", "ProfileDialog", "profile_error_field"]

_KEY_ID_CODES = frozenset(
    {"InvalidAccessKeyId", "InvalidAccessKeyId.NotFound", "InvalidAccessKeyID", "InvalidAccessKey"}
)
_SECRET_CODES = frozenset(
    {"SignatureNotMatch", "SignatureDoesNotMatch", "IncompleteSignature", "InvalidSecurityToken"}
)


def profile_error_field(exc: BaseException, kind: str) -> str:
    """The dialog field an error adding a profile concerns (``""``: the whole form)."""
    code = str(getattr(exc, "code", "") or "")
    if isinstance(exc, SettingsError):
        field = str(exc.detail.get("field") or "")
        if code in ("ProfileExists", "InvalidProfileName", "ReservedProfileName"):
            return "name"
        return {
            "region": "region",
            "account_id": "account",
            "access_key_id": "key_id",
            "acr_instance_id": "instance",
            "url": "url",
        }.get(field, "")
    if code in _KEY_ID_CODES:
        return "key_id"
    if code in _SECRET_CODES or isinstance(exc, E.SignatureError):
        return "secret"
    if isinstance(exc, E.AuthError):
        return "secret"
    if isinstance(exc, E.CredentialsError):
        return "source" if kind == "aliyun" else "secret"
    if isinstance(exc, E.TransportError):
        return "region" if kind == "aliyun" else "url"
    return ""


def _unreachable(exc: BaseException) -> bool:
    """The service could not be asked (offline, a firewall): the credentials are unknown."""
    return isinstance(exc, E.TransportError)


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
        self.check_credentials = True  # ask the service before saving
        self.saving = False
        self.setObjectName("profileDialog")
        self.setWindowTitle(
            self.tr("Add Alibaba Cloud profile")
            if kind == "aliyun"
            else self.tr("Add OCI registry profile")
        )
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form = form
        self.errors: dict[str, FieldError] = {}
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(self.tr("Profile name"))
        self._row(self.tr("Profile name:"), self.name_edit, "name")
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        if kind == "aliyun":
            self.region_combo = QComboBox()
            self.region_combo.setEditable(True)
            self.region_combo.addItems(REGIONS)
            self.region_combo.setAccessibleName(self.tr("Region"))
            self._row(self.tr("Region:"), self.region_combo, "region")
            self.account_edit = QLineEdit()
            self.account_edit.setPlaceholderText(self.tr("for the invoke endpoint (optional)"))
            self.account_edit.setAccessibleName(self.tr("Account id"))
            self._row(self.tr("Account id:"), self.account_edit, "account")
            self.source_combo = QComboBox()
            self.source_combo.addItem(self.tr("AccessKey stored securely"), "keyring")
            self.source_combo.addItem(self.tr("Environment variables"), "env")
            self.source_combo.addItem(self.tr("aliyun CLI profile"), "aliyun-cli")
            self.source_combo.setAccessibleName(self.tr("Credential source"))
            self._row(self.tr("Credentials:"), self.source_combo, "source")
            self.key_id_edit = QLineEdit()
            self.key_id_edit.setAccessibleName(self.tr("AccessKey id"))
            self._row(self.tr("AccessKey id:"), self.key_id_edit, "key_id")
            self.secret_edit.setAccessibleName(self.tr("AccessKey secret"))
            self._row(self.tr("AccessKey secret:"), self.secret_edit, "secret")
            self.instance_edit = QLineEdit()
            self.instance_edit.setPlaceholderText("cri-…")
            self.instance_edit.setAccessibleName(self.tr("ACR instance id"))
            self._row(self.tr("ACR instance (optional):"), self.instance_edit, "instance")
            self.source_combo.currentIndexChanged.connect(self._on_source_changed)
        else:
            self.url_edit = QLineEdit()
            self.url_edit.setPlaceholderText("https://registry.example.com")
            self.url_edit.setAccessibleName(self.tr("Registry URL"))
            self._row(self.tr("Registry URL:"), self.url_edit, "url")
            self.user_edit = QLineEdit()
            self.user_edit.setAccessibleName(self.tr("User name"))
            self._row(self.tr("User name:"), self.user_edit, "user")
            self.secret_edit.setAccessibleName(self.tr("Password or token"))
            self._row(self.tr("Password or token:"), self.secret_edit, "secret")
            self.insecure_check = QCheckBox(self.tr("Allow plain HTTP / unverified TLS"))
            form.addRow("", self.insecure_check)
        layout.addLayout(form)
        note = QLabel(
            self.tr(
                "Secrets are kept in the system keyring (or the store you chose "
                "in Settings), never in the settings file. The credentials are checked "
                "with the service before the profile is saved."
            )
        )
        note.setWordWrap(True)
        note.setObjectName("hintLabel")
        layout.addWidget(note)
        self.error = QLabel()
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Check and save"))
        self.skip_button = QPushButton(self.tr("Save without checking"))
        self.skip_button.setVisible(False)
        self.buttons.addButton(self.skip_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.skip_button.clicked.connect(self._on_skip_clicked)
        layout.addWidget(self.buttons)
        for edit in self.findChildren(QLineEdit):
            edit.textEdited.connect(self._on_edited)

    def _row(self, title: str, widget: QWidget, field: str) -> None:
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(widget)
        error = FieldError()
        box.addWidget(error)
        self.errors[field] = error
        label = QLabel(title)
        label.setBuddy(widget)
        self._form.addRow(label, box)

    def _on_source_changed(self, _i: int) -> None:
        keyring = self.source_combo.currentData() == "keyring"
        self.key_id_edit.setEnabled(keyring)
        self.secret_edit.setEnabled(keyring)

    def _on_edited(self, _text: str) -> None:
        for label in self.errors.values():
            label.set_message("")
        self.skip_button.setVisible(False)

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
        self._submit(check=True)

    def _on_skip_clicked(self) -> None:
        self._submit(check=False)

    def _submit(self, *, check: bool) -> None:
        if self.saving:
            return
        profile = self.profile()
        for label in self.errors.values():
            label.set_message("")
        self.error.clear()
        try:
            profile.validate()
        except SettingsError as exc:
            self._show(profile_error_field(exc, self.kind), self.describe(exc))
            return
        if (
            self.kind == "aliyun"
            and self.source_combo.currentData() == "keyring"
            and not self.secret_edit.text()
        ):
            self._show("secret", self.tr("Enter the AccessKey secret."))
            return
        self.check_credentials = check
        self._set_saving(True)
        self.acceptedProfile.emit(profile, self.secret_edit.text())

    def _set_saving(self, saving: bool) -> None:
        self.saving = saving
        self.ok_button.setEnabled(not saving)
        self.skip_button.setEnabled(not saving)
        self.ok_button.setText(self.tr("Checking…") if saving else self.tr("Check and save"))

    def _show(self, field: str, text: str) -> None:
        target = self.errors.get(field)
        if target is not None:
            target.set_message(text)
        self.error.setText(text)

    def save_succeeded(self) -> None:
        self._set_saving(False)
        self.accept()

    def save_failed(self, exc: BaseException) -> None:
        """Say why next to the field concerned; keep the dialog and everything typed. When
        the service could not be reached, offer to save without the check."""
        from gui.errors import ErrorPresenter

        self._set_saving(False)
        if isinstance(exc, SettingsError):
            text = self.describe(exc)
        else:
            msg = ErrorPresenter.describe(exc)
            text = msg.text.replace("\n", " — ") + (f" {msg.hint}" if msg.hint else "")
        self._show(profile_error_field(exc, self.kind), text)
        self.skip_button.setVisible(_unreachable(exc))

    def describe(self, exc: SettingsError) -> str:
        return {
            "InvalidProfileName": self.tr(
                "Profile names have 1–64 letters, digits, spaces or ._@+- characters."
            ),
            "ReservedProfileName": self.tr("“Local” is reserved; choose another name."),
            "ProfileExists": self.tr("A profile with this name exists; choose another name."),
            "InvalidRegion": self.tr("Enter a region id such as cn-hangzhou."),
            "InvalidAccountId": self.tr("The account id has digits only."),
            "MissingAccessKeyId": self.tr("Enter the AccessKey id."),
            "InvalidURL": self.tr("Enter an http(s) URL."),
            "InvalidInstanceId": self.tr("ACR instance ids look like cri-xxxx."),
        }.get(exc.code, str(exc))
