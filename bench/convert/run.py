"""Benchmark: convert a >= 1 GiB gzip layer to zstd:chunked, against `gzip -dc | zstd -3 -T2`.

Usage: python bench/convert/run.py [--cache DIR] [--size-gib 1.0] [--repeat 4] [--format …]

The input layer is built once and cached: regular files copied from the machine's /usr (text,
binaries, libraries) plus incompressible random files, written as a tar and compressed with
pigz -6 until the *compressed* layer reaches the requested size. Both contenders read the same
file from a warm page cache; each runs in a child process whose wall time and peak RSS
(``ru_maxrss`` from ``os.wait4``) are measured. Targets: time ratio <= 1.25, RSS <= 256 MiB.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INCOMPRESSIBLE_SHARE = 0.3

CHILD = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from core.oci import Compression
from core.convert import ConvertOptions, convert_layer_sync
from core.formats import FormatKind
src, dst, fmt, chunk = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
opts = ConvertOptions(format=FormatKind(fmt), chunk_size=chunk)
with open(src, "rb", buffering=0) as f, open(dst, "wb") as out:
    res = convert_layer_sync(f.read, Compression.GZIP, out, opts, layer="bench")
print(res.size, res.written.entries, res.written.chunks, res.diff_id)
"""


def build_layer(path: Path, size: int) -> None:
    """A realistic layer: /usr files plus ~35% incompressible data, gzip'ed to ``size``."""
    rnd = random.Random(1)
    files: list[Path] = []
    for base in ("/usr/bin", "/usr/lib", "/usr/share", "/usr/libexec", "/usr/sbin"):
        for dirpath, _dirs, names in os.walk(base):
            for n in names:
                p = Path(dirpath) / n
                if p.is_file() and not p.is_symlink():
                    files.append(p)
    files.sort()
    tmp = path.with_suffix(".partial")
    with open(tmp, "wb") as sink:
        pigz = subprocess.Popen(["pigz", "-6", "-c"], stdin=subprocess.PIPE, stdout=sink)
        assert pigz.stdin is not None
        done = False
        round_no = 0
        plain = random_bytes = 0
        with tarfile.open(fileobj=pigz.stdin, mode="w|", format=tarfile.PAX_FORMAT) as tf:
            while not done:
                for i, p in enumerate(files):
                    try:
                        ti = tf.gettarinfo(str(p), arcname=f"r{round_no}{p}")
                        with open(p, "rb") as fh:
                            tf.addfile(ti, fh)
                    except OSError:
                        continue
                    plain += ti.size
                    # about a third of the bytes are incompressible (media, archives, models)
                    if random_bytes < INCOMPRESSIBLE_SHARE * (plain + random_bytes):
                        blob = rnd.randbytes(rnd.randint(64 << 10, 8 << 20))
                        random_bytes += len(blob)
                        ti = tarfile.TarInfo(f"r{round_no}/data/{i}.bin")
                        ti.size = len(blob)
                        ti.mtime = 1_700_000_000
                        tf.addfile(ti, io.BytesIO(blob))
                    if i % 200 == 0 and tmp.stat().st_size >= size:
                        done = True
                        break
                round_no += 1
        pigz.stdin.close()
        if pigz.wait() != 0:
            raise SystemExit("pigz failed")
    tmp.rename(path)


def measure(cmd: list[str], **kw: object) -> tuple[float, int, str, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, **kw)  # type: ignore[call-overload]
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"{cmd[0]} failed with status {status}")
    return elapsed, usage.ru_maxrss * 1024, out, usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "fcdesk-bench-convert"))
    ap.add_argument("--size-gib", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=4)
    ap.add_argument("--format", default="zstd:chunked", choices=["zstd:chunked", "estargz"])
    ap.add_argument("--chunk-size", type=int, default=4 << 20)
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    size = int(args.size_gib * (1 << 30))
    layer = cache / f"layer-v2-{args.size_gib:g}g.tar.gz"
    if not layer.exists():
        print(f"building {layer} (once) …", flush=True)
        build_layer(layer, size)
    in_size = layer.stat().st_size
    print(f"input: {layer} {in_size / (1 << 30):.2f} GiB gzip", flush=True)
    subprocess.run(["cat", str(layer)], stdout=subprocess.DEVNULL, check=True)  # warm cache
    ref_out = cache / "reference.zst"
    our_out = cache / "converted.blob"
    ref_times, our_times, ref_cpu, our_cpu, ref_rss, our_rss = [], [], [], [], 0, 0
    control: list[float] = []
    info = ""
    for _ in range(args.repeat):
        # control: the reference's first stage alone (a busy process that never sleeps)
        t, _, _, _ = measure(["sh", "-c", f"gzip -dc '{layer}' > /dev/null"])
        control.append(t)
        t, rss, _, cpu = measure(
            ["sh", "-c", f"gzip -dc '{layer}' | zstd -q -3 -T2 -f -o '{ref_out}'"]
        )
        ref_times.append(t)
        ref_cpu.append(cpu)
        ref_rss = max(ref_rss, rss)
        t, rss, info, cpu = measure(
            [
                sys.executable,
                "-c",
                CHILD,
                str(ROOT),
                str(layer),
                str(our_out),
                args.format,
                str(args.chunk_size),
            ]
        )
        our_times.append(t)
        our_cpu.append(cpu)
        our_rss = max(our_rss, rss)
    ref_t, our_t = min(ref_times), min(our_times)
    ref_size, our_size = ref_out.stat().st_size, our_out.stat().st_size
    _blob_size, entries, chunks, _ = info.split()
    print(
        f"reference  gzip -dc | zstd -3 -T2 : {ref_t:7.2f} s (cpu {min(ref_cpu):.2f} s)  "
        f"peak RSS {ref_rss >> 20} MiB  output {ref_size / (1 << 20):.0f} MiB"
    )
    print(
        f"fcdesk     convert ({args.format})  : {our_t:7.2f} s (cpu {min(our_cpu):.2f} s)  "
        f"peak RSS {our_rss >> 20} MiB  output {our_size / (1 << 20):.0f} MiB  "
        f"({entries} entries, {chunks} chunks)"
    )
    ratio = our_t / ref_t
    print(
        f"time ratio {ratio:.3f} (target <= 1.25)   peak RSS {our_rss / (1 << 20):.0f} MiB "
        f"(target <= 256)   output size ratio {our_size / ref_size:.3f}   "
        f"cpu ratio {min(our_cpu) / min(ref_cpu):.3f}"
    )
    print(
        f"control    gzip -dc > /dev/null    : {min(control):7.2f} s  (when this exceeds the "
        "reference, the machine's scheduler is favouring the pipe: see README)"
    )
    print(
        f"all runs (s): reference {[round(t, 2) for t in ref_times]} "
        f"fcdesk {[round(t, 2) for t in our_times]}   load average {os.getloadavg()[0]:.1f}"
    )
    ref_out.unlink(missing_ok=True)
    our_out.unlink(missing_ok=True)
    return 0 if ratio <= 1.25 and our_rss <= 256 << 20 else 1


if __name__ == "__main__":
    sys.exit(main())
