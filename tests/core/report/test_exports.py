"""The public face of core.report is deliberate: changing it is an API change."""

from __future__ import annotations

import core.report

REPORT = [
    "FIX_FOR",
    "REPORT_FORMAT_VERSION",
    "Finding",
    "FixKind",
    "FixOutcome",
    "FixPlan",
    "FixStep",
    "ForeignAuth",
    "FunctionRow",
    "ProblemCode",
    "RegistryHost",
    "Report",
    "ReportTarget",
    "StepAction",
    "StepOutcome",
    "StepStatus",
    "TargetError",
    "TargetKey",
    "TwinState",
    "TwinWait",
    "UnreadableReason",
    "WaitOutcome",
    "accelerated_pair",
    "apply_fix",
    "build_report",
    "check_image",
    "inspect_target",
    "parse_registry_host",
    "plan_fix",
    "plan_fixes",
    "size_limit",
    "wait_for_twin",
]


def test_core_report_exports() -> None:
    assert core.report.__all__ == REPORT
    for name in REPORT:
        assert getattr(core.report, name) is not None
    assert {c.value for c in core.report.ProblemCode} == {
        "plain-tag-with-twin",
        "stale-twin",
        "acceleration-off",
        "twin-failed",
        "twin-missing",
        "image-unreadable",
        "edition-unsupported",
        "multi-arch",
        "too-large",
        "index-only",
        "public-endpoint",
        "vpc-not-linked",
        "region-mismatch",
        "not-enterprise",
        "redeploy-needed",
    }
