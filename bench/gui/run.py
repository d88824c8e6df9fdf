"""GUI benchmarks.

1. The tag model: 100,000 tags loaded into `TagsModel` and filtered, against a reference
   built the usual way (QStringListModel + QSortFilterProxyModel) in the same run.
   Target: load + filter ≤ 200 ms.
2. GUI-thread stalls: a 5 ms heartbeat QTimer (PreciseTimer) measures how late the GUI
   thread gets while a real Local server converts pushed tags and three views (Images,
   Tasks, Functions) update live from its event stream; compared with the same heartbeat on
   the idle GUI in the same run. On a shared, loaded machine a late tick may be the
   scheduler's doing rather than the GUI's, so each phase also runs, at the same time:
   - a control process (a bare QCoreApplication with the same heartbeat): the machine's
     own lateness over the same seconds;
   - a GIL probe in the GUI process and in the control process (a thread sleeping 2 ms and
     noting how late it wakes): the GUI process's figure above the control's is time that
     some thread of the GUI process held the interpreter lock;
   - with ``--attribute``, a sampler of the GUI thread's Python stack every millisecond:
     what the GUI thread was running during late ticks.
   Target: p99 lateness ≤ 20 ms above the idle baseline.

3. Client-side conversion (a plain OCI registry profile: the console converts a tag
   itself): the same heartbeat while a tag converts in the GUI process (as the console did)
   and while one converts in the child process it uses now, alternately.

Run: ``python bench/gui/run.py`` (offscreen; ``--skip-server`` skips part 2, ``--skip-tags``
part 1, ``--skip-client`` part 3, ``--only-client`` runs part 3 alone).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import collections
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

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


def bench_tags(repeats: int = 11) -> dict[str, float]:
    t0 = time.perf_counter()
    tags = _tags(N_TAGS)
    build_ms = (time.perf_counter() - t0) * 1000
    loads, filters, clears, letters = [], [], [], []
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
        model.set_filter("Release-0123")  # letters: the case-folded names are needed
        letters.append((time.perf_counter() - t0) * 1000)
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
        "letters_filter_ms": statistics.median(letters),
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
        self.stalls: list[tuple[float, float]] = []  # (previous tick, late tick)
        self.ticks: list[tuple[float, float]] = []  # (previous tick, this tick)
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self._last = 0.0

    def start(self) -> None:
        self.late.clear()
        self.stalls.clear()
        self.ticks.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        late = max(0.0, (now - self._last - self.interval) * 1000)
        self.late.append(late)
        self.ticks.append((self._last, now))
        if late > 15.0:
            self.stalls.append((self._last, now))
        self._last = now

    def stats(self) -> dict[str, float]:
        return lateness_stats(self.late)


def excess_over_control(
    ticks: list[tuple[float, float]], late: list[float], spans: list[list[float]]
) -> list[float]:
    """Each GUI tick's lateness minus the control process's worst lateness over the same
    interval (same clock): what the GUI process added to what the machine did to everyone."""
    spans = sorted(spans)
    starts = [sp[0] for sp in spans]
    out = []
    for (a, b), ms in zip(ticks, late, strict=True):
        worst = 0.0
        # control late intervals overlapping [a, b]
        i = bisect.bisect_right(starts, b)
        j = i - 1
        while j >= 0 and i - j <= 64:
            _s0, s1, lt = spans[j]
            if s1 >= a:
                worst = max(worst, lt)
            j -= 1
        out.append(max(0.0, ms - worst))
    return out


def lateness_stats(late: list[float]) -> dict[str, float]:
    data = sorted(late)
    if not data:
        return {"ticks": 0.0, "p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    p99 = data[min(len(data) - 1, int(len(data) * 0.99))]
    return {
        "ticks": float(len(data)),
        "p50_ms": data[len(data) // 2],
        "p99_ms": p99,
        "max_ms": data[-1],
        "over_20ms": float(sum(1 for v in data if v > 20.0)),
    }


class GilProbe:
    """A thread that sleeps 2 ms at a time and records how late it wakes (ms): waking needs
    the interpreter lock, so lateness above the machine's (the control process's probe)
    is time other threads of this process held it."""

    def __init__(self, period_s: float = 0.002) -> None:
        self.period = period_s
        self.late: list[float] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.late = []
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="gil-probe", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            t = time.perf_counter()
            time.sleep(self.period)
            self.late.append(max(0.0, (time.perf_counter() - t - self.period) * 1000))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


# The control: the same heartbeat and GIL probe in a process that does nothing else.
CONTROL = r"""
import json, sys, threading, time
from PySide6.QtCore import QCoreApplication, QTimer, Qt
app = QCoreApplication(sys.argv)
late, gil, last, spans = [], [], [time.perf_counter()], []
def tick():
    now = time.perf_counter()
    late.append(max(0.0, (now - last[0] - 0.005) * 1000))
    if late[-1] > 1.0:
        spans.append((last[0], now, late[-1]))
    last[0] = now
    if stop.is_set():
        app.quit()
stop = threading.Event()
def probe():
    while not stop.is_set():
        t = time.perf_counter()
        time.sleep(0.002)
        gil.append(max(0.0, (time.perf_counter() - t - 0.002) * 1000))
threading.Thread(target=probe, daemon=True).start()
timer = QTimer()
timer.setTimerType(Qt.TimerType.PreciseTimer)
timer.setInterval(5)
timer.timeout.connect(tick)
timer.start()
def wait_stdin():
    sys.stdin.read()
    stop.set()
threading.Thread(target=wait_stdin, daemon=True).start()
app.exec()
sys.stdout.write(json.dumps({"late": late, "gil": gil, "spans": spans}))
"""


class Control:
    """Runs `CONTROL` for the length of a phase."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.result: dict[str, list[Any]] = {"late": [], "gil": [], "spans": []}

    def start(self) -> None:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CONTROL],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def stop(self) -> None:
        assert self.proc is not None
        out, _ = self.proc.communicate("", timeout=60)
        self.result = json.loads(out or '{"late": [], "gil": [], "spans": []}')


class StackSampler:
    """Samples the GUI thread's Python stack every millisecond: (time, label) of what it
    was running, or nothing while it waited in Qt's event loop."""

    def __init__(self, thread_id: int) -> None:
        self.thread_id = thread_id
        self.samples: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def label(frame: FrameType | None) -> str | None:
        if frame is None:
            return None
        top = frame
        ours: FrameType | None = None
        depth = 0
        f: FrameType | None = frame
        while f is not None and depth < 60:
            name = f.f_code.co_filename
            if ours is None and ("/gui/" in name or "/core/" in name) and "/bench/" not in name:
                ours = f
            f = f.f_back
            depth += 1
        code = top.f_code
        if code.co_name in ("run_forever", "exec", "exec_") and "qasync" in code.co_filename:
            return None  # waiting in Qt's event loop
        where = f"{Path(code.co_filename).name}:{code.co_name}"
        if ours is not None and ours is not top:
            mine = f"{Path(ours.f_code.co_filename).name}:{ours.f_code.co_name}"
            return f"{mine} → {where}"
        return where

    def start(self) -> None:
        self.samples = []
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="stack-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            frame = sys._current_frames().get(self.thread_id)
            label = self.label(frame)
            if label is not None:
                self.samples.append((time.perf_counter(), label))
            del frame
            time.sleep(0.001)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def busy_top(self, n: int = 12) -> list[tuple[str, int]]:
        return collections.Counter(label for _t, label in self.samples).most_common(n)

    def during(self, windows: list[tuple[float, float]], n: int = 12) -> list[tuple[str, int]]:
        counts: collections.Counter[str] = collections.Counter()
        for t, label in self.samples:
            if any(a <= t <= b for a, b in windows):
                counts[label] += 1
        return counts.most_common(n)


class GcWatch:
    """Collector passes during a phase (they run on whichever thread allocates, holding the
    interpreter lock): count, total and longest, per generation."""

    def __init__(self) -> None:
        self.passes: list[tuple[int, float]] = []
        self._t0 = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.passes.append((info["generation"], (time.perf_counter() - self._t0) * 1000))

    def start(self) -> None:
        self.passes = []
        gc.callbacks.append(self._callback)

    def stop(self) -> None:
        gc.callbacks.remove(self._callback)

    def summary(self) -> str:
        parts = []
        for gen in (0, 1, 2):
            ms = [d for g, d in self.passes if g == gen]
            if ms:
                parts.append(f"gen{gen} {len(ms)}× max {max(ms):.1f} ms")
        return ", ".join(parts) or "none"


class Phase:
    """Heartbeat + GIL probe in this process, the control process alongside, and
    optionally the GUI-thread sampler, for one phase of the run."""

    def __init__(self, attribute: bool) -> None:
        self.beat = Heartbeat()
        self.gil = GilProbe()
        self.control = Control()
        self.gc = GcWatch()
        self.sampler = StackSampler(threading.get_ident()) if attribute else None

    def start(self) -> None:
        self.control.start()
        time.sleep(0.3)  # the control's interpreter start is not part of the phase
        self.gil.start()
        self.gc.start()
        if self.sampler is not None:
            self.sampler.start()
        self.beat.start()

    def stop(self) -> dict[str, object]:
        self.beat.stop()
        self.gc.stop()
        if self.sampler is not None:
            self.sampler.stop()
        self.gil.stop()
        self.control.stop()
        out: dict[str, object] = {
            "gui": self.beat.stats(),
            "control": lateness_stats(self.control.result["late"]),
            "excess": lateness_stats(
                excess_over_control(self.beat.ticks, self.beat.late, self.control.result["spans"])
            ),
            "gil": lateness_stats(self.gil.late),
            "control_gil": lateness_stats(self.control.result["gil"]),
            "stalls": len(self.beat.stalls),
            "gc": self.gc.summary(),
        }
        if self.sampler is not None:
            out["busy"] = self.sampler.busy_top()
            out["busy_samples"] = len(self.sampler.samples)
            out["during_stalls"] = self.sampler.during(self.beat.stalls)
        return out


def bench_stalls(tags_to_push: int = 4, attribute: bool = False) -> dict[str, object]:
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
            # The push runs in a worker thread (spawning and waiting for a process from the
            # GUI thread would stall it: that is the bench's cost, not the console's).
            cmd = [
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
            ]
            await asyncio.to_thread(
                subprocess.run,
                cmd,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )

        # Baseline: idle GUI, 5 s.
        phase = Phase(attribute)
        phase.start()
        await asyncio.sleep(5.0)
        result["idle"] = phase.stop()
        # Load: a repository with acceleration on gets tags pushed; each converts.
        await copy("demo/bench:seed")
        images = console.images
        await wait(lambda: any(r.path == "demo/bench" for r in images.repos.rows), 60)
        repo = next(r for r in images.repos.rows if r.path == "demo/bench")
        backend = console.ctx.require_backend()
        await backend.set_acceleration(images.instance.instance_id, repo, True)
        images.select_repo(repo.repo_id)
        # the listing lands before the measurement starts
        await wait(
            lambda: images.tags.has_tag("seed") and "img-tags" not in console.jobs.running_keys(),
            60,
        )
        events_before = console.ctx.events.received
        phase = Phase(attribute)
        phase.start()
        t0 = time.monotonic()
        for i in range(tags_to_push):
            await copy(f"demo/bench:t{i}")
        await wait(
            lambda: all(images.tags.has_tag(f"t{i}_accelerated") for i in range(tags_to_push)), 600
        )
        result["converting"] = phase.stop()
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


async def _until(cond: Any, limit: float) -> None:
    end = time.monotonic() + limit
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError("bench: timed out")
        await asyncio.sleep(0.05)


def _bench_image(mib: int) -> object:
    """An image of about ``mib`` MiB of layers: many small files (tar parsing and chunking in
    Python) and some incompressible data (zstd, sha256)."""
    import random

    from tests.fixtures.images import build_image, make_layer

    rnd = random.Random(7)
    words = [rnd.randbytes(6).hex() for _ in range(500)]
    layers = []
    per_layer = (mib << 20) // 3
    for n in range(3):
        files: dict[str, bytes | str | None] = {f"app{n}/": None}
        size = 0
        i = 0
        while size < per_layer:
            if i % 40 == 39:
                data = rnd.randbytes(512 << 10)
            else:
                data = " ".join(rnd.choices(words, k=rnd.randint(100, 1500))).encode()
            files[f"app{n}/d{i // 100}/f{i}.txt"] = data
            size += len(data)
            i += 1
        layers.append(make_layer(files))
    return build_image(layers)


def bench_client_conversion(rounds: int = 3, mib: int = 160, attribute: bool = False) -> dict:
    """Plain OCI registry profile: the console converts a tag itself. The same conversion in
    the GUI process (as before) and in the child process, alternately, with the heartbeat."""
    import qasync
    from PySide6.QtWidgets import QApplication

    from core.registry import RegistryClient
    from gui.backend._registry import RegistryBackend
    from gui.context import AppContext
    from gui.theme import apply_theme
    from gui.viewmodels.images_vm import ImagesViewModel
    from gui.views.images_view import ImagesView
    from tests.fixtures.images import push_image
    from tests.fixtures.registry import start_registry

    app = QApplication.instance() or QApplication(sys.argv)
    apply_theme(app, "light")
    work = Path(tempfile.mkdtemp(prefix="fcdesk-bench-client-"))
    image = _bench_image(mib)
    out: dict[str, object] = {"runs": []}
    try:
        with start_registry(work / "registry") as registry:
            ctx = AppContext()
            vm = ImagesViewModel(ctx)
            view = ImagesView(vm)
            view.resize(1100, 700)
            view.show()

            async def main() -> None:
                client = RegistryClient(registry.host, insecure=True)
                tags = [f"r{i}" for i in range(2 * rounds)]
                for tag in tags:
                    await push_image(client, "bench/app", image, tag)  # type: ignore[arg-type]
                backend = RegistryBackend(client, name="bench", insecure=True)
                ctx.set_backend(backend, profile="bench", kind="registry")
                await _until(lambda: vm.repos.get("bench/app") is not None, 60)
                vm.select_repo("bench/app")
                await _until(lambda: vm.tags.has_tag(tags[-1]), 60)
                await asyncio.sleep(0.5)
                for i, tag in enumerate(tags):
                    backend.convert_in_child = i % 2 == 1
                    phase = Phase(attribute)
                    phase.start()
                    t0 = time.monotonic()
                    vm.convert_now([tag])
                    await _until(lambda tag=tag: vm.tags.has_tag(f"{tag}_accelerated"), 600)
                    seconds = time.monotonic() - t0
                    result = phase.stop()
                    result["where"] = "child process" if backend.convert_in_child else "GUI process"
                    result["seconds"] = seconds
                    out["runs"].append(result)  # type: ignore[union-attr]
                ctx.set_backend(None)
                await client.aclose()

            qasync.run(main())
            view.close()
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=False)
    out["image_mib"] = sum(len(b) for b in image.blobs.values()) / (1 << 20)  # type: ignore[attr-defined]
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-server", action="store_true", help="only part 1")
    parser.add_argument("--skip-tags", action="store_true", help="skip part 1")
    parser.add_argument("--skip-client", action="store_true", help="skip part 3")
    parser.add_argument("--only-client", action="store_true", help="only part 3")
    parser.add_argument("--tags", type=int, default=4, help="tags pushed during part 2")
    parser.add_argument(
        "--attribute", action="store_true", help="sample the GUI thread's stack (part 2)"
    )
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    if not args.skip_tags:
        t = bench_tags()
        print(f"tag model: {int(t['tags'])} tags (TagInfo built in {t['build_taginfo_ms']:.0f} ms)")
        print(
            f"  load {t['load_ms']:.1f} ms + filter {t['filter_ms']:.1f} ms = "
            f"{t['load_plus_filter_ms']:.1f} ms (worst {t['worst_load_plus_filter_ms']:.1f} ms; "
            f"target ≤ 200 ms); then a filter with letters {t['letters_filter_ms']:.1f} ms; "
            f"clearing the filter {t['clear_filter_ms']:.1f} ms"
        )
        ref_total = t["reference_load_ms"] + t["reference_filter_ms"]
        print(
            f"  reference QStringListModel + QSortFilterProxyModel: load "
            f"{t['reference_load_ms']:.0f} ms + filter {t['reference_filter_ms']:.0f} ms "
            f"= {ref_total:.0f} ms (reference ÷ ours = {ref_total / t['load_plus_filter_ms']:.2f}; "
            "the reference only lists names, it neither orders nor pairs twins)"
        )
        print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if args.only_client or not args.skip_client:
        load_c = os.getloadavg()[0]
        c = bench_client_conversion(attribute=args.attribute)
        print(
            f"Client-side conversion (plain OCI registry, {c['image_mib']:.0f} MiB image), "
            f"5 ms heartbeat, load average {load_c:.1f} before, {os.getloadavg()[0]:.1f} after:"
        )
        for run in c["runs"]:  # type: ignore[attr-defined]
            gui, ctl, exc, gil = run["gui"], run["control"], run["excess"], run["gil"]
            print(
                f"  in the {run['where']:13s} ({run['seconds']:4.1f} s): GUI p99 "
                f"{gui['p99_ms']:6.2f} ms, max {gui['max_ms']:6.1f} ms, "
                f"{int(gui['over_20ms'])} ticks > 20 ms; control p99 {ctl['p99_ms']:.2f} ms; "
                f"own-stall p99 {exc['p99_ms']:.2f} ms; GIL probe p99 {gil['p99_ms']:.2f} ms, "
                f"max {gil['max_ms']:.1f} ms; collector {run['gc']}"
            )
            if "busy" in run:
                for label, n in run["during_stalls"][:6]:
                    print(f"      {n:5d}  {label}")
        if args.only_client:
            return 0
    if args.skip_server:
        return 0
    load0 = os.getloadavg()[0]
    s = bench_stalls(args.tags, args.attribute)
    del app
    print(
        f"GUI-thread lateness, 5 ms heartbeat (load average {load0:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after, {os.cpu_count()} cores):"
    )
    for name in ("idle", "converting"):
        phase = s[name]
        assert isinstance(phase, dict)
        gui, ctl, gil, cgil = phase["gui"], phase["control"], phase["gil"], phase["control_gil"]
        extra = (
            f" ({s['converting_seconds']:.1f} s, {s['events']} events, {s['tasks']} tasks)"
            if name == "converting"
            else ""
        )
        print(f"  {name}{extra}:")
        print(
            f"    GUI thread:       p50 {gui['p50_ms']:.2f} ms, p99 {gui['p99_ms']:.2f} ms, "
            f"max {gui['max_ms']:.2f} ms, {int(gui['over_20ms'])} ticks > 20 ms "
            f"of {int(gui['ticks'])}"
        )
        print(
            f"    control process:  p50 {ctl['p50_ms']:.2f} ms, p99 {ctl['p99_ms']:.2f} ms, "
            f"max {ctl['max_ms']:.2f} ms ({int(ctl['ticks'])} ticks: the machine's own lateness)"
        )
        exc = phase["excess"]
        print(
            f"    GUI − control over the same interval, tick by tick: p99 "
            f"{exc['p99_ms']:.2f} ms, max {exc['max_ms']:.2f} ms, "
            f"{int(exc['over_20ms'])} ticks > 20 ms (the GUI process's own stalls)"
        )
        print(
            f"    GIL probe (2 ms): GUI process p99 {gil['p99_ms']:.2f} ms, max "
            f"{gil['max_ms']:.2f} ms; control p99 {cgil['p99_ms']:.2f} ms, max "
            f"{cgil['max_ms']:.2f} ms"
        )
        print(f"    collector passes: {phase['gc']}")
        if "busy" in phase:
            print(f"    GUI thread busy samples: {phase['busy_samples']} (1 ms each), most:")
            for label, n in phase["busy"][:8]:  # type: ignore[index]
                print(f"      {n:5d}  {label}")
            print(f"    during the {phase['stalls']} ticks later than 15 ms:")
            for label, n in phase["during_stalls"][:8]:  # type: ignore[index]
                print(f"      {n:5d}  {label}")
    idle, busy = s["idle"], s["converting"]
    assert isinstance(idle, dict)
    assert isinstance(busy, dict)
    above_idle = busy["gui"]["p99_ms"] - idle["gui"]["p99_ms"]
    above_control = busy["gui"]["p99_ms"] - busy["control"]["p99_ms"]
    g, c, e = busy["gui"], busy["control"], busy["excess"]
    print(
        f"  summary: converting p99 {g['p99_ms']:.2f} ms (idle {idle['gui']['p99_ms']:.2f}, "
        f"control {c['p99_ms']:.2f}), own-stall p99 {e['p99_ms']:.2f} ms, "
        f"max {g['max_ms']:.1f} ms (own {e['max_ms']:.1f} ms)"
    )
    print(
        f"  converting p99 − idle p99 = {above_idle:.2f} ms; converting p99 − control p99 "
        f"(same seconds) = {above_control:.2f} ms; target p99 ≤ 20 ms above the idle baseline"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
