"""The acceleration overview: every function across profiles and regions, whether it runs
an ``_accelerated`` image, the state of the twin and what is wrong — with fixes.

```python
from core.report import ReportTarget, TargetKey, build_report, plan_fixes, apply_fix

report = await build_report([ReportTarget(TargetKey("Local"), clients, http)])
for row in report.with_problem(ProblemCode.PLAIN_TAG_WITH_TWIN):
    ...
plans = plan_fixes(report.rows, ProblemCode.PLAIN_TAG_WITH_TWIN)
outcome = await apply_fix(plans[0], target)
```

Rows carry problem *codes* (`ProblemCode`), never sentences; `Report.to_json` and
`Report.to_csv` export them.
"""

from core.report._deploy import TwinWait, WaitOutcome, accelerated_pair, wait_for_twin
from core.report._engine import (
    ForeignAuth,
    ReportTarget,
    build_report,
    check_image,
    inspect_target,
)
from core.report._fix import (
    FixOutcome,
    StepOutcome,
    StepStatus,
    apply_fix,
    plan_fix,
    plan_fixes,
)
from core.report._model import (
    FIX_FOR,
    REPORT_FORMAT_VERSION,
    Finding,
    FixKind,
    FixPlan,
    FixStep,
    FunctionRow,
    ProblemCode,
    Report,
    StepAction,
    TargetError,
    TargetKey,
    TwinState,
    UnreadableReason,
)
from core.report._rules import RegistryHost, parse_registry_host, size_limit

__all__ = [
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
