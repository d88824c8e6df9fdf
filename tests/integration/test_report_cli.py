"""``fcaccel report`` end to end on a Local server with every problem case: the table, the
counts, JSON and CSV, exit statuses for a scheduled job, and ``--fix CODE [--yes]``."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.cli import main
from core.report import ProblemCode
from core.settings import AliyunProfile, TomlSettingsStore
from tests.core.report.scenario import EXPECTED, Scenario, build_scenario
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread
from tests.fixtures.registry import RunningRegistry

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, basic_auth_registry: RunningRegistry
) -> Iterator[tuple[LocalServerHandle, Scenario]]:
    handle = start_local_server_thread(tmp_path_factory.mktemp("report-cli") / "local")
    try:
        scenario = asyncio.run(
            build_scenario(handle.url, handle.credentials, basic_auth_registry.host)
        )
        yield handle, scenario
    finally:
        handle.stop()


@pytest.fixture
def scenario(server: tuple[LocalServerHandle, Scenario]) -> Scenario:
    """The scenario, with the Local profile pointing at its server's data directory."""
    handle, scenario = server
    store = TomlSettingsStore()
    settings = store.load()
    settings.local.data_dir = str(handle.data_dir)
    store.save(settings)
    return scenario


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["report", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def _problems(doc: dict[str, object]) -> dict[str, set[str]]:
    rows = doc["rows"]
    assert isinstance(rows, list)
    return {r["function"]: {p["code"] for p in r["problems"]} for r in rows}


def _expected() -> dict[str, set[str]]:
    return {name: {c.value for c in codes} for name, codes in EXPECTED.items()}


def test_table_counts_and_exit_status(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = _run(capsys)
    assert rc == 3, err
    lines = out.splitlines()
    assert lines[0].split() == ["FUNCTION", "IMAGE", "ACCELERATED", "TWIN", "PROBLEMS"]
    by_name = {line.split()[0]: line for line in lines[1:9]}
    assert set(by_name) == set(EXPECTED)
    assert by_name["web-fast"].rstrip().endswith(" -")
    assert "stale-twin(since " in by_name["api-fast"]
    assert "image-unreadable(auth)" in by_name["private"]
    assert "image-unreadable(not-found)" in by_name["ghost"]
    assert "8 function(s) in 1 target(s), 7 with problems" in out
    for code, n in (("plain-tag-with-twin", 1), ("image-unreadable", 2), ("twin-failed", 1)):
        assert f"  {code}: {n}" in lines
    assert "broken: conversion failed: UnsafeContent" in out
    assert err == ""


def test_json_csv_and_filters(
    scenario: Scenario, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rc, out, _ = _run(capsys, "--json")
    assert rc == 3
    doc = json.loads(out)
    assert _problems(doc) == _expected()
    assert doc["counts"]["image-unreadable"] == 2
    assert doc["errors"] == []
    target = tmp_path / "report.csv"
    rc, out, _ = _run(capsys, "--csv", str(target), "--problem", "stale-twin")
    assert rc == 3
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert [(r["function"], r["problems"]) for r in rows] == [("api-fast", "stale-twin")]
    assert "api-fast" in out
    assert "web-plain" not in out.split("\n\n")[0]  # filtered table


def test_unusable_profiles_make_the_report_incomplete(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    store = TomlSettingsStore()
    settings = store.load()
    settings.add_profile(AliyunProfile("prod", "cn-hangzhou", credential_source="env"))
    store.save(settings)
    rc, out, err = _run(
        capsys, "--profile", "Local", "--profile", "prod", "--region", "cn-shanghai", "--json"
    )
    assert rc == 1
    doc = json.loads(out)
    assert [(e["profile"], e["region"], e["code"]) for e in doc["errors"]] == [
        ("prod", "cn-shanghai", "MissingEnvCredentials")
    ]
    assert _problems(doc) == _expected()  # the Local rows are still there
    assert "prod/cn-shanghai: " in err
    rc, _out, err = _run(capsys, "--profile", "nosuch")
    assert rc == 1
    assert "ProfileNotFound" in err


def test_fix_shows_the_plan_then_applies_it(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    host = scenario.host
    rc, out, _ = _run(capsys, "--fix", "plain-tag-with-twin")
    assert rc == 3
    assert "1 fix(es) would change (run again with --yes to apply):" in out
    assert f"function web-plain: image {host}/shop/web:v1 -> {host}/shop/web:v1_accelerated" in out
    rc, out, _ = _run(capsys, "--json")
    assert _problems(json.loads(out)) == _expected()  # nothing changed

    rc, out, err = _run(capsys, "--fix", "stale-twin", "--yes")
    assert rc == 3, err
    assert "done: convert shop/api:v1 into v1_accelerated now" in out
    assert "done: redeploy function api-fast" in out
    rc, out, _ = _run(capsys, "--fix", "switch-to-twin", "--yes", "--json")
    doc = json.loads(out)
    assert [s["status"] for f in doc["fixes"] for s in f["steps"]] == ["done"]
    expected = _expected()
    expected["web-plain"] = set()
    expected["api-fast"] = set()
    assert _problems(doc) == expected

    rc, out, _ = _run(capsys, "--fix", "acceleration-off", "--yes")
    assert "done: switch acceleration on for repository shop/batch" in out
    rc, out, _ = _run(capsys, "--fix", "convert-now", "--yes")
    assert "done: convert shop/legacy:v1 into v1_accelerated now" in out
    rc, out, _ = _run(capsys, "--fix", "plain-tag-with-twin", "--yes", "--json")
    doc = json.loads(out)
    assert sorted(f["plan"]["function"] for f in doc["fixes"]) == ["batch", "legacy"]
    left = {name: codes for name, codes in _problems(doc).items() if codes}
    assert left == {
        "broken": {ProblemCode.TWIN_FAILED.value},
        "ghost": {ProblemCode.IMAGE_UNREADABLE.value},
        "private": {ProblemCode.IMAGE_UNREADABLE.value},
    }
    with pytest.raises(SystemExit) as info:  # no fix exists for a failed conversion
        main(["report", "--fix", "twin-failed"])
    assert info.value.code == 2
    rc, out, _ = _run(capsys, "--fix", "convert-now")
    assert "nothing to fix" in out

    async def drop() -> None:
        async with httpx.AsyncClient(timeout=30) as http:
            for name in left:
                await scenario.clients(http).fc.delete_function(name)

    asyncio.run(drop())
    rc, out, err = _run(capsys)
    assert rc == 0, out + err
    assert "5 function(s) in 1 target(s), 0 with problems" in out
