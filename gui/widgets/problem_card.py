"""A problem of the acceleration report in words, and `ProblemCard`, which shows one: its
badge, what it means, what to do, and its fix button (the Overview page, the Images page and
the function form's "why is this not accelerated?")."""

from __future__ import annotations

import re
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLayout,
    QLayoutItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core import twin_tag_of
from core.report import FixKind, FixStep, FunctionRow, ProblemCode, StepAction
from gui.format import format_bytes, format_time, short_digest
from gui.i18n import arg
from gui.models.overview_model import problem_kind, problem_title, reason_text, twin_badge
from gui.viewmodels.overview_vm import OverviewViewModel
from gui.widgets.badge import BadgeLabel

__all__ = [
    "ProblemCard",
    "advice",
    "describe_step",
    "explain",
    "fix_button_text",
]


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


class _FlowRow(QLayout):
    """The problem badge and its fix button side by side (the button at the right) while both
    fit, else one under the other: long translations reflow instead of being clipped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(8)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def sizeHint(self) -> QSize:
        hints = [i.sizeHint() for i in self._visible()]
        margins = self.contentsMargins()
        width = sum(h.width() for h in hints) + self.spacing() * max(0, len(hints) - 1)
        height = max((h.height() for h in hints), default=0)
        return QSize(
            width + margins.left() + margins.right(), height + margins.top() + margins.bottom()
        )

    def minimumSize(self) -> QSize:
        # one item a line: as narrow as the widest item
        margins = self.contentsMargins()
        width = max((i.minimumSize().width() for i in self._visible()), default=0)
        return QSize(width + margins.left() + margins.right(), 0)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def wrapped(self) -> bool:
        """Whether the items are one under the other at the current width."""
        return self._wraps(self.geometry().width())

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _wraps(self, width: int) -> bool:
        margins = self.contentsMargins()
        return self.sizeHint().width() > width or (
            width <= margins.left() + margins.right() and len(self._visible()) > 1
        )

    def _place(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        inner = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        items = self._visible()
        if not self._wraps(rect.width()):
            height = max((i.sizeHint().height() for i in items), default=0)
            if move:
                x = inner.x()
                for n, item in enumerate(items):
                    hint = item.sizeHint()
                    if n == len(items) - 1 and n > 0:
                        x = inner.right() + 1 - hint.width()  # the button at the right
                    top = inner.y() + (height - hint.height()) // 2
                    item.setGeometry(QRect(QPoint(x, top), hint))
                    x += hint.width() + self.spacing()
            return height + margins.top() + margins.bottom()
        y = inner.y()
        for item in items:
            hint = item.sizeHint()
            if move:
                size = QSize(min(hint.width(), inner.width()), hint.height())
                item.setGeometry(QRect(QPoint(inner.x(), y), size))
            y += hint.height() + self.spacing()
        return y - inner.y() - (self.spacing() if items else 0) + margins.top() + margins.bottom()


class ProblemCard(QFrame):
    """One problem of a row: its badge, what it means, what to do, and its fix button.
    Also used by the Images page and the function form ("why is this not accelerated?")."""

    fixRequested = Signal(object, object)  # FunctionRow, ProblemCode

    def __init__(self, row: FunctionRow, code: ProblemCode, busy: bool) -> None:
        super().__init__()
        self.setObjectName("problemCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        if self.palette().color(QPalette.ColorRole.Window).lightness() < 128:
            # the style's panel frame all but vanishes on a dark window (1.1:1): the palette's
            # border colour instead (2:1)
            self.setStyleSheet(
                "QFrame#problemCard { border: 1px solid palette(mid); border-radius: 6px; }"
            )
        layout.setContentsMargins(10, 8, 10, 8)
        self.top = top = _FlowRow()
        self.badge = BadgeLabel(problem_title(code), problem_kind(code))
        top.addWidget(self.badge)
        finding = row.finding(code)
        self.button: QPushButton | None = None
        plan = OverviewViewModel.plan(row, code)
        if finding is not None and finding.fix is not None and plan is not None:
            self.button = QPushButton(fix_button_text(finding.fix))
            self.button.setObjectName(f"fix-{code.value}")
            self.button.setEnabled(plan.automatic and not busy)
            if not plan.automatic:
                self.button.setToolTip("\n".join(describe_step(s) for s in plan.steps))
            self.button.clicked.connect(lambda: self.fixRequested.emit(row, code))
            top.addWidget(self.button)
        layout.addLayout(top)
        text = QLabel(explain(row, code))
        text.setWordWrap(True)
        if finding is not None and finding.reason:
            text.setToolTip(finding.reason)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(text)
        self.advice = QLabel(
            arg(QCoreApplication.translate("OverviewView", "What to do: %1"), advice(code))
        )
        self.advice.setWordWrap(True)
        self.advice.setObjectName("adviceLabel")
        self.advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.advice)
        if plan is not None and plan.manual_steps and not plan.automatic:
            manual = QLabel("\n".join(describe_step(s) for s in plan.manual_steps))
            manual.setWordWrap(True)
            manual.setObjectName("hint")
            layout.addWidget(manual)
