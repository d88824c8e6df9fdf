"""Push and pull throughput of a 1 GiB image over loopback: fcdesk against skopeo.

Starts Debian's docker-registry on a free loopback port, builds (once, cached in the work
directory) an OCI layout with a ~1 GiB gzip image — incompressible and compressible layers —
then, in the same run and against the same registry:

* push: ``fcaccel copy oci:SRC docker://REG/fc-N`` and ``skopeo copy oci:SRC docker://REG/sk-N``
* pull: ``fcaccel copy docker://REG/fc-N oci:DST`` and ``skopeo copy docker://REG/sk-N oci:DST``

Each tool runs as its own process (start-up included), into a repository it has not used
before, alternating which tool goes first. Prints MB/s (1 MB = 10^6 bytes of blob data) and
the fcdesk/skopeo ratio (> 1 means fcdesk is faster).

    .venv/bin/python bench/registry/run.py [--size-mib 1024] [--repeat 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from isal import isal_zlib  # noqa: E402

from core.oci import (  # noqa: E402
    OCI_LAYER_GZIP,
    Descriptor,
    Digest,
    History,
    ImageConfig,
    Manifest,
    OCILayout,
)
from tests.fixtures.registry import start_registry  # noqa: E402

MiB = 1024 * 1024


def _layer(path: Path, size: int, seed: int, compressible: bool) -> tuple[Digest, Digest, int]:
    """Write a tar+gzip layer of about ``size`` uncompressed bytes; returns digests."""
    rng = random.Random(seed)
    tar_buf = io.BytesIO()
    files = max(1, size // (16 * MiB))
    with tarfile.open(fileobj=tar_buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for i in range(files):
            if compressible:
                words = [
                    rng.choice(("alpha", "beta", "gamma", "delta", "λ", "\n")) for _ in range(4096)
                ]
                chunk = " ".join(words).encode()
                data = (chunk * (size // files // len(chunk) + 1))[: size // files]
            else:
                data = rng.randbytes(size // files)
            info = tarfile.TarInfo(f"layer{seed}/file{i:03d}.bin")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    raw = tar_buf.getvalue()
    comp = isal_zlib.compressobj(1, isal_zlib.DEFLATED, 31)
    blob = comp.compress(raw) + comp.flush()
    path.write_bytes(blob)
    return Digest.of_bytes(blob), Digest.of_bytes(raw), len(blob)


def build_source(workdir: Path, size_mib: int) -> tuple[Path, int]:
    """An OCI layout holding ~size_mib MiB of blobs (cached between runs)."""
    layout_dir = workdir / f"src-{size_mib}"
    marker = layout_dir / "bench-size"
    if marker.exists():
        return layout_dir, int(marker.read_text())
    shutil.rmtree(layout_dir, ignore_errors=True)
    layout = OCILayout.create(layout_dir)
    # 7/8 incompressible in 6 layers, 1/8 compressible text in 2 layers (it shrinks a lot)
    plan = [(size_mib * MiB * 7 // 8 // 6, False)] * 6 + [(size_mib * MiB // 8 // 2, True)] * 2
    descs, diffs = [], []
    for i, (size, compressible) in enumerate(plan):
        tmp = layout_dir / f".layer{i}"
        digest, diff, blob_size = _layer(tmp, size, i, compressible)
        layout.import_blob_file(tmp, digest)
        tmp.unlink()
        descs.append(Descriptor(OCI_LAYER_GZIP, digest, blob_size))
        diffs.append(diff)
    config = ImageConfig.build(
        diff_ids=diffs,
        created="1970-01-01T00:00:00Z",
        history=[History(created="1970-01-01T00:00:00Z", created_by="bench")] * len(diffs),
    )
    layout.write_blob(config.raw, config.digest)
    manifest = Manifest.build(config.descriptor(), descs)
    layout.put_manifest(manifest, "bench")
    total = sum(d.size for d in descs) + config.size
    marker.write_text(str(total))
    return layout_dir, total


CPU: dict[str, list[float]] = {}


def timed(cmd: list[str], env: dict[str, str] | None = None, key: str = "") -> float:
    """Wall time of ``cmd``; its CPU time (user + system) is recorded under ``key``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(key, []).append(cpu)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} … failed:\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=6, help="fcaccel copy --jobs")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.gettempdir()) / "fcdesk-bench-registry"
    workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    src, total = build_source(workdir, args.size_mib)
    print(
        f"source: {src} ({total / 1e6:.0f} MB of blobs, ready in {time.perf_counter() - t0:.1f}s)"
    )
    skopeo = shutil.which("skopeo") or "/usr/bin/skopeo"
    fcaccel = [
        sys.executable,
        str(Path(__file__).with_name("fc_copy.py")),
        "--jobs",
        str(args.jobs),
    ]
    sk = [skopeo, "--insecure-policy", "copy", "--quiet", "--preserve-digests"]

    results: dict[str, list[float]] = {k: [] for k in ("fc-push", "sk-push", "fc-pull", "sk-pull")}
    # skopeo remembers where it saw blobs (a blob-info cache under $HOME) and would mount
    # them instead of pushing: give it an empty HOME, and every round a fresh registry.
    sk_env = {**os.environ, "HOME": str(workdir / "skopeo-home")}
    for n in range(args.repeat):
        reg_root = workdir / f"registry-{n}"
        shutil.rmtree(reg_root, ignore_errors=True)
        shutil.rmtree(workdir / "skopeo-home", ignore_errors=True)
        order = ["fc", "sk"] if n % 2 == 0 else ["sk", "fc"]
        with start_registry(reg_root) as reg:
            for tool in order:
                ref = f"docker://{reg.host}/bench/{tool}:v1"
                if tool == "fc":
                    results["fc-push"].append(
                        timed([*fcaccel, f"oci:{src}:bench", ref], key="fc-push")
                    )
                else:
                    results["sk-push"].append(
                        timed(
                            [*sk, "--dest-tls-verify=false", f"oci:{src}:bench", ref],
                            sk_env,
                            key="sk-push",
                        )
                    )
            for tool in order:
                ref = f"docker://{reg.host}/bench/{tool}:v1"
                out = workdir / f"out-{tool}"
                shutil.rmtree(out, ignore_errors=True)
                if tool == "fc":
                    results["fc-pull"].append(
                        timed([*fcaccel, ref, f"oci:{out}:v1"], key="fc-pull")
                    )
                else:
                    results["sk-pull"].append(
                        timed(
                            [*sk, "--src-tls-verify=false", ref, f"oci:{out}:v1"],
                            sk_env,
                            key="sk-pull",
                        )
                    )
                shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(reg_root, ignore_errors=True)
        print(f"round {n + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in results.items()))

    def mbps(key: str) -> float:
        return total / 1e6 / statistics.median(results[key])

    def cpu(key: str) -> float:
        return statistics.median(CPU[key])

    summary = {}
    print(
        f"\n{'':6}{'fcdesk MB/s':>13}{'skopeo MB/s':>13}{'ratio':>7}"
        f"{'fcdesk CPU s':>14}{'skopeo CPU s':>14}   (medians of {args.repeat})"
    )
    for op in ("push", "pull"):
        fc, skp = mbps(f"fc-{op}"), mbps(f"sk-{op}")
        fcc, skc = cpu(f"fc-{op}"), cpu(f"sk-{op}")
        summary[op] = {
            "fcdesk_MBps": round(fc, 1),
            "skopeo_MBps": round(skp, 1),
            "ratio": round(fc / skp, 2),
            "fcdesk_cpu_s": round(fcc, 2),
            "skopeo_cpu_s": round(skc, 2),
        }
        print(f"{op:6}{fc:13.1f}{skp:13.1f}{fc / skp:7.2f}{fcc:14.2f}{skc:14.2f}")
    load = os.getloadavg()[0]
    print(json.dumps({"bytes": total, "cpus": os.cpu_count(), "load1": round(load, 1), **summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
