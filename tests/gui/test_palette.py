"""Ctrl+K: the command palette — fuzzy search over functions, repositories, tags, tasks,
actions and profiles, keyboard only, opening what is chosen; items of an earlier connection
kept (and found); the search itself against a brute-force oracle."""

from __future__ import annotations

import random
import re
from dataclasses import replace

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
