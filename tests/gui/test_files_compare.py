"""The Files tab compares the tag shown with another tag or image: what was added, removed
or changed, with sizes, filtered by kind and by the search box, either way round; errors
next to the box, which keeps what was typed. The model is checked by qtmodeltester and
against brute force; the tab with the in-memory backend; and once against a real Local
server, where the expected differences are those of the layers the test pushes."""

from __future__ import annotations

import asyncio
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt

from core.explore import (
    ChangeKind,
    ImageListing,
    LayerInfo,
    LayerSourceKind,
    build_listing,
    diff_listings,
)
from core.formats import EntryType, TOCEntry
from core.registry import RegistryClient
from gui.models.diff_model import DiffCol, DiffModel, DiffRoles
from gui.viewmodels.files_vm import FilesViewModel, parse_compare_text
from tests.core.pull._images import entry, push_image
from tests.fixtures.emulator import start_local_server_thread
from tests.gui.fakes import FakeBackend, synthetic_listing
from tests.gui.pages import images_page, local_repository

D = "sha256:" + "d" * 64
E = "sha256:" + "e" * 64


def _listing(reference: str, entries: list[TOCEntry]) -> ImageListing:
    info = LayerInfo(0, "sha256:" + "1" * 64, 1000, "", LayerSourceKind.TOC, len(entries), "")
    return build_listing(reference, "sha256:" + "c" * 64, [entries], [info])


def _pair() -> tuple[ImageListing, ImageListing]:
    """v1 and v2 of a small image; v2 changes a file's content and one's mode, re-points a
    symlink, adds a directory with a file and removes a file."""
    before = [
        TOCEntry(EntryType.DIR, "etc", mode=0o755),
        TOCEntry(EntryType.REG, "etc/app.conf", mode=0o644, size=10, digest=D),
        TOCEntry(EntryType.REG, "etc/old.conf", mode=0o644, size=300, digest=D),
        TOCEntry(EntryType.REG, "usr/bin/tool", mode=0o755, size=5000, digest=E),
        TOCEntry(EntryType.SYMLINK, "usr/bin/current", link_name="tool-1"),
    ]
    after = [
        TOCEntry(EntryType.DIR, "etc", mode=0o755),
        TOCEntry(EntryType.REG, "etc/app.conf", mode=0o644, size=25, digest=E),
        TOCEntry(EntryType.REG, "usr/bin/tool", mode=0o700, size=5000, digest=E),
        TOCEntry(EntryType.SYMLINK, "usr/bin/current", link_name="tool-2"),
        TOCEntry(EntryType.DIR, "srv/data", mode=0o755),
        TOCEntry(EntryType.REG, "srv/data/new.bin", mode=0o644, size=4096, digest=D),
    ]
    return _listing("host/demo/app:v1", before), _listing("host/demo/app:v2", after)


def test_diff_model_lists_filters_and_sorts_the_changes(qtmodeltester) -> None:
    v1, v2 = _pair()
    model = DiffModel()
    model.set_diff(diff_listings(v1, v2))
    qtmodeltester.check(model)
    rows = {
        model.index(r, DiffCol.PATH).data(DiffRoles.Path): tuple(
            model.index(r, c).data() for c in DiffCol
        )
        for r in range(model.rowCount())
    }
    tool = ("changed", "/usr/bin/tool", "4.9 KiB", "4.9 KiB", "", "mode rwxr-xr-x → rwx------")
    link = ("changed", "/usr/bin/current → tool-2", "symlink", "symlink", "")
    assert rows == {
        "/etc/app.conf": ("changed", "/etc/app.conf", "10 B", "25 B", "+15 B", "content"),
        "/etc/old.conf": ("removed", "/etc/old.conf", "300 B", "", "−300 B", ""),
        "/usr/bin/tool": tool,
        "/usr/bin/current": (*link, "target tool-1 → tool-2"),
        "/srv": ("added", "/srv/", "", "directory", "", ""),
        "/srv/data": ("added", "/srv/data/", "", "directory", "", ""),
        "/srv/data/new.bin": ("added", "/srv/data/new.bin", "", "4.0 KiB", "+4.0 KiB", ""),
    }
    # kinds and the search together, against brute force
    model.set_kinds({ChangeKind.ADDED, ChangeKind.REMOVED})
    qtmodeltester.check(model)
    assert [c.path for c in model.shown()] == [
        "etc/old.conf",
        "srv",
        "srv/data",
        "srv/data/new.bin",
    ]
    model.set_filter("DATA")
    assert [c.path for c in model.shown()] == ["srv/data", "srv/data/new.bin"]
    model.set_kinds(set(ChangeKind))
    model.set_filter("conf")
    assert [c.path for c in model.shown()] == ["etc/app.conf", "etc/old.conf"]
    model.set_filter("")
    # sorted by the size change, largest growth first; the path order breaks ties
    model.sort(DiffCol.DELTA, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    shown = model.shown()
    assert [c.size_delta for c in shown] == sorted((c.size_delta for c in shown), reverse=True)
    assert shown[0].path == "srv/data/new.bin"
    assert shown[-1].path == "etc/old.conf"
    model.sort(DiffCol.PATH, Qt.SortOrder.AscendingOrder)
    assert [c.path for c in model.shown()] == sorted(c.path for c in model.shown())


def test_a_large_comparison_filters_like_brute_force(qtmodeltester) -> None:
    small, large = synthetic_listing(1500), synthetic_listing(4000)
    diff = diff_listings(small, large)
    model = DiffModel()
    model.set_diff(diff)
    assert model.rowCount() == len(diff.changes) > 2500
    for needle, kinds in (
        ("handler_3", set(ChangeKind)),
        ("module_", {ChangeKind.ADDED}),
        ("/sub1", {ChangeKind.REMOVED, ChangeKind.CHANGED}),
        ("zzz", set(ChangeKind)),
    ):
        model.set_kinds(kinds)
        model.set_filter(needle)
        expected = [c for c in diff.changes if needle in c.path.lower() and c.kind in kinds]
        assert model.shown() == expected, needle
    qtmodeltester.check(model)


def test_compare_text() -> None:
    from core.errors import InvalidReference

    assert parse_compare_text(" v1 ") == ([], "v1")
    assert parse_compare_text("demo/web:v2") == (["demo/web"], "v2")
    assert parse_compare_text("host:5000/demo/web:v2") == (
        ["host:5000/demo/web", "demo/web"],
        "v2",
    )
    for bad in ("", "demo/web", "v 1", "demo/web:", "host:5000/demo"):
        with pytest.raises(InvalidReference):
            parse_compare_text(bad)


def test_files_tab_compares_two_tags(qtbot, ctx) -> None:
    backend = FakeBackend(tags=3, step_delay=0.05)
    v1, v2 = _pair()
    backend.listings[("demo/app", "v2_accelerated")] = v2
    backend.listings[("demo/app", "v1")] = v1
    vm, view = images_page(qtbot, ctx, backend)
    view.show_files("v2_accelerated")
    files = view.files_view
    assert files is not None
    qtbot.waitUntil(lambda: files.vm.listing is v2, timeout=5000)
    choices = [files.compare_combo.itemText(i) for i in range(files.compare_combo.count())]
    assert choices == [t.tag for t in vm.tags.all_tags() if t.tag != "v2_accelerated"]
    assert files.compare_button.isEnabled() is False  # nothing typed yet

    # a tag with no image: the reason next to the box, the text kept, the tree still there
    files.compare_with("v0")
    qtbot.waitUntil(lambda: files.vm.compare_error is not None, timeout=5000)
    assert files.compare_status.isVisible()
    assert "does not exist" in files.compare_status.text()
    assert files.compare_combo.currentText() == "v0"
    assert files.stack.currentWidget() is files.tree
    # text that names no image: refused at once, nothing read
    calls = len(backend.calls)
    files.compare_with("demo/app")
    assert "names no image" in files.compare_status.text()
    assert files.compare_combo.currentText() == "demo/app"
    assert len(backend.calls) == calls
    # another repository of the instance that does not exist
    files.compare_with("demo/nothing:v1")
    qtbot.waitUntil(
        lambda: "no repository demo/nothing" in files.compare_status.text(), timeout=5000
    )

    # v1, chosen from the list: from v1 to v2
    files.compare_combo.setCurrentIndex(choices.index("v1"))
    qtbot.mouseClick(files.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: files.vm.diff is not None, timeout=5000)
    assert not files.compare_status.isVisible()
    assert files.stack.currentWidget() is files.diff_view
    assert files.compare_title.text() == "From demo/app:v1 to demo/app:v2_accelerated"
    expected = diff_listings(v1, v2)
    assert files.vm.diff is not None
    assert files.vm.diff.changes == expected.changes
    buttons = files.kind_buttons
    assert buttons[ChangeKind.ADDED].text() == "Added: 3 (4.0 KiB)"
    assert buttons[ChangeKind.REMOVED].text() == "Removed: 1 (300 B)"
    assert buttons[ChangeKind.CHANGED].text() == "Changed: 3 (+15 B)"
    table = files.diff_view.model()
    assert table.rowCount() == 7
    assert files.summary.text() == "7 of 7 differences shown"

    # filtered by kind (the toggles) and by the search box
    buttons[ChangeKind.CHANGED].click()
    assert table.rowCount() == 4
    files.search.setText("srv")
    files.search.flush()
    assert [table.index(r, DiffCol.PATH).data(DiffRoles.Path) for r in range(table.rowCount())] == [
        "/srv",
        "/srv/data",
        "/srv/data/new.bin",
    ]
    assert files.summary.text() == "3 of 7 differences shown"
    files.search.setText("")
    files.search.flush()
    buttons[ChangeKind.CHANGED].click()

    # the other way round
    files.swap_button.click()
    qtbot.waitUntil(lambda: files.compare_title.text().startswith("From demo/app:v2"), timeout=5000)
    assert files.vm.diff is not None
    assert files.vm.diff.changes == diff_listings(v2, v1).changes
    assert buttons[ChangeKind.REMOVED].text() == "Removed: 3 (4.0 KiB)"

    # a failed comparison leaves the one shown as it was (and turning it round works on it)
    files.compare_with("v0")
    qtbot.waitUntil(lambda: "does not exist" in files.compare_status.text(), timeout=5000)
    assert files.stack.currentWidget() is files.diff_view
    files.swap_button.click()
    qtbot.waitUntil(lambda: files.compare_title.text().startswith("From demo/app:v1"), timeout=5000)
    assert files.vm.diff is not None
    assert files.vm.diff.changes == expected.changes

    # back to the tree; selecting another tag ends a comparison too
    files.close_compare_button.click()
    assert files.stack.currentWidget() is files.tree
    assert not files.compare_bar.isVisible()
    files.compare_with("v1")
    qtbot.waitUntil(lambda: files.compare_bar.isVisible(), timeout=5000)
    backend.listings[("demo/app", "v0")] = v1
    view.select_tags(["v0"])
    qtbot.waitUntil(lambda: files.vm.listing is v1, timeout=5000)
    assert not files.compare_bar.isVisible()
    assert files.vm.diff is None
    assert ctx.errors == []


@pytest.mark.integration
def test_compare_two_images_of_a_local_server(qtbot, ctx, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    server = start_local_server_thread(tmp_path / "local")
    http = httpx.AsyncClient(timeout=60, trust_env=False)
    try:
        base = [entry("app/", tarfile.DIRTYPE), entry("app/lib.py", data=b"x = 1\n" * 40)]
        v1 = [*base, entry("app/main.py", data=b"print(1)\n"), entry("app/gone.txt", data=b"g")]
        v2 = [
            *base,
            entry("app/main.py", data=b"print(2)\nprint(3)\n"),
            entry("app/static/", tarfile.DIRTYPE),
            entry("app/static/logo.svg", data=b"<svg/>" * 100),
        ]
        other = [entry("srv/", tarfile.DIRTYPE), entry("srv/run.sh", data=b"#!/bin/sh\n")]

        async def push() -> None:
            async with RegistryClient(server.host, credentials=server.registry_auth) as reg:
                await push_image(reg, "demo/cmp", [v1], tag="v1")
                await push_image(reg, "demo/cmp", [v2], tag="v2")
                await push_image(reg, "demo/other", [other], tag="v1")

        with ThreadPoolExecutor(1) as pool:  # the test's own loop is the GUI's
            pool.submit(asyncio.run, push()).result()
        images, repo = local_repository(qtbot, ctx, server, http, "demo/cmp")
        vm = FilesViewModel(ctx)
        vm.load(images.instances[0].instance_id, repo, "v2")
        qtbot.waitUntil(lambda: vm.listing is not None or vm.error is not None, timeout=60_000)
        assert vm.error is None
        vm.compare_with("v1")
        qtbot.waitUntil(lambda: vm.diff is not None or vm.compare_error is not None, timeout=60_000)
        assert vm.compare_error is None
        assert vm.diff is not None
        got = {(c.kind.value, c.path, c.fields) for c in vm.diff.changes}
        assert got == {
            ("changed", "app/main.py", ("content",)),
            ("removed", "app/gone.txt", ()),
            ("added", "app/static", ()),
            ("added", "app/static/logo.svg", ()),
        }
        summary = vm.diff.summary
        assert summary["added"]["bytes"] == len(b"<svg/>" * 100)
        assert summary["changed"]["bytes"] == len(b"print(2)\nprint(3)\n") - len(b"print(1)\n")
        # another repository of the instance, named as NAMESPACE/REPOSITORY:TAG
        vm.compare_with("demo/other:v1")
        qtbot.waitUntil(
            lambda: vm.other is not None and vm.other[1].path == "demo/other" and not vm.comparing,
            timeout=60_000,
        )
        assert vm.compare_error is None
        assert vm.diff is not None
        assert {c.path for c in vm.diff.of(ChangeKind.REMOVED)} == {"srv", "srv/run.sh"}
        assert "app/lib.py" in {c.path for c in vm.diff.of(ChangeKind.ADDED)}
    finally:
        ctx.set_backend(None)
        qtbot.waitUntil(lambda: http.is_closed, timeout=10_000)
        server.stop()


def test_without_a_connection_the_tab_says_so_instead_of_raising(qtbot, ctx) -> None:
    """A late selection update (the detail's timer) or a comparison asked for while the
    console is reconnecting: the tab says it is not connected; nothing raises."""
    from gui.backend import RepoInfo

    vm = FilesViewModel(ctx)
    failures: list[BaseException] = []
    vm.failed.connect(failures.append)
    vm.compareFailed.connect(failures.append)
    repo = RepoInfo("crr-app", "app", "demo", "cri-test")
    assert ctx.backend is None
    vm.load("cri-test", repo, "v1")
    assert not vm.loading
    assert getattr(vm.error, "code", "") == "NotConnected"
    vm.compare("cri-test", repo, "v0")
    assert getattr(vm.compare_error, "code", "") == "NotConnected"
    assert not vm.comparing
    assert [getattr(e, "code", "") for e in failures] == ["NotConnected", "NotConnected"]
