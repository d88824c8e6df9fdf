"""Benchmark: cold starts of any image, full pull vs its preserve and optimized twins, same run.

Usage: python bench/coldstart/run.py [--image REF ...] [--runs 3] [--link 100mbit,20ms]
                                     [--registry HOST/NS --kind bloated] [--workdir DIR]
                                     [--json FILE] [--creds USER:PASSWORD]

Images:

* ``--image REF`` (repeatable): any plain image, e.g. the realistic ones that
  ``bench/coldstart/images/build.py`` builds from Debian packages. Its twins are made here, as
  a user makes them: ``<tag>_preserve`` (``fcaccel convert``, preserve order, no profile) and
  ``<tag>_accelerated`` (a start-up profile recorded by running the preserve twin once over a
  lazy mount, ``fcaccel profile record``, then converted again in optimized order).
* otherwise the demo image ``--kind`` (default bloated): built into a private docker-registry
  (``build_demo_image``: plain, profile, optimized), or taken from ``--registry HOST/NS``
  where ``fcaccel demo build`` put it; its preserve twin is converted here.

For each image, ``--runs`` times, alternating, every run with an empty cache and fresh
connections over the same shaped link (exec mode): the local start (the plain image unpacked
on the local disk beforehand, started in the same sandbox; the reference, under the same
load), the full pull of the plain image, the preserve twin without any profile (what a user
gets before the second stage; a profile pushed with the image is ignored) and the optimized
twin. Physical bound = bytes the twin's start fetched ÷ bandwidth + 5 RTTs + the local start.
Targets: preserve ≤ 10 % of the full pull, optimized ≤ 1.3 × its bound.

The full pull is the baseline of every ratio, so it must be fair: its unpack runs while the
layers download, at tar speed. The control, measured in each run next to the local start
(same load): ``tar -x`` of the plain image's layer blobs from the local disk, in order, into
an empty directory, and fcdesk's own unpack of the same blobs (``unpack_layer``, digests and
limits checked as in a pull); printed beside the full pull's own unpack phase (what is left
after its last byte arrived).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.coldstart import (  # noqa: E402
    TARGET_VS_BOUND,
    TARGET_VS_FULL,
    ColdStartOptions,
    Comparison,
    LinkSpec,
    LocalStart,
    build_demo_image,
    cold_start,
    exec_available,
    fetch_line,
    optimize_with_profile,
    record_startup_profile,
)
from core.convert import ConvertOptions, Order, convert_image  # noqa: E402
from core.oci import ImageReference  # noqa: E402
from core.pull import (  # noqa: E402
    ContentCache,
    close_mount_helpers,
    resolve_image,
    unpack_layer,
)
from core.registry import RegistryClient  # noqa: E402

TABLE_HEADER = (
    "| image | full pull p50 | preserve p50 | preserve ÷ full | preserve ÷ bound | "
    "optimized p50 | optimized ÷ full | optimized ÷ bound | local start | load |"
)


@contextmanager
def private_registry(root: Path) -> Iterator[str]:
    """docker-registry (CNCF distribution) with filesystem storage under ``root``."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = root / "config.yml"
    config.write_text(
        f"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
        f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n  secret: {secrets.token_hex(8)}\n"
    )
    log = open(root / "registry.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        ["docker-registry", "serve", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v2/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("docker-registry did not start; see " + str(root))
            time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


async def make_twins(
    client: RegistryClient, plain: str, work: Path, *, optimize: bool
) -> tuple[str, str, dict[str, Any]]:
    """``<tag>_preserve`` (converted here) and ``<tag>_accelerated`` (recorded and converted
    in optimized order here when ``optimize``, else the one already there)."""
    ref = ImageReference.parse(plain)
    assert ref.tag is not None
    info: dict[str, Any] = {}
    t = time.monotonic()
    preserve = await convert_image(
        client, ref, ref.with_tag(ref.tag + "_preserve"), ConvertOptions(order=Order.PRESERVE)
    )
    info["convert_preserve_s"] = time.monotonic() - t
    info["plain_bytes"] = preserve.bytes_in
    info["preserve_bytes"] = preserve.bytes_out
    optimized = str(ref.with_tag(ref.tag + "_accelerated"))
    if optimize:
        t = time.monotonic()
        recording = await record_startup_profile(
            client, preserve.target, workdir=work / "record", run_mode="exec"
        )
        await close_mount_helpers()
        info["profile"] = {
            "files": recording.files,
            "bytes": recording.size,
            "seconds": recording.seconds,
            "first_status": recording.first_status,
        }
        done = await optimize_with_profile(client, recording, target=optimized)
        info["record_and_convert_s"] = time.monotonic() - t
        info["optimized_bytes"] = done.bytes_out
    return preserve.target, optimized, info


class UnpackControl:
    """``tar -x`` against fcdesk's unpack of the same layer blobs on the local disk."""

    def __init__(self, blobs: list[Path], diff_ids: list[str], work: Path) -> None:
        self.blobs = blobs
        self.diff_ids = diff_ids
        self.work = work
        self.tar: list[float] = []
        self.fcdesk: list[float] = []

    @classmethod
    async def prepare(cls, client: RegistryClient, plain: str, work: Path) -> UnpackControl:
        resolved = await resolve_image(client, plain)
        cache = ContentCache(work / "cache")
        repo = resolved.reference.repository
        blobs = [
            (await cache.ensure_blob(client, repo, layer))[0] for layer in resolved.manifest.layers
        ]
        return cls(blobs, [str(d) for d in resolved.config.diff_ids], work)

    async def once(self) -> tuple[float, float]:
        """One of each, in turn (which goes first alternates between runs), into empty
        directories on the same disk; both are removed afterwards, outside the timings."""
        sides = [self._tar, self._fcdesk]
        if len(self.tar) % 2:
            sides.reverse()
        try:
            for side in sides:
                await side()
        finally:
            for name in ("tar", "fcdesk"):
                await asyncio.to_thread(shutil.rmtree, self.work / name, True)
            await asyncio.to_thread(os.sync)  # the removal's writeback is nobody's timing
        return self.tar[-1], self.fcdesk[-1]

    async def _tar(self) -> None:
        target = self.work / "tar"
        await asyncio.to_thread(target.mkdir)
        t0 = time.monotonic()
        for blob in self.blobs:  # GNU tar recognises gzip and zstd by their magic
            await asyncio.to_thread(
                subprocess.run,
                ["tar", "-x", "--numeric-owner", "-f", str(blob), "-C", str(target)],
                check=True,
            )
        self.tar.append(time.monotonic() - t0)

    async def _fcdesk(self) -> None:
        target = self.work / "fcdesk"
        t0 = time.monotonic()
        produced = 0
        for i, blob in enumerate(self.blobs):
            stats = await unpack_layer(
                blob,
                target,
                before=produced,
                diff_id=self.diff_ids[i] if self.diff_ids else None,
                layer=str(i),
            )
            produced += stats.uncompressed_bytes
        self.fcdesk.append(time.monotonic() - t0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tar_x_s": statistics.median(self.tar),
            "fcdesk_unpack_s": statistics.median(self.fcdesk),
            "fcdesk_vs_tar": statistics.median(self.fcdesk) / statistics.median(self.tar),
            "runs": [
                {"tar_x_s": a, "fcdesk_unpack_s": b}
                for a, b in zip(self.tar, self.fcdesk, strict=True)
            ],
        }


async def measure(
    plain: str,
    preserve: str,
    optimized: str,
    *,
    runs: int,
    link: LinkSpec,
    work: Path,
    creds: tuple[str, str] | None,
) -> dict[str, Any]:
    options = ColdStartOptions(link=link, run_mode="exec", credentials=creds)
    # the preserve twin as a user has it before the second stage: no profile at all
    bare = ColdStartOptions(link=link, run_mode="exec", credentials=creds, profile=())
    to_preserve = Comparison(plain, preserve, link, "exec")
    to_optimized = Comparison(plain, optimized, link, "exec")
    async with RegistryClient(ImageReference.parse(plain).registry, credentials=creds) as client:
        local = await LocalStart.prepare(client, plain, work / "local", function_name="bench")
        control = await UnpackControl.prepare(client, plain, work / "control")
    to_preserve.local = to_optimized.local = local
    to_optimized.a = to_preserve.a  # one full pull per run serves both comparisons
    try:
        for i in range(runs):
            await local.once(options.event)
            tar_s, unpack_s = await control.once()
            print(f"  unpack control: tar -x {tar_s:.2f}s, fcdesk {unpack_s:.2f}s", file=sys.stderr)
            for ref, opts, side in (
                (plain, options, to_preserve.a),
                (preserve, bare, to_preserve.b),
                (optimized, options, to_optimized.b),
            ):
                side.append(
                    await cold_start(ref, workdir=work / "runs", options=opts, keep_helper=True)
                )
            print(
                f"  run {i + 1}: local {local.first[-1]:.3f}s, full "
                f"{to_preserve.a[-1].total:.3f}s, preserve {to_preserve.b[-1].total:.3f}s, "
                f"optimized {to_optimized.b[-1].total:.3f}s",
                file=sys.stderr,
            )
    finally:
        await close_mount_helpers()
        await local.remove()
        await asyncio.to_thread(shutil.rmtree, work / "control", True)
    return {"preserve": to_preserve, "optimized": to_optimized, "control": control}


def _side(c: Comparison) -> dict[str, Any]:
    _, sb = c.summaries()
    bound = c.bound()
    ok = sb["runs"] > sb["failed"]
    return {
        "reference": c.vs,
        "p50_s": sb["total"]["p50"] if ok else None,
        "runs_s": [t.total for t in c.b],
        "failed": sb["failed"],
        "bytes_p50": sb["bytes_p50"],
        "vs_full": c.ratios()["total_p50"],
        "bound": bound,
        "vs_bound": sb["total"]["p50"] / bound["bound_s"] if bound and ok else None,
        "comparison": c.as_dict(),
    }


def _s(seconds: float | None) -> str:
    return "failed" if seconds is None else f"{seconds:.2f} s"


def _x(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.3f}"


def report_image(name: str, result: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
    pres: Comparison = result["preserve"]
    opt: Comparison = result["optimized"]
    sa, _ = pres.summaries()
    assert pres.local is not None
    out = {
        "image": name,
        "build": info,
        "full_p50_s": sa["total"]["p50"] if sa["runs"] > sa["failed"] else None,
        "full_runs_s": [t.total for t in pres.a],
        "full_bytes_p50": sa["bytes_p50"],
        "local_start": pres.local.as_dict(),
        "unpack_control": result["control"].as_dict(),
        "full_unpack_phase_p50_s": sa["phases"].get("unpack", {}).get("p50"),
        "preserve": _side(pres),
        "optimized": _side(opt),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    p, o = out["preserve"], out["optimized"]
    print(f"\n== {name}")
    print(pres.table())
    print(opt.table().split("\n", 3)[3])
    for label, c in (("full pull", pres.a), ("preserve", pres.b), ("optimized", opt.b)):
        for i, t in enumerate(c):
            if t.error:
                print(f"  {label} run {i + 1} failed: {t.error}")

    def verdict(value: float | None, limit: float) -> str:
        if value is None:
            return "no successful run"
        return f"{value:.3f} (≤ {limit:g}: {'met' if value <= limit else 'MISSED'})"

    print(
        f"full pull {_s(out['full_p50_s'])} · preserve {_s(p['p50_s'])}: ÷ full "
        f"{verdict(p['vs_full'], TARGET_VS_FULL)}, ÷ its bound {_x(p['vs_bound'])} · "
        f"optimized {_s(o['p50_s'])}: ÷ full {_x(o['vs_full'])}, ÷ its bound "
        f"{verdict(o['vs_bound'], TARGET_VS_BOUND)}"
    )
    control = out["unpack_control"]
    phase = out["full_unpack_phase_p50_s"]
    print(
        f"unpack control (layer blobs on the local disk, same runs): tar -x "
        f"{control['tar_x_s']:.2f}s, fcdesk's unpack {control['fcdesk_unpack_s']:.2f}s "
        f"({control['fcdesk_vs_tar']:.2f}× tar); the full pull's unpack after its last byte: "
        + (f"{phase:.2f}s p50" if phase is not None else "-")
    )
    print(TABLE_HEADER)
    print(
        f"| {name} | {_s(out['full_p50_s'])} | {_s(p['p50_s'])} | **{_x(p['vs_full'])}** | "
        f"{_x(p['vs_bound'])}× | {_s(o['p50_s'])} | {_x(o['vs_full'])} | "
        f"**{_x(o['vs_bound'])}×** | {_s(out['local_start']['first_response_s'])} | "
        f"{' / '.join(f'{x:.1f}' for x in out['load_average'])} |"
    )
    for label, c in (("preserve", pres), ("optimized", opt)):
        counts = c.as_dict()["vs"]["fetches"]
        if counts:
            print(f"  {label}: " + fetch_line("fetched", counts).split(": ", 1)[1])
    return out


async def main(args: argparse.Namespace) -> int:
    reason = exec_available()
    if reason is not None:
        raise SystemExit(f"exec mode is needed for this benchmark: {reason}")
    link = LinkSpec.parse(args.link)
    creds = None
    if args.creds:
        user, _, password = args.creds.partition(":")
        creds = (user, password)
    work = Path(tempfile.mkdtemp(prefix="bench-coldstart-", dir=args.workdir))
    report: dict[str, Any] = {"link": link.as_dict(), "runs": args.runs, "images": []}
    try:
        with registry_for(args, work) as target:
            images: list[tuple[str, bool]] = [(ref, True) for ref in args.image or ()]
            host = target.split("/", 1)[0] if target else None
            if not images:
                assert host is not None
                plain = f"{target}/demo-{args.kind}:latest"
                if not args.registry:
                    print(f"building the {args.kind} demo image into {target} …", file=sys.stderr)
                    async with RegistryClient(host) as client:
                        built = await build_demo_image(client, args.kind, plain, work / "build")
                    await close_mount_helpers()
                    report["build"] = built.as_dict()
                images = [(plain, False)]
            for plain, optimize in images:
                ref = ImageReference.parse(plain)
                async with RegistryClient(ref.registry, credentials=creds) as client:
                    print(f"twins of {plain} …", file=sys.stderr)
                    preserve, optimized, info = await make_twins(
                        client, plain, work / "twins", optimize=optimize
                    )
                print(
                    f"cold starts over {link.describe()}, {args.runs} runs each, each run "
                    "preceded by a local start (same load) …",
                    file=sys.stderr,
                )
                result = await measure(
                    plain,
                    preserve,
                    optimized,
                    runs=args.runs,
                    link=link,
                    work=work / "measure",
                    creds=creds,
                )
                report["images"].append(report_image(plain, result, info))
                if args.json:  # after each image: a later failure keeps what was measured
                    await asyncio.to_thread(
                        Path(args.json).write_text, json.dumps(report, indent=2, default=str)
                    )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        await asyncio.to_thread(
            Path(args.json).write_text, json.dumps(report, indent=2, default=str)
        )
    return 0


@contextmanager
def registry_for(args: argparse.Namespace, work: Path) -> Iterator[str | None]:
    if args.image:
        yield None
        return
    if args.registry:
        yield args.registry.rstrip("/")
        return
    root = work / "registry"
    root.mkdir()
    with private_registry(root) as host:
        yield f"{host}/bench"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--image", action="append", metavar="REF", help="plain image to measure; repeatable"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--link", default="100mbit,20ms")
    parser.add_argument(
        "--registry", metavar="HOST/NS", help="use demo-<kind> images already pushed there"
    )
    parser.add_argument(
        "--kind",
        default="bloated",
        choices=["bloated", "medium", "small"],
        help="demo image when no --image is given",
    )
    parser.add_argument("--creds", metavar="USER:PASSWORD", help="registry credentials")
    parser.add_argument("--workdir", metavar="DIR", help="scratch space (needs ~4 GiB)")
    parser.add_argument("--json", metavar="FILE", help="write the full report here")
    arguments = parser.parse_args()
    if arguments.workdir:
        Path(arguments.workdir).mkdir(parents=True, exist_ok=True)
    sys.exit(asyncio.run(main(arguments)))
