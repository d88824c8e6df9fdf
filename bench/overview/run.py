"""Benchmark: the acceleration overview of N functions on a Local server, as `fcaccel report`
and as the console's Overview page.

    .venv/bin/python bench/overview/run.py [--functions 5000] [--repeat 3] [--json OUT]

Everything runs on loopback, in one run:

1. starts `fcaccel serve` (its own process, no demo seed) and Debian's `docker-registry`
   (with Basic auth: the registry the report cannot read);
2. builds the report test scenario on it (real pushes, acceleration rules, real conversions,
   one failed conversion, a stale twin, …: every problem the report knows), then creates
   functions through the FC API until there are ``--functions`` of them, their images taken
   in turn from the scenario's eight;
3. **report**: runs `fcaccel report --json FILE` (a fresh process: start-up included) and
   records its wall time and the CPU its process used;
4. **Overview page**: in a fresh process (offscreen Qt) builds the real `OverviewView` and
   `OverviewViewModel`, refreshes it, and records the time until the rows are shown, how late
   a 5 ms heartbeat on the GUI thread ran meanwhile (the page must stay fluid while it
   fills), and the time to sort by every column and to filter by text and by problem.

The two measurements alternate, ``--repeat`` times. Targets: report and page filled in
<= 3 s, each sort and filter <= 50 ms. The load average is printed with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from core.cloud import Function, open_clients  # noqa: E402
from core.settings import LocalProfile  # noqa: E402
from tests.core.report.scenario import build_scenario  # noqa: E402
from tests.fixtures.emulator import start_local_server  # noqa: E402
from tests.fixtures.registry import start_registry  # noqa: E402

FILL_TARGET = 3.0
SORT_TARGET = 0.050


async def seed(url: str, creds: Any, private_host: str, total: int) -> int:
    """The scenario's eight functions, then more on the same images up to ``total``."""
    async with httpx.AsyncClient(timeout=120) as http:
        clients = open_clients(
            LocalProfile(url=url, access_key_id=creds.access_key_id), http, creds
        )
        if not [fn async for fn in clients.fc.list_functions()]:
            await build_scenario(url, creds, private_host)
        images = [fn.image or "" async for fn in clients.fc.list_functions()]
        existing = len(images)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(existing, total):
            queue.put_nowait(i)

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                name = f"svc-{i:05d}"
                await clients.fc.create_function(Function.for_container(name, images[i % existing]))

        await asyncio.gather(*(worker() for _ in range(16)))
        return len([fn async for fn in clients.fc.list_functions()])


def run_child(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``cmd``: wall time, the CPU its process used (``os.wait4``), its output."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as errfile:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errfile, env=env)
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        _, status, usage = os.wait4(proc.pid, 0)
        errfile.seek(0)
        err = errfile.read().decode(errors="replace")
    elapsed = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):  # 3: the report found problems (it should)
        raise SystemExit(f"{' '.join(cmd[2:5])} failed ({code}): {err[-3000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--functions", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    figures: dict[str, Any] = {"functions": args.functions, "rounds": []}
    with tempfile.TemporaryDirectory(prefix="fcdesk-bench-overview-") as tmp:
        tmp_path = Path(tmp)
        srv = start_local_server(tmp_path / "local")
        try:
            with start_registry(tmp_path / "private", credentials=("u", "p")) as private:
                t0 = time.perf_counter()
                count = asyncio.run(seed(srv.url, srv.credentials, private.host, args.functions))
                print(f"seeded {count} functions in {time.perf_counter() - t0:.1f} s", flush=True)
                config = tmp_path / "config"
                env = dict(
                    os.environ,
                    FCDESK_CONFIG_DIR=str(config),
                    FCDESK_LOCAL_ACCESS_KEY_SECRET=srv.access_key_secret,
                    QT_QPA_PLATFORM="offscreen",
                )
                subprocess.run(
                    [
                        sys.executable,
                        str(ROOT / "bench/overview/child.py"),
                        "setup",
                        str(srv.data_dir),
                    ],
                    env=env,
                    check=True,
                )
                report_json = tmp_path / "report.json"
                for rnd in range(args.repeat):
                    load = os.getloadavg()[0]
                    t, cpu, _ = run_child(
                        [sys.executable, "-m", "core.cli", "report", "--json", str(report_json)],
                        env,
                    )
                    rows = len(json.loads(report_json.read_text())["rows"])
                    if rows != count:
                        raise SystemExit(f"the report has {rows} rows, expected {count}")
                    _, _, out = run_child(
                        [sys.executable, str(ROOT / "bench/overview/child.py"), "page", str(count)],
                        env,
                    )
                    page = json.loads(out.strip().splitlines()[-1])
                    entry = {"load": load, "report_s": t, "report_cpu_s": cpu, **page}
                    figures["rounds"].append(entry)
                    print(
                        f"round {rnd + 1}: load {load:.1f}  report {t:.2f} s (cpu {cpu:.2f} s)  "
                        f"page filled {page['fill_s']:.2f} s (heartbeat late p99 "
                        f"{page['late_p99_ms']:.0f} ms, max {page['late_max_ms']:.0f} ms)  "
                        f"sort max {page['sort_max_ms']:.1f} ms  filter max "
                        f"{page['filter_max_ms']:.1f} ms",
                        flush=True,
                    )
        finally:
            srv.stop()
    rounds = figures["rounds"]

    def med(key: str) -> float:
        return float(statistics.median(r[key] for r in rounds))

    summary = {
        "report_s": med("report_s"),
        "report_cpu_s": med("report_cpu_s"),
        "fill_s": med("fill_s"),
        "sort_max_ms": med("sort_max_ms"),
        "filter_max_ms": med("filter_max_ms"),
        "late_p99_ms": med("late_p99_ms"),
    }
    figures["median"] = summary
    print(
        f"median of {len(rounds)}: report {summary['report_s']:.2f} s (cpu "
        f"{summary['report_cpu_s']:.2f} s; target <= {FILL_TARGET} s)   Overview filled "
        f"{summary['fill_s']:.2f} s (target <= {FILL_TARGET} s)   sort {summary['sort_max_ms']:.1f}"
        f" ms, filter {summary['filter_max_ms']:.1f} ms (target <= {SORT_TARGET * 1000:.0f} ms)"
        f"   load average {min(r['load'] for r in rounds):.1f}-"
        f"{max(r['load'] for r in rounds):.1f}"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    ok = (
        summary["report_s"] <= FILL_TARGET
        and summary["fill_s"] <= FILL_TARGET
        and summary["sort_max_ms"] <= SORT_TARGET * 1000
        and summary["filter_max_ms"] <= SORT_TARGET * 1000
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
