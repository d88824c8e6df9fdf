"""The Images page tells a newcomer how to push into the selected repository: the exact
skopeo / podman / fcaccel commands with working credentials, each with a copy button (the
secret masked on screen, whole in the copied command)."""

from __future__ import annotations

import shlex

from PySide6.QtGui import QGuiApplication

from gui.dialogs.push_dialog import PushDialog, push_commands
from gui.viewmodels.images_vm import ImagesViewModel
from gui.views.images_view import ImagesView
from tests.gui.fakes import FakeBackend


def test_local_commands_carry_the_login_and_plain_http() -> None:
    commands = {c.tool: c for c in push_commands("127.0.0.1:5000/demo/app:v2", ("LTAIabc", "s3c"))}
    skopeo = shlex.split(commands["skopeo"].copied)
    assert skopeo[:2] == ["skopeo", "copy"]
    assert "--dest-tls-verify=false" in skopeo
    assert skopeo[skopeo.index("--dest-creds") + 1] == "LTAIabc:s3c"
    assert skopeo[-1] == "docker://127.0.0.1:5000/demo/app:v2"
    assert "s3c" not in commands["skopeo"].shown
    assert "LTAIabc:" in commands["skopeo"].shown
    podman = shlex.split(commands["podman"].copied)
    assert "--tls-verify=false" in podman
    assert podman[-1] == "127.0.0.1:5000/demo/app:v2"
    fcaccel = shlex.split(commands["fcaccel"].copied)
    assert fcaccel[:2] == ["fcaccel", "import"]
    assert "docker://127.0.0.1:5000/demo/app:v2" in fcaccel
    assert "--insecure" in fcaccel


def test_a_cloud_registry_asks_for_the_users_own_login() -> None:
    commands = push_commands("r-registry.cn-hangzhou.cr.aliyuncs.com/ns/app:v1", None)
    for command in commands:
        assert command.shown == command.copied
        assert "tls-verify=false" not in command.copied
        assert "--insecure" not in command.copied


def test_the_images_page_opens_the_commands_and_copies_one(qtbot, ctx) -> None:
    backend = FakeBackend()
    vm = ImagesViewModel(ctx)
    view = ImagesView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    ctx.set_backend(backend)
    qtbot.waitUntil(lambda: vm.repo is not None, timeout=5000)
    assert view.push_button.isEnabled()
    dialog = view.open_push_dialog()
    assert isinstance(dialog, PushDialog)
    assert vm.repo is not None
    assert "demo/app" in dialog.windowTitle()
    shown = dialog.command_labels["skopeo"].text()
    assert "push-secret-value" not in shown
    assert backend.address(vm.repo, "v1", vpc=False) in shown
    dialog.tag_edit.setText("v7")
    dialog.copy_buttons["skopeo"].click()
    copied = QGuiApplication.clipboard().text()
    assert copied.endswith(f"docker://{backend.address(vm.repo, 'v7', vpc=False)}")
    assert "LTAItestpush:push-secret-value" in copied
    dialog.reject()
