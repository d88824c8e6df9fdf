"""Build realistic images for the lazy-pull benches: a Debian root filesystem from packages
(mmdebstrap) plus a small web app implementing the FC custom-container contract, pushed
plain (gzip) and converted to its preserve-order twin (zstd:chunked), as a user would with
``fcaccel import`` and ``fcaccel convert``.

Usage: python bench/lazypull/image.py --registry 127.0.0.1:5000/bench [--rootfs FILE]
                                      [--app web|sci] [--tag NAME]

* ``--rootfs FILE``: the mmdebstrap tarball to use (built there when missing: Debian 12
  minbase with python3, numpy, pandas, matplotlib, scipy, flask … about 1.3 GB, 49,000
  entries; about 6 minutes and the packages from Debian's mirror).
* ``--app web``: the app imports nothing beyond the standard library at start-up;
  ``--app sci``: it imports numpy, pandas and matplotlib (pyplot) first, as a data service
  would. Two layers: the root filesystem, then ``/app``.

Prints the plain and accelerated references.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.convert import ConvertOptions, convert_image  # noqa: E402
from core.registry import ImportOptions, RegistryClient, import_rootfs  # noqa: E402

PACKAGES = [
    "python3",
    "python3-numpy",
    "python3-pandas",
    "python3-matplotlib",
    "python3-scipy",
    "python3-flask",
    "python3-requests",
    "python3-yaml",
    "ca-certificates",
    "curl",
]
APPS = {
    "web": {"imports": ["json", "http.server", "email.parser", "urllib.parse"]},
    "sci": {"imports": ["numpy", "pandas", "matplotlib", "matplotlib.pyplot"]},
}


def build_rootfs(path: Path) -> None:
    """Debian 12 minbase with :data:`PACKAGES`, as a tarball (mmdebstrap, as root)."""
    subprocess.run(
        [
            "mmdebstrap",
            "--variant=minbase",
            "--mode=root",
            "--format=tar",
            f"--include={','.join(PACKAGES)}",
            "bookworm",
            str(path),
        ],
        check=True,
    )


def with_app(rootfs: Path, app: str, out: Path) -> None:
    """``rootfs`` plus ``/app`` (the demo function's server and its ``app.json``)."""
    shutil.copyfile(rootfs, out)
    server = (ROOT / "resources" / "demo" / "app" / "server.py").read_bytes()
    config = json.dumps({**APPS[app], "data": []}).encode()
    # Append to the archive: its end-of-archive blocks are overwritten by "a" mode.
    with tarfile.open(out, "a", format=tarfile.PAX_FORMAT) as tar:
        d = tarfile.TarInfo("app")
        d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, 1_700_000_000
        tar.addfile(d)
        for name, data in (("app/server.py", server), ("app/app.json", config)):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 1_700_000_000
            tar.addfile(info, io.BytesIO(data))


async def main(args: argparse.Namespace) -> int:
    rootfs = Path(args.rootfs)
    if not await asyncio.to_thread(rootfs.exists):
        print(f"building {rootfs} with mmdebstrap …", file=sys.stderr)
        await asyncio.to_thread(build_rootfs, rootfs)
    target = args.registry.rstrip("/")
    plain = f"{target}/{args.tag or 'debian-' + args.app}:latest"
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        source = Path(tmp) / "rootfs.tar"
        with_app(rootfs, args.app, source)
        async with RegistryClient(plain.split("/", 1)[0]) as client:
            options = ImportOptions(
                split_paths=("app",),
                cmd=["python3", "/app/server.py"],
            )
            await import_rootfs(str(source), plain, options=options, client=client)
            result = await convert_image(client, plain, options=ConvertOptions(allow_devices=True))
    print(json.dumps({"plain": plain, "accelerated": str(result.target)}))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", required=True, metavar="HOST/NS")
    default_rootfs = os.path.join(tempfile.gettempdir(), "debian-rootfs.tar")
    parser.add_argument("--rootfs", default=default_rootfs)
    parser.add_argument("--app", choices=sorted(APPS), default="web")
    parser.add_argument("--tag", help="repository name (default debian-<app>)")
    parser.add_argument("--workdir", help="scratch space (about 2 GiB)")
    sys.exit(asyncio.run(main(parser.parse_args())))
