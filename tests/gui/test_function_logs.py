"""A function's Logs tab: on the Local server, what its instances print, followed live while
the tab is shown (with the instance and time); on Alibaba Cloud, what needs Simple Log Service
and the log tails of the console's own invocations. Then over a real Local server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from core.cloud import open_clients
from core.settings import LocalProfile
from gui.backend._core import CoreBackend
from gui.viewmodels.functions_vm import FunctionsViewModel
from gui.viewmodels.logs_vm import LogsViewModel
from gui.views.functions_view import FunctionsView
from tests.fixtures.emulator import start_local_server_thread
from tests.gui.fakes import FakeBackend


def _detail(qtbot, ctx, backend):
    vm = FunctionsViewModel(ctx)
    view = FunctionsView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.resize(1200, 800)
    view.show()
    ctx.set_backend(backend)
    qtbot.waitUntil(lambda: vm.model.rowCount() == 3, timeout=5000)
    view.open_function("fn-000")
    qtbot.waitUntil(lambda: view.detail.name == "fn-000", timeout=5000)
    return vm, view.detail


def test_logs_followed_while_the_tab_is_shown(qtbot, ctx) -> None:
    backend = FakeBackend()
    backend.emit_log("fn-000", "booting", stream="platform")
    backend.emit_log("fn-000", "listening on 9000")
    _vm, detail = _detail(qtbot, ctx, backend)
    assert backend.log_followers("fn-000") == 0  # nothing followed until the tab is shown
    detail.tabs.setCurrentIndex(detail._logs_tab)
    qtbot.waitUntil(lambda: "listening on 9000" in detail.logs_edit.toPlainText(), timeout=5000)
    assert detail.logs_status.text() == "Following what fn-000's instances print, as they run."
    text = detail.logs_edit.toPlainText().splitlines()
    assert text[0].endswith("c-fn-000-0001           ▸       booting")
    assert " stdout " in text[1]
    backend.emit_log("fn-000", "GET /invoke 200", stream="stderr")
    qtbot.waitUntil(lambda: "GET /invoke 200" in detail.logs_edit.toPlainText(), timeout=5000)
    assert " stderr " in detail.logs_edit.toPlainText().splitlines()[-1]
    # leaving the tab stops following; coming back goes on from the last line seen
    detail.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: backend.log_followers("fn-000") == 0, timeout=5000)
    backend.emit_log("fn-000", "while away")
    detail.tabs.setCurrentIndex(detail._logs_tab)
    qtbot.waitUntil(lambda: "while away" in detail.logs_edit.toPlainText(), timeout=5000)
    assert detail.logs_edit.toPlainText().count("listening on 9000") == 1
    follows = [c for c in backend.calls if c.startswith("follow_logs:fn-000:")]
    assert follows[0] == "follow_logs:fn-000:0"
    assert follows[-1] != "follow_logs:fn-000:0"
    detail.logs_clear.click()
    assert detail.logs_edit.toPlainText() == ""
    assert ctx.errors == []


def test_without_live_logs_the_console_says_what_needs_simple_log_service(qtbot, ctx) -> None:
    backend = FakeBackend(live_logs=False)
    _vm, detail = _detail(qtbot, ctx, backend)
    detail.tabs.setCurrentIndex(detail._logs_tab)
    assert "Simple Log Service" in detail.logs_status.text()
    assert "log configuration" in detail.logs_status.text()
    assert not any(c.startswith("follow_logs") for c in backend.calls)
    # an invocation from the console (the Invoke tab's button): its log tail lands here too
    detail.invoke_button.click()
    qtbot.waitUntil(lambda: "request" in detail.logs_edit.toPlainText(), timeout=5000)
    assert "handled {" in detail.logs_edit.toPlainText()  # the fake's decoded tail


def test_a_refused_log_stream_says_why_and_is_opened_again(qtbot, ctx) -> None:
    """The server refuses the stream: the tab says why (the server's message) and that it
    tries again; once the stream opens — with no line yet — the tab says it follows."""
    from core.errors import CloudError

    backend = FakeBackend()
    backend.logs_error = CloudError(
        "the function runtime is not running", code="ServiceUnavailable"
    )
    _vm, detail = _detail(qtbot, ctx, backend)
    detail.tabs.setCurrentIndex(detail._logs_tab)
    qtbot.waitUntil(lambda: detail.logs_vm.error is not None, timeout=5000)
    status = detail.logs_status
    assert status.objectName() == "errorLabel"
    assert status.text().startswith("The log stream of fn-000 is not open:")
    assert "the function runtime is not running" in status.text()
    assert "trying again in 1 s" in status.text()
    backend.logs_error = None  # the runtime is back
    qtbot.waitUntil(lambda: detail.logs_vm.error is None, timeout=10_000)
    assert status.objectName() == "hintLabel"
    assert status.text() == "Following what fn-000's instances print, as they run."
    assert detail.logs_edit.toPlainText() == ""
    assert ctx.errors == []


@pytest.mark.integration
def test_a_local_server_refuses_the_logs_of_a_missing_function(qtbot, ctx, tmp_path) -> None:
    """The Local server's own refusal (its code and message) reaches the tab's view-model,
    which goes on trying; stopping forgets it."""
    server = start_local_server_thread(tmp_path / "local")
    http = httpx.AsyncClient(timeout=60, trust_env=False)
    try:
        profile = LocalProfile(url=server.url, access_key_id=server.access_key_id)
        backend = CoreBackend(open_clients(profile, http, server.credentials), http, kind="local")
        ctx.set_backend(backend, profile="Local", kind="local")
        logs = LogsViewModel(ctx)
        logs.follow("no-such-function")
        qtbot.waitUntil(lambda: logs.error is not None, timeout=30_000)
        assert getattr(logs.error, "code", "") == "FunctionNotFound"
        assert "no-such-function" in str(logs.error)
        assert logs.following  # it goes on trying (the function may be created)
        logs.stop()
        assert logs.error is None
    finally:
        ctx.set_backend(None)
        qtbot.waitUntil(lambda: http.is_closed, timeout=10_000)
        server.stop()


@pytest.mark.integration
@pytest.mark.slow
def test_logs_of_a_local_server_function(qtbot, ctx, tmp_path) -> None:
    server = start_local_server_thread(tmp_path / "local", seed=True, seed_image="small")
    http = httpx.AsyncClient(timeout=120, trust_env=False)
    try:
        profile = LocalProfile(url=server.url, access_key_id=server.access_key_id)
        clients = open_clients(profile, http, server.credentials)
        backend = CoreBackend(clients, http, kind="local")
        ctx.set_backend(backend, profile="Local", kind="local")
        functions = FunctionsViewModel(ctx)
        qtbot.waitUntil(lambda: functions.model.get("demo-plain") is not None, timeout=120_000)
        logs = LogsViewModel(ctx)
        lines: list[str] = []
        logs.appended.connect(lambda batch: lines.extend(e.message for e in batch))
        logs.follow("demo-plain")
        assert logs.following

        def invoke() -> None:
            import asyncio

            async def go() -> str:
                async with httpx.AsyncClient(timeout=120) as h:
                    c = open_clients(profile, h, server.credentials)
                    for _ in range(600):  # the demo function gets ready with the seed
                        fn = await c.fc.get_function("demo-plain")
                        if fn.is_ready:
                            break
                        await asyncio.sleep(0.2)
                    result = await c.fc.invoke_function("demo-plain", b"{}")
                    return result.request_id or ""

            rid.append(asyncio.run(go()))

        rid: list[str] = []
        with ThreadPoolExecutor(1) as pool:  # the test's own loop is the GUI's
            pool.submit(invoke).result()
        end = f"FC Invoke End RequestId: {rid[0]}"
        qtbot.waitUntil(lambda: end in lines, timeout=120_000)
        start = lines.index(f"FC Invoke Start RequestId: {rid[0]}")
        assert start < lines.index(end) - 1  # the app printed between the markers
        logs.stop()
    finally:
        ctx.set_backend(None)
        qtbot.waitUntil(lambda: http.is_closed, timeout=10_000)
        server.stop()
