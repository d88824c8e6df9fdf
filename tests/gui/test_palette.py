"""Ctrl+K: the command palette — fuzzy search over functions, repositories, tags, tasks,
actions and profiles, keyboard only, opening what is chosen; items of an earlier connection
kept (and found); the search itself against a brute-force oracle."""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt

from gui.app import Console
from gui.models.palette_model import PaletteIndex, PaletteItem
from gui.viewmodels.palette_vm import PaletteViewModel
from tests.gui.fakes import FakeBackend


def test_fuzzy_search_finds_exactly_the_subsequence_matches() -> None:
    rng = random.Random(7)
    words = ["api", "worker", "demo", "shop", "web", "cron", "app", "v1", "v2_accelerated"]
    items = [
        PaletteItem(
            rng.choice(["function", "tag", "task", "repository"]),
            "-".join(rng.choice(words) for _ in range(3)) + f"-{i}",
            rng.choice(["Local", "prod · cn-hangzhou"]),
        )
        for i in range(3000)
    ]
    index = PaletteIndex(items)
    for query in ["api", "wkr", "dmoshp", "v2acc", "x", "prod hz", "a-1"]:
        needle = "".join(query.lower().split())
        pattern = re.compile(".*".join(re.escape(c) for c in needle))
        oracle = {id(i) for i in items if pattern.search(f"{i.title} {i.subtitle}".lower())}
        found = index.search(query, limit=len(items))
        assert {id(i) for i in found} == oracle, query
    # the closer match ranks first: a prefix, then a substring, then a spread subsequence
    ranked = PaletteIndex(
        [
            PaletteItem("function", "w-o-r-k-e-r"),
            PaletteItem("function", "my-worker"),
            PaletteItem("function", "worker-1"),
        ]
    ).search("worker")
    assert [i.title for i in ranked] == ["worker-1", "my-worker", "w-o-r-k-e-r"]
    assert index.search("", limit=5) == items[:5]


def test_palette_finds_and_opens_with_the_keyboard(
    qtbot, qloop, data_dir, tmp_path, consoles
) -> None:
    console = Console(lab_history=tmp_path / "lab.json")
    consoles.append(console)
    window = console.window
    window.show()
    backend = FakeBackend(tags=3, functions=12)
    console.ctx.set_backend(backend, profile="Local", kind="local")
    console.ctx.set_connection("running", "http://127.0.0.1:1")
    qtbot.waitUntil(lambda: console.functions.model.rowCount() == 12, timeout=5000)
    window.go(1)  # the Images page loads the repositories and the first one's tags
    qtbot.waitUntil(lambda: window.images_vm.tags.rowCount() == 4, timeout=5000)

    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = window._palette.dialog if window._palette is not None else None
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    qtbot.waitUntil(dialog.edit.hasFocus, timeout=3000)
    assert "items" in dialog.hint.text()

    def choose(text: str) -> None:
        if not dialog.isVisible():
            window.open_palette()
        dialog.edit.clear()
        qtbot.keyClicks(dialog.edit, text)

    # a function: typed loosely, Enter opens its page
    choose("fn07")
    first = dialog.vm.model.item(0)
    assert first is not None
    assert (first.kind, first.title) == ("function", "fn-007")
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: window.functions_view.detail.name == "fn-007", timeout=5000)
    assert window.current_page() == 0

    # ↓ moves to the next result; Esc closes without opening anything
    choose("fn-01")
    assert dialog.list.currentIndex().row() == 0
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Down)
    assert dialog.list.currentIndex().row() == 1
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Up)
    assert dialog.list.currentIndex().row() == 0
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert window.functions_view.detail.name == "fn-007"

    # an action
    choose("open overview")
    assert dialog.vm.model.item(0).title == "Open Overview"  # type: ignore[union-attr]
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Enter)
    assert window.current_page() == 5

    # a tag: the Images page shows its repository with the tag selected
    choose("demo/app:v1")
    top = dialog.vm.model.item(0)
    assert top is not None
    assert (top.kind, top.title) == ("tag", "demo/app:v1")
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.images_view.selected_tags() == ["v1"], timeout=5000)
    assert window.current_page() == 1

    # "Convert …" for a tag without twin
    choose("convert demo/app:v0")
    convert = dialog.vm.model.item(0)
    assert convert is not None
    assert convert.title == "Convert demo/app:v0 into v0_accelerated"
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "convert_now" in " ".join(backend.calls), timeout=5000)

    # a repository
    choose("demo/web")
    repo = dialog.vm.model.item(0)
    assert repo is not None
    assert repo.kind == "repository"
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.images_vm.repo is not None and window.images_vm.repo.path == "demo/web",
        timeout=5000,
    )


def test_palette_waits_for_the_connection_and_says_so(
    qtbot, qloop, data_dir, tmp_path, consoles
) -> None:
    """The connection goes (the Local server restarts, the console shuts down) while an item
    is chosen or still being opened: the palette tells the user and opens it once the
    connection is back, instead of failing on the missing backend."""
    console = Console(lab_history=tmp_path / "lab.json")
    consoles.append(console)
    window = console.window
    window.show()
    console.ctx.set_backend(FakeBackend(tags=3, functions=12), profile="Local", kind="local")
    console.ctx.set_connection("running", "http://127.0.0.1:1")
    window.go(1)
    qtbot.waitUntil(lambda: window.images_vm.tags.rowCount() == 4, timeout=5000)
    notes: list[tuple[str, str]] = []
    console.ctx.notified.connect(lambda title, text, _kind: notes.append((title, text)))
    window.open_palette()
    dialog = window._palette.dialog if window._palette is not None else None
    assert dialog is not None
    console.ctx.set_backend(None)  # the connection went after the palette listed its items

    def choose(text: str) -> None:
        if not dialog.isVisible():
            window.open_palette()
        dialog.edit.clear()
        qtbot.keyClicks(dialog.edit, text)
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)

    choose("demo/web")
    qtbot.waitUntil(lambda: len(notes) == 1, timeout=5000)
    assert notes[0] == ("Not connected", "demo/web opens once the console is connected.")
    choose("convert demo/app:v0")
    qtbot.waitUntil(lambda: len(notes) == 2, timeout=5000)
    assert notes[1] == (
        "Not connected",
        "v0 can be converted once the console is connected.",
    )
    assert window.images_vm.repo is None

    back = FakeBackend(tags=3, functions=12)
    console.ctx.set_backend(back, profile="Local", kind="local")
    qtbot.waitUntil(
        lambda: window.images_vm.repo is not None and window.images_vm.repo.path == "demo/web",
        timeout=5000,
    )
    assert not any("convert_now" in call for call in back.calls)
    # A repository still being opened when the console shuts down (its tags not listed yet)
    choose("demo/app")
    console.shutdown()
    qtbot.waitUntil(lambda: console.ctx.backend is None, timeout=5000)


def test_items_of_an_earlier_connection_are_kept(qtbot, ctx) -> None:
    first, second = FakeBackend(functions=3), FakeBackend(functions=2)
    second.functions = {
        f"prod-{k}": replace(v, name=f"prod-{k}") for k, v in second.functions.items()
    }

    def sources() -> list[PaletteItem]:
        return [PaletteItem("action", "Open Overview", "", vm.target)]

    vm = PaletteViewModel(
        ctx, sources, function_label=lambda name, target: PaletteItem("function", name, "", target)
    )
    ctx.set_backend(first, profile="Local", kind="local")
    vm.refresh()
    qtbot.waitUntil(lambda: len(vm.index) == 4, timeout=5000)  # 3 functions + the action
    ctx.set_backend(second, profile="prod", kind="aliyun", region="cn-hangzhou")
    vm.refresh()
    qtbot.waitUntil(lambda: len(vm.index) == 6, timeout=5000)
    vm.search("fn-001")
    hit = vm.model.item(0)
    assert hit is not None
    assert (hit.title, hit.target) == ("fn-001", ("Local", ""))
    vm.search("prod-fn")
    assert {vm.model.item(i).target for i in range(vm.model.rowCount())} == {  # type: ignore[union-attr]
        ("prod", "cn-hangzhou")
    }
    # the earlier connection's actions are not offered (they act on the current one)
    vm.search("open overview")
    assert vm.model.rowCount() == 1


def _more_repositories(backend: FakeBackend, namespaces: int, per: int, tags: int) -> None:
    from gui.backend import NamespaceInfo, RepoInfo, TagInfo

    instance = backend.instances[0].instance_id
    for n in range(namespaces):
        backend.namespaces.append(NamespaceInfo(f"crn-ns{n}", f"ns{n}", instance))
        for r in range(per):
            repo = RepoInfo(f"crr-ns{n}-{r}", f"repo-{r}", f"ns{n}", instance)
            backend.repos.append(repo)
            backend.tags[repo.repo_id] = [TagInfo(f"v{t}") for t in range(tags)]


def _tag_titles(vm: PaletteViewModel) -> set[str]:
    return {i.title for i in vm.index.items if i.kind == "tag"}


def test_tags_of_every_repository_are_read_a_few_at_a_time_and_kept_up_to_date(qtbot, ctx) -> None:
    from gui.backend import BackendEvent, RepoInfo, TagInfo
    from gui.viewmodels.palette_catalog import CONCURRENCY

    backend = FakeBackend(tags=2)
    _more_repositories(backend, namespaces=3, per=20, tags=5)  # 62 repositories
    backend.tags_gate = asyncio.Semaphore(0)

    def label(kind: str) -> Any:
        def make(repo: RepoInfo, *rest: Any) -> PaletteItem:
            *tag, target = rest
            title = f"{repo.path}:{tag[0]}" if tag else repo.path
            return PaletteItem(kind, title, "", target, {"repo": repo.repo_id})

        return make

    vm = PaletteViewModel(ctx, list, repository_label=label("repository"), tag_label=label("tag"))
    ctx.set_backend(backend, profile="Local", kind="local")
    qtbot.waitUntil(lambda: ctx.events.live, timeout=5000)
    vm.refresh()
    assert vm.catalog is not None
    # every repository is found at once; their tags are asked for a few at a time
    qtbot.waitUntil(lambda: backend.tags_in_flight == CONCURRENCY, timeout=5000)
    qtbot.waitUntil(
        lambda: len({i.title for i in vm.index.items if i.kind == "repository"}) == 62,
        timeout=5000,
    )
    assert _tag_titles(vm) == set()
    # released one by one, they come in while the rest is still being read
    for _ in range(10):
        backend.tags_gate.release()
    qtbot.waitUntil(lambda: len(_tag_titles(vm)) == 3 + 1 + 8 * 5, timeout=5000)
    assert vm.catalog.is_reading(vm.target)
    assert backend.tags_max_in_flight == CONCURRENCY
    for _ in range(62):
        backend.tags_gate.release()
    qtbot.waitUntil(lambda: not vm.catalog.is_reading(vm.target), timeout=10_000)
    qtbot.waitUntil(lambda: len(_tag_titles(vm)) == 60 * 5 + 3 + 1, timeout=5000)
    assert backend.tags_max_in_flight == CONCURRENCY
    assert sum(c.startswith("list_tags:") for c in backend.calls) == 62
    vm.search("ns2/repo-17:v3")
    first = vm.model.item(0)
    assert first is not None
    assert (first.kind, first.title) == ("tag", "ns2/repo-17:v3")

    # tag events keep it up to date without reading again
    backend.tags_gate = None
    reads = len(backend.calls)
    ctx.events.inject(BackendEvent("tag.pushed", {"repo": "ns0/repo-1", "tag": "v9"}))
    ctx.events.inject(BackendEvent("tag.deleted", {"repo": "ns1/repo-2", "tag": "v0"}))
    qtbot.waitUntil(lambda: "ns0/repo-1:v9" in _tag_titles(vm), timeout=5000)
    qtbot.waitUntil(lambda: "ns1/repo-2:v0" not in _tag_titles(vm), timeout=5000)
    vm.refresh()  # the palette opens again: nothing is read again
    assert len(backend.calls) == reads
    # a tag of a repository not seen before: the repositories are listed again, and the
    # new one's tags read
    new = RepoInfo("crr-late", "late", "ns0", backend.instances[0].instance_id)
    backend.repos.append(new)
    backend.tags[new.repo_id] = [TagInfo("first"), TagInfo("second")]
    ctx.events.inject(BackendEvent("tag.pushed", {"repo": "ns0/late", "tag": "second"}))
    qtbot.waitUntil(lambda: {"ns0/late:first", "ns0/late:second"} <= _tag_titles(vm), timeout=5000)
    assert [c for c in backend.calls[reads:] if c.startswith("list_tags:")] == [
        "list_tags:ns0/late"
    ]
    ctx.events.inject(BackendEvent("repository.deleted", {"repo": "ns0/late"}))
    qtbot.waitUntil(lambda: "ns0/late:first" not in _tag_titles(vm), timeout=5000)


def test_an_item_of_another_connection_opens_once_that_connection_is_in(
    qtbot, qloop, data_dir, tmp_path, consoles
) -> None:
    """Ctrl+K on a tag of another profile, in another region and namespace: the window asks
    for the profile, then the region, and waits (no clock) for each connection; the tag
    opens when the Images page has it. A failed connection, and a tag gone meanwhile, end
    the wait with a note."""
    from PySide6.QtCore import QTimer

    from gui.backend import NamespaceInfo, RepoInfo, TagInfo

    console = Console(lab_history=tmp_path / "lab.json")
    consoles.append(console)
    window = console.window
    window.show()
    ctx = console.ctx
    local = FakeBackend(tags=3)
    prod = {region: FakeBackend(tags=1) for region in ("cn-hangzhou", "cn-shanghai")}
    for region, backend in prod.items():
        instance = backend.instances[0].instance_id
        backend.namespaces.append(NamespaceInfo("crn-shop", "shop", instance))
        cart = RepoInfo("crr-cart", "cart", "shop", instance)
        backend.repos.append(cart)
        backend.tags[cart.repo_id] = [TagInfo("2024.1"), TagInfo(f"only-{region}")]

    def connect(profile: str, region: str = "") -> None:
        backend = local if profile == "Local" else prod[region]
        kind = "local" if profile == "Local" else "aliyun"
        ctx.set_backend(backend, profile=profile, kind=kind, region=region)
        ctx.set_connection("connected", profile)

    def palette_knows(title: str) -> bool:
        return any(i.title == title for i in dialog.vm.index.items)

    # read both regions of prod and Local once, as a user who looked around would have
    connect("prod", "cn-shanghai")
    dialog = window.open_palette()
    qtbot.waitUntil(lambda: palette_knows("shop/cart:only-cn-shanghai"), timeout=5000)
    dialog.reject()
    connect("prod", "cn-hangzhou")
    window.open_palette()
    qtbot.waitUntil(lambda: palette_knows("shop/cart:only-cn-hangzhou"), timeout=5000)
    dialog.reject()
    connect("Local")
    window.go(1)
    qtbot.waitUntil(lambda: window.images_vm.tags.rowCount() > 0, timeout=5000)

    # the console's own switching is replaced by one the test drives
    asked: list[tuple[str, str]] = []
    window.profileRequested.disconnect()
    window.regionRequested.disconnect()
    window.profileRequested.connect(lambda name: asked.append(("profile", name)))
    window.regionRequested.connect(lambda region: asked.append(("region", region)))
    controller = window._palette
    assert controller is not None

    def choose(title: str) -> None:
        window.open_palette()
        dialog.edit.clear()
        qtbot.keyClicks(dialog.edit, title)
        qtbot.waitUntil(lambda: dialog.vm.model.item(0) is not None, timeout=5000)
        top = dialog.vm.model.item(0)
        assert top is not None
        assert top.title == title
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)

    choose("shop/cart:only-cn-shanghai")
    assert asked == [("profile", "prod")]
    pending = controller.pending
    assert pending is not None
    assert pending.target == ("prod", "cn-shanghai")
    ctx.set_connection("connecting", "prod")
    # waiting: on signals alone, nothing polls meanwhile
    assert not any(t.isActive() for t in controller.findChildren(QTimer))
    connect("prod", "cn-hangzhou")  # the profile's default region comes first …
    assert asked[-1] == ("region", "cn-shanghai")
    assert controller.pending is pending
    connect("prod", "cn-shanghai")  # … then the region the tag is in
    qtbot.waitUntil(
        lambda: window.images_view.selected_tags() == ["only-cn-shanghai"], timeout=5000
    )
    assert window.images_vm.repo is not None
    assert window.images_vm.repo.path == "shop/cart"  # another namespace than the first
    assert window.current_page() == 1
    assert controller.pending is None

    # the connection fails: the wait ends with a note
    connect("Local")
    notes: list[tuple[str, str, str]] = []
    ctx.notified.connect(lambda *note: notes.append(note))
    choose("shop/cart:only-cn-hangzhou")
    assert controller.pending is not None
    ctx.set_connection("failed", "InvalidAccessKeyId.NotFound")
    assert controller.pending is None
    assert notes[-1][0] == "Could not open shop/cart:only-cn-hangzhou"
    assert "InvalidAccessKeyId.NotFound" in notes[-1][1]

    # the tag was deleted meanwhile: once its repository's tags are in, a note says so
    choose("shop/cart:only-cn-hangzhou")
    prod["cn-hangzhou"].tags["crr-cart"].pop()
    connect("prod", "cn-hangzhou")
    qtbot.waitUntil(lambda: controller.pending is None, timeout=5000)
    assert notes[-1][0] == "Could not open shop/cart:only-cn-hangzhou"
    assert "does not list it" in notes[-1][1]
    assert window.images_vm.repo is not None
    assert window.images_vm.repo.path == "shop/cart"


@pytest.mark.integration
def test_tags_of_a_local_server_come_and_follow_pushes(qtbot, ctx, tmp_path, monkeypatch) -> None:
    """Against a real Local server: the palette's catalog lists every repository's tags, and
    an image pushed afterwards (a tag event, a repository not seen before) is found too."""
    import tarfile
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from core.registry import RegistryClient
    from gui.backend import RepoInfo
    from tests.core.pull._images import entry, push_image
    from tests.fixtures.emulator import start_local_server_thread
    from tests.gui.pages import local_repository

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    server = start_local_server_thread(tmp_path / "local")
    http = httpx.AsyncClient(timeout=60, trust_env=False)
    layer = [entry("app/", tarfile.DIRTYPE), entry("app/main.py", data=b"print(1)\n")]

    def push(repository: str, tag: str) -> None:
        async def go() -> None:
            async with RegistryClient(server.host, credentials=server.registry_auth) as reg:
                await push_image(reg, repository, [layer], tag=tag)

        with ThreadPoolExecutor(1) as pool:  # the test's own loop is the GUI's
            pool.submit(asyncio.run, go()).result()

    def label(kind: str) -> Any:
        def make(repo: RepoInfo, *rest: Any) -> PaletteItem:
            *tag, target = rest
            title = f"{repo.path}:{tag[0]}" if tag else repo.path
            return PaletteItem(kind, title, "", target, {"repo": repo.repo_id})

        return make

    try:
        push("team1/api", "v1")
        push("team2/web", "2024.1")
        local_repository(qtbot, ctx, server, http, "team1/api")
        qtbot.waitUntil(lambda: ctx.events.live, timeout=30_000)
        vm = PaletteViewModel(
            ctx, list, repository_label=label("repository"), tag_label=label("tag")
        )
        vm.refresh()
        qtbot.waitUntil(
            lambda: {"team1/api:v1", "team2/web:2024.1"} <= _tag_titles(vm), timeout=30_000
        )
        push("team3/late", "first")
        qtbot.waitUntil(lambda: "team3/late:first" in _tag_titles(vm), timeout=30_000)
        push("team1/api", "v2")
        qtbot.waitUntil(lambda: "team1/api:v2" in _tag_titles(vm), timeout=30_000)
    finally:
        ctx.set_backend(None)
        qtbot.waitUntil(lambda: http.is_closed, timeout=10_000)
        server.stop()
