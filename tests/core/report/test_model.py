"""The report model without a server: counts, JSON round trips, CSV safety, bad input."""

from __future__ import annotations

import csv
import io

import pytest

from core.errors import InvalidInput
from core.report import (
    Finding,
    FixKind,
    FunctionRow,
    ProblemCode,
    Report,
    TargetError,
    TargetKey,
    TwinState,
)


def _row(name: str, *codes: ProblemCode, image: str = "reg/ns/app:v1") -> FunctionRow:
    return FunctionRow(
        target=TargetKey("prod", "cn-hangzhou"),
        function=name,
        image=image,
        runs_accelerated=False,
        twin_state=TwinState.READY,
        problems=tuple(
            Finding(c, since=1_700_000_000.0, fix=FixKind.SWITCH_TO_TWIN) for c in codes
        ),
    )


def test_counts_cover_every_code_and_count_functions() -> None:
    report = Report(
        1.0,
        (TargetKey("prod", "cn-hangzhou"),),
        (
            _row("a", ProblemCode.PLAIN_TAG_WITH_TWIN, ProblemCode.ACCELERATION_OFF),
            _row("b", ProblemCode.PLAIN_TAG_WITH_TWIN),
            _row("c"),
        ),
    )
    counts = report.counts()
    assert set(counts) == set(ProblemCode)
    assert counts[ProblemCode.PLAIN_TAG_WITH_TWIN] == 2
    assert counts[ProblemCode.ACCELERATION_OFF] == 1
    assert counts[ProblemCode.STALE_TWIN] == 0
    assert [r.function for r in report.with_problem(ProblemCode.ACCELERATION_OFF)] == ["a"]
    assert report.has_problems
    assert not Report(1.0, (), (_row("c"),)).has_problems


def test_json_round_trip_keeps_everything() -> None:
    report = Report(
        2.5,
        (TargetKey("prod", "cn-hangzhou"), TargetKey("Local")),
        (_row("a", ProblemCode.STALE_TWIN),),
        (TargetError(TargetKey("Local"), "SignatureNotMatch", "refused", "fn"),),
    )
    assert Report.from_json(report.to_json()) == report


@pytest.mark.parametrize(
    "doc",
    [
        {"version": 99, "created": 1, "rows": []},
        {"version": 1, "rows": []},
        {"version": 1, "created": 1, "rows": [{"function": "x"}]},
        {"version": 1, "created": 1, "rows": [{"profile": "p", "function": "x", "twinState": "?"}]},
    ],
)
def test_bad_json_is_refused_clearly(doc: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Report.from_json(doc)


def test_csv_neutralises_formulas_and_joins_problems() -> None:
    evil = _row("a", ProblemCode.PLAIN_TAG_WITH_TWIN, image='=HYPERLINK("x")')
    report = Report(1.0, (), (evil, _row("b", ProblemCode.STALE_TWIN, ProblemCode.TWIN_FAILED)))
    rows = list(csv.reader(io.StringIO(report.to_csv())))
    assert rows[1][3] == '\'=HYPERLINK("x")'
    assert rows[2][8] == "stale-twin;twin-failed"
    assert rows[2][9] == "2023-11-14T22:13:20Z;2023-11-14T22:13:20Z"
    assert len(rows) == 3
