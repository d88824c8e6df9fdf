"""``fcaccel profile rule``: a start-up profile becomes the repository's acceleration rule
``PriorityFile`` (base64, one absolute path per line) only after a confirmation that lists it;
the Local server's worker then converts pushed tags in optimized order with it."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import httpx
import pytest

from core.cli import main
from core.cloud import ACRClient, local_endpoints
from core.settings import TomlSettingsStore
from tests.fixtures.cloud import push_test_image
from tests.fixtures.emulator import LocalServerHandle

pytestmark = pytest.mark.integration


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


async def _prepare(server: LocalServerHandle) -> None:
    async with httpx.AsyncClient() as http:
        acr = ACRClient(http, server.credentials, endpoint=local_endpoints(server.url).acr)
        (instance,) = [i.instance_id or "" async for i in acr.list_instances()]
        await acr.call("CreateNamespace", {"InstanceId": instance, "NamespaceName": "cli"})
        await acr.create_repository(instance, "cli", "app")


async def _rule(server: LocalServerHandle) -> dict[str, object] | None:
    async with httpx.AsyncClient() as http:
        acr = ACRClient(http, server.credentials, endpoint=local_endpoints(server.url).acr)
        (instance,) = [i.instance_id or "" async for i in acr.list_instances()]
        repo = await acr.get_repository(instance, namespace="cli", name="app")
        assert repo.repo_id
        rule = await acr.get_acceleration_rule(instance, repo.repo_id)
    return None if rule is None else {"id": rule.build_rule_id, **(rule.parameters or {})}


@pytest.fixture
def local_profile(local_server_thread: LocalServerHandle) -> LocalServerHandle:
    store = TomlSettingsStore()
    settings = store.load()
    settings.local.data_dir = str(local_server_thread.data_dir)
    store.save(settings)
    asyncio.run(_prepare(local_server_thread))
    return local_server_thread


def test_rule_needs_confirmation_then_sets_priority_file(
    local_profile: LocalServerHandle, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    profile = tmp_path / "startup.txt"
    profile.write_text("# fcdesk start-up profile v1\nrun.sh\n/app/data/a.bin\n")
    rc, _, err = _run(capsys, "profile", "rule", "cli/app", "--from", str(profile))
    assert rc == 1
    assert "/run.sh" in err
    assert "/app/data/a.bin" in err
    assert "not applied" in err
    assert asyncio.run(_rule(local_profile)) is None  # nothing changed without a yes

    rc, out, err = _run(
        capsys, "profile", "rule", "cli/app", "--from", str(profile), "--yes", "--json"
    )
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["files"] == 2
    assert doc["replaced"] is None
    rule = asyncio.run(_rule(local_profile))
    assert rule is not None
    assert base64.b64decode(str(rule["PriorityFile"])).decode() == "/run.sh\n/app/data/a.bin\n"

    # a second list replaces the rule (no update call exists): same repository, new list
    profile.write_text("run.sh\n")
    rc, out, err = _run(
        capsys, "profile", "rule", "cli/app", "--from", str(profile), "--yes", "--json"
    )
    assert rc == 0, err
    assert json.loads(out)["replaced"] == rule["id"]
    again = asyncio.run(_rule(local_profile))
    assert again is not None
    assert base64.b64decode(str(again["PriorityFile"])).decode() == "/run.sh\n"

    # a tag pushed now is converted in optimized order with that list
    asyncio.run(push_test_image(local_profile, "cli/app", "v1"))

    async def converted_order() -> str:
        async with local_profile.registry_client() as reg:
            while True:  # until the worker pushed it (the test's timeout bounds the wait)
                r = await reg.get(
                    "/v2/cli/app/manifests/v1_accelerated",
                    headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
                )
                if r.status_code == 200:
                    return str(r.json()["annotations"]["io.github.fcdesk.accelerated.order"])
                await asyncio.sleep(0.1)

    assert asyncio.run(converted_order()) == "optimized"


def test_rule_refuses_an_empty_profile(
    local_profile: LocalServerHandle, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# fcdesk start-up profile v1\n")
    rc, _, err = _run(capsys, "profile", "rule", "cli/app", "--from", str(empty), "--yes")
    assert rc == 1
    assert "lists no files" in err
    assert asyncio.run(_rule(local_profile)) is None


def test_accel_status_shows_each_tags_profile(
    local_profile: LocalServerHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(push_test_image(local_profile, "cli/app", "v1"))
    rc, out, err = _run(capsys, "accel", "status", "cli/app", "--json")
    assert rc == 0, err
    profiles = json.loads(out)["profiles"]
    assert [(p["tag"], p["state"]) for p in profiles] == [("v1", "NONE")]
    rc, out, err = _run(capsys, "accel", "status", "cli/app")
    assert rc == 0, err
    assert "START-UP PROFILE" in out
    assert "not recorded" in out
