"""A function's detail page: Overview, Configuration, Image & acceleration, Invoke, Cold
starts."""

from __future__ import annotations

import base64
import contextlib
import json
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core import is_accelerated_tag, twin_tag_of
from gui.backend import AccelState, FunctionInfo, InvokeResult, LabResult, LogEntry, image_tag
from gui.errors import ErrorPresenter
from gui.format import format_bytes, format_duration_ms, format_time
from gui.i18n import arg
from gui.models.functions_model import accel_badge, state_badge, update_badge
from gui.resources import icon
from gui.viewmodels.functions_vm import FunctionsViewModel
from gui.widgets.badge import BadgeLabel

__all__ = ["FunctionDetailView", "decode_log_tail"]


def decode_log_tail(value: str) -> str:
    """The log tail header is base64 on FC; fall back to the raw text when it is not."""
    if not value:
        return ""
    try:
        raw = base64.b64decode(value, validate=True)
        return raw.decode("utf-8", "replace")
    except (ValueError, UnicodeDecodeError):
        return value


def _mono() -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return edit


def _value_label() -> QLabel:
    label = QLabel("—")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class FunctionDetailView(QWidget):
    backRequested = Signal()
    editRequested = Signal(object)
    compareRequested = Signal(str)
    deleteRequested = Signal(str)
    useAcceleratedRequested = Signal(object)  # FunctionInfo

    def __init__(self, vm: FunctionsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.info: FunctionInfo | None = None
        self.setObjectName("functionDetail")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)

        header = QHBoxLayout()
        self.back_button = QPushButton(icon("back"), self.tr("All functions"))
        self.back_button.setFlat(True)
        self.back_button.setAccessibleName(self.tr("Back to all functions"))
        header.addWidget(self.back_button)
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        header.addWidget(self.title)
        self.state_badge = BadgeLabel()
        self.update_badge = BadgeLabel()
        self.accel_badge = BadgeLabel()
        header.addWidget(self.state_badge)
        header.addWidget(self.update_badge)
        header.addWidget(self.accel_badge)
        header.addStretch(1)
        self.edit_button = QPushButton(icon("edit"), self.tr("Edit"))
        self.delete_button = QPushButton(icon("delete"), self.tr("Delete"))
        self.delete_button.setObjectName("dangerButton")
        header.addWidget(self.edit_button)
        header.addWidget(self.delete_button)
        layout.addLayout(header)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Function details"))
        layout.addWidget(self.tabs, 1)
        self._build_overview()
        self._build_configuration()
        self._build_image()
        self._build_invoke()
        self._build_coldstarts()
        self._build_logs()

        self.back_button.clicked.connect(self.backRequested.emit)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        vm.functionChanged.connect(self._on_vm_function_changed)
        vm.invoked.connect(self._on_vm_invoked)
        vm.invoked.connect(lambda r: self.logs_vm.add_tail(self.name, r))
        vm.invokeFailed.connect(self._on_vm_invoke_failed)

    def _on_edit_clicked(self) -> None:
        if self.info is not None:
            self.editRequested.emit(self.info)

    def _on_delete_clicked(self) -> None:
        if self.info is not None:
            self.deleteRequested.emit(self.info.name)

    def _on_use_accelerated_clicked(self) -> None:
        if self.info is not None:
            self.useAcceleratedRequested.emit(self.info)

    @property
    def name(self) -> str:
        return self.info.name if self.info else ""

    def current_tab_title(self) -> str:
        # "&&" in a tab's text is a literal "&" (a single one marks a mnemonic).
        text = self.tabs.tabText(self.tabs.currentIndex())
        return text.replace("&&", "\0").replace("&", "").replace("\0", "&")

    # -- tabs ---------------------------------------------------------------------------
    def _build_overview(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.ov: dict[str, QLabel] = {}
        rows = [
            ("state", self.tr("State")),
            ("state_reason", self.tr("State reason")),
            ("update", self.tr("Last update")),
            ("update_reason", self.tr("Update reason")),
            ("image", self.tr("Image")),
            ("resolved", self.tr("Deployed digest")),
            ("description", self.tr("Description")),
            ("arn", self.tr("ARN")),
            ("created", self.tr("Created")),
            ("modified", self.tr("Last modified")),
        ]
        for key, title in rows:
            label = _value_label()
            label.setAccessibleName(title)
            self.ov[key] = label
            form.addRow(title + ":", label)
        self.mutable_warning = QLabel(
            self.tr(
                "The function records the tag's digest at deployment. Pushing a different "
                "image to the same tag, or deleting the image, later makes the function fail: "
                "update it to deploy an image again."
            )
        )
        self.mutable_warning.setObjectName("hintLabel")
        self.mutable_warning.setWordWrap(True)
        form.addRow(self.mutable_warning)
        self.tabs.addTab(page, icon("info"), self.tr("Overview"))

    def _build_configuration(self) -> None:
        page = QWidget()
        layout = QHBoxLayout(page)
        left = QFormLayout()
        self.cfg: dict[str, QLabel] = {}
        for key, title in (
            ("cpu", self.tr("vCPU")),
            ("memory", self.tr("Memory")),
            ("disk", self.tr("Disk")),
            ("timeout", self.tr("Timeout")),
            ("concurrency", self.tr("Instance concurrency")),
            ("port", self.tr("Port")),
            ("entrypoint", self.tr("Entrypoint")),
            ("command", self.tr("Command")),
            ("health", self.tr("Health check")),
            ("internet", self.tr("Internet access")),
            ("role", self.tr("Role")),
        ):
            label = _value_label()
            label.setAccessibleName(title)
            self.cfg[key] = label
            left.addRow(title + ":", label)
        layout.addLayout(left, 1)
        env_box = QGroupBox(self.tr("Environment variables"))
        env_layout = QVBoxLayout(env_box)
        self.env_table = QTableWidget(0, 2)
        self.env_table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Value")])
        self.env_table.horizontalHeader().setStretchLastSection(True)
        self.env_table.verticalHeader().setVisible(False)
        self.env_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.env_table.setAccessibleName(self.tr("Environment variables"))
        env_layout.addWidget(self.env_table)
        self.env_empty = QLabel(self.tr("This function sets no environment variables."))
        self.env_empty.setObjectName("emptyHint")
        self.env_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        env_layout.addWidget(self.env_empty)
        layout.addWidget(env_box, 1)
        self.tabs.addTab(page, icon("settings"), self.tr("Configuration"))

    def _build_image(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QFormLayout()
        self.img_image = _value_label()
        self.img_resolved = _value_label()
        self.img_state = BadgeLabel()
        form.addRow(self.tr("Image:"), self.img_image)
        form.addRow(self.tr("Deployed digest:"), self.img_resolved)
        form.addRow(self.tr("Acceleration:"), self.img_state)
        layout.addLayout(form)
        self.img_hint = QLabel()
        self.img_hint.setWordWrap(True)
        self.img_hint.setObjectName("hintLabel")
        layout.addWidget(self.img_hint)
        buttons = QHBoxLayout()
        self.use_accelerated_button = QPushButton(
            icon("bolt"), self.tr("Switch to the accelerated image…")
        )
        self.use_accelerated_button.clicked.connect(self._on_use_accelerated_clicked)
        buttons.addWidget(self.use_accelerated_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.tabs.addTab(page, icon("image"), self.tr("Image && acceleration"))

    def _build_invoke(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        self.sync_radio = QRadioButton(self.tr("Synchronous"))
        self.async_radio = QRadioButton(self.tr("Asynchronous"))
        self.sync_radio.setChecked(True)
        group = QButtonGroup(page)
        group.addButton(self.sync_radio)
        group.addButton(self.async_radio)
        top.addWidget(self.sync_radio)
        top.addWidget(self.async_radio)
        self.async_hint = QLabel()
        self.async_hint.setObjectName("hintLabel")
        self.async_hint.setVisible(False)
        top.addWidget(self.async_hint)
        top.addStretch(1)
        self.invoke_progress = QProgressBar()
        self.invoke_progress.setRange(0, 0)
        self.invoke_progress.setMaximumWidth(120)
        self.invoke_progress.setVisible(False)
        top.addWidget(self.invoke_progress)
        self.invoke_button = QPushButton(icon("play"), self.tr("Invoke"))
        self.invoke_button.setObjectName("primaryButton")
        self.invoke_button.setShortcut("Ctrl+Return")
        self.invoke_button.setToolTip(self.tr("Invoke (Ctrl+Enter)"))
        self.cancel_invoke_button = QPushButton(self.tr("Cancel"))
        self.cancel_invoke_button.setEnabled(False)
        top.addWidget(self.invoke_button)
        top.addWidget(self.cancel_invoke_button)
        layout.addLayout(top)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(self.tr("Event (request body)")))
        self.event_edit = _mono()
        self.event_edit.setPlainText('{\n  "key": "value"\n}\n')
        self.event_edit.setAccessibleName(self.tr("Event"))
        left_layout.addWidget(self.event_edit)
        self.event_error = QLabel()
        self.event_error.setObjectName("errorLabel")
        self.event_error.setWordWrap(True)
        left_layout.addWidget(self.event_error)
        split.addWidget(left)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        meta = QHBoxLayout()
        self.invoke_status = BadgeLabel()
        meta.addWidget(self.invoke_status)
        self.invoke_meta = QLabel()
        self.invoke_meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long error wraps in the room it has: it never widens its side of the splitter
        # (which squeezed the event editor).
        self.invoke_meta.setWordWrap(True)
        self.invoke_meta.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        meta.addWidget(self.invoke_meta, 1)
        right_layout.addLayout(meta)
        right_layout.addWidget(QLabel(self.tr("Response body")))
        self.response_edit = _mono()
        self.response_edit.setReadOnly(True)
        self.response_edit.setAccessibleName(self.tr("Response body"))
        right_layout.addWidget(self.response_edit, 2)
        right_layout.addWidget(QLabel(self.tr("Log tail")))
        self.log_edit = _mono()
        self.log_edit.setReadOnly(True)
        self.log_edit.setAccessibleName(self.tr("Log tail"))
        right_layout.addWidget(self.log_edit, 1)
        split.addWidget(right)
        split.setSizes([400, 600])
        self.invoke_split = split
        layout.addWidget(split, 1)
        self.invoke_button.clicked.connect(self._on_invoke_clicked)
        self.cancel_invoke_button.clicked.connect(self._on_cancel_invoke_clicked)
        self.tabs.addTab(page, icon("play"), self.tr("Invoke"))

    def _build_coldstarts(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.cs_label = QLabel(
            self.tr(
                "Compare this function's cold start with another function or image in the "
                "Cold-start lab: both are started cold several times over the same shaped "
                "link and timed phase by phase."
            )
        )
        self.cs_label.setWordWrap(True)
        layout.addWidget(self.cs_label)
        self.cs_table = QTableWidget(0, 4)
        self.cs_table.setHorizontalHeaderLabels(
            [
                self.tr("When"),
                self.tr("Compared with"),
                self.tr("p50 (this / other)"),
                self.tr("This function"),
            ]
        )
        self.cs_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.cs_table.horizontalHeader().setStretchLastSection(True)
        self.cs_table.verticalHeader().setVisible(False)
        self.cs_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.cs_table.setAccessibleName(self.tr("Cold-start runs of this function"))
        layout.addWidget(self.cs_table, 1)
        self.cs_empty = QLabel(
            self.tr("No comparison with this function yet: “Compare in the lab…” runs one.")
        )
        self.cs_empty.setObjectName("emptyHint")
        self.cs_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.cs_empty, 1)
        row = QHBoxLayout()
        self.compare_button = QPushButton(icon("lab"), self.tr("Compare in the lab…"))
        self.compare_button.clicked.connect(lambda: self.compareRequested.emit(self.name))
        row.addWidget(self.compare_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.tabs.addTab(page, icon("lab"), self.tr("Cold starts"))

    def _build_logs(self) -> None:
        from gui.viewmodels.logs_vm import LogsViewModel

        self.logs_vm = LogsViewModel(self.vm.ctx, self)
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        self.logs_status = QLabel()
        self.logs_status.setWordWrap(True)
        self.logs_status.setObjectName("hintLabel")
        top.addWidget(self.logs_status, 1)
        self.logs_scroll = QCheckBox(self.tr("Scroll to new lines"))
        self.logs_scroll.setChecked(True)
        top.addWidget(self.logs_scroll)
        self.logs_clear = QPushButton(self.tr("Clear"))
        self.logs_clear.setAccessibleName(self.tr("Clear the shown log lines"))
        top.addWidget(self.logs_clear)
        layout.addLayout(top)
        self.logs_edit = _mono()
        self.logs_edit.setObjectName("logsEdit")
        self.logs_edit.setReadOnly(True)
        self.logs_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.logs_edit.setMaximumBlockCount(20_000)
        self.logs_edit.setAccessibleName(self.tr("Function logs"))
        layout.addWidget(self.logs_edit, 1)
        self._logs_tab = self.tabs.addTab(page, icon("tasks"), self.tr("Logs"))
        self.tabs.currentChanged.connect(lambda _i: self._sync_logs())
        self.logs_clear.clicked.connect(self.logs_edit.clear)
        self.logs_vm.appended.connect(self._on_logs_appended)
        self.logs_vm.followingChanged.connect(lambda _on: self._show_logs_status())
        self.logs_vm.errorChanged.connect(self._show_logs_status)
        self.logs_vm.tailAdded.connect(self._on_logs_tail_added)

    def _sync_logs(self) -> None:
        """Follow the function's logs while its Logs tab is shown (and only then)."""
        if self.tabs.currentIndex() == self._logs_tab and self.info is not None:
            self.logs_vm.follow(self.info.name)
        else:
            self.logs_vm.stop()
        self._show_logs_status()

    def _show_logs_status(self) -> None:
        error = self.logs_vm.error
        name = "errorLabel" if error is not None else "hintLabel"
        if self.logs_status.objectName() != name:
            self.logs_status.setObjectName(name)
            self.logs_status.style().unpolish(self.logs_status)
            self.logs_status.style().polish(self.logs_status)
        if error is not None and self.logs_vm.following:
            from gui.errors import ErrorPresenter

            msg = ErrorPresenter.describe(error)
            said = msg.text.replace("\n", " — ")
            self.logs_status.setText(
                arg(
                    self.tr("The log stream of %1 is not open: %2 (trying again in %3 s)"),
                    self.name,
                    said,
                    f"{self.logs_vm.retry_in:.0f}",
                )
                + (f"\n{msg.hint}" if msg.hint else "")
            )
        elif not self.logs_vm.live:
            self.logs_status.setText(
                self.tr(
                    "Alibaba Cloud keeps function logs in Simple Log Service: give the function "
                    "a log configuration (project and logstore) and read them in the Simple Log "
                    "Service console. Shown here: the log tail (last 4 KB) of each invocation "
                    "made from this console."
                )
            )
        elif self.logs_vm.following:
            self.logs_status.setText(
                arg(self.tr("Following what %1's instances print, as they run."), self.name)
            )
        else:
            self.logs_status.setText(self.tr("Not following (open this tab to follow)."))

    def _on_logs_appended(self, entries: list[LogEntry]) -> None:
        lines = []
        for e in entries:
            when = time.strftime("%H:%M:%S", time.localtime(e.time))
            millis = int((e.time % 1) * 1000)
            stream = "▸" if e.stream == "platform" else e.stream
            lines.append(f"{when}.{millis:03d}  {e.instance_id[:22]:<22}  {stream:<6}  {e.message}")
        bar = self.logs_edit.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        self.logs_edit.appendPlainText("\n".join(lines))
        if self.logs_scroll.isChecked() or at_end:
            bar.setValue(bar.maximum())

    def _on_logs_tail_added(self, result: InvokeResult) -> None:
        when = time.strftime("%H:%M:%S")
        head = arg(self.tr("— %1, request %2 —"), when, result.request_id)
        self.logs_edit.appendPlainText(head + "\n" + decode_log_tail(result.log_tail))

    # -- filling ------------------------------------------------------------------------
    def show_function(self, info: FunctionInfo) -> None:
        changed = self.info is None or self.info.name != info.name
        self.info = info
        # The Local server refuses asynchronous invocations (x-fc-invocation-type: Async).
        local = self.vm.ctx.profile_kind == "local"
        self.async_radio.setEnabled(not local)
        reason = self.tr("The Local server invokes functions synchronously only.")
        self.async_radio.setToolTip(reason if local else "")
        self.async_hint.setText(self.tr("(not on the Local server)"))
        self.async_hint.setToolTip(reason)
        self.async_hint.setVisible(local)
        if local and self.async_radio.isChecked():
            self.sync_radio.setChecked(True)
        if changed:
            self.logs_edit.clear()
            self.logs_vm.stop()
            self._sync_logs()
            self.response_edit.clear()
            self.log_edit.clear()
            self.invoke_meta.clear()
            self.invoke_status.set_badge("", "muted")
            self.invoke_status.setVisible(False)
        self._fill()

    def _on_vm_function_changed(self, info: FunctionInfo) -> None:
        if self.info is not None and info.name == self.info.name:
            self.info = info
            self._fill()

    def _fill(self) -> None:
        info = self.info
        if info is None:
            return
        self.title.setText(info.name)
        self.state_badge.set_badge(*state_badge(info))
        self.update_badge.set_badge(*update_badge(info))
        self.accel_badge.set_badge(*accel_badge(info.accel))
        ov = self.ov
        ov["state"].setText(state_badge(info)[0])
        ov["state_reason"].setText(
            f"{info.state_reason} ({info.state_reason_code})"
            if info.state_reason_code
            else info.state_reason or "—"
        )
        ov["update"].setText(update_badge(info)[0])
        ov["update_reason"].setText(
            f"{info.last_update_reason} ({info.last_update_reason_code})"
            if info.last_update_reason_code
            else info.last_update_reason or "—"
        )
        ov["image"].setText(info.image or "—")
        ov["resolved"].setText(info.resolved_image or "—")
        ov["description"].setText(info.description or "—")
        ov["arn"].setText(info.function_arn or "—")
        ov["created"].setText(format_time(info.created))
        ov["modified"].setText(format_time(info.last_modified))
        cfg = self.cfg
        cfg["cpu"].setText(f"{info.cpu:g}" if info.cpu is not None else "—")
        cfg["memory"].setText(
            format_bytes((info.memory_mb or 0) * 1024 * 1024) if info.memory_mb else "—"
        )
        cfg["disk"].setText(
            format_bytes((info.disk_mb or 0) * 1024 * 1024) if info.disk_mb else "—"
        )
        cfg["timeout"].setText(
            self.tr("%n second(s)", "", info.timeout_s) if info.timeout_s else "—"
        )
        cfg["concurrency"].setText(str(info.instance_concurrency or "—"))
        cfg["port"].setText(str(info.port or "—"))
        cfg["entrypoint"].setText(json.dumps(list(info.entrypoint)) if info.entrypoint else "—")
        cfg["command"].setText(json.dumps(list(info.command)) if info.command else "—")
        hc = info.health_check
        cfg["health"].setText(
            arg(self.tr("GET %1 every %2 s"), hc.http_get_url, str(hc.period_seconds))
            if hc and hc.http_get_url
            else self.tr("none")
        )
        cfg["internet"].setText(self.tr("yes") if info.internet_access else self.tr("no"))
        cfg["role"].setText(info.role or "—")
        self.env_table.setRowCount(0)
        for k, v in sorted(info.environment.items()):
            r = self.env_table.rowCount()
            self.env_table.insertRow(r)
            self.env_table.setItem(r, 0, QTableWidgetItem(k))
            self.env_table.setItem(r, 1, QTableWidgetItem(v))
        self.env_table.setVisible(bool(info.environment))
        self.env_empty.setVisible(not info.environment)
        self.img_image.setText(info.image or "—")
        self.img_resolved.setText(info.resolved_image or "—")
        self.img_state.set_badge(*accel_badge(info.accel))
        tag = image_tag(info.image)
        self.use_accelerated_button.setVisible(not is_accelerated_tag(tag))
        if is_accelerated_tag(tag):
            self.img_hint.setText(
                self.tr(
                    "This function uses an accelerated image: cold starts fetch only what "
                    "start-up reads, on demand."
                )
            )
        elif info.accel in (AccelState.AVAILABLE, AccelState.READY):
            self.img_hint.setText(
                arg(
                    self.tr(
                        "An accelerated twin (%1) of this image is ready. Switch the function "
                        "to it for faster cold starts."
                    ),
                    twin_tag_of(tag),
                )
            )
        elif info.accel is AccelState.CONVERTING:
            self.img_hint.setText(
                self.tr(
                    "The accelerated twin of this image is being converted. Switch once "
                    "it is ready."
                )
            )
        else:
            self.img_hint.setText(
                self.tr(
                    "This image has no accelerated twin. Switch acceleration on for its "
                    "repository (Images view) to convert it."
                )
            )
        self._fill_coldstarts()

    def _fill_coldstarts(self) -> None:
        lab = getattr(self.vm, "lab_model", None)
        self.cs_table.setRowCount(0)
        if lab is not None and self.info is not None:
            for result in lab.rows:
                for i, side in enumerate(result.sides):
                    if side.target == self.info.name:
                        self._add_coldstart_row(result, i)
        empty = self.cs_table.rowCount() == 0
        self.cs_table.setVisible(not empty)
        self.cs_empty.setVisible(empty)

    def _add_coldstart_row(self, result: LabResult, i: int) -> None:
        """One comparison, from this function's side (A or B): its p50 and the other's,
        and how much faster or slower it started."""
        from gui.models.lab_runs_model import about_even, ratio, side_stats

        side, other = result.sides[i], result.sides[1 - i]
        r = ratio(result)  # A's p50 over B's: how much faster B is
        mine = r if i == 1 else (1 / r if r else None)
        if mine is None:
            verdict = "—"
        elif about_even(mine):
            verdict = self.tr("about as fast")
        elif mine > 1:
            verdict = arg(self.tr("%1× faster"), f"{mine:.1f}")
        else:
            verdict = arg(self.tr("%1× slower"), f"{1 / mine:.1f}")
        row = self.cs_table.rowCount()
        self.cs_table.insertRow(row)
        p50 = f"{format_duration_ms(side_stats(side)['p50'])} / "
        p50 += format_duration_ms(side_stats(other)["p50"])
        for col, text in enumerate((format_time(result.created), other.label, p50, verdict)):
            self.cs_table.setItem(row, col, QTableWidgetItem(text))

    # -- invoke -------------------------------------------------------------------------
    def _on_invoke_clicked(self) -> None:
        if self.info is None:
            return
        text = self.event_edit.toPlainText()
        self.event_error.clear()
        stripped = text.strip()
        if stripped.startswith(("{", "[")):
            try:
                json.loads(stripped)
            except ValueError as exc:
                self.event_error.setText(
                    arg(self.tr("The event is not valid JSON (%1); it is sent as it is."), str(exc))
                )
        self.invoke_button.setEnabled(False)
        self.cancel_invoke_button.setEnabled(True)
        self.invoke_progress.setVisible(True)
        self._invoke_started = time.monotonic()
        self.vm.invoke(
            self.info.name, text.encode("utf-8"), asynchronous=self.async_radio.isChecked()
        )

    def _on_cancel_invoke_clicked(self) -> None:
        if self.info is not None:
            self.vm.cancel_invoke(self.info.name)
        self._invoke_done()

    def _invoke_done(self) -> None:
        self.invoke_button.setEnabled(True)
        self.cancel_invoke_button.setEnabled(False)
        self.invoke_progress.setVisible(False)

    def _on_vm_invoked(self, result: InvokeResult) -> None:
        self._invoke_done()
        ok = 200 <= result.status < 300 and not result.error_type
        self.invoke_status.setVisible(True)
        self.invoke_status.set_badge(
            arg(
                self.tr("Accepted %1") if result.async_invocation else self.tr("HTTP %1"),
                str(result.status),
            ),
            "ok" if ok else "bad",
        )
        parts = []
        if result.request_id:
            parts.append(arg(self.tr("Request id: %1"), result.request_id))
        if result.duration_ms:
            parts.append(format_duration_ms(result.duration_ms))
        if result.error_type:
            parts.append(result.error_type)
        self.invoke_meta.setText(" · ".join(parts))
        body = result.body
        try:
            text = body.decode("utf-8")
            with contextlib.suppress(ValueError):
                text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except UnicodeDecodeError:
            text = self.tr("(%n byte(s) of binary data)", "", len(body))
        self.response_edit.setPlainText(text)
        self.log_edit.setPlainText(decode_log_tail(result.log_tail))

    def _on_vm_invoke_failed(self, exc: BaseException) -> None:
        self._invoke_done()
        msg = ErrorPresenter.describe(exc)
        self.invoke_status.setVisible(True)
        self.invoke_status.set_badge(self.tr("Failed"), "bad")
        self.invoke_meta.setText(msg.text.splitlines()[0] if msg.text else "")
        rid = getattr(exc, "request_id", None)
        self.response_edit.setPlainText(
            msg.text
            + (f"\n{msg.hint}" if msg.hint else "")
            + ("\n" + arg(self.tr("Request id: %1"), rid) if rid else "")
        )
        # The log tail shown belongs to the previous invocation, not to this one.
        self.log_edit.setPlainText("")
