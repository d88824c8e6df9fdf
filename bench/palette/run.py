"""Command palette benchmark: 10,000 items, results per keystroke.

Items shaped like a large account: 6,000 functions, 2,400 tags, 1,000 conversion tasks, 400
repositories and 200 actions. For each query (typed one character at a time, as in the
palette) it times, on the GUI thread: the search alone (`PaletteIndex.search`, best 50) and
search + list model reset + the list view repainted. Reference in the same run: a
`QSortFilterProxyModel` over a `QStringListModel` of the same texts with the same subsequence
as a regular expression (no ranking, every match listed). Target: results in under 50 ms per
keystroke on 10,000 items.

Second part: the catalog at work — a `PaletteViewModel` reading every repository's tags of
an in-memory account (``--repos`` repositories of ``--tags`` tags, 3,000 functions; each
request answered after ``--latency`` ms) through its `TagCatalog` while a query is typed:
each index update on the GUI thread (every published batch: the index rebuilt and the query
searched again) and each keystroke meanwhile are timed, and the reading's wall time given.

Run: ``python bench/palette/run.py [--items 10000] [--repeats 5] [--repos 1000] [--tags 7]``;
prints the load average next to every figure and a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import (
    QCoreApplication,
    QRegularExpression,
    QSortFilterProxyModel,
    QStringListModel,
)
from PySide6.QtWidgets import QApplication, QListView

from gui.models.palette_model import PaletteIndex, PaletteItem, PaletteModel

QUERIES = ["worker", "shop:v12", "conv web 3", "fn-04", "acc", "zzz", "prod hz api"]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}/{fifteen:.2f}"


def items(n: int) -> list[PaletteItem]:
    rng = random.Random(42)
    words = ["api", "worker", "web", "cron", "billing", "search", "auth", "media", "etl"]
    out: list[PaletteItem] = []
    targets = [("Local", ""), ("prod", "cn-hangzhou"), ("prod", "cn-shanghai")]
    for i in range(n * 60 // 100):
        t = rng.choice(targets)
        out.append(
            PaletteItem(
                "function", f"fn-{i:05d}-{rng.choice(words)}", f"Function · {t[0]} {t[1]}", t
            )
        )
    for i in range(n * 24 // 100):
        title = f"shop/{rng.choice(words)}:v{i}"
        out.append(PaletteItem("tag", title, "Tag · prod · cn-hangzhou"))
    for i in range(n * 10 // 100):
        out.append(
            PaletteItem("task", f"shop/{rng.choice(words)}:v{i} → v{i}_accelerated", "Task SUCCESS")
        )
    for i in range(n * 4 // 100):
        out.append(PaletteItem("repository", f"ns{i % 20}/{rng.choice(words)}-{i}", "Repository"))
    while len(out) < n:
        out.append(
            PaletteItem(
                "action", f"Convert shop/web:v{len(out)} into v{len(out)}_accelerated", "Local"
            )
        )
    return out


def _stats(quantiles: list[float], values: list[float]) -> dict[str, float]:
    return {
        "p50": round(quantiles[49], 1),
        "p95": round(quantiles[94], 1),
        "max": round(max(values), 1),
    }


def prefixes(query: str) -> list[str]:
    return [query[: i + 1] for i in range(len(query))]


def bench_catalog(repos: int, tags: int, latency_ms: float) -> dict[str, Any]:
    """See the module docs (second part)."""
    import asyncio

    import qasync

    from gui.backend import NamespaceInfo, RepoInfo, TagInfo
    from gui.context import AppContext
    from gui.viewmodels.palette_vm import PaletteViewModel
    from tests.gui.fakes import FakeBackend

    backend = FakeBackend(functions=3000, tags=0)
    instance = backend.instances[0].instance_id
    for n in range(repos // 50 + 1):
        backend.namespaces.append(NamespaceInfo(f"crn-{n}", f"team{n}", instance))
    for r in range(repos):
        repo = RepoInfo(f"crr-{r}", f"service-{r}", f"team{r // 50}", instance)
        backend.repos.append(repo)
        backend.tags[repo.repo_id] = [TagInfo(f"v1.{t}") for t in range(tags)]
    slow = backend.list_tags

    async def list_tags(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(latency_ms / 1000)  # a registry's answer time
        return await slow(*args, **kwargs)

    backend.list_tags = list_tags  # type: ignore[method-assign]
    updates: list[float] = []

    class Timed(PaletteViewModel):
        def _reindex(self) -> None:
            t0 = time.perf_counter()
            super()._reindex()
            updates.append((time.perf_counter() - t0) * 1000)

    def item(kind: str) -> Any:
        def make(repo: RepoInfo, *rest: Any) -> PaletteItem:
            *tag, target = rest
            title = f"{repo.path}:{tag[0]}" if tag else repo.path
            return PaletteItem(kind, title, f"{kind} · Local", target, {"repo": repo.repo_id})

        return make

    ctx = AppContext()
    vm = Timed(
        ctx,
        list,
        function_label=lambda name, target: PaletteItem("function", name, "Function", target),
        repository_label=item("repository"),
        tag_label=item("tag"),
    )
    keystrokes: list[float] = []
    out: dict[str, Any] = {}

    async def run() -> None:
        ctx.set_backend(backend, profile="Local", kind="local")
        t0 = time.perf_counter()
        vm.refresh()
        catalog = vm.catalog
        assert catalog is not None
        typed = "team7/service-3"
        i = 0
        while catalog.is_reading(vm.target):
            await asyncio.sleep(0.05)
            i = i % len(typed) + 1
            k0 = time.perf_counter()
            vm.search(typed[:i])
            keystrokes.append((time.perf_counter() - k0) * 1000)
        out["read_s"] = round(time.perf_counter() - t0, 2)
        out["items"] = len(vm.index)
        ctx.set_backend(None)

    qasync.run(run())
    u = sorted(updates)
    k = statistics.quantiles(keystrokes, n=100)
    out["index_updates"] = len(u)
    out["update_ms"] = {"p50": round(u[len(u) // 2], 1), "max": round(u[-1], 1)}
    out["keystroke_ms"] = {
        "p50": round(k[49], 1),
        "p95": round(k[94], 1),
        "max": round(max(keystrokes), 1),
    }
    out["load"] = load()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--tags", type=int, default=7)
    parser.add_argument("--latency", type=float, default=30.0, help="ms per tag listing")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    all_items = items(args.items)
    t0 = time.perf_counter()
    index = PaletteIndex(all_items)
    build_ms = (time.perf_counter() - t0) * 1000
    print(f"{len(index):,} items indexed in {build_ms:.1f} ms ({load()})")
    model = PaletteModel()
    view = QListView()
    view.setUniformItemSizes(True)
    view.resize(680, 400)
    view.setModel(model)
    view.show()
    QCoreApplication.processEvents()
    search: list[float] = []
    full: list[float] = []
    per_query: dict[str, float] = {}
    for _ in range(args.repeats):
        for query in QUERIES:
            worst = 0.0
            for text in prefixes(query):
                t0 = time.perf_counter()
                results = index.search(text)
                t1 = time.perf_counter()
                model.set_results(results)
                view.viewport().repaint()
                QCoreApplication.processEvents()
                t2 = time.perf_counter()
                search.append((t1 - t0) * 1000)
                full.append((t2 - t0) * 1000)
                worst = max(worst, (t2 - t0) * 1000)
            per_query[query] = max(per_query.get(query, 0.0), worst)
    q = statistics.quantiles(full, n=100)
    qs = statistics.quantiles(search, n=100)
    print(
        f"per keystroke, search only: p50 {qs[49]:.1f} ms, p95 {qs[94]:.1f} ms, "
        f"max {max(search):.1f} ms"
    )
    print(
        f"per keystroke, search + list shown: p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, "
        f"max {max(full):.1f} ms ({load()})"
    )
    for query, worst in per_query.items():
        print(f"  {query!r:16} worst keystroke {worst:6.1f} ms")
    # reference: QSortFilterProxyModel + regular expression, every match listed
    texts = [f"{i.title} {i.subtitle}" for i in all_items]
    source = QStringListModel(texts)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(source)
    ref_view = QListView()
    ref_view.setUniformItemSizes(True)
    ref_view.resize(680, 400)
    ref_view.setModel(proxy)
    ref_view.show()
    ref: list[float] = []
    for _ in range(args.repeats):
        for query in QUERIES:
            for text in prefixes(query):
                needle = "".join(text.lower().split())
                expr = QRegularExpression(
                    ".*".join(re.escape(c) for c in needle),
                    QRegularExpression.PatternOption.CaseInsensitiveOption,
                )
                t0 = time.perf_counter()
                proxy.setFilterRegularExpression(expr)
                ref_view.viewport().repaint()
                QCoreApplication.processEvents()
                ref.append((time.perf_counter() - t0) * 1000)
    r = statistics.quantiles(ref, n=100)
    print(
        f"reference (proxy model + regex, unranked): p50 {r[49]:.1f} ms, p95 {r[94]:.1f} ms, "
        f"max {max(ref):.1f} ms ({load()})"
    )
    summary: dict[str, Any] = {
        "items": len(index),
        "index_ms": round(build_ms, 1),
        "search_ms": {
            "p50": round(qs[49], 1),
            "p95": round(qs[94], 1),
            "max": round(max(search), 1),
        },
        "keystroke_ms": {
            "p50": round(q[49], 1),
            "p95": round(q[94], 1),
            "max": round(max(full), 1),
        },
        "reference_ms": {"p50": round(r[49], 1), "p95": round(r[94], 1), "max": round(max(ref), 1)},
        "load": load(),
    }
    print(
        f"catalog: {args.repos:,} repositories × {args.tags} tags read "
        f"({args.latency:.0f} ms a listing) while a query is typed ({load()})"
    )
    catalog = bench_catalog(args.repos, args.tags, args.latency)
    print(
        f"  read in {catalog['read_s']} s into {catalog['items']:,} items; "
        f"{catalog['index_updates']} index updates on the GUI thread: "
        f"p50 {catalog['update_ms']['p50']} ms, max {catalog['update_ms']['max']} ms; "
        f"keystrokes meanwhile p50 {catalog['keystroke_ms']['p50']} ms, "
        f"p95 {catalog['keystroke_ms']['p95']} ms, max {catalog['keystroke_ms']['max']} ms "
        f"({catalog['load']})"
    )
    summary["catalog"] = catalog
    print(json.dumps(summary, indent=1))
    del app


if __name__ == "__main__":
    main()
