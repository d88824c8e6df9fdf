"""The Overview's sentences: a problem of the acceleration report, its advice, a fix and its
steps, in the user's language.

Used wherever a problem is shown (the Overview's cards and fix confirmation, the Images page
and the function form's "why is this not accelerated?"). Text only: no widgets here; the
translations keep the ``OverviewView`` context they were written in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication

from core import twin_tag_of
from core.report import FixKind, FixStep, FunctionRow, ProblemCode, StepAction
from gui.format import format_bytes, format_time, short_digest
from gui.i18n import arg
from gui.models.overview_model import reason_text, twin_badge

__all__ = ["advice", "describe_step", "explain", "fix_button_text", "state_text"]


def describe_step(step: FixStep) -> str:
    """One fix step in words: exactly what it changes."""
    if step.action is StepAction.UPDATE_FUNCTION_IMAGE:
        return arg(
            QCoreApplication.translate(
                "OverviewView", "Function %1: change the image from %2 to %3 (UpdateFunction)."
            ),
            step.function,
            step.before,
            step.after,
        )
    if step.action is StepAction.CREATE_BUILD_RULE:
        return arg(
            QCoreApplication.translate(
                "OverviewView",
                "Switch image acceleration on for repository %1 (CreateArtifactBuildRule): "
                "tags pushed from now on are converted.",
            ),
            step.repository,
        )
    if step.action is StepAction.CONVERT_TAG:
        return arg(
            QCoreApplication.translate(
                "OverviewView", "Convert %1:%2 into %1:%3 now, replacing the twin if there is one."
            ),
            step.repository,
            step.tag,
            twin_tag_of(step.tag),
        )
    if step.action is StepAction.REDEPLOY_FUNCTION:
        return arg(
            QCoreApplication.translate(
                "OverviewView",
                "Redeploy function %1 with the same image %2, so that it starts the new twin.",
            ),
            step.function,
            step.after,
        )
    return arg(
        QCoreApplication.translate(
            "OverviewView",
            "By hand: push %1:%2 again; the registry converts it (no API converts a tag "
            "that exists).",
        ),
        step.repository,
        step.tag,
    )


_DIGEST = re.compile(r"sha(256|512):[0-9a-f]{20,128}")


def _short_digests(text: str) -> str:
    """Digests shortened, so that a message wraps in a narrow panel (the tooltip has all)."""
    return _DIGEST.sub(lambda m: short_digest(m.group(0)), text)


def fix_button_text(kind: FixKind) -> str:
    return {
        FixKind.SWITCH_TO_TWIN: QCoreApplication.translate("OverviewView", "Switch to the twin…"),
        FixKind.RECONVERT: QCoreApplication.translate("OverviewView", "Re-convert…"),
        FixKind.ENABLE_ACCELERATION: QCoreApplication.translate(
            "OverviewView", "Switch acceleration on…"
        ),
        FixKind.CONVERT_NOW: QCoreApplication.translate("OverviewView", "Convert now…"),
        FixKind.USE_VPC_ADDRESS: QCoreApplication.translate("OverviewView", "Use the VPC address…"),
        FixKind.REDEPLOY: QCoreApplication.translate("OverviewView", "Redeploy…"),
    }[kind]


def explain(row: FunctionRow, code: ProblemCode) -> str:
    """What a problem means for this function, in a sentence or two."""
    finding = row.finding(code)
    if finding is None:
        return ""
    source = f"{row.repository}:{row.source_tag or row.tag or ''}"
    twin = f"{row.repository}:{row.twin_tag or ''}"
    since = (
        format_time(finding.since)
        if finding.since
        else QCoreApplication.translate("OverviewView", "an unknown time")
    )
    if code is ProblemCode.PLAIN_TAG_WITH_TWIN:
        text = arg(
            QCoreApplication.translate(
                "OverviewView",
                "Runs the plain tag %1 although its accelerated twin %2 exists (since %3): "
                "every cold start pulls the whole image.",
            ),
            source,
            twin,
            since,
        )
        if finding.fix_blocked:
            text += " " + arg(
                QCoreApplication.translate(
                    "OverviewView", "Switching is not offered while the twin is %1."
                ),
                twin_badge(row.twin_state)[0],
            )
        return text
    if code is ProblemCode.STALE_TWIN:
        return arg(
            QCoreApplication.translate(
                "OverviewView",
                "The accelerated image was converted from %1, but %2 now points at %3 "
                "(pushed %4): a cold start would run old code.",
            ),
            short_digest(row.recorded_source_digest)
            or QCoreApplication.translate("OverviewView", "an older image"),
            source,
            short_digest(row.source_digest),
            since,
        )
    if code is ProblemCode.REDEPLOY_NEEDED:
        return arg(
            QCoreApplication.translate(
                "OverviewView",
                "Deployed with %1, but %2 now points at %3 (since %4): Function Compute runs "
                "the digest recorded at deployment, so the function fails until it is "
                "redeployed.",
            ),
            short_digest(finding.detail.get("deployed", "")),
            f"{row.repository}:{row.tag or ''}",
            short_digest(finding.detail.get("current", "")),
            since,
        )
    if code is ProblemCode.ACCELERATION_OFF:
        return arg(
            QCoreApplication.translate(
                "OverviewView",
                "No acceleration rule covers repository %1 (neither the repository nor its "
                "namespace): pushed images are not converted.",
            ),
            row.repository,
        )
    if code is ProblemCode.TWIN_FAILED:
        return arg(
            QCoreApplication.translate("OverviewView", "Converting %1 failed: %2"),
            source,
            _short_digests(finding.reason)
            or QCoreApplication.translate("OverviewView", "no reason given"),
        )
    if code is ProblemCode.TWIN_MISSING:
        return arg(
            QCoreApplication.translate(
                "OverviewView",
                "Acceleration is on, but %1 was pushed before it was switched on and has never "
                "been converted.",
            ),
            source,
        )
    if code in _MORE:
        return _explain_more(row, code, finding.detail)
    text = arg(
        QCoreApplication.translate("OverviewView", "This profile cannot read %1: %2."),
        row.image,
        reason_text(finding.reason),
    )
    message = finding.detail.get("message", "")
    return text + (f"\n{message}" if message else "")


def advice(code: ProblemCode) -> str:
    """What to do about a problem, in a sentence."""
    return {
        ProblemCode.PLAIN_TAG_WITH_TWIN: QCoreApplication.translate(
            "OverviewView", "switch the function to the twin."
        ),
        ProblemCode.STALE_TWIN: QCoreApplication.translate(
            "OverviewView", "convert the tag again, then redeploy the function."
        ),
        ProblemCode.ACCELERATION_OFF: QCoreApplication.translate(
            "OverviewView", "switch acceleration on for the repository."
        ),
        ProblemCode.TWIN_FAILED: QCoreApplication.translate(
            "OverviewView", "remove what the reason names from the image, then convert again."
        ),
        ProblemCode.TWIN_MISSING: QCoreApplication.translate(
            "OverviewView",
            "convert the tag (on Alibaba Cloud: push it again; tags pushed before the rule "
            "are not converted).",
        ),
        ProblemCode.IMAGE_UNREADABLE: QCoreApplication.translate(
            "OverviewView", "check the image address and that this profile may read it."
        ),
        ProblemCode.EDITION_UNSUPPORTED: QCoreApplication.translate(
            "OverviewView",
            "use a Standard or Advanced instance (upgrade this one, or push the image to another).",
        ),
        ProblemCode.MULTI_ARCH: QCoreApplication.translate(
            "OverviewView", "push a single-platform image (for example linux/amd64)."
        ),
        ProblemCode.TOO_LARGE: QCoreApplication.translate(
            "OverviewView",
            "make the image smaller, or use an Advanced instance (up to 10 GB).",
        ),
        ProblemCode.INDEX_ONLY: QCoreApplication.translate(
            "OverviewView",
            "switch the repository's acceleration to full mode in the Container Registry "
            "console, then push the tag again.",
        ),
        ProblemCode.PUBLIC_ENDPOINT: QCoreApplication.translate(
            "OverviewView", "use the instance's VPC address for the image."
        ),
        ProblemCode.VPC_NOT_LINKED: QCoreApplication.translate(
            "OverviewView",
            "link the function's VPC to the instance (Container Registry console, Access "
            "Control, VPC).",
        ),
        ProblemCode.REGION_MISMATCH: QCoreApplication.translate(
            "OverviewView", "push the image to an instance in the function's region."
        ),
        ProblemCode.NOT_ENTERPRISE: QCoreApplication.translate(
            "OverviewView",
            "push the image to a Container Registry Enterprise instance with acceleration on.",
        ),
        ProblemCode.REDEPLOY_NEEDED: QCoreApplication.translate(
            "OverviewView", "redeploy the function with the same image."
        ),
    }[code]


_MORE = frozenset(
    {
        ProblemCode.EDITION_UNSUPPORTED,
        ProblemCode.MULTI_ARCH,
        ProblemCode.TOO_LARGE,
        ProblemCode.INDEX_ONLY,
        ProblemCode.PUBLIC_ENDPOINT,
        ProblemCode.VPC_NOT_LINKED,
        ProblemCode.REGION_MISMATCH,
        ProblemCode.NOT_ENTERPRISE,
    }
)


def _explain_more(row: FunctionRow, code: ProblemCode, detail: Mapping[str, str]) -> str:
    """The Container Registry limits behind a missing twin, in a sentence."""
    if code is ProblemCode.EDITION_UNSUPPORTED:
        return QCoreApplication.translate(
            "OverviewView",
            "The registry instance is a Basic edition, which has no image acceleration.",
        )
    if code is ProblemCode.MULTI_ARCH:
        return arg(
            QCoreApplication.translate(
                "OverviewView",
                "%1 is a multi-architecture image (an index): the registry does not convert those.",
            ),
            f"{row.repository}:{row.source_tag or row.tag or ''}",
        )
    if code is ProblemCode.TOO_LARGE:
        return arg(
            QCoreApplication.translate(
                "OverviewView",
                "The image is %1 compressed; the %2 edition converts images of up to %3.",
            ),
            format_bytes(int(detail.get("size") or 0)),
            detail.get("edition", "").removeprefix("Enterprise_"),
            format_bytes(int(detail.get("limit") or 0)),
        )
    if code is ProblemCode.INDEX_ONLY:
        return QCoreApplication.translate(
            "OverviewView",
            "The repository converts in index-only mode, whose twins Function Compute cannot use.",
        )
    if code is ProblemCode.PUBLIC_ENDPOINT:
        return arg(
            QCoreApplication.translate(
                "OverviewView",
                "The function pulls through the instance's public address; functions pull "
                "through its VPC address (%1).",
            ),
            detail.get("vpcImage", "").split("/", 1)[0],
        )
    if code is ProblemCode.VPC_NOT_LINKED:
        return arg(
            QCoreApplication.translate(
                "OverviewView",
                "The function's VPC %1 is not linked to the registry instance's VPC endpoint: "
                "the pull is refused.",
            ),
            detail.get("vpcId", ""),
        )
    if code is ProblemCode.REGION_MISMATCH:
        return arg(
            QCoreApplication.translate(
                "OverviewView",
                "The image is in a registry instance in %1; the function runs in %2.",
            ),
            detail.get("imageRegion", ""),
            detail.get("region", ""),
        )
    kind = detail.get("registry", "")
    if kind == "personal":
        return QCoreApplication.translate(
            "OverviewView",
            "The image is in a Personal edition registry, which has no image acceleration.",
        )
    return QCoreApplication.translate(
        "OverviewView",
        "The image is not in a Container Registry Enterprise instance: nothing converts it.",
    )


def state_text(state: str | None) -> str:
    """A function's state (Active, Pending …) in the user's language."""
    if not state:
        return "—"
    from gui.backend import FunctionInfo
    from gui.models.functions_model import state_badge

    return state_badge(FunctionInfo(name="", state=state))[0]
