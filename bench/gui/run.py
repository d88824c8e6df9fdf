"""GUI benchmarks.

1. The tag model: 100,000 tags loaded into `TagsModel` and filtered, against a reference
   built the usual way (QStringListModel + QSortFilterProxyModel) in the same run.
   Target: load + filter ≤ 200 ms.
2. GUI-thread stalls: a 5 ms heartbeat QTimer measures how late the GUI thread gets while a
   real Local server converts pushed tags and three views (Images, Tasks, Functions) update
   live from its event stream; compared with the same heartbeat on an idle GUI.
   Target: p99 lateness ≤ 20 ms.

Run: ``python bench/gui/run.py`` (offscreen; ``--skip-server`` runs only part 1).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QSortFilterProxyModel, QStringListModel, Qt, QTimer

from gui.backend import TagInfo
from gui.models.tags_model import TagsModel

N_TAGS = 100_000


def _tags(n: int) -> list[TagInfo]:
    out = [
        TagInfo(f"release-{i:06d}", f"sha256:{i:064x}", 50_000_000 + i, str(1_700_000_000 + i))
        for i in range(n)
    ]
    out += [
        TagInfo(
            f"release-{i:06d}_accelerated",
            f"sha256:{i + n:064x}",
            60_000_000,
            str(1_700_000_000 + i),
        )
        for i in range(0, n, 10)
    ]
    return out


def bench_tags(repeats: int = 5) -> dict[str, float]:
    t0 = time.perf_counter()
    tags = _tags(N_TAGS)
    build_ms = (time.perf_counter() - t0) * 1000
    loads, filters, clears = [], [], []
    for _ in range(repeats):
        model = TagsModel()
        t0 = time.perf_counter()
        model.set_tags(tags)
        loads.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        model.set_filter("12345")
        filters.append((time.perf_counter() - t0) * 1000)
        assert model.rowCount() > 0
        t0 = time.perf_counter()
        model.set_filter("")
        clears.append((time.perf_counter() - t0) * 1000)
    # Reference: the straightforward Qt way (a string list model behind a filter proxy).
    t0 = time.perf_counter()
    ref = QStringListModel([t.tag for t in tags])
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(ref)
    ref_load = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    proxy.setFilterFixedString("12345")
    proxy.rowCount()
    ref_filter = (time.perf_counter() - t0) * 1000
    return {
        "tags": float(len(tags)),
        "build_taginfo_ms": build_ms,
        "load_ms": statistics.median(loads),
        "filter_ms": statistics.median(filters),
        "clear_filter_ms": statistics.median(clears),
        "load_plus_filter_ms": statistics.median(
            a + b for a, b in zip(loads, filters, strict=True)
        ),
        "worst_load_plus_filter_ms": max(a + b for a, b in zip(loads, filters, strict=True)),
        "reference_load_ms": ref_load,
        "reference_filter_ms": ref_filter,
    }


class Heartbeat:
    """A 5 ms timer; each tick records how late it fired."""

    def __init__(self, interval_ms: int = 5) -> None:
        self.interval = interval_ms / 1000
        self.late: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self._last = 0.0

    def start(self) -> None:
        self.late.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late.append(max(0.0, (now - self._last - self.interval) * 1000))
        self._last = now

    def stats(self) -> dict[str, float]:
        data = sorted(self.late)
        if not data:
            return {"ticks": 0}
        p99 = data[min(len(data) - 1, int(len(data) * 0.99))]
        return {
            "ticks": float(len(data)),
            "p50_ms": data[len(data) // 2],
            "p99_ms": p99,
            "max_ms": data[-1],
        }


def bench_stalls(tags_to_push: int = 4) -> dict[str, object]:
    import qasync

    from core.cloud import LOCAL_SECRET_ENV
    from gui.app import Console, build_application
    from gui.theme import apply_theme
    from gui.viewmodels.settings_vm import SettingsViewModel
    from gui.views.functions_view import FunctionsView
    from gui.views.images_view import ImagesView
    from gui.views.tasks_view import TasksView

    work = Path(tempfile.mkdtemp(prefix="fcdesk-bench-gui-"))
    secret = "bench-" + os.urandom(8).hex()
    os.environ[LOCAL_SECRET_ENV] = secret
    os.environ["FCDESK_CONFIG_DIR"] = str(work / "config")
    os.environ["FCDESK_DATA_DIR"] = str(work / "userdata")
    app = build_application([sys.argv[0]])
    apply_theme(app, "light")
    settings = SettingsViewModel()
    settings.set_secret_mode("file")
    console = Console(settings, data_dir=work / "server", lab_history=work / "lab.json")
    assert console.window is not None
    console.window.show()
    views = [ImagesView(console.images), TasksView(console.tasks), FunctionsView(console.functions)]
    for v in views:
        v.resize(1100, 700)
        v.show()
    beat = Heartbeat()
    result: dict[str, object] = {}

    async def wait(cond, limit: float) -> None:
        end = time.monotonic() + limit
        while not cond():
            if time.monotonic() > end:
                raise TimeoutError("bench: timed out")
            await asyncio.sleep(0.05)

    async def main() -> None:
        console.start()
        await wait(lambda: console.ctx.connection_state == "running", 120)
        await wait(lambda: console.functions.model.get("demo-plain") is not None, 240)
        await wait(lambda: console.ctx.events.live, 60)
        info = console.supervisor.info
        host = info.url.removeprefix("http://")
        creds = f"{info.access_key_id}:{secret}"

        async def copy(dst: str) -> None:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "core.cli",
                "copy",
                f"docker://{host}/demo/hello:v1",
                f"docker://{host}/{dst}",
                "--src-creds",
                creds,
                "--dest-creds",
                creds,
                "--src-insecure",
                "--dest-insecure",
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            await proc.wait()

        # Baseline: idle GUI, 3 s.
        beat.start()
        await asyncio.sleep(3.0)
        beat.stop()
        result["idle"] = beat.stats()
        # Load: a repository with acceleration on gets tags pushed; each converts.
        await copy("demo/bench:seed")
        images = console.images
        await wait(lambda: any(r.path == "demo/bench" for r in images.repos.rows), 60)
        repo = next(r for r in images.repos.rows if r.path == "demo/bench")
        backend = console.ctx.require_backend()
        await backend.set_acceleration(images.instance.instance_id, repo, True)
        images.select_repo(repo.repo_id)
        events_before = console.ctx.events.received
        beat.start()
        t0 = time.monotonic()
        for i in range(tags_to_push):
            await copy(f"demo/bench:t{i}")
        await wait(
            lambda: all(images.tags.has_tag(f"t{i}_accelerated") for i in range(tags_to_push)), 600
        )
        beat.stop()
        result["converting"] = beat.stats()
        result["converting_seconds"] = time.monotonic() - t0
        result["events"] = console.ctx.events.received - events_before
        result["tasks"] = console.tasks.model.rowCount()
        await console.shutdown()

    try:
        qasync.run(main())
    finally:
        for v in views:
            v.close()
        console.deleteLater()
        app.shutdown()
        subprocess.run(["rm", "-rf", str(work)], check=False)
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-server", action="store_true")
    parser.add_argument("--tags", type=int, default=4, help="tags pushed during part 2")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    t = bench_tags()
    print(f"tag model: {int(t['tags'])} tags (TagInfo built in {t['build_taginfo_ms']:.0f} ms)")
    print(
        f"  load {t['load_ms']:.1f} ms + filter {t['filter_ms']:.1f} ms = "
        f"{t['load_plus_filter_ms']:.1f} ms (worst {t['worst_load_plus_filter_ms']:.1f} ms; "
        f"target ≤ 200 ms); clearing the filter {t['clear_filter_ms']:.1f} ms"
    )
    ref_total = t["reference_load_ms"] + t["reference_filter_ms"]
    print(
        f"  reference QStringListModel + QSortFilterProxyModel: load "
        f"{t['reference_load_ms']:.0f} ms + filter {t['reference_filter_ms']:.0f} ms "
        f"= {ref_total:.0f} ms (reference ÷ ours = {ref_total / t['load_plus_filter_ms']:.2f}; "
        "the reference only lists names, it neither orders nor pairs twins)"
    )
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if args.skip_server:
        return 0
    s = bench_stalls(args.tags)
    del app
    idle, busy = s["idle"], s["converting"]
    print("GUI-thread lateness (5 ms heartbeat):")
    print(
        f"  idle:       p50 {idle['p50_ms']:.2f} ms, p99 {idle['p99_ms']:.2f} ms, "
        f"max {idle['max_ms']:.2f} ms ({int(idle['ticks'])} ticks)"
    )
    print(
        f"  converting: p50 {busy['p50_ms']:.2f} ms, p99 {busy['p99_ms']:.2f} ms, "
        f"max {busy['max_ms']:.2f} ms ({int(busy['ticks'])} ticks, "
        f"{s['converting_seconds']:.1f} s, {s['events']} events, {s['tasks']} tasks; "
        f"target p99 ≤ 20 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
