"""Build the realistic benchmark images from Debian packages and push them.

Usage: python bench/coldstart/images/build.py --registry HOST/NS [--image node-api]
                                              [--workdir DIR] [--mirror URI] [--creds U:P]

Each image is two layers, the way an application image usually is: a Debian 12 root
filesystem made by ``mmdebstrap`` (``minbase`` plus the image's packages; device nodes left
out, as a container runtime provides ``/dev``) and the application under ``/app``. They are
imported with ``fcaccel import BASE.tar APP.tar`` (one source per layer) and pushed as
``HOST/NS/<image>:latest``. Nobody tuned them for lazy pulling: each starts its own way,
reading what its runtime and libraries need.

* ``node-api``: an Express order-pricing API on Debian's ``nodejs`` and ``node-*`` packages
  (Express, lodash, moment, Ajv, winston, axios …), with npm and TypeScript installed beside it
  as a build image often has them.
* ``ml-inference``: a digit-recognition service on Debian's ``python3`` with NumPy, pandas,
  SciPy and scikit-learn (imported and a model fitted at start-up), plus Matplotlib and
  PyTorch installed but not used at start-up.

The root filesystem tarballs are kept in ``--workdir`` (named after a hash of the suite,
package list and mirror) and reused by later runs. ``SOURCE_DATE_EPOCH`` (default below)
makes mmdebstrap's output reproducible for the same mirror contents; give ``--mirror`` a
snapshot archive's URI to pin the packages themselves.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SUITE = "bookworm"
#: 2025-05-20 00:00 UTC: file times of the root filesystem are clamped to it.
EPOCH = 1747699200


@dataclass(frozen=True)
class ImageSpec:
    name: str
    packages: tuple[str, ...]
    app_files: tuple[str, ...]
    entrypoint: tuple[str, ...]
    env: tuple[str, ...]

    def base_key(self, mirror: str | None) -> str:
        text = json.dumps([SUITE, sorted(self.packages), mirror or "", EPOCH])
        return hashlib.sha256(text.encode()).hexdigest()[:12]


IMAGES = {
    "node-api": ImageSpec(
        name="node-api",
        packages=(
            "nodejs",
            "node-express",
            "node-body-parser",
            "node-lodash",
            "node-moment",
            "node-js-yaml",
            "node-ajv",
            "node-winston",
            "node-axios",
            "node-semver",
            "node-uuid",
            "npm",
            "node-typescript",
            "ca-certificates",
        ),
        app_files=("server.js", "config.yaml"),
        entrypoint=("/usr/bin/node", "/app/server.js"),
        env=("NODE_ENV=production",),
    ),
    "ml-inference": ImageSpec(
        name="ml-inference",
        packages=(
            "python3",
            "python3-numpy",
            "python3-pandas",
            "python3-scipy",
            "python3-sklearn",
            "python3-matplotlib",
            "python3-torch",
            "ca-certificates",
        ),
        app_files=("server.py",),
        entrypoint=("/usr/bin/python3", "/app/server.py"),
        env=("PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1"),
    ),
}


def base_tarball(spec: ImageSpec, work: Path, mirror: str | None) -> Path:
    """The image's Debian root filesystem as a tarball (built once, then reused)."""
    out = work / f"{spec.name}-base-{spec.base_key(mirror)}.tar"
    if out.exists():
        print(f"{spec.name}: reusing {out.name}", file=sys.stderr)
        return out
    if shutil.which("mmdebstrap") is None or shutil.which("mmtarfilter") is None:
        raise SystemExit("mmdebstrap is needed (Debian package mmdebstrap)")
    partial = out.with_suffix(".partial")
    cmd = [
        "mmdebstrap",
        "--variant=minbase",
        "--include=" + ",".join(spec.packages),
        "--aptopt=APT::Install-Recommends false",
        "--dpkgopt=path-exclude=/usr/share/man/*",
        "--dpkgopt=path-exclude=/usr/share/locale/*",
        '--customize-hook=rm -f "$1"/etc/resolv.conf "$1"/etc/hostname',
        SUITE,
        "-",
    ]
    if mirror:
        cmd.append(mirror)
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)}
    print(f"{spec.name}: mmdebstrap {SUITE} with {len(spec.packages)} packages …", file=sys.stderr)
    started = time.monotonic()
    with open(partial, "wb") as sink:
        debootstrap = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env)
        assert debootstrap.stdout is not None
        # Device nodes are not part of an application image: the runtime provides /dev.
        strip = subprocess.run(
            ["mmtarfilter", "--path-exclude=/dev/*"], stdin=debootstrap.stdout, stdout=sink
        )
        debootstrap.stdout.close()
        if debootstrap.wait() != 0 or strip.returncode != 0:
            partial.unlink(missing_ok=True)
            raise SystemExit(f"{spec.name}: mmdebstrap failed")
    partial.rename(out)
    print(
        f"{spec.name}: {out.stat().st_size / 2**20:.0f} MiB in {time.monotonic() - started:.0f}s",
        file=sys.stderr,
    )
    return out


def app_tarball(spec: ImageSpec, work: Path) -> Path:
    """The application layer: ``/app`` and its files (fixed owner, modes and times)."""
    out = work / f"{spec.name}-app.tar"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("app")
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, EPOCH
        tar.addfile(info)
        for name in spec.app_files:
            data = (HERE / spec.name / name).read_bytes()
            info = tarfile.TarInfo(f"app/{name}")
            info.size, info.mode, info.mtime = len(data), 0o644, EPOCH
            tar.addfile(info, io.BytesIO(data))
    out.write_bytes(buffer.getvalue())
    return out


def push(spec: ImageSpec, base: Path, app: Path, target: str, creds: str | None) -> None:
    cmd = [
        sys.executable,
        "-m",
        "core.cli",
        "import",
        str(base),
        str(app),
        f"docker://{target}",
        "--entrypoint",
        json.dumps(list(spec.entrypoint)),
        "--env",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "--workdir",
        "/app",
        "--expose",
        "9000",
        "--label",
        f"io.github.fcdesk.bench={spec.name}",
    ]
    for item in spec.env:
        cmd += ["--env", item]
    if creds:
        cmd += ["--creds", creds]
    print(f"{spec.name}: fcaccel import → {target}", file=sys.stderr)
    subprocess.run(cmd, check=True, cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", required=True, metavar="HOST/NS")
    parser.add_argument("--image", action="append", choices=sorted(IMAGES))
    parser.add_argument("--tag", default="latest")
    parser.add_argument("--workdir", default=str(ROOT / ".bench-images"), metavar="DIR")
    parser.add_argument("--mirror", default=None, metavar="URI", help="Debian mirror")
    parser.add_argument("--creds", default=None, metavar="USER:PASSWORD")
    parser.add_argument("--no-push", action="store_true", help="only build the tarballs")
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    for name in args.image or sorted(IMAGES):
        spec = IMAGES[name]
        base = base_tarball(spec, work, args.mirror)
        app = app_tarball(spec, work)
        if not args.no_push:
            target = f"{args.registry.rstrip('/')}/{name}:{args.tag}"
            push(spec, base, app, target, args.creds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
