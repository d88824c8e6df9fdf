"""The Images page's Files tab: the file tree of the selected tag (model checked by
qtmodeltester), search, the start-up profile, hidden entries, progress of a plain image, an
error; and once against a real Local server through the console's backend."""

from __future__ import annotations

import asyncio
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from core.registry import RegistryClient
from gui.models.files_model import FileCol, FileRoles, FilesModel
from gui.viewmodels.files_vm import FilesViewModel
from tests.core.pull._images import entry, push_image
from tests.fixtures.emulator import start_local_server_thread
from tests.gui.fakes import FakeBackend, synthetic_listing
from tests.gui.pages import images_page, local_repository


def test_files_model_tree_and_search(qtmodeltester) -> None:
    listing = synthetic_listing(600)
    model = FilesModel()
    model.set_listing(listing)
    qtmodeltester.check(model)
    top = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert top == ["app/", "usr/"]  # directories first, by name
    usr = model.index(1, 0)
    assert model.rowCount(usr) == 2  # lib/, local/
    deep = model.index_of_path("usr/local/lib/python3.11")
    assert deep.data() == "python3.11/"
    assert model.parent(deep).data() == "lib/"
    root_size = listing.entry("").size
    assert model.index(0, FileCol.SIZE).data() != ""
    assert sum(model.index(r, 0).data(FileRoles.Entry).size for r in range(2)) == root_size
    model.set_filter("MODULE_20")
    qtmodeltester.check(model)
    paths = [model.index(r, 0).data(FileRoles.Path) for r in range(model.rowCount())]
    brute = ["/" + e.path for e in listing.entries[1:] if "module_20" in e.path.lower()]
    assert paths == brute
    assert len(paths) == 10  # module_200 … module_209
    for needle in ("usr/", "/", "zzz", "app", "y/"):
        model.set_filter(needle)
        expected = [e for e in listing.entries[1:] if needle.lower() in e.path.lower()]
        assert model.rowCount() == len(expected), needle
    assert not model.hasChildren(model.index(0, 0))
    model.set_filter("")
    assert model.rowCount() == 2


def test_files_tab_follows_the_selected_tag(qtbot, ctx) -> None:
    backend = FakeBackend(tags=3, step_delay=0.05)
    twin = synthetic_listing(3000)
    backend.listings[("demo/app", "v2_accelerated")] = twin
    backend.listings[("demo/app", "v1")] = synthetic_listing(
        500, reference="plain", accelerated=False
    )
    vm, view = images_page(qtbot, ctx, backend)
    view.tag_table.selectRow(vm.tags.row_of_tag("v2_accelerated"))
    assert view.files_view is None  # built when first shown
    view.show_files()
    files = view.files_view
    assert files is not None
    qtbot.waitUntil(lambda: files.vm.listing is twin, timeout=5000)
    assert files.tree.model().rowCount() == 2
    assert "read from its TOCs" in files.summary.text()
    # 75 profile paths; 5 of them are files the app layer deleted
    assert (twin.profile.paths, twin.profile.files) == (75, 70)
    assert files.profile_label.text().startswith("● Start-up profile: 70 files")
    assert files.hidden_button.isVisible()
    assert files.hidden_button.text().startswith("Hidden by upper layers: 20 (")
    files.hidden_button.click()
    assert files.hidden_list.isVisible()
    assert files.hidden_list.topLevelItemCount() == 20
    assert files.hidden_list.topLevelItem(0).text(3) == "2 (whiteout)"

    files.search.setText("handler_2999")
    files.search.flush()
    assert files.stack.currentWidget() is files.results_view
    assert files.results_view.model().rowCount() == 1
    assert files.summary.text() == "1 matches"
    hit = files.results_view.model().index(0, FileCol.NAME)
    assert hit.data().startswith("app/src/")
    assert files.tree.model().rowCount() == 2  # the tree keeps its state meanwhile
    files.search.setText("")
    files.search.flush()
    assert files.stack.currentWidget() is files.tree

    # a plain tag: its layers are read with progress, then the tree shows
    progress: list[int] = []
    files.vm.progressed.connect(lambda p: progress.append(p.done))
    view.select_tags(["v1"])
    qtbot.waitUntil(
        lambda: files.vm.listing is not None and files.vm.target[2] == "v1", timeout=5000
    )
    assert progress == [0, 500_000, 1_000_000]
    assert "streamed once" in files.summary.text()
    assert not files.progress.isVisible()

    # a tag without a listing: the reason is shown in the tab, nothing else
    view.select_tags(["v0"])
    qtbot.waitUntil(lambda: files.vm.error is not None, timeout=5000)
    assert "does not exist" in files.status.text()
    assert files.tree.model().rowCount() == 0
    assert ctx.errors == []


@pytest.mark.integration
def test_files_of_a_local_server_image(qtbot, ctx, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    server = start_local_server_thread(tmp_path / "local")
    http = httpx.AsyncClient(timeout=60, trust_env=False)
    try:
        layers = [
            [entry("app/", tarfile.DIRTYPE), entry("app/main.py", data=b"print(1)\n" * 50)],
            [entry("app/.wh.main.py"), entry("app/server.py", data=b"serve()\n")],
        ]

        async def push() -> None:
            async with RegistryClient(server.host, credentials=server.registry_auth) as reg:
                await push_image(reg, "demo/files", layers, tag="v1")

        with ThreadPoolExecutor(1) as pool:  # the test's own loop is the GUI's
            pool.submit(asyncio.run, push()).result()
        images, repo = local_repository(qtbot, ctx, server, http, "demo/files")
        vm = FilesViewModel(ctx)
        vm.load(images.instances[0].instance_id, repo, "v1")
        qtbot.waitUntil(lambda: vm.listing is not None or vm.error is not None, timeout=60_000)
        assert vm.error is None
        listing = vm.listing
        assert listing is not None
        assert [e.path for e in listing.entries] == ["", "app", "app/server.py"]
        assert [(h.path, h.how) for h in listing.hidden] == [("app/main.py", "whiteout")]
        model = vm.model
        app = model.index(0, 0)
        assert app.data() == "app/"
        assert model.index(0, FileCol.NAME, app).data() == "server.py"
        assert model.index(0, FileCol.LAYER, app).data() == "1"
        assert model.parent(model.index(0, 0, app)) == app
    finally:
        ctx.set_backend(None)
        qtbot.waitUntil(lambda: http.is_closed, timeout=10_000)
        server.stop()
