"""The console on a plain OCI registry (a real docker-registry): browse the catalog and
convert a tag on this computer — the ``_accelerated`` twin is pushed next to it."""

from __future__ import annotations

import pytest

from core.registry import RegistryClient
from gui.async_bridge import spawn
from gui.backend import AccelState
from gui.backend._registry import RegistryBackend
from gui.viewmodels.images_vm import ImagesViewModel
from gui.views.images_view import ImagesView
from tests.fixtures.images import push_image

pytestmark = pytest.mark.integration


def test_browse_and_convert_on_this_computer(
    qtbot, ctx, distribution_registry, small_image, unique_repo
) -> None:
    client = RegistryClient(distribution_registry.host, insecure=True)
    pushed = spawn(push_image(client, unique_repo, small_image, "v1"))
    qtbot.waitUntil(pushed.done, timeout=30000)
    pushed.result()
    backend = RegistryBackend(client, name="plain", insecure=True)
    vm = ImagesViewModel(ctx)
    view = ImagesView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)  # the view-model lives exactly as long as its view
    view.show()
    ctx.set_backend(backend, profile="plain", kind="registry")
    qtbot.waitUntil(lambda: vm.repos.get(unique_repo) is not None, timeout=20000)
    assert not backend.capabilities.functions
    # The catalog is shared (another repository may be listed first): wait for this
    # repository's own listing, not for whichever listing ends next.
    with qtbot.waitSignal(
        vm.tagsLoaded,
        timeout=20000,
        check_params_cb=lambda _n: vm.repo is not None and vm.repo.repo_id == unique_repo,
    ):
        vm.select_repo(unique_repo)
        assert view.tags_loading.isVisibleTo(view)
    assert not view.tags_loading.isVisibleTo(view)
    assert vm.tags.has_tag("v1")
    assert not view.accel_check.isEnabled()
    assert "Convert now" in view.accel_note.text()
    # Selected through the selection model: the keys held at the time do not matter.
    assert view.select_tags(["v1"])
    assert view.selected_tags() == ["v1"]
    assert view.convert_button.isEnabled()
    view.convert_button.click()
    qtbot.waitUntil(lambda: vm.tags.twin_state("v1") is AccelState.CONVERTING, timeout=5000)
    qtbot.waitUntil(lambda: vm.tags.has_tag("v1_accelerated"), timeout=60000)
    assert vm.tags.twin_state("v1") is AccelState.READY
    assert any(n[0] == "Conversion finished" for n in ctx.notes)
    state = spawn(backend.image_acceleration(f"{backend.host}/{unique_repo}:v1"))
    qtbot.waitUntil(state.done, timeout=10000)
    assert state.result() is AccelState.AVAILABLE
    closed = spawn(backend.aclose())
    qtbot.waitUntil(closed.done, timeout=5000)


def test_selecting_tags_in_code_ignores_held_modifier_keys(qtbot, ctx) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from tests.gui.fakes import FakeBackend

    backend = FakeBackend(tags=4)
    vm = ImagesViewModel(ctx)
    view = ImagesView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    ctx.set_backend(backend, profile="Test", kind="aliyun", region="cn-hangzhou")
    qtbot.waitUntil(lambda: vm.tags.has_tag("v1") and view.selected_tags() != [], timeout=5000)
    QTest.keyPress(view.tag_table, Qt.Key.Key_Control, Qt.KeyboardModifier.ControlModifier)
    try:
        for _ in range(2):  # selectRow would toggle the row off, then on again
            assert view.select_tags(["v1"])
            assert view.selected_tags() == ["v1"]
        assert view.select_tags(["v2", "v0"])
        assert sorted(view.selected_tags()) == ["v0", "v2"]
    finally:
        QTest.keyRelease(view.tag_table, Qt.Key.Key_Control, Qt.KeyboardModifier.NoModifier)
