"""Command palette benchmark: 10,000 items, results per keystroke.

Items shaped like a large account: 6,000 functions, 2,400 tags, 1,000 conversion tasks, 400
repositories and 200 actions. For each query (typed one character at a time, as in the
palette) it times, on the GUI thread: the search alone (`PaletteIndex.search`, best 50) and
search + list model reset + the list view repainted. Reference in the same run: a
`QSortFilterProxyModel` over a `QStringListModel` of the same texts with the same subsequence
as a regular expression (no ranking, every match listed). Target: results in under 50 ms per
keystroke on 10,000 items.

Run: ``python bench/palette/run.py [--items 10000] [--repeats 5]``; prints the load average
next to every figure and a JSON summary.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
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
    print(json.dumps(summary, indent=1))
    del app


if __name__ == "__main__":
    main()
