"""The fcaccel cloud commands end to end against the Local server (Local profile resolved
from the server's data directory: URL from server.json, key from its secret store)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml

from core.cli import main
from core.settings import TomlSettingsStore
from tests.fixtures.cloud import push_test_image
from tests.fixtures.emulator import LocalServerHandle

pytestmark = pytest.mark.integration


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def local_profile(local_server_thread: LocalServerHandle) -> LocalServerHandle:
    store = TomlSettingsStore()
    settings = store.load()
    settings.local.data_dir = str(local_server_thread.data_dir)
    store.save(settings)
    asyncio.run(_prepare(local_server_thread))
    return local_server_thread


async def _prepare(server: LocalServerHandle) -> None:
    import httpx

    from core.cloud import ACRClient, local_endpoints

    async with httpx.AsyncClient() as http:
        acr = ACRClient(http, server.credentials, endpoint=local_endpoints(server.url).acr)
        (instance,) = [i.instance_id or "" async for i in acr.list_instances()]
        await acr.call("CreateNamespace", {"InstanceId": instance, "NamespaceName": "cli"})
        await acr.create_repository(instance, "cli", "app")
    await push_test_image(server, "cli/app", "v1")
    await push_test_image(server, "cli/app", "v2")


def test_repos_tags_and_acceleration(
    local_profile: LocalServerHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = _run(capsys, "repos", "list", "--json", "--accel")
    assert rc == 0
    doc = json.loads(out)
    assert doc["registry"]["public"] == local_profile.host
    assert [
        (r["RepoNamespaceName"], r["RepoName"], r["acceleration"]) for r in doc["repositories"]
    ] == [("cli", "app", False)]
    rc, out, err = _run(capsys, "accel", "enable", "cli/app", "--convert-existing", "--wait")
    assert rc == 0, err
    assert "2 existing tag(s) queued" in out
    assert "v1 -> v1_accelerated: SUCCESS" in out
    assert "converting:" in err  # progress
    rc, out, _ = _run(capsys, "tags", "list", "cli/app", "--json")
    tags = json.loads(out)
    assert [t["Tag"] for t in tags][:2] == ["v1_accelerated", "v2_accelerated"]
    assert {t["Tag"]: t["hasAcceleratedTwin"] for t in tags}["v1"] is True
    rc, out, _ = _run(capsys, "accel", "status", "cli/app", "--json")
    status = json.loads(out)
    assert status["enabled"] is True
    assert status["tags"] == [
        {"tag": "v1", "accelerated": True},
        {"tag": "v2", "accelerated": True},
    ]
    assert {t["status"] for t in status["tasks"]} == {"SUCCESS"}
    rc, out, _ = _run(capsys, "accel", "disable", "cli/app")
    assert rc == 0
    assert "switched off" in out
    rc, out, _ = _run(capsys, "accel", "status", "cli/app")
    assert out.startswith("acceleration: off")


def test_functions_commands(
    local_profile: LocalServerHandle, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    image = f"{local_profile.host}/cli/app:v1"
    rc, _, err = _run(capsys, "functions", "create", "cli-fn", "--image", image, "--memory", "1000")
    assert rc == 2
    assert "memorySize: not_multiple" in err
    rc, out, err = _run(
        capsys,
        "functions",
        "create",
        "cli-fn",
        "--image",
        image,
        "--env",
        "A=1",
        "--wait",
        "--json",
    )
    assert rc == 0, err
    created = json.loads(out)
    assert created["state"] == "Active"
    assert created["environmentVariables"] == {"A": "1"}
    rc, out, _ = _run(capsys, "functions", "list", "--details", "--json")
    rows = json.loads(out)
    assert [(r["functionName"], r["state"]) for r in rows] == [("cli-fn", "Active")]
    assert rows[0]["acceleration"]["state"] == "none"
    rc, out, _ = _run(capsys, "functions", "update", "cli-fn", "--memory", "1024", "--json")
    assert rc == 0
    assert json.loads(out)["memorySize"] == 1024
    rc, out, _ = _run(capsys, "functions", "get", "cli-fn")
    assert "resolvedImageUri" in out
    target = tmp_path / "s.yaml"
    rc, _, _ = _run(capsys, "functions", "export", "cli-fn", "-o", str(target))
    assert rc == 0
    props = yaml.safe_load(target.read_text())["resources"]["cli-fn"]["props"]
    assert props["customContainerConfig"]["image"] == image
    assert props["memorySize"] == 1024
    rc, out, err = _run(
        capsys, "functions", "create", "cli-copy", "--from-s-yaml", str(target), "--json"
    )
    assert rc == 0, err
    assert json.loads(out)["memorySize"] == 1024
    rc, out, _ = _run(capsys, "functions", "delete", "cli-copy")
    assert rc == 0
    rc, _, err = _run(capsys, "functions", "get", "cli-copy")
    assert rc == 1
    assert "FunctionNotFound" in err
