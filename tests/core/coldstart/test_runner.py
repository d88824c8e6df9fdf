"""Cold-start runs and comparisons (exec and replay), the demo build, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import Progress
from core.cli import main as fcaccel
from core.coldstart import ColdStartOptions, LinkSpec, cold_start, compare
from core.pull import ContentCache, fetch_profile
from core.registry import RegistryClient
from tests.core.coldstart.conftest import SmallDemo


def _entries(path: Path) -> list[Path]:
    return list(path.iterdir())


async def test_demo_build_recorded_a_profile_and_optimized(small_demo: SmallDemo) -> None:
    build = small_demo.build
    assert build.order == "optimized"
    assert "app/server.py" in build.profile
    assert any(p.startswith("usr/bin/python3") for p in build.profile)
    # Start-up reads a part of the image only.
    assert 0 < len(build.profile) < 400
    async with RegistryClient(small_demo.registry.host) as client:
        pushed = await fetch_profile(client, "demo/small", build.plain_digest)
    assert pushed is not None
    assert pushed.paths == build.profile


async def test_compare_exec_mode(small_demo: SmallDemo, tmp_path: Path) -> None:
    options = ColdStartOptions(link=LinkSpec.parse("400mbit,2ms"), run_mode="exec")
    events: list[Progress] = []
    result = await compare(
        small_demo.plain,
        small_demo.accelerated,
        runs=1,
        workdir=tmp_path,
        options=options,
        on_progress=events.append,
    )
    assert result.run_mode == "exec"
    # Every event says whose cold start it belongs to.
    sides = {(e.extra["side"], e.extra["run"], e.item) for e in events}
    assert sides == {(0, 0, small_demo.plain), (1, 0, small_demo.accelerated)}
    (a,), (b,) = result.a, result.b
    assert a.error is None, a.error
    assert b.error is None, b.error
    assert a.mode == "full"
    assert b.mode == "lazy"
    assert [p.name for p in a.phases] == ["resolve", "pull", "unpack", "start", "first-invoke"]
    assert [p.name for p in b.phases] == ["resolve", "pull", "mount", "start", "first-invoke"]
    assert a.link == b.link == options.link.as_dict()
    # Optimized image: everything start-up needs came with the (streamed) prefetch.
    assert b.bytes < a.bytes
    assert b.metrics["metrics"]["on_demand_fetches"] == 0
    assert b.metrics["metrics"]["on_demand_bytes"] == 0
    assert b.metrics["metrics"]["prefetch_bytes"] > 0
    report = result.as_dict()
    assert report["ratios"]["total_p50"] == pytest.approx(b.total / a.total)
    table = result.table()
    assert "first-invoke" in table
    assert "400mbit,2ms" in table
    assert not _entries(tmp_path)  # every run cleaned up


async def test_replay_mode(small_demo: SmallDemo, tmp_path: Path) -> None:
    profile = small_demo.build.profile
    options = ColdStartOptions(run_mode="replay", profile=profile)
    lazy = await cold_start(small_demo.accelerated, workdir=tmp_path, options=options)
    full = await cold_start(small_demo.plain, workdir=tmp_path, options=options)
    for timeline in (lazy, full):
        assert timeline.error is None, timeline.error
        assert timeline.run_mode == "replay"
        assert timeline.phase("first-invoke") is None
        start = timeline.phase("start")
        assert start is not None
        assert start.detail["bytes_read"] > 0
    assert lazy.mode == "lazy"
    assert full.mode == "full"


async def test_failed_runs_are_reported(small_demo: SmallDemo, tmp_path: Path) -> None:
    missing = small_demo.plain.rsplit(":", 1)[0] + ":no-such-tag"
    timeline = await cold_start(
        missing, workdir=tmp_path, options=ColdStartOptions(run_mode="exec")
    )
    assert timeline.error is not None
    assert "MANIFEST_UNKNOWN" in timeline.error


async def test_compare_can_stop_at_the_first_failed_run(
    small_demo: SmallDemo, tmp_path: Path
) -> None:
    missing = small_demo.plain.rsplit(":", 1)[0] + ":no-such-tag"
    result = await compare(
        missing,
        small_demo.accelerated,
        runs=2,
        workdir=tmp_path,
        options=ColdStartOptions(run_mode="exec"),
        local_start=False,
        stop_on_error=True,
    )
    assert len(result.a) == 1
    assert result.a[0].error is not None
    assert result.b == []  # the other side never ran


def test_cli_coldstart_json(
    small_demo: SmallDemo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.json"
    code = fcaccel(
        [
            "coldstart",
            small_demo.accelerated,
            "--runs",
            "1",
            "--link",
            "unlimited",
            "--json",
            "--output",
            str(out),
            "--workdir",
            str(tmp_path),
        ]
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(out.read_text())
    run = printed["image"]["runs"][0]
    assert run["mode"] == "lazy"
    assert run["error"] is None
    assert printed["image"]["summary"]["total"]["p50"] > 0


def test_cli_pull_full_and_lazy(
    small_demo: SmallDemo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = str(tmp_path / "cache")
    assert (
        fcaccel(
            ["pull", small_demo.plain, "--dest", str(tmp_path / "root"), "--cache", cache, "--json"]
        )
        == 0
    )
    full = json.loads(capsys.readouterr().out)
    assert (tmp_path / "root/app/server.py").exists()
    assert full["bytes_downloaded"] > 0
    assert (
        fcaccel(
            [
                "pull",
                small_demo.accelerated,
                "--lazy",
                "--prefetch",
                "--cache",
                str(tmp_path / "cache2"),
                "--link",
                "1gbit,1ms",
                "--json",
            ]
        )
        == 0
    )
    lazy = json.loads(capsys.readouterr().out)
    assert lazy["mode"] == "lazy"
    assert lazy["metrics"]["prefetch_bytes"] > 0
    assert lazy["metrics"]["fetched_share"] < 1
    assert lazy["link"]["spec"] == "1gbit,1ms"
    ContentCache(cache)  # the cache stays usable
