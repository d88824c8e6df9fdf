"""Settings: profiles with secrets in the store, the no-keyring choice, preferences."""

from __future__ import annotations

import keyring
from PySide6.QtWidgets import QMessageBox

from core.cloud import secret_key
from core.settings import AliyunProfile, TomlSettingsStore
from gui.dialogs.profile_dialog import ProfileDialog
from gui.viewmodels.settings_vm import SettingsViewModel
from gui.views.settings_view import SettingsView


def _view(qtbot):
    vm = SettingsViewModel()
    view = SettingsView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)  # the view-model lives exactly as long as its view
    view.show()
    return vm, view


def test_add_aliyun_profile_keeps_the_secret_out_of_the_file(qtbot, ctx) -> None:
    vm, view = _view(qtbot)
    dialog = view._open_profile_dialog("aliyun")
    assert isinstance(dialog, ProfileDialog)
    dialog.name_edit.setText("prod")
    dialog.region_combo.setCurrentText("cn-shanghai")
    dialog.key_id_edit.setText("LTAIabc")
    dialog.secret_edit.setText("s3cret-value")
    dialog._on_skip_clicked()  # saved without asking the service (see test_profile_check)
    qtbot.waitUntil(lambda: "prod" in vm.profile_names(), timeout=5000)
    qtbot.waitUntil(
        lambda: (
            keyring.get_password("fcdesk", secret_key("prod", "access_key_secret"))
            == "s3cret-value"
        ),
        timeout=5000,
    )
    path = TomlSettingsStore().path
    qtbot.waitUntil(lambda: path.exists() and "prod" in path.read_text(), timeout=5000)
    text = path.read_text()
    assert "LTAIabc" in text
    assert "s3cret-value" not in text
    assert view.profile_list.count() == 2


def test_profile_dialog_explains_invalid_input(qtbot, ctx) -> None:
    dialog = ProfileDialog("registry")
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Local")
    dialog.url_edit.setText("https://r.example.com")
    dialog._on_ok()
    assert "reserved" in dialog.error.text()
    dialog.name_edit.setText("harbor")
    dialog.url_edit.setText("ftp://x")
    dialog._on_ok()
    assert "http(s)" in dialog.error.text()


def test_remove_profile_asks_first(qtbot, ctx) -> None:
    vm, view = _view(qtbot)
    vm.update(lambda s: s.add_profile(AliyunProfile("old", "cn-hangzhou", access_key_id="LTAI1")))
    view.profile_list.setCurrentRow(1)
    view._on_remove_clicked()
    qtbot.waitUntil(lambda: view.findChild(QMessageBox, "askBox") is not None, timeout=3000)
    view.findChild(QMessageBox, "askBox").button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: vm.profile_names() == ["Local"], timeout=5000)


def test_preferences_persist_in_the_shared_file(qtbot, ctx) -> None:
    _vm, view = _view(qtbot)
    view.theme_combo.setCurrentIndex(view.theme_combo.findData("dark"))
    view.port_spin.setValue(8123)
    again = SettingsViewModel()
    assert again.pref("theme") == "dark"
    assert again.pref("server_port") == 8123
    assert "[gui]" in TomlSettingsStore().path.read_text()


def test_without_a_keyring_the_user_chooses(qtbot, ctx, monkeypatch) -> None:
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    vm, view = _view(qtbot)
    assert vm.needs_secret_choice()
    assert "No system keyring" in view.secret_status.text()
    assert not view.keyring_radio.isEnabled()
    # The unavailable keyring is not shown as the current choice: nothing is chosen yet.
    assert not any(r.isChecked() for r in (view.keyring_radio, view.file_radio, view.session_radio))
    view.file_radio.setChecked(True)
    assert vm.secret_mode() == "file"
    assert not vm.needs_secret_choice()
    view.session_radio.setChecked(True)
    assert vm.secret_mode() == "session"
    assert not view.file_radio.isChecked()  # still one choice at a time
    store = vm.secret_store()
    store.set("k", "v")
    assert store.get("k") == "v"


def test_a_data_dir_given_at_start_is_the_one_shown(qtbot, ctx, tmp_path) -> None:
    from gui.app import Console
    from gui.main_window import Page

    console = Console(data_dir=tmp_path / "server", lab_history=tmp_path / "lab.json")
    window = console.window
    try:
        window.go(Page.SETTINGS)
        view = window.settings_view
        assert console.settings.server_data_dir() == tmp_path / "server"
        assert view.data_dir_edit.placeholderText() == str(tmp_path / "server")
        assert view.data_dir_edit.text() == ""
        assert not view.data_dir_edit.isEnabled()
        assert not view.browse_button.isEnabled()
    finally:
        task = console.shutdown()
        qtbot.waitUntil(task.done, timeout=5000)
        window.close()
        window.deleteLater()
        console.deleteLater()


def test_an_unattended_run_keeps_secrets_in_memory_without_asking(
    qtbot, ctx, tmp_path, monkeypatch
) -> None:
    from keyring.backends import fail

    from gui.app import Console
    from gui.async_bridge import spawn

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    console = Console(lab_history=tmp_path / "lab.json")
    console.ask_secret_choice = False  # fcdesk --smoke-test
    window = console.window
    try:
        assert console.settings.needs_secret_choice()
        asked = spawn(console._ask_secret_mode())
        qtbot.waitUntil(asked.done, timeout=3000)  # no dialog waits for an answer
        assert console.settings.secret_mode() == "session"
        assert console.settings.pref("secret_mode") == ""  # the choice is not saved
    finally:
        task = console.shutdown()
        qtbot.waitUntil(task.done, timeout=5000)
        window.close()
        window.deleteLater()
        console.deleteLater()
