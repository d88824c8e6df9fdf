"""The reliability suite's tally: what was tried, what happened, and the figures.

Tests record through the ``reliability`` fixture (see ``conftest.py``); each record belongs to
the test that made it and counts as *survived* / *refused* / *recovered* only when that test
passed. The session prints a summary at the end and, when ``FCDESK_RELIABILITY_REPORT`` names
a file, writes it there as JSON (``bench/reliability/run.py`` reads it).
"""

from __future__ import annotations

import collections
import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["REPORT", "LoadFigures", "Report", "check_line", "percentile"]

REPORT_ENV = "FCDESK_RELIABILITY_REPORT"


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by the nearest-rank method."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class LoadFigures:
    name: str
    requests: int
    concurrency: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_latencies(
        cls,
        name: str,
        latencies: list[float],
        *,
        concurrency: int,
        errors: int,
        seconds: float,
        **detail: Any,
    ) -> LoadFigures:
        ms = [v * 1000 for v in latencies]
        return cls(
            name,
            len(latencies) + errors,
            concurrency,
            errors,
            round(seconds, 3),
            round(percentile(ms, 50), 2),
            round(percentile(ms, 95), 2),
            round(max(ms, default=0.0), 2),
            detail,
        )


@dataclass
class _Record:
    test: str
    category: str  # fault | hostile | crash | load
    kind: str
    target: str
    outcome: str
    detail: dict[str, Any]
    passed: bool | None = None


class Report:
    def __init__(self) -> None:
        self.records: list[_Record] = []

    def add(
        self, test: str, category: str, kind: str, target: str, outcome: str, **detail: Any
    ) -> None:
        self.records.append(_Record(test, category, kind, target, outcome, detail))

    def settle(self, test: str, passed: bool) -> None:
        for r in self.records:
            if r.test == test and r.passed is None:
                r.passed = passed

    # -- figures ------------------------------------------------------------------------

    def figures(self) -> dict[str, Any]:
        faults = [r for r in self.records if r.category == "fault"]
        injected: collections.Counter[str] = collections.Counter()
        survived: collections.Counter[str] = collections.Counter()
        for r in faults:
            n = int(r.detail.get("count", 1))
            injected[r.kind] += n
            if r.passed:
                survived[r.kind] += n
        hostile = [r for r in self.records if r.category == "hostile"]
        hostile_by: dict[str, dict[str, int]] = collections.defaultdict(
            lambda: {"tried": 0, "refused": 0, "policy": 0}
        )
        for r in hostile:
            row = hostile_by[r.target]
            row["tried"] += 1
            if r.passed and r.outcome == "refused":
                row["refused"] += 1
            elif r.passed and r.outcome == "policy":
                row["policy"] += 1
        crash = [r for r in self.records if r.category == "crash"]
        crash_points = sorted({f"{r.kind}/{r.target}" for r in crash})
        load = [r for r in self.records if r.category == "load"]
        benign = [r for r in self.records if r.category == "benign"]
        checks: dict[str, dict[str, int]] = collections.defaultdict(
            lambda: {
                "hostile": 0,
                "refused": 0,
                "faults": 0,
                "survived": 0,
                "benign": 0,
                "accepted": 0,
            }
        )
        for r in self.records:
            name = r.detail.get("check")
            if not name:
                continue
            row = checks[name]
            if r.category == "hostile":
                row["hostile"] += 1
                row["refused"] += bool(r.passed and r.outcome == "refused")
            elif r.category == "fault":
                n = int(r.detail.get("count", 1))
                row["faults"] += n
                row["survived"] += n if r.passed else 0
            elif r.category == "benign":
                row["benign"] += 1
                row["accepted"] += bool(r.passed)
        return {
            "faults": {
                "injected": sum(injected.values()),
                "survived": sum(survived.values()),
                "by_kind": {
                    k: {"injected": injected[k], "survived": survived[k]} for k in sorted(injected)
                },
            },
            "hostile": {
                "tried": len(hostile),
                "refused": sum(1 for r in hostile if r.passed and r.outcome == "refused"),
                "policy": sum(1 for r in hostile if r.passed and r.outcome == "policy"),
                "by_component": dict(sorted(hostile_by.items())),
                "inputs": sorted({r.kind for r in hostile}),
            },
            "crash": {
                "tried": len(crash),
                "recovered": sum(1 for r in crash if r.passed and r.outcome == "recovered"),
                "points": crash_points,
            },
            "load": [{**r.detail, "passed": bool(r.passed)} for r in load],
            "benign": {
                "tried": len(benign),
                "accepted": sum(1 for r in benign if r.passed),
                "inputs": sorted({r.kind for r in benign}),
            },
            "checks": dict(sorted(checks.items())),
        }

    def summary_lines(self) -> list[str]:
        if not self.records:
            return []
        f = self.figures()
        lines = [
            f"faults injected {f['faults']['injected']}, survived {f['faults']['survived']}",
        ]
        for kind, row in f["faults"]["by_kind"].items():
            lines.append(
                f"  {kind:<14} injected {row['injected']:>4}  survived {row['survived']:>4}"
            )
        h = f["hostile"]
        lines.append(
            f"hostile inputs tried {h['tried']}, refused {h['refused']}, "
            f"accepted by documented policy {h['policy']}"
        )
        for comp, row in h["by_component"].items():
            lines.append(
                f"  {comp:<14} tried {row['tried']:>4}  refused {row['refused']:>4}  "
                f"policy {row['policy']:>3}"
            )
        b = f["benign"]
        if b["tried"]:
            lines.append(
                f"legitimate inputs the safeguards must let through: tried {b['tried']}, "
                f"accepted {b['accepted']}"
            )
        for name, row in f["checks"].items():
            lines.append(f"  check {name:<21} {check_line(row)}")
        c = f["crash"]
        lines.append(
            f"crash points tried {c['tried']}, recovered {c['recovered']} "
            f"({len(c['points'])} distinct)"
        )
        for row in f["load"]:
            lines.append(
                f"load {row['name']}: {row['requests']} requests, concurrency "
                f"{row['concurrency']}, errors {row['errors']}, p50 {row['p50_ms']} ms, "
                f"p95 {row['p95_ms']} ms, {row['seconds']} s"
            )
        return lines

    def write(self) -> Path | None:
        target = os.environ.get(REPORT_ENV)
        if not target or not self.records:
            return None
        path = Path(target)
        doc = {
            "figures": self.figures(),
            "records": [asdict(r) for r in self.records],
        }
        path.write_text(json.dumps(doc, indent=2, default=str), "utf-8")
        return path


def check_line(row: dict[str, int]) -> str:
    """One safeguard's figures: hostile inputs refused, faults survived, benign accepted."""
    parts = []
    if row.get("hostile"):
        parts.append(f"hostile {row['refused']}/{row['hostile']} refused")
    if row.get("faults"):
        parts.append(f"faults {row['survived']}/{row['faults']} survived")
    if row.get("benign"):
        parts.append(f"legitimate {row['accepted']}/{row['benign']} accepted")
    return ", ".join(parts)


REPORT = Report()
