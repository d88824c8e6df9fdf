"""Start-up profiles for any image (`core.coldstart._record`, ``fcaccel profile``), on a copy of
the small demo image: recorded by running it (exec), replayed, derived statically; pushed next
to the image, converted in optimized order. Oracles: ``ldd`` on this machine's python3 (the
demo image is assembled from it), ``zstd`` + ``tar`` reading the optimized layer."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from core.coldstart import (
    Exercise,
    optimize_with_profile,
    prepare_twin,
    publish_profile,
    record_startup_profile,
)
from core.convert import ANNOTATION_SOURCE_DIGEST
from core.errors import ColdStartError, InvalidInput
from core.oci import Manifest
from core.pull import close_mount_helpers, fetch_profile, resolve_image
from core.registry import ImportOptions, RegistryClient, copy_image, import_rootfs
from tests.core.coldstart.conftest import SmallDemo
from tests.fixtures.registry import RunningRegistry

_LDD = re.compile(r"^\s*(?:\S+\s+=>\s+)?(/\S+)\s+\(0x[0-9a-f]+\)")


def _tar_listing(blob: bytes, path: Path) -> list[str]:
    path.write_bytes(blob)
    return subprocess.run(
        f"zstd -dc {path} | tar -t", shell=True, check=True, capture_output=True, text=True
    ).stdout.split()


def _ldd_libraries(program: str) -> set[str]:
    """Real paths (no leading /) of the libraries ``ldd`` resolves for ``program``."""
    out = subprocess.run(["ldd", program], capture_output=True, text=True, check=True).stdout
    found = set()
    for line in out.splitlines():
        m = _LDD.match(line)
        if m:
            found.add(str(Path(m.group(1)).resolve()).lstrip("/"))
    return found


@pytest.fixture
async def fresh_plain(small_demo: SmallDemo, unique_repo: str) -> str:
    """The small demo's plain image under a repository of its own (no twin there yet)."""
    host = small_demo.registry.host
    target = f"{host}/{unique_repo}:v1"
    async with RegistryClient(host) as client:
        await copy_image(
            f"docker://{small_demo.plain}",
            f"docker://{target}",
            source_client=client,
            destination_client=client,
        )
    return target


async def test_plain_image_without_twin_needs_convert(
    fresh_plain: str, small_demo: SmallDemo
) -> None:
    async with RegistryClient(small_demo.registry.host) as client:
        with pytest.raises(InvalidInput, match="--convert"):
            await prepare_twin(client, fresh_plain)
        assert (await prepare_twin(client, small_demo.accelerated)).run == small_demo.accelerated
        # the demo's plain tag has an up-to-date twin: it is used as it is
        choice = await prepare_twin(client, small_demo.plain)
        assert choice.run == small_demo.accelerated
        assert choice.converted is None


async def test_exec_record_push_and_optimize(
    fresh_plain: str, small_demo: SmallDemo, tmp_path: Path
) -> None:
    host = small_demo.registry.host
    async with RegistryClient(host) as client:
        twin = await prepare_twin(client, fresh_plain, convert=True)
        assert twin.run == fresh_plain + "_accelerated"
        assert twin.converted is not None
        try:
            recording = await record_startup_profile(
                client,
                twin.run,
                workdir=tmp_path / "rec",
                run_mode="exec",
                exercise=Exercise(
                    urls=("/hello?x=1", "POST /invoke"),
                    commands=(
                        f'"{sys.executable}" -c "import os,urllib.request as u; '
                        "u.urlopen(os.environ['FC_ENDPOINT'] + '/cmd').read()\"",
                    ),
                ),
            )
        finally:
            await close_mount_helpers()
        assert recording.mode == "exec"
        assert recording.first_status == 200
        assert [e.get("status", e.get("exit")) for e in recording.exercised] == [200, 200, 0]
        paths = recording.profile.paths
        assert "app/server.py" in paths
        assert "app/app.json" in paths
        python = next(p for p in paths if re.fullmatch(r"usr/bin/python3\.\d+", p))
        # the interpreter is opened before the script it runs
        assert paths.index(python) < paths.index("app/server.py")
        plain = await resolve_image(client, fresh_plain)
        assert recording.source_digest == str(plain.digest)
        assert recording.size > 1_000_000  # the interpreter, libraries, standard library

        # pushed next to the plain image: found by digest, as lazy pulls look for it
        await publish_profile(client, recording)
        repo = fresh_plain.split("/", 1)[1].rsplit(":", 1)[0]
        pushed = await fetch_profile(client, repo, plain.digest)
        assert pushed is not None
        assert pushed.paths == paths
        assert pushed.size == recording.size

        optimized = await optimize_with_profile(client, recording)
        assert optimized.target == twin.run
        assert optimized.order.value == "optimized"
        twin_now = await resolve_image(client, twin.run)
        assert (twin_now.manifest.annotations or {})[ANNOTATION_SOURCE_DIGEST] == str(plain.digest)
        app_layer = twin_now.manifest.layers[-1]
        blob = await client.get_blob(repo, app_layer.digest)
    # zstd and tar, not our reader: the app layer starts with the profile's app files
    listing = await asyncio.to_thread(_tar_listing, blob, tmp_path / "layer.zst")
    files = [n.lstrip("./") for n in listing if not n.endswith("/")]
    in_profile = [p for p in paths if p.startswith("app/")]
    assert files[: len(in_profile)] == in_profile


async def test_exercise_failure_is_an_error(small_demo: SmallDemo, tmp_path: Path) -> None:
    async with RegistryClient(small_demo.registry.host) as client:
        try:
            with pytest.raises(ColdStartError, match="exited with 3") as err:
                await record_startup_profile(
                    client,
                    small_demo.accelerated,
                    workdir=tmp_path,
                    run_mode="exec",
                    exercise=Exercise(commands=("echo broken >&2; exit 3",)),
                )
        finally:
            await close_mount_helpers()
    assert err.value.code == "ExerciseFailed"
    assert "broken" in str(err.value)


async def test_static_profile_matches_ldd(small_demo: SmallDemo, tmp_path: Path) -> None:
    async with RegistryClient(small_demo.registry.host) as client:
        recording = await record_startup_profile(
            client, small_demo.accelerated, workdir=tmp_path, run_mode="static"
        )
    paths = recording.profile.paths
    assert recording.mode == "static"
    assert recording.warnings  # says what a static profile misses
    assert paths[0].startswith("usr/bin/python3")
    assert "app/server.py" in paths
    # every library ldd resolves for this machine's python3 is in the profile, by real path
    wanted = await asyncio.to_thread(_ldd_libraries, "/usr/bin/python3")
    assert wanted
    assert wanted <= set(paths), wanted - set(paths)


def _ldd_tree(root: Path, program: str) -> Path:
    """``program`` and every library ``ldd`` finds for it, at the same paths as on this
    machine (merged /usr: ``lib`` and ``lib64`` are symlinks, libraries keep their links)."""
    here = root / program.lstrip("/")
    here.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(program, here)
    for link in ("lib", "lib64", "bin"):
        if Path("/" + link).is_symlink():
            os.symlink(os.readlink("/" + link), root / link)
    out = subprocess.run(["ldd", program], capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        m = _LDD.match(line)
        if not m:
            continue
        path = Path(m.group(1))
        while True:  # each link of the chain, then the file
            here = root / os.path.realpath(path.parent).lstrip("/") / path.name
            here.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink():
                if not here.is_symlink():
                    os.symlink(os.readlink(path), here)
                target = Path(os.readlink(path))
                path = target if target.is_absolute() else path.parent / target
                continue
            if not here.exists():
                shutil.copy2(path, here)
            break
    return root


# podman: libraries of libraries (libsemanage needs libsepol and libbz2 …); Qt's core library
# (from the environment's PySide6): string tables of hundreds of KB (its own, libstdc++'s) and
# libraries found through its RUNPATH ($ORIGIN: the ICU libraries beside it)
_PYSIDE6 = find_spec("PySide6")
assert _PYSIDE6 is not None
assert _PYSIDE6.origin is not None
_STATIC_CASES = [
    "/usr/bin/podman",
    str(Path(_PYSIDE6.origin).parent / "Qt" / "lib" / "libQt6Core.so.6"),
]


@pytest.mark.parametrize("program", _STATIC_CASES, ids=["podman", "qtcore"])
async def test_static_profile_follows_libraries_of_libraries(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path, program: str
) -> None:
    tree = await asyncio.to_thread(_ldd_tree, tmp_path / "rootfs", program)
    image = f"{distribution_registry.host}/{unique_repo}:v1"
    async with RegistryClient(distribution_registry.host) as client:
        await import_rootfs(tree, image, client=client, options=ImportOptions(entrypoint=[program]))
        twin = await prepare_twin(client, image, convert=True)
        recording = await record_startup_profile(
            client, twin.run, workdir=tmp_path / "rec", run_mode="static"
        )
    wanted = await asyncio.to_thread(_ldd_libraries, program)
    paths = set(recording.profile.paths)
    # each found by name in the image as ld.so would, recorded by the path of the file itself
    assert wanted <= paths, sorted(wanted - paths)
    real = await asyncio.to_thread(os.path.realpath, program)
    assert real.lstrip("/") in paths


async def test_replay_keeps_the_files_this_image_has(small_demo: SmallDemo, tmp_path: Path) -> None:
    async with RegistryClient(small_demo.registry.host) as client:
        recording = await record_startup_profile(
            client,
            small_demo.accelerated,
            workdir=tmp_path,
            from_paths=["/app/server.py", "usr/bin/python3", "/nope/missing.py", "app"],
        )
    assert recording.mode == "replay"
    assert recording.missing == 1
    assert recording.profile.paths[0] == "app/server.py"
    # usr/bin/python3 is a symlink: the file it names is kept, by its own path
    assert re.fullmatch(r"usr/bin/python3\.\d+", recording.profile.paths[1])
    assert len(recording.profile.paths) == 2


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", "profile", *args],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        check=False,
    )


async def test_cli_record_push_convert_show(fresh_plain: str, tmp_path: Path) -> None:
    out = tmp_path / "startup.txt"
    proc = await asyncio.to_thread(
        _cli, "record", fresh_plain, "--convert", "--push", "--output", str(out), "--json"
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["converted_first"]["target"] == fresh_plain + "_accelerated"
    assert doc["optimized"]["order"] == "optimized"
    assert doc["recording"]["files"] == len(doc["recording"]["paths"])
    text = out.read_text()
    assert text.startswith("# fcdesk start-up profile v1\n")
    assert "\napp/server.py\n" in text
    # `fcaccel convert --profile` reads the same file
    from core.convert import load_profile

    assert list(load_profile(out)) == doc["recording"]["paths"]

    shown = await asyncio.to_thread(_cli, "show", fresh_plain + "_accelerated", "--json")
    assert shown.returncode == 0, shown.stderr
    profile = json.loads(shown.stdout)["profile"]
    assert profile["files"] == doc["recording"]["files"]
    assert profile["size"] == doc["recording"]["bytes"]
    human = await asyncio.to_thread(_cli, "show", fresh_plain)
    assert re.match(r"start-up profile: \d+ files, [\d.]+ MB, recorded ", human.stdout)


async def test_cli_show_without_profile(small_demo: SmallDemo, unique_repo: str) -> None:
    host = small_demo.registry.host
    target = f"{host}/{unique_repo}:bare"
    async with RegistryClient(host) as client:
        await copy_image(
            f"docker://{small_demo.plain}",
            f"docker://{target}",
            source_client=client,
            destination_client=client,
        )
        got = await client.get_manifest(unique_repo, "bare")
        assert isinstance(got, Manifest)
    proc = await asyncio.to_thread(_cli, "show", target)
    assert proc.returncode == 3
    assert "no start-up profile" in proc.stdout
