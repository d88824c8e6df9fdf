"""Adding a cloud profile checks its credentials with the service first, and the profile
dialog never loses what was typed: a refusal is shown by the field it concerns, the dialog
stays open, nothing is saved. The Local server stands in for the cloud: it verifies ACS3
signatures with the same rules."""

from __future__ import annotations

import dataclasses
import socket

import keyring
import pytest
from shiboken6 import isValid

from core.cloud import secret_key
from core.settings import AliyunProfile, TomlSettingsStore
from gui.dialogs.profile_dialog import ProfileDialog
from gui.viewmodels.settings_vm import SettingsViewModel
from gui.views.settings_view import SettingsView


def _view(qtbot):
    vm = SettingsViewModel()
    view = SettingsView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    return vm, view


def _dialog(view, endpoint: str, *, name: str, key_id: str, secret: str) -> ProfileDialog:
    dialog = view._open_profile_dialog("aliyun")
    original = dialog.profile
    # The form has no endpoint fields: point the profile at the stand-in service.
    dialog.profile = lambda: dataclasses.replace(  # type: ignore[method-assign]
        original(), fc_endpoint=endpoint, acr_endpoint=endpoint
    )
    dialog.name_edit.setText(name)
    dialog.region_combo.setCurrentText("cn-hangzhou")
    dialog.key_id_edit.setText(key_id)
    dialog.secret_edit.setText(secret)
    return dialog


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stored(name: str) -> str | None:
    return keyring.get_password("fcdesk", secret_key(name, "access_key_secret"))


def test_a_wrong_secret_is_shown_by_the_secret_and_nothing_is_saved(
    qtbot, ctx, local_server_thread
) -> None:
    server = local_server_thread
    vm, view = _view(qtbot)
    dialog = _dialog(
        view, server.url, name="prod", key_id=server.access_key_id, secret="not-the-secret"
    )
    dialog._on_ok()
    assert dialog.saving
    qtbot.waitUntil(lambda: not dialog.saving, timeout=20000)
    assert dialog.isVisible()
    assert dialog.errors["secret"].isVisible()
    assert "signature" in dialog.errors["secret"].message()
    assert dialog.secret_edit.text() == "not-the-secret"  # kept, to be corrected
    assert "prod" not in vm.profile_names()
    store = TomlSettingsStore()
    assert not store.path.exists() or "prod" not in store.load().profiles
    assert _stored("prod") is None
    # Corrected, it is checked again and saved.
    dialog.secret_edit.setText(server.access_key_secret)
    dialog._on_ok()
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=20000)
    assert "prod" in vm.profile_names()
    assert _stored("prod") == server.access_key_secret


def test_an_unknown_key_id_is_shown_by_the_key_id(qtbot, ctx, local_server_thread) -> None:
    server = local_server_thread
    _vm, view = _view(qtbot)
    dialog = _dialog(view, server.url, name="prod", key_id="LTAIunknown000", secret="x")
    dialog._on_ok()
    qtbot.waitUntil(lambda: not dialog.saving, timeout=20000)
    assert dialog.isVisible()
    shown = [f for f, label in dialog.errors.items() if label.isVisible()]
    assert shown == ["key_id"], dialog.error.text()


def test_an_unreachable_service_offers_to_save_without_checking(qtbot, ctx) -> None:
    vm, view = _view(qtbot)
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    dialog = _dialog(view, endpoint, name="offline", key_id="LTAIabc", secret="s3cret")
    dialog._on_ok()
    qtbot.waitUntil(lambda: not dialog.saving, timeout=20000)
    assert dialog.isVisible()
    assert dialog.skip_button.isVisible()
    assert "offline" not in vm.profile_names()
    dialog.skip_button.click()
    qtbot.waitUntil(lambda: "offline" in vm.profile_names(), timeout=10000)
    assert _stored("offline") == "s3cret"


def test_an_existing_name_keeps_the_dialog_open(qtbot, ctx) -> None:
    vm, view = _view(qtbot)
    vm.update(lambda s: s.add_profile(AliyunProfile("prod", "cn-hangzhou", access_key_id="LTAI1")))
    dialog = _dialog(
        view, f"http://127.0.0.1:{_closed_port()}", name="prod", key_id="LTAI2", secret="x"
    )
    dialog.check_credentials = False
    dialog._on_skip_clicked()
    qtbot.waitUntil(lambda: not dialog.saving, timeout=10000)
    assert dialog.isVisible()
    assert "exists" in dialog.errors["name"].message()
    assert vm.settings.profiles["prod"].access_key_id == "LTAI1"


@pytest.fixture(autouse=True)
def _no_environment_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
