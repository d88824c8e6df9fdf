"""An Alibaba Cloud profile that cannot be reached is not shown as "Connected".

Before, switching to a cloud profile on a machine without network showed "● Connected" in
the status bar (set before any request), "Starting the Local server…" while it connected,
and "No functions yet" on the Functions page.
"""

from __future__ import annotations

import socket

import pytest

from core.settings import AliyunProfile
from gui.app import Console
from gui.viewmodels.settings_vm import SettingsViewModel


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def console(qtbot, qloop, data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("FCDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tFakeKeyForQa0001")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "fake-secret-value")
    settings = SettingsViewModel()
    settings.set_secret_mode("file")
    port = _closed_port()
    settings.update(
        lambda s: s.add_profile(
            AliyunProfile(
                name="prod",
                region="cn-hangzhou",
                account_id="1234567890123456",
                credential_source="env",
                fc_endpoint=f"http://127.0.0.1:{port}",
                acr_endpoint=f"http://127.0.0.1:{port}",
            )
        )
    )
    c = Console(settings, lab_history=tmp_path / "lab.json")
    c.window.show()
    yield c
    task = c.shutdown()
    qtbot.waitUntil(task.done, timeout=10000)
    c.window.close()
    c.window.deleteLater()
    c.deleteLater()


def test_unreachable_cloud_profile_is_not_connected(qtbot, console) -> None:
    states: list[str] = []
    console.ctx.connectionChanged.connect(lambda s, _d: states.append(s))
    texts: list[str] = []
    console.ctx.connectionChanged.connect(
        lambda _s, _d: texts.append(console.window.connection_label.text())
    )
    task = console.switch_profile("prod")
    qtbot.waitUntil(task.done, timeout=30000)
    assert console.ctx.profile_name == "prod"
    assert states[0] == "connecting"
    assert not any("Local server" in t for t in texts)
    assert console.ctx.connection_state == "failed"
    assert "127.0.0.1" in console.ctx.connection_detail
    assert "Not connected" in console.window.connection_label.text()
    assert "connected" not in states


def test_a_cloud_profile_failure_is_not_shown_as_the_local_servers_state(qtbot, console) -> None:
    from gui.main_window import Page

    console.window.go(Page.SETTINGS)
    view = console.window.settings_view
    before = view.server_status.text()
    task = console.switch_profile("prod")
    qtbot.waitUntil(task.done, timeout=30000)
    assert console.ctx.connection_state == "failed"
    # Settings › Local server › State is about the Local server, not about "prod".
    assert view.server_status.text() == before
    assert console.ctx.connection_detail not in view.server_status.text()


def test_connection_errors_point_at_the_right_place() -> None:
    from core.errors import ServerError, TransportError, TransportTimeout
    from gui.errors import ErrorPresenter

    cloud = ErrorPresenter.describe(
        TransportTimeout(
            "ListFunctions: cannot reach fc.cn-hangzhou.aliyuncs.com: ReadTimeout",
            host="fc.cn-hangzhou.aliyuncs.com",
        )
    )
    assert "Local server" not in cloud.hint
    assert "network" in cloud.hint
    local = ErrorPresenter.describe(
        TransportError("InvokeFunction: cannot reach 127.0.0.1: ConnectError", host="127.0.0.1")
    )
    assert "Local server" in local.hint
    waiting = ErrorPresenter.describe(ServerError("not connected yet", code="NotConnected"))
    assert "Local server" not in waiting.text + waiting.hint
