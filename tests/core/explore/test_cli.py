"""``fcaccel ls`` and ``fcaccel diff`` against a distribution registry and a Local server."""

from __future__ import annotations

import asyncio
import json
import tarfile
import time
from pathlib import Path

import pytest

from core.cli import main
from core.cloud import LOCAL_SECRET_ENV
from core.registry import RegistryClient
from core.settings import LocalProfile, TomlSettingsStore
from tests.core.explore.test_listing import LAYERS
from tests.core.pull._images import entry, push_image
from tests.fixtures.emulator import LocalServerHandle
from tests.fixtures.registry import RunningRegistry


def _push(host: str, repo: str, layers: list[list[object]], tag: str) -> str:
    async def go() -> str:
        async with RegistryClient(host) as registry:
            pushed = await push_image(registry, repo, layers, tag=tag)  # type: ignore[arg-type]
        return pushed.ref(host)

    return asyncio.run(go())


def test_ls_and_diff(
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ref = _push(distribution_registry.host, unique_repo, LAYERS, "v1")  # type: ignore[arg-type]
    cache = ["--cache", str(tmp_path / "cache")]
    assert main(["ls", ref, *cache]) == 0
    assert capsys.readouterr().out.split() == ["etc/", "home/", "opt/", "srv/", "usr/", "var/"]

    assert main(["ls", ref, "/usr/bin", "--long", *cache]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("lrwxrwxrwx")
    assert lines[0].endswith("alias -> tool")
    assert lines[1].startswith("-rwxr-xr-x")
    assert lines[1].endswith("hard -> usr/bin/tool")
    assert lines[2].startswith("-rwxr-xr-x")
    assert " L0 " in lines[2]
    assert "2023-11-14" in lines[2]
    assert lines[3].startswith("total 20 B in 3 entries;")
    assert "plain (L0 cache, L1 cache)" in lines[3]

    assert main(["ls", ref, "var", "--hidden", *cache]) == 0
    out = capsys.readouterr().out
    assert "/var/cache/a (1000 B) from L0, hidden by L1 (whiteout)" in out

    assert main(["ls", ref, "/home", "-R", "--json", *cache]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["path"] for e in data["entries"]] == ["/home/app", "/home/app/main.py"]
    assert data["entries"][0]["mode"] == "0750"
    assert data["entries"][0]["uid"] == 1000
    assert data["accelerated"] is False

    assert main(["ls", ref, "/nope", *cache]) == 1
    assert "has no /nope" in capsys.readouterr().err

    v2 = [LAYERS[0], [*LAYERS[1], entry("etc/new.conf", data=b"x=1\n")]]
    ref2 = _push(distribution_registry.host, unique_repo, v2, "v2")  # type: ignore[arg-type]
    assert main(["diff", ref, ref2, *cache]) == 3
    diff_lines = capsys.readouterr().out.splitlines()
    assert diff_lines == ["+ /etc/new.conf  (4 B)", "1 added (4 B), 0 removed (0 B), 0 changed"]
    assert main(["diff", ref, ref, "--json", *cache]) == 0
    assert json.loads(capsys.readouterr().out)["changes"] == []


@pytest.fixture
def local_default(
    local_server_thread: LocalServerHandle, monkeypatch: pytest.MonkeyPatch
) -> LocalServerHandle:
    store = TomlSettingsStore()
    settings = store.load()
    settings.local = LocalProfile(
        url=local_server_thread.url, access_key_id=local_server_thread.access_key_id
    )
    store.save(settings)
    monkeypatch.setenv(LOCAL_SECRET_ENV, local_server_thread.access_key_secret)
    return local_server_thread


def test_ls_logs_in_to_the_local_server_and_reads_the_twin_from_its_tocs(
    local_default: LocalServerHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = local_default
    layers = [[entry("app/", tarfile.DIRTYPE), entry("app/main.py", data=b"print(1)\n" * 300)]]

    async def prepare() -> str:
        async with RegistryClient(server.host, credentials=server.registry_auth) as registry:
            pushed = await push_image(registry, "demo/explore", layers, tag="v1")
        return pushed.ref(server.host)

    ref = asyncio.run(prepare())
    cache = ["--cache", str(tmp_path / "cache")]
    # anonymous access is refused by the Local registry: the default profile logs in
    assert main(["ls", ref, "/app", *cache]) == 0
    assert capsys.readouterr().out.split() == ["main.py"]
    assert main(["accel", "enable", "demo/explore", "--convert-existing", "--wait"]) == 0
    capsys.readouterr()
    deadline = time.monotonic() + 120
    while True:  # the twin appears once its conversion finished
        code = main(["ls", ref + "_accelerated", "/app", "--json", *cache])
        captured = capsys.readouterr()
        if code == 0:
            break
        assert time.monotonic() < deadline, captured.err
    data = json.loads(captured.out)
    assert data["accelerated"] is True
    assert [layer["source"] for layer in data["layers"]] == ["toc"]
    assert [e["path"] for e in data["entries"]] == ["/app/main.py"]
    assert main(["diff", ref, ref + "_accelerated", *cache]) == 0
    assert main(["ls", ref, "--profile", "nope", *cache]) == 1
    assert "no profile named 'nope'" in capsys.readouterr().err
