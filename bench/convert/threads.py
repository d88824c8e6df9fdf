"""Where the converter's threads spend the run: CPU per thread and how busy the process is.

Usage: python bench/convert/threads.py LAYER.tar.gz [--root DIR] [--interval 0.02]

Converts the gzip layer to zstd:chunked in this process (output to a temporary file) while
a sampler reads ``/proc/self/task/*/stat`` every ``--interval`` seconds: each thread's CPU
time, how often it was runnable (state ``R``: running or waiting for a core), how often it
waited (voluntary context switches: for input, for room, for the GIL), how many cores the
whole process kept busy per half second, and the peak RSS. A thread that is seldom
runnable is waiting; a stage that is runnable nearly all the time is the one the others
wait for. Prints the blob's digest, so
that two checkouts (``--root``) can be checked to write the same bytes.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _stat() -> dict[int, tuple[int, str, int]]:
    """Each thread's CPU ticks, state and voluntary context switches (its waits: for
    work, for room, for the GIL)."""
    out: dict[int, tuple[int, str, int]] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                text = f.read()
            with open(f"/proc/self/task/{tid}/status") as f:
                status = f.read()
        except OSError:
            continue  # the thread ended
        fields = text[text.rindex(")") + 2 :].split()
        waits = int(status.split("voluntary_ctxt_switches:", 1)[1].split()[0])
        out[int(tid)] = (int(fields[11]) + int(fields[12]), fields[0], waits)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("layer")
    ap.add_argument("--root", default=str(ROOT), help="convert with this checkout's sources")
    ap.add_argument("--interval", type=float, default=0.02)
    ap.add_argument("--chunk-size", type=int, default=4 << 20)
    args = ap.parse_args()
    sys.path.insert(0, args.root)
    from core.convert import ConvertOptions, convert_layer_sync
    from core.formats import FormatKind
    from core.oci import Compression

    tick = os.sysconf("SC_CLK_TCK")
    samples: list[tuple[float, dict[int, tuple[int, str, int]]]] = []
    names: dict[int, str] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append((time.perf_counter(), _stat()))
            for t in threading.enumerate():  # Python's names of the threads seen so far
                if t.native_id is not None:
                    names.setdefault(t.native_id, t.name)
            time.sleep(args.interval)

    sampler = threading.Thread(target=sample, name="sampler", daemon=True)
    sampler.start()
    opts = ConvertOptions(format=FormatKind.ZSTD_CHUNKED, chunk_size=args.chunk_size)
    t0, c0 = time.perf_counter(), time.process_time()
    with (
        open(args.layer, "rb", buffering=0) as f,
        tempfile.TemporaryFile(dir=os.path.dirname(os.path.abspath(args.layer))) as out,
    ):
        res = convert_layer_sync(f.read, Compression.GZIP, out, opts, layer="bench")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    stop.set()
    sampler.join()
    print(
        f"wall {wall:.2f} s  cpu {cpu:.2f} s  ({cpu / wall:.2f} cores)  load "
        f"{os.getloadavg()[0]:.1f}  peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10} MiB\n"
        f"digest {res.digest}  size {res.size}"
    )
    first = samples[0][1]
    last_ticks: dict[int, int] = {}
    last_waits: dict[int, int] = {}
    runnable: dict[int, list[int]] = {}
    for _, snap in samples:
        for tid, (ticks, state, waits) in snap.items():
            last_ticks[tid] = ticks
            last_waits[tid] = waits
            r = runnable.setdefault(tid, [0, 0])
            r[0] += state == "R"
            r[1] += 1
    for tid, ticks in sorted(last_ticks.items(), key=lambda kv: -kv[1]):
        used = (ticks - first.get(tid, (0, "", 0))[0]) / tick
        waits = last_waits[tid] - first.get(tid, (0, "", 0))[2]
        r = runnable[tid]
        name = names.get(tid, "main" if tid == os.getpid() else str(tid))
        print(
            f"  {name:22s} cpu {used:6.2f} s   runnable in {100 * r[0] / r[1]:5.1f} % of "
            f"samples   {waits:7d} waits"
        )
    windows: list[str] = []
    t_prev, prev = samples[0][0], sum(v[0] for v in samples[0][1].values())
    for t, snap in samples[1:]:
        if t - t_prev >= 0.5:
            cur = sum(v[0] for v in snap.values())
            windows.append(f"{max(0, cur - prev) / tick / (t - t_prev):.1f}")
            t_prev, prev = t, cur
    print("cores busy per half second:", " ".join(windows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
