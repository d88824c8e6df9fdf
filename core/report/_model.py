"""The acceleration report's result model: rows, problem codes, fix plans; JSON and CSV.

Everything here is plain data with stable machine-readable codes (no sentences for users):
the GUI and the command line word them.
"""

from __future__ import annotations

import csv
import enum
import io
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.errors import InvalidInput

__all__ = [
    "FIX_FOR",
    "REPORT_FORMAT_VERSION",
    "Finding",
    "FixKind",
    "FixPlan",
    "FixStep",
    "FunctionRow",
    "ProblemCode",
    "Report",
    "StepAction",
    "TargetError",
    "TargetKey",
    "TwinState",
    "UnreadableReason",
]

REPORT_FORMAT_VERSION = 1


class ProblemCode(enum.StrEnum):
    """What can be wrong with a function's image acceleration."""

    #: the function runs a plain tag although its ``_accelerated`` twin exists
    PLAIN_TAG_WITH_TWIN = "plain-tag-with-twin"
    #: the function runs an ``_accelerated`` tag converted from an older digest of the source tag
    STALE_TWIN = "stale-twin"
    #: no acceleration rule covers the repository (neither repository nor namespace scope)
    ACCELERATION_OFF = "acceleration-off"
    #: the last conversion of the source tag failed
    TWIN_FAILED = "twin-failed"
    #: acceleration is on but the tag was never converted (pushed before the rule)
    TWIN_MISSING = "twin-missing"
    #: the profile cannot read the function's image (auth, not found, unreachable …)
    IMAGE_UNREADABLE = "image-unreadable"
    #: the registry instance is a Basic edition, which has no image acceleration
    EDITION_UNSUPPORTED = "edition-unsupported"
    #: the tag is a multi-architecture image (an index), which the registry does not convert
    MULTI_ARCH = "multi-arch"
    #: the image is larger (compressed) than the edition converts
    TOO_LARGE = "too-large"
    #: the rule converts in index-only mode, whose twins Function Compute cannot use
    INDEX_ONLY = "index-only"
    #: the function pulls through the instance's public endpoint although it has a VPC one
    PUBLIC_ENDPOINT = "public-endpoint"
    #: the function's VPC is not linked to the instance's VPC endpoint
    VPC_NOT_LINKED = "vpc-not-linked"
    #: the image is in a registry instance of another region
    REGION_MISMATCH = "region-mismatch"
    #: the image is not in a Container Registry Enterprise instance (Personal edition,
    #: another registry): nothing converts it
    NOT_ENTERPRISE = "not-enterprise"
    #: the function was deployed with a digest its tag no longer points at (the tag was pushed
    #: again, or its twin converted from a new push): Function Compute runs the recorded
    #: digest and fails the function until it is redeployed
    REDEPLOY_NEEDED = "redeploy-needed"


class TwinState(enum.StrEnum):
    """The state of the ``_accelerated`` twin of the function's image."""

    READY = "ready"  # exists and was converted from the source tag's current digest
    STALE = "stale"  # exists, converted from an older digest of the source tag
    CONVERTING = "converting"  # a conversion of the source tag is queued or running
    FAILED = "failed"  # the last conversion failed
    NONE = "none"  # no twin and no conversion
    SOURCE_GONE = "source-gone"  # the function runs a twin whose source tag no longer exists
    UNKNOWN = "unknown"  # could not tell (unreadable image, digest reference, foreign registry)


class UnreadableReason(enum.StrEnum):
    AUTH = "auth"  # 401/403: the profile's credentials may not read the repository
    NOT_FOUND = "not-found"  # repository or tag does not exist
    UNREACHABLE = "unreachable"  # the registry did not answer
    INVALID_REFERENCE = "invalid-reference"  # the image reference cannot be parsed
    ERROR = "error"  # any other error answer (``detail["code"]`` has the service's code)


class FixKind(enum.StrEnum):
    SWITCH_TO_TWIN = "switch-to-twin"
    RECONVERT = "reconvert"
    ENABLE_ACCELERATION = "enable-acceleration"
    CONVERT_NOW = "convert-now"
    USE_VPC_ADDRESS = "use-vpc-address"
    REDEPLOY = "redeploy"


class StepAction(enum.StrEnum):
    UPDATE_FUNCTION_IMAGE = "update-function-image"  # function, before → after
    CREATE_BUILD_RULE = "create-build-rule"  # repository (REPOSITORY scope)
    CONVERT_TAG = "convert-tag"  # repository, tag (Local: convert now, forced)
    REDEPLOY_FUNCTION = "redeploy-function"  # function (same image, resolves the new digest)
    REPUSH_TAG = "repush-tag"  # manual: push repository:tag again so the cloud converts it


#: Which fix answers which problem.
FIX_FOR: Mapping[ProblemCode, FixKind] = {
    ProblemCode.PLAIN_TAG_WITH_TWIN: FixKind.SWITCH_TO_TWIN,
    ProblemCode.STALE_TWIN: FixKind.RECONVERT,
    ProblemCode.ACCELERATION_OFF: FixKind.ENABLE_ACCELERATION,
    ProblemCode.TWIN_MISSING: FixKind.CONVERT_NOW,
    ProblemCode.PUBLIC_ENDPOINT: FixKind.USE_VPC_ADDRESS,
    ProblemCode.REDEPLOY_NEEDED: FixKind.REDEPLOY,
}


@dataclass(frozen=True, slots=True)
class TargetKey:
    """One (profile, region) pair; ``region`` is ``""`` for the Local profile."""

    profile: str
    region: str = ""

    def __str__(self) -> str:
        return f"{self.profile}/{self.region}" if self.region else self.profile


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem of one function.

    ``since`` (epoch seconds) is when the problem began when that is known: the twin's
    creation for ``plain-tag-with-twin``, the source tag's last update for ``stale-twin``,
    the failed conversion's end for ``twin-failed``. ``reason`` is an `UnreadableReason`
    for ``image-unreadable`` and the conversion's failure reason (the server's text) for
    ``twin-failed``. ``fix`` is the fix kind offered, ``None`` when there is none;
    ``fix_blocked`` says why a fix is withheld (e.g. ``twin-stale``).
    """

    code: ProblemCode
    since: float | None = None
    reason: str = ""
    detail: Mapping[str, str] = field(default_factory=dict)
    fix: FixKind | None = None
    fix_blocked: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code.value}
        if self.since is not None:
            out["since"] = self.since
        if self.reason:
            out["reason"] = self.reason
        if self.detail:
            out["detail"] = dict(self.detail)
        out["fix"] = self.fix.value if self.fix else None
        if self.fix_blocked:
            out["fixBlocked"] = self.fix_blocked
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        fix = data.get("fix")
        since = data.get("since")
        return cls(
            code=ProblemCode(str(data["code"])),
            since=float(since) if since is not None else None,
            reason=str(data.get("reason") or ""),
            detail={str(k): str(v) for k, v in (data.get("detail") or {}).items()},
            fix=FixKind(str(fix)) if fix else None,
            fix_blocked=str(data.get("fixBlocked") or ""),
        )


@dataclass(frozen=True, slots=True)
class FunctionRow:
    """One function and what the report found about its image.

    ``repository`` is ``namespace/name`` in the image's registry, ``tag`` the tag the function
    runs (``None`` for a digest reference), ``source_tag``/``twin_tag`` the plain and
    ``_accelerated`` tag names of the pair. Digests are ``sha256:…``; times epoch seconds.
    ``acceleration`` is whether a rule covers the repository (``None``: unknown or no such
    concept, e.g. a plain registry).
    """

    target: TargetKey
    function: str
    image: str
    runs_accelerated: bool
    twin_state: TwinState
    registry: str = ""
    repository: str = ""
    tag: str | None = None
    source_tag: str | None = None
    twin_tag: str | None = None
    source_digest: str = ""  # the source tag's current digest
    twin_digest: str = ""
    recorded_source_digest: str = ""  # the digest the twin was converted from
    twin_created: float | None = None
    twin_updated: float | None = None
    acceleration: bool | None = None
    convert_on_request: bool = False  # the registry converts existing tags on request (Local)
    function_state: str = ""
    last_update_status: str = ""
    problems: tuple[Finding, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.target.profile}\x1f{self.target.region}\x1f{self.function}"

    @property
    def problem_codes(self) -> frozenset[ProblemCode]:
        return frozenset(p.code for p in self.problems)

    def finding(self, code: ProblemCode) -> Finding | None:
        return next((p for p in self.problems if p.code == code), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.target.profile,
            "region": self.target.region,
            "function": self.function,
            "image": self.image,
            "runsAccelerated": self.runs_accelerated,
            "twinState": self.twin_state.value,
            "registry": self.registry,
            "repository": self.repository,
            "tag": self.tag,
            "sourceTag": self.source_tag,
            "twinTag": self.twin_tag,
            "sourceDigest": self.source_digest,
            "twinDigest": self.twin_digest,
            "recordedSourceDigest": self.recorded_source_digest,
            "twinCreated": self.twin_created,
            "twinUpdated": self.twin_updated,
            "acceleration": self.acceleration,
            "convertOnRequest": self.convert_on_request,
            "functionState": self.function_state,
            "lastUpdateStatus": self.last_update_status,
            "problems": [p.to_json() for p in self.problems],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FunctionRow:
        def opt_float(key: str) -> float | None:
            value = data.get(key)
            return float(value) if value is not None else None

        def opt_str(key: str) -> str | None:
            value = data.get(key)
            return str(value) if value is not None else None

        accel = data.get("acceleration")
        return cls(
            target=TargetKey(str(data["profile"]), str(data.get("region") or "")),
            function=str(data["function"]),
            image=str(data.get("image") or ""),
            runs_accelerated=bool(data.get("runsAccelerated")),
            twin_state=TwinState(str(data.get("twinState") or "unknown")),
            registry=str(data.get("registry") or ""),
            repository=str(data.get("repository") or ""),
            tag=opt_str("tag"),
            source_tag=opt_str("sourceTag"),
            twin_tag=opt_str("twinTag"),
            source_digest=str(data.get("sourceDigest") or ""),
            twin_digest=str(data.get("twinDigest") or ""),
            recorded_source_digest=str(data.get("recordedSourceDigest") or ""),
            twin_created=opt_float("twinCreated"),
            twin_updated=opt_float("twinUpdated"),
            acceleration=bool(accel) if accel is not None else None,
            convert_on_request=bool(data.get("convertOnRequest")),
            function_state=str(data.get("functionState") or ""),
            last_update_status=str(data.get("lastUpdateStatus") or ""),
            problems=tuple(Finding.from_json(p) for p in data.get("problems") or ()),
        )


@dataclass(frozen=True, slots=True)
class TargetError:
    """A target (or part of it) that could not be inspected; ``code`` is the error's code."""

    target: TargetKey
    code: str
    message: str
    function: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {
            "profile": self.target.profile,
            "region": self.target.region,
            "code": self.code,
            "message": self.message,
        }
        if self.function:
            out["function"] = self.function
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TargetError:
        return cls(
            TargetKey(str(data["profile"]), str(data.get("region") or "")),
            str(data.get("code") or ""),
            str(data.get("message") or ""),
            str(data.get("function") or ""),
        )


_CSV_COLUMNS = (
    "profile",
    "region",
    "function",
    "image",
    "runs_accelerated",
    "twin_state",
    "acceleration",
    "function_state",
    "problems",
    "since",
    "reasons",
    "twin_digest",
    "source_digest",
    "recorded_source_digest",
)


def _iso(ts: float | None) -> str:
    if ts is None:
        return ""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (a cell starting with = + - @ or a control char)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


@dataclass(frozen=True, slots=True)
class Report:
    """The whole overview: rows of every target, and what could not be read."""

    created: float
    targets: tuple[TargetKey, ...]
    rows: tuple[FunctionRow, ...]
    errors: tuple[TargetError, ...] = ()

    @property
    def has_problems(self) -> bool:
        return any(r.problems for r in self.rows)

    def counts(self) -> dict[ProblemCode, int]:
        """Functions per problem code (every code present, zero when none)."""
        out = dict.fromkeys(ProblemCode, 0)
        for row in self.rows:
            for code in row.problem_codes:
                out[code] += 1
        return out

    def with_problem(self, code: ProblemCode) -> list[FunctionRow]:
        return [r for r in self.rows if code in r.problem_codes]

    def row(self, target: TargetKey, function: str) -> FunctionRow | None:
        return next((r for r in self.rows if r.target == target and r.function == function), None)

    # -- JSON -------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": REPORT_FORMAT_VERSION,
            "created": self.created,
            "targets": [{"profile": t.profile, "region": t.region} for t in self.targets],
            "counts": {code.value: n for code, n in self.counts().items()},
            "rows": [r.to_json() for r in self.rows],
            "errors": [e.to_json() for e in self.errors],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Report:
        version = data.get("version")
        if version != REPORT_FORMAT_VERSION:
            raise InvalidInput(
                f"unsupported report version {version!r}", code="UnsupportedReportVersion"
            )
        try:
            return cls(
                created=float(data["created"]),
                targets=tuple(
                    TargetKey(str(t["profile"]), str(t.get("region") or ""))
                    for t in data.get("targets") or ()
                ),
                rows=tuple(FunctionRow.from_json(r) for r in data.get("rows") or ()),
                errors=tuple(TargetError.from_json(e) for e in data.get("errors") or ()),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"malformed report: {exc}", code="MalformedReport") from exc

    # -- CSV --------------------------------------------------------------------------------

    def to_csv(self, rows: Iterable[FunctionRow] | None = None) -> str:
        """One line per function; several problems are joined with ``;``. Cells that a
        spreadsheet would evaluate are prefixed with ``'``."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(_CSV_COLUMNS)
        for r in self.rows if rows is None else rows:
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        r.target.profile,
                        r.target.region,
                        r.function,
                        r.image,
                        "yes" if r.runs_accelerated else "no",
                        r.twin_state.value,
                        {True: "on", False: "off", None: ""}[r.acceleration],
                        r.function_state,
                        ";".join(p.code.value for p in r.problems),
                        ";".join(_iso(p.since) for p in r.problems),
                        ";".join(p.reason.replace(";", ",") for p in r.problems),
                        r.twin_digest,
                        r.source_digest,
                        r.recorded_source_digest,
                    )
                ]
            )
        return buf.getvalue()


@dataclass(frozen=True, slots=True)
class FixStep:
    """One change a fix makes. Fields used per action (others empty):

    * ``update-function-image``: ``function``, ``before`` (image now), ``after`` (new image)
    * ``create-build-rule``: ``repository`` (``namespace/name``), ``scope`` (``REPOSITORY``)
    * ``convert-tag``: ``repository``, ``tag`` (converted into ``tag_accelerated``)
    * ``redeploy-function``: ``function``, ``after`` (its image, unchanged)
    * ``repush-tag`` (manual): ``repository``, ``tag``
    """

    action: StepAction
    function: str = ""
    repository: str = ""
    tag: str = ""
    before: str = ""
    after: str = ""
    scope: str = ""

    @property
    def automatic(self) -> bool:
        return self.action is not StepAction.REPUSH_TAG

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action.value}
        for name in ("function", "repository", "tag", "before", "after", "scope"):
            value = getattr(self, name)
            if value:
                out[name] = value
        return out


@dataclass(frozen=True, slots=True)
class FixPlan:
    """Exactly what a fix will change, step by step. Steps that must be done by hand (the
    cloud cannot re-convert an existing tag through its API) are `manual_steps`."""

    kind: FixKind
    problem: ProblemCode
    target: TargetKey
    function: str
    steps: tuple[FixStep, ...]
    registry: str = ""  # the registry host the repository steps apply to

    @property
    def automatic(self) -> bool:
        """Whether applying it changes anything (at least one step is not manual)."""
        return any(s.automatic for s in self.steps)

    @property
    def manual_steps(self) -> tuple[FixStep, ...]:
        return tuple(s for s in self.steps if not s.automatic)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "problem": self.problem.value,
            "profile": self.target.profile,
            "region": self.target.region,
            "function": self.function,
            "registry": self.registry,
            "automatic": self.automatic,
            "steps": [s.to_json() for s in self.steps],
        }
