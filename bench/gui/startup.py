"""Start-up time of ``fcdesk``: process start → first window painted.

Each run starts a fresh interpreter (``python -m gui``, the ``fcdesk`` entry point) on the
Local profile with ``$FCDESK_STARTUP_TRACE`` set, so the console prints the monotonic clock
when its window has been painted for the first time and again when the Local server it
started is running; ``--smoke-test`` makes it list the functions and quit cleanly (stopping
the server). The reference in the same run is the floor: a bare ``QApplication`` +
``QMainWindow`` of the same size, shown and painted the same way. Runs alternate between
the two so that the machine's load hits both alike. Target: first window in under 2 s.

One more run under ``python -X importtime`` lists what was imported before the first paint.

Run: ``python bench/gui/startup.py [--runs 7] [--offscreen]`` (default: a private Xvfb
display, like a real desktop; ``--offscreen`` uses Qt's offscreen platform).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_S = 2.0
HEAVY = (
    "core.cloud",
    "core.report",
    "core.convert",
    "core.registry",
    "core.emulator",
    "gui.backend._core",
    "PySide6.QtCharts",
    "PySide6.QtSvg",
    "httpx",
    "keyring",
    "yaml",
    "uvicorn",
    "starlette",
    "zstandard",
    "isal",
    "pyfuse3",
    "rich",
)

# The floor: what any PySide6 window costs on this machine.
FLOOR = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

class Probe(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, done)
        return False

def done():
    sys.stdout.write(f"FCDESK-STARTUP first-paint {time.monotonic():.6f}\n")
    sys.stdout.flush()
    app.quit()

app = QApplication(sys.argv)
w = QMainWindow()
w.setCentralWidget(QLabel("fcdesk"))
w.resize(1360, 860)
probe = Probe()
w.installEventFilter(probe)
w.show()
app.exec()
"""


@contextlib.contextmanager
def display(offscreen: bool) -> Iterator[dict[str, str]]:
    """Environment for the runs: a private Xvfb display, or Qt's offscreen platform."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    xvfb = shutil.which("Xvfb")
    if offscreen or xvfb is None:
        if not offscreen:
            print("no Xvfb: using the offscreen platform")
        env["QT_QPA_PLATFORM"] = "offscreen"
        yield env
        return
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        number = b""
        while not number.endswith(b"\n"):
            chunk = os.read(read_fd, 16)
            if not chunk:
                raise RuntimeError("Xvfb did not start")
            number += chunk
        env["DISPLAY"] = ":" + number.decode().strip()
        env["QT_QPA_PLATFORM"] = "xcb"
        yield env
    finally:
        os.close(read_fd)
        proc.terminate()
        proc.wait(10)


def prepare(work: Path, env: dict[str, str]) -> dict[str, str]:
    """A private configuration (Local profile by default, secrets in a 0600 file, so no
    keyring question) and data directories."""
    from core.settings import Settings, TomlSettingsStore

    env = dict(env)
    env["FCDESK_CONFIG_DIR"] = str(work / "config")
    env["FCDESK_DATA_DIR"] = str(work / "userdata")
    env["FCACCEL_LOCAL_SECRET"] = "bench-" + os.urandom(8).hex()
    env["FCDESK_STARTUP_TRACE"] = "1"
    env.pop("PYTHONSTARTUP", None)
    settings = Settings()
    settings.secret_store = "file"
    TomlSettingsStore(work / "config" / "settings.toml").save(settings)
    return env


def _marks(lines: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in lines:
        m = re.match(r"FCDESK-STARTUP (\S+) ([0-9.]+)$", line.strip())
        if m and m.group(1) not in out:
            out[m.group(1)] = float(m.group(2))
    return out


def run_once(
    cmd: list[str], env: dict[str, str], timeout: float
) -> tuple[dict[str, float], list[str]]:
    """Run ``cmd``; return its marks (seconds after the process was started) and output."""
    t0 = time.monotonic()
    proc = subprocess.run(
        cmd,
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = proc.stdout.splitlines()
    marks = {k: v - t0 for k, v in _marks(lines).items()}
    if proc.returncode != 0 or "first-paint" not in marks:
        tail = "\n".join(lines[-20:])
        raise RuntimeError(f"{' '.join(cmd[:4])} failed ({proc.returncode}):\n{tail}")
    return marks, lines


def app_cmd(data_dir: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        *extra,
        "-m",
        "gui",
        "--profile",
        "Local",
        "--data-dir",
        str(data_dir),
        "--smoke-test",
        "240",
    ]


def import_breakdown(lines: list[str], top: int = 15) -> None:
    """What ``-X importtime`` says was imported before the first paint."""
    rows: list[tuple[int, int, str, int]] = []  # self, cumulative, name, depth
    for line in lines:
        if line.startswith("FCDESK-STARTUP first-paint"):
            break
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), m.group(4), len(m.group(3))))
    total_self = sum(r[0] for r in rows) / 1000
    names = {r[2] for r in rows}
    print(f"  imports before the first paint: {len(rows)} modules, {total_self:.0f} ms in all")
    outer = sorted((r for r in rows if r[3] == 1), key=lambda r: -r[1])[:top]
    print("  largest top-level imports (cumulative ms):")
    for _s, cum, name, _d in outer:
        print(f"    {cum / 1000:7.1f}  {name}")
    by_package: dict[str, int] = {}
    for self_us, _c, name, _d in rows:
        key = (
            ".".join(name.split(".")[:2])
            if name.startswith(("core", "gui"))
            else name.split(".")[0]
        )
        by_package[key] = by_package.get(key, 0) + self_us
    print("  self time by package (ms):")
    for key, us in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {us / 1000:7.1f}  {key}")
    heavy = [h for h in HEAVY if h in names]
    print(f"  heavy modules loaded before the first paint: {', '.join(heavy) or 'none'}")


def _stats(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.2f} s (min {min(values):.2f}, "
        f"max {max(values):.2f}, n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--offscreen", action="store_true", help="Qt offscreen platform")
    parser.add_argument("--no-importtime", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="fcdesk-bench-startup-"))
    try:
        with display(args.offscreen) as base_env:
            env = prepare(work, base_env)
            platform = env.get("QT_QPA_PLATFORM", "")
            floor_cmd = [sys.executable, "-c", FLOOR]
            print(
                f"fcdesk start-up ({platform}{' ' + env['DISPLAY'] if 'DISPLAY' in env else ''}), "
                f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start"
            )
            # Warm-up (byte code, page cache, the server's seeded data dir): not counted.
            run_once(floor_cmd, env, 120)
            run_once(app_cmd(work / "server"), env, 400)
            floors: list[float] = []
            paints: list[float] = []
            connected: list[float] = []
            loads: list[float] = []
            for _ in range(args.runs):
                loads.append(os.getloadavg()[0])
                floors.append(run_once(floor_cmd, env, 120)[0]["first-paint"])
                marks, _lines = run_once(app_cmd(work / "server"), env, 400)
                paints.append(marks["first-paint"])
                if "connected" in marks:
                    connected.append(marks["connected"])
            print(f"  floor (bare QApplication + QMainWindow): {_stats(floors)}")
            print(f"  fcdesk first window painted:             {_stats(paints)}")
            diffs = [p - f for p, f in zip(paints, floors, strict=True)]
            ratio = statistics.median(paints) / statistics.median(floors)
            print(
                "  fcdesk − floor, run by run:              "
                f"median {statistics.median(diffs):.2f} s; fcdesk ÷ floor {ratio:.2f}"
            )
            if connected:
                print(f"  Local server running and shown:          {_stats(connected)}")
            verdict = "meets" if statistics.median(paints) < TARGET_S else "misses"
            print(
                f"  target first window < {TARGET_S:.0f} s: {verdict} it "
                f"(load average during the runs {min(loads):.1f}–{max(loads):.1f}, "
                f"{os.getloadavg()[0]:.1f} at the end)"
            )
            if not args.no_importtime:
                _marks_, lines = run_once(app_cmd(work / "server", "-X", "importtime"), env, 400)
                print(
                    f"python -X importtime run (first paint {_marks_['first-paint']:.2f} s, "
                    "slower because of the tracing):"
                )
                import_breakdown(lines)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
