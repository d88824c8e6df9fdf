"""The comparison table's verdict says which way the difference went."""

from __future__ import annotations

import pytest

from core.coldstart import Comparison, LinkSpec, PhaseRecord, Timeline


def _run(image: str, mode: str, seconds: float, nbytes: int) -> Timeline:
    t = Timeline(image=image, mode=mode, run_mode="replay")
    t.phases.append(PhaseRecord("pull", 0.0, seconds * 0.8, bytes=nbytes, requests=3))
    t.phases.append(PhaseRecord("first-invoke", seconds * 0.8, seconds * 0.2))
    return t


def _comparison(a_seconds: float, b_seconds: float) -> Comparison:
    c = Comparison(image="r/app:v1", vs="r/app:v1_accelerated", link=LinkSpec(), run_mode="replay")
    c.a.append(_run(c.image, "full", a_seconds, 1000))
    c.b.append(_run(c.vs, "lazy", b_seconds, 100))
    return c


def test_faster_side_reads_faster() -> None:
    text = _comparison(2.0, 0.8).table()
    assert "B starts 2.5× faster (60 % less time to first response)" in text
    assert "slower" not in text


def test_slower_side_reads_slower_not_negative_saving() -> None:
    text = _comparison(0.8, 2.0).table()
    assert "B starts 2.5× slower (150 % more time to first response)" in text
    assert "faster" not in text
    assert "-" + "150" not in text
    assert "0.4x" not in text


def test_equal_sides() -> None:
    text = _comparison(1.0, 1.0).table()
    assert "B starts as fast as A" in text


@pytest.mark.parametrize(("a", "b"), [(1.0, 1.3), (1.3, 1.0)])
def test_ratio_column_matches_verdict(a: float, b: float) -> None:
    c = _comparison(a, b)
    assert c.ratios()["total_p50"] == pytest.approx(b / a)
    word = "faster" if b < a else "slower"
    assert f"B starts {max(a, b) / min(a, b):.1f}× {word}" in c.table()


def test_a_side_without_a_successful_run_has_no_ratio_or_verdict() -> None:
    c = _comparison(2.0, 0.8)
    c.b[0].error = "ColdStartError: function port 9000 did not answer within 120 s"
    ratios = c.ratios()
    assert ratios["total_p50"] is None
    assert ratios["speedup"] is None
    assert c.targets() == []
    text = c.table()
    assert "faster" not in text
    assert "met" not in text
    assert "1 run(s) failed" in text
