"""Image explorer benchmark: an image of 100,000 files.

1. The console's Files tab (offscreen): the listing of a synthetic image shaped like a
   Python application (100,000 regular files, ~107,000 entries, three layers, a start-up
   profile, whiteouts) built (merge + entries: off the GUI thread in the console), its child
   index, then on the GUI thread: the model set and the tree painted with the root expanded,
   a search with many matches and one with a single match, a deep directory expanded, the
   search cleared — each with the view repainted. Reference in the same run: the same
   entries in a `QStandardItemModel` tree behind a recursive `QSortFilterProxyModel` (the
   usual way to build a searchable tree in Qt). Target: every GUI-thread step ≤ 100 ms.
2. Over the network (``--skip-network`` to leave out): a real plain image of 100,000 small
   files in one layer, pushed to a private docker-registry on loopback and converted with
   core.convert into its ``_accelerated`` twin; then `core.explore.open_listing` of the twin
   (TOCs only) and of the plain image (its layer streamed once), both through the link shaper
   at 100mbit,20ms into an empty cache, and the plain image again from the cached index.

   Each listing gives its wall time and the CPU time it took (all threads of the process),
   which a loaded machine stretches far less than the wall time.
3. Before/after (``--compare-root DIR``: another checkout's sources): the twin listed over
   the same link by this checkout and by DIR in turn, each in a fresh process with an empty
   cache, ``--rounds`` times — wall and CPU medians of both, measured under the same load.

Run: ``python bench/explorer/run.py [--files 100000] [--repeats 5] [--skip-network]
[--compare-root DIR --rounds 5]``. Prints the load average next to every figure, and a JSON
summary at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import io
import json
import os
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QCoreApplication, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView, QTreeView

from core.explore import ImageListing
from gui.models.files_model import FilesModel, search_index
from tests.gui.fakes import synthetic_listing

ROOT = Path(__file__).resolve().parents[2]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}/{fifteen:.2f}"


def ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def paint(view: QAbstractItemView) -> None:
    view.viewport().repaint()
    QCoreApplication.processEvents()


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


# -- part 1: the Files tab -------------------------------------------------------------------


def bench_model(listing: ImageListing, repeats: int) -> dict[str, float]:
    steps: dict[str, list[float]] = {}

    def note(name: str, value: float) -> None:
        steps.setdefault(name, []).append(value)

    deep = "usr/local/lib/python3.11/site-packages"
    searchable = search_index(listing)  # built with the listing, off the GUI thread
    for _ in range(repeats):
        model = FilesModel()
        view = QTreeView()
        view.setUniformRowHeights(True)
        view.resize(1100, 700)
        view.setModel(model)
        view.show()
        QCoreApplication.processEvents()
        t0 = time.perf_counter()
        model.set_listing(listing, searchable)
        view.expand(model.index(0, 0))
        paint(view)
        note("set + first paint", ms(t0))
        t0 = time.perf_counter()
        index = model.index_of_path(deep)
        view.expand(index)
        view.scrollTo(index)
        paint(view)
        note(f"expand /{deep}", ms(t0))
        # the search results: a flat table over the same listing, as the Files tab shows them
        results = FilesModel()
        results.set_listing(listing, searchable)
        table = QTableView()
        table.resize(1100, 700)
        table.setModel(results)
        table.show()
        t0 = time.perf_counter()
        results.set_filter("module_4")
        paint(table)
        note(f"search 'module_4' ({results.match_count():,} matches)", ms(t0))
        t0 = time.perf_counter()
        table.scrollToBottom()
        paint(table)
        note("scroll to the last match", ms(t0))
        t0 = time.perf_counter()
        results.set_filter("handler_99999")
        paint(table)
        note(f"search 'handler_99999' ({results.match_count()} match)", ms(t0))
        t0 = time.perf_counter()
        results.set_filter("")
        paint(view)
        note("clear the search (back to the tree)", ms(t0))
        for widget in (view, model, table, results):
            widget.deleteLater()
        QCoreApplication.processEvents()
    return {k: median(v) for k, v in steps.items()}


def bench_reference(listing: ImageListing, repeats: int) -> dict[str, float]:
    """The usual way: QStandardItemModel tree + recursive QSortFilterProxyModel."""
    steps: dict[str, list[float]] = {}
    for _ in range(repeats):
        t0 = time.perf_counter()
        model = QStandardItemModel()
        items: dict[str, QStandardItem] = {"": model.invisibleRootItem()}
        for e in listing.entries[1:]:
            item = QStandardItem(e.name)
            items[e.path] = item
            items[e.parent].appendRow([item, QStandardItem(str(e.size))])
        proxy = QSortFilterProxyModel()
        proxy.setRecursiveFilteringEnabled(True)
        proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        proxy.setSourceModel(model)
        view = QTreeView()
        view.setUniformRowHeights(True)
        view.resize(1100, 700)
        view.setModel(proxy)
        view.show()
        paint(view)
        steps.setdefault("build + first paint", []).append(ms(t0))
        t0 = time.perf_counter()
        proxy.setFilterFixedString("module_4")
        paint(view)
        steps.setdefault("search 'module_4'", []).append(ms(t0))
        t0 = time.perf_counter()
        proxy.setFilterFixedString("handler_99999")
        paint(view)
        steps.setdefault("search 'handler_99999'", []).append(ms(t0))
        t0 = time.perf_counter()
        proxy.setFilterFixedString("")
        paint(view)
        steps.setdefault("clear the search", []).append(ms(t0))
        view.deleteLater()
        proxy.deleteLater()
        model.deleteLater()
        QCoreApplication.processEvents()
    return {k: median(v) for k, v in steps.items()}


# -- part 2: over the network ----------------------------------------------------------------


def _big_layer(files: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for d in range(files // 100 + 1):
            info = tarfile.TarInfo(f"srv/app/pkg{d // 30}/mod{d}")
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        for i in range(files):
            data = (f"# module {i}\n" + "x = 1\n" * (i % 200)).encode()
            info = tarfile.TarInfo(f"srv/app/pkg{i // 100 // 30}/mod{i // 100}/f{i}.py")
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue(), compresslevel=1)


#: One twin listing in a fresh process with another checkout's sources (argv: root, registry
#: host, image, cache directory); prints its wall and CPU seconds as JSON.
CHILD = """
import asyncio, json, sys, time
sys.path.insert(0, sys.argv[1])
import httpx
from pathlib import Path
from core.coldstart import LinkSpec, ShapedTransport
from core.explore import open_listing
from core.pull import ContentCache
from core.registry import RegistryClient

async def main():
    transport = ShapedTransport(LinkSpec.parse("100mbit,20ms"))
    async with httpx.AsyncClient(transport=transport, timeout=300) as http:
        registry = RegistryClient(sys.argv[2], http=http)
        cpu, t0 = time.process_time(), time.perf_counter()
        listing = await open_listing(registry, sys.argv[3], cache=ContentCache(Path(sys.argv[4])))
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu
        print(json.dumps({"s": wall, "cpu_s": cpu, "entries": len(listing)}))

asyncio.run(main())
"""


def _child_listing(root: str, host: str, image: str, cache: Path) -> dict[str, Any]:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", CHILD, root, host, image, str(cache)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def bench_network(
    files: int, work: Path, compare_root: str = "", rounds: int = 5
) -> dict[str, Any]:
    import httpx

    from core.coldstart import LinkSpec, ShapedTransport
    from core.convert import ConvertOptions, convert_image
    from core.explore import open_listing
    from core.oci import OCI_LAYER_GZIP, Descriptor, Digest, ImageConfig, Manifest
    from core.pull import ContentCache
    from core.registry import RegistryClient
    from tests.fixtures.registry import start_registry

    out: dict[str, Any] = {}
    with start_registry(work / "registry") as reg:
        async with RegistryClient(reg.host) as client:
            t0 = time.perf_counter()
            blob = await asyncio.to_thread(_big_layer, files)
            raw_digest = await asyncio.to_thread(lambda: Digest.of_bytes(gzip.decompress(blob)))
            digest = Digest.of_bytes(blob)
            await client.push_blob("bench/big", blob, digest=digest)
            config = ImageConfig.build(diff_ids=[raw_digest])
            await client.push_blob("bench/big", config.raw, digest=config.digest)
            manifest = Manifest.build(
                config.descriptor(), [Descriptor(OCI_LAYER_GZIP, digest, len(blob))]
            )
            await client.put_manifest("bench/big", manifest, "v1")
            out["image"] = {"files": files, "layer_bytes": len(blob)}
            print(f"  plain image pushed: {len(blob) / 1e6:.1f} MB in {ms(t0) / 1000:.1f} s")
            t0 = time.perf_counter()
            await convert_image(client, f"{reg.host}/bench/big:v1", options=ConvertOptions())
            twin = await client.get_manifest("bench/big", "v1_accelerated")
            twin_bytes = sum(layer.size for layer in twin.layers)  # type: ignore[union-attr,misc]
            out["image"]["twin_bytes"] = twin_bytes
            print(f"  converted: twin {twin_bytes / 1e6:.1f} MB in {ms(t0) / 1000:.1f} s")

        link = LinkSpec.parse("100mbit,20ms")

        async def listing(tag: str, cache: ContentCache) -> tuple[float, float, int, ImageListing]:
            transport = ShapedTransport(link)
            async with httpx.AsyncClient(transport=transport, timeout=120) as http:
                registry = RegistryClient(reg.host, http=http)
                cpu, t0 = time.process_time(), time.perf_counter()
                result = await open_listing(registry, f"{reg.host}/bench/big:{tag}", cache=cache)
                cpu = time.process_time() - cpu
                return ms(t0), cpu, transport.stats.bytes_down, result

        for name, tag, cache_dir in (
            ("twin, TOCs only", "v1_accelerated", "c-twin"),
            ("plain, streamed once", "v1", "c-plain"),
            ("plain, from the cached index", "v1", "c-plain"),
        ):
            took, cpu, nbytes, result = await listing(tag, ContentCache(work / cache_dir))
            out[name] = {
                "ms": round(took),
                "cpu_s": round(cpu, 2),
                "bytes": nbytes,
                "entries": len(result),
            }
            print(
                f"  {name:32} {took / 1000:6.2f} s  CPU {cpu:5.2f} s  {nbytes / 1e6:7.2f} MB "
                f"over 100mbit,20ms  {len(result):,} entries  ({load()})"
            )
        if compare_root:
            image = f"{reg.host}/bench/big:v1_accelerated"
            runs: dict[str, list[dict[str, Any]]] = {"this": [], "other": []}
            for n in range(rounds):
                for side, root in (("this", str(ROOT)), ("other", compare_root)):
                    cache = work / f"c-{side}-{n}"
                    runs[side].append(
                        await asyncio.to_thread(_child_listing, root, reg.host, image, cache)
                    )
            summary: dict[str, Any] = {"root": compare_root, "rounds": rounds, "load": load()}
            for side, results in runs.items():
                wall = statistics.median(r["s"] for r in results)
                cpu = statistics.median(r["cpu_s"] for r in results)
                summary[side] = {"s": round(wall, 2), "cpu_s": round(cpu, 2)}
                print(
                    f"  twin listed by {'this checkout' if side == 'this' else compare_root}: "
                    f"median {wall:.2f} s, CPU {cpu:.2f} s over {rounds} rounds ({load()})"
                )
            out["compare"] = summary
    return out


def part_one(args: argparse.Namespace, summary: dict[str, Any]) -> None:
    print(f"1. Files tab, {args.files:,} files ({load()})")
    builds, kids = [], []
    listing = None
    for _ in range(3):
        t0 = time.perf_counter()
        listing = synthetic_listing(args.files)
        builds.append(ms(t0))
        t0 = time.perf_counter()
        listing.child_rows(0)
        search_index(listing)
        kids.append(ms(t0))
    assert listing is not None
    summary["entries"] = len(listing)
    summary["build_ms"] = median(builds)
    summary["child_index_ms"] = median(kids)
    print(
        f"  listing built (merge + entries, worker thread): {median(builds):.0f} ms; "
        f"child and search indexes (worker thread): {median(kids):.0f} ms; "
        f"{len(listing):,} entries ({load()})"
    )
    steps = bench_model(listing, args.repeats)
    summary["files_tab_ms"] = steps
    for name, value in steps.items():
        print(f"  GUI thread, {name:44} {value:7.1f} ms")
    print(f"  ({load()})")
    if not args.skip_reference:
        ref = bench_reference(listing, max(1, args.repeats // 2))
        summary["reference_ms"] = ref
        for name, value in ref.items():
            print(f"  reference (QStandardItemModel + proxy), {name:24} {value:8.1f} ms")
        print(f"  ({load()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-network", action="store_true")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--skip-tab", action="store_true", help="leave out part 1")
    parser.add_argument("--compare-root", default="", help="another checkout (part 3)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of part 3")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    summary: dict[str, Any] = {"load_start": load()}

    if not args.skip_tab:
        part_one(args, summary)
    if not args.skip_network:
        print(f"2. Over the network, {args.files:,} files ({load()})")
        with tempfile.TemporaryDirectory(prefix="explorer-bench-") as tmp:
            summary["network"] = asyncio.run(
                bench_network(args.files, Path(tmp), args.compare_root, args.rounds)
            )
    summary["load_end"] = load()
    print(json.dumps(summary, indent=1))
    del app


if __name__ == "__main__":
    main()
