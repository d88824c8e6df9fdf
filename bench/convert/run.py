"""Benchmark: convert a gzip layer to zstd:chunked, against `gzip -dc | zstd -3 -T2`.

Usage: python bench/convert/run.py [--real-files | --input LAYER] [--cache DIR] [--size-gib N]
       [--repeat 3] [--format …]

Inputs (built once and cached):

* default (``synthetic``): regular files copied from the machine's /usr plus about 30 %
  incompressible random files, compressed with pigz -6 until the *compressed* layer reaches
  ``--size-gib``;
* ``--real-files``: real files only, no synthetic data: a tar of this machine's system
  directories (shared libraries, the Python standard library, docs, locales, fonts, man
  pages, headers, compilers' libraries), whole directories in a fixed order until the tar
  reaches ``--size-gib`` *uncompressed*, written the way image builders write layers (PAX
  only where needed, whole-second times), pigz -6;
* ``--input LAYER``: any gzip layer.

Both contenders read the same file from a warm page cache, alternately, each in a child
process whose wall time, CPU time and peak RSS (``ru_maxrss`` from ``os.wait4``) are measured.
Targets: time ratio <= 0.8, peak RSS <= 256 MiB, output <= 1.05x the reference's.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INCOMPRESSIBLE_SHARE = 0.3
TIME_TARGET = 0.8
SIZE_TARGET = 1.05
RSS_TARGET = 256 << 20
#: real-files mode: what a runtime image's big layer holds, in this order
REAL_DIRS = (
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib/python3.11",
    "/usr/lib/python3",
    "/usr/share/doc",
    "/usr/share/locale",
    "/usr/share/fonts",
    "/usr/share/man",
    "/usr/share/i18n",
    "/usr/share/perl",
    "/usr/share/vim",
    "/usr/share/icons",
    "/usr/lib/gcc",
    "/usr/include",
    "/usr/share/zoneinfo",
    "/usr/bin",
    "/usr/sbin",
    "/usr/libexec",
    "/usr/share",
    "/usr/lib",
)

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


def build_real_layer(path: Path, size: int) -> None:
    """Real files only: whole system directories (see ``REAL_DIRS``) until ``size`` bytes of
    tar, each entry as an image builder writes it (whole-second mtime, PAX only if needed)."""
    tmp = path.with_suffix(".partial")
    seen: set[str] = set()
    with open(tmp, "wb") as sink:
        pigz = subprocess.Popen(["pigz", "-6", "-c"], stdin=subprocess.PIPE, stdout=sink)
        assert pigz.stdin is not None
        written = 0
        with tarfile.open(fileobj=pigz.stdin, mode="w|", format=tarfile.PAX_FORMAT) as tf:
            for top in REAL_DIRS:
                if written >= size or not os.path.isdir(top):
                    continue
                for dirpath, dirs, names in os.walk(top):
                    dirs.sort()
                    for p in [dirpath] + [os.path.join(dirpath, n) for n in sorted(names)]:
                        if p in seen:
                            continue
                        seen.add(p)
                        try:
                            ti = tf.gettarinfo(p, arcname=p.lstrip("/"))
                            ti.mtime = int(ti.mtime)
                            if ti.isreg():
                                with open(p, "rb") as fh:
                                    tf.addfile(ti, fh)
                            elif ti.isdir() or ti.issym() or ti.islnk():
                                tf.addfile(ti)
                            else:
                                continue
                        except OSError:
                            continue
                        written += 512 + ti.size + (-ti.size % 512)
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
    kind = ap.add_mutually_exclusive_group()
    kind.add_argument(
        "--real-files", action="store_true", help="a layer of this machine's real files only"
    )
    kind.add_argument("--input", metavar="LAYER", help="convert this gzip layer")
    ap.add_argument(
        "--size-gib",
        type=float,
        default=None,
        help="layer size: compressed (synthetic, default 1), uncompressed (--real-files, 1.5)",
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--control", action="store_true", help="also time `gzip -dc > /dev/null` each round"
    )
    ap.add_argument("--format", default="zstd:chunked", choices=["zstd:chunked", "estargz"])
    ap.add_argument("--chunk-size", type=int, default=4 << 20)
    ap.add_argument(
        "--root",
        default=str(ROOT),
        help="convert with the fcdesk sources in this directory (another checkout, for "
        "before/after figures)",
    )
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    if args.input:
        layer = Path(args.input)
        kind_name = "input"
    elif args.real_files:
        gib = args.size_gib or 1.5
        layer = cache / f"layer-real-{gib:g}g.tar.gz"
        kind_name = "real files"
        if not layer.exists():
            print(f"building {layer} (once) …", flush=True)
            build_real_layer(layer, int(gib * (1 << 30)))
    else:
        gib = args.size_gib or 1.0
        layer = cache / f"layer-v2-{gib:g}g.tar.gz"
        kind_name = "synthetic (30 % random)"
        if not layer.exists():
            print(f"building {layer} (once) …", flush=True)
            build_layer(layer, int(gib * (1 << 30)))
    in_size = layer.stat().st_size
    print(f"input ({kind_name}): {layer} {in_size / (1 << 30):.2f} GiB gzip", flush=True)
    subprocess.run(["cat", str(layer)], stdout=subprocess.DEVNULL, check=True)  # warm cache
    ref_out = cache / "reference.zst"
    our_out = cache / "converted.blob"
    ref_times: list[float] = []
    our_times: list[float] = []
    ref_cpu: list[float] = []
    our_cpu: list[float] = []
    ref_rss = our_rss = 0
    control: list[float] = []
    loads: list[float] = []
    info = ""
    ours_cmd = [
        sys.executable,
        "-c",
        CHILD,
        args.root,
        str(layer),
        str(our_out),
        args.format,
        str(args.chunk_size),
    ]
    ref_cmd = ["sh", "-c", f"gzip -dc '{layer}' | zstd -q -3 -T2 -f -o '{ref_out}'"]
    for rnd in range(args.repeat):
        if args.control:
            # the reference's first stage alone (a busy process that never sleeps)
            t, _, _, _ = measure(["sh", "-c", f"gzip -dc '{layer}' > /dev/null"])
            control.append(t)
        load = os.getloadavg()[0]
        loads.append(load)
        # alternate who goes first, so neither always finds the other's page cache state
        for who in ("ref", "ours") if rnd % 2 == 0 else ("ours", "ref"):
            if who == "ref":
                t, rss, _, cpu = measure(ref_cmd)
                ref_times.append(t)
                ref_cpu.append(cpu)
                ref_rss = max(ref_rss, rss)
            else:
                t, rss, info, cpu = measure(ours_cmd)
                our_times.append(t)
                our_cpu.append(cpu)
                our_rss = max(our_rss, rss)
        print(
            f"round {rnd + 1}: load {load:.1f}  reference {ref_times[-1]:.2f} s  "
            f"fcdesk {our_times[-1]:.2f} s  ratio {our_times[-1] / ref_times[-1]:.3f}",
            flush=True,
        )
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
    pair = statistics.median(o / r for o, r in zip(our_times, ref_times, strict=True))
    size_ratio = our_size / ref_size
    print(
        f"time ratio {ratio:.3f} best/best, {pair:.3f} median of rounds (target <= "
        f"{TIME_TARGET})   peak RSS {our_rss / (1 << 20):.0f} MiB (target <= "
        f"{RSS_TARGET >> 20})   output size ratio {size_ratio:.3f} (target <= {SIZE_TARGET})"
        f"   cpu ratio {min(our_cpu) / min(ref_cpu):.3f}"
    )
    if control:
        print(
            f"control    gzip -dc > /dev/null    : {min(control):7.2f} s  (when this exceeds "
            "the reference, the machine's scheduler is favouring the pipe: see README)"
        )
    print(
        f"all runs (s): reference {[round(t, 2) for t in ref_times]} "
        f"fcdesk {[round(t, 2) for t in our_times]}   load average "
        f"{min(loads):.1f}-{max(loads):.1f} (at each round's start)"
    )
    ref_out.unlink(missing_ok=True)
    our_out.unlink(missing_ok=True)
    ok = ratio <= TIME_TARGET and our_rss <= RSS_TARGET and size_ratio <= SIZE_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
