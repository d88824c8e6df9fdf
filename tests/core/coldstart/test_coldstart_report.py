"""What a cold-start report proves: the local start measured in the same run, the physical
bound, each target's verdict, on-demand and fallback counts; ``coldstart --record-profile`` and
``--profile``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.cli import main as fcaccel
from core.coldstart import (
    ColdStartOptions,
    Comparison,
    LinkSpec,
    compare,
    physical_bound,
    target_verdicts,
)
from core.convert import ConvertOptions, Order, convert_image, load_profile
from core.registry import RegistryClient, copy_image
from tests.core.coldstart.conftest import SmallDemo


def _entries(path: Path) -> list[Path]:
    return list(path.iterdir())


def test_physical_bound_adds_transfer_round_trips_and_local_start() -> None:
    link = LinkSpec.parse("100mbit,20ms")
    bound = physical_bound(12_500_000, link, 0.25)
    assert bound["transfer_s"] == pytest.approx(1.0)  # 12.5 MB at 12.5 MB/s
    assert bound["rtts"] == 5  # 4 unavoidable + the connection's set-up
    assert bound["rtt_s"] == pytest.approx(0.1)
    assert bound["bound_s"] == pytest.approx(1.35)


def test_target_verdicts() -> None:
    met, missed = target_verdicts(0.05, 1.4)
    assert (met["met"], met["limit"]) == (True, 0.10)
    assert (missed["met"], missed["limit"]) == (False, 1.3)
    assert target_verdicts(None, None) == []
    assert [t["target"] for t in target_verdicts(0.2, None)] == ["accelerated ÷ full pull"]


def test_no_bound_without_local_start() -> None:
    c = Comparison("r/a:v1", "r/a:v1_accelerated", LinkSpec.parse("100mbit"), "replay")
    assert c.bound() is None
    assert c.as_dict()["local_start"] is None


async def test_compare_reports_local_start_bound_targets_and_fetches(
    small_demo: SmallDemo, tmp_path: Path
) -> None:
    link = LinkSpec.parse("100mbit,20ms")
    result = await compare(
        small_demo.plain,
        small_demo.accelerated,
        runs=1,
        workdir=tmp_path,
        options=ColdStartOptions(link=link, run_mode="exec"),
    )
    (a,), (b,) = result.a, result.b
    assert a.error is None, a.error
    assert b.error is None, b.error
    report = result.as_dict()
    local = report["local_start"]
    assert local["error"] is None
    assert 0 < local["first_response_s"] < a.total  # no download, no unpack
    assert local["ready_s"] <= local["first_response_s"]
    bound = report["bound"]
    assert bound["bytes"] == b.bytes
    assert bound["bound_s"] == pytest.approx(
        b.bytes / 12_500_000 + 5 * 0.02 + local["first_response_s"]
    )
    assert [t["target"] for t in report["targets"]] == [
        "accelerated ÷ full pull",
        "accelerated ÷ physical bound",
    ]
    assert report["targets"][1]["value"] == pytest.approx(b.total / bound["bound_s"])
    fetches = report["vs"]["fetches"]
    # the optimized image brings its start-up files with the prefetch: nothing on demand
    assert fetches["prefetch_bytes"] > 0
    assert fetches["on_demand_fetches"] == 0
    assert fetches["fallbacks"] == 0
    assert report["image"]["fetches"] is None  # a full pull has no lazy fetches
    assert len(report["load_average"]) == 3
    table = result.table()
    for expected in ("local start", "bound", "target: accelerated ÷ full pull", "B fetched:"):
        assert expected in table
    assert not _entries(tmp_path)  # the local copy is removed too


@pytest.fixture
async def preserve_twin(small_demo: SmallDemo, unique_repo: str) -> str:
    """A preserve twin of the small demo in a repository where no profile was pushed."""
    host = small_demo.registry.host
    async with RegistryClient(host) as client:
        await copy_image(
            f"docker://{small_demo.plain}",
            f"docker://{host}/{unique_repo}:v1",
            source_client=client,
            destination_client=client,
        )
        done = await convert_image(
            client, f"{host}/{unique_repo}:v1", options=ConvertOptions(order=Order.PRESERVE)
        )
    return done.target


def _coldstart(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, image: str, *extra: str
) -> tuple[dict[str, Any], str]:
    capsys.readouterr()
    code = fcaccel(
        [
            "coldstart",
            image,
            *("--runs", "1", "--link", "200mbit,5ms", "--json"),
            *("--workdir", str(tmp_path / "work"), *extra),
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    report: dict[str, Any] = json.loads(out.out)
    return report, out.err


def test_cli_record_profile_then_prefetch_it(
    preserve_twin: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded = tmp_path / "startup.txt"
    first, _ = _coldstart(capsys, tmp_path, preserve_twin, "--record-profile", str(recorded))
    assert first["recorded_profile"] == str(recorded)
    paths = load_profile(recorded)
    assert "app/server.py" in paths
    without = first["image"]["fetches"]
    # No profile anywhere: nothing is prefetched, what the start reads is fetched on demand
    # (fewer fetches than files: the neighbourhood and the static hints bring several at once).
    assert without["prefetch_bytes"] == 0
    assert without["on_demand_fetches"] > 0
    assert len(paths) > without["on_demand_fetches"]
    assert first["local_start"]["first_response_s"] > 0
    assert first["bound"]["bytes"] > 0

    second, _ = _coldstart(capsys, tmp_path, preserve_twin, "--profile", str(recorded))
    with_profile = second["image"]["fetches"]
    assert with_profile["prefetch_bytes"] > 0
    assert with_profile["on_demand_fetches"] < without["on_demand_fetches"]


def test_cli_record_profile_of_a_full_pull_says_why_not(
    small_demo: SmallDemo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded = tmp_path / "startup.txt"
    report, err = _coldstart(
        capsys, tmp_path, small_demo.plain, "--record-profile", str(recorded), "--no-local-start"
    )
    assert report["recorded_profile"] is None
    assert report["local_start"] is None
    assert "pulled in full" in err
    assert not recorded.exists()
