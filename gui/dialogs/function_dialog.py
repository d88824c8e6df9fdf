"""Create / Edit a custom-container function, validated as the API requires."""

from __future__ import annotations

import json
import re
import shlex
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core import twin_tag_of
from gui.backend import AccelState, FunctionInfo, FunctionSpec, HealthCheck, Problem, image_tag
from gui.context import AppContext
from gui.dialogs.image_picker_dialog import ImagePickerDialog, PickedImage
from gui.i18n import arg
from gui.resources import icon
from gui.widgets.badge import BadgeLabel
from gui.widgets.env_editor import EnvEditor
from gui.widgets.field_error import FieldError

if TYPE_CHECKING:
    from core.report import FixKind, FunctionRow
    from gui.viewmodels.functions_vm import NotAccelerated, WaitChoice
    from gui.viewmodels.images_vm import ImagesViewModel
    from gui.viewmodels.why_vm import WhyViewModel
    from gui.widgets.why_panel import WhyPanel

__all__ = ["FunctionDialog", "field_of_error", "parse_args"]

# API field names (as the service words them in its messages) → the form's field keys.
_SERVER_FIELDS: tuple[tuple[str, str], ...] = (
    ("functionName", "functionName"),
    ("healthCheckConfig", "healthCheckConfig.httpGetUrl"),
    ("instanceConcurrency", "instanceConcurrency"),
    ("memorySize", "memorySize"),
    ("diskSize", "diskSize"),
    ("entrypoint", "entrypoint"),
    ("command", "command"),
    ("image", "image"),
    ("timeout", "timeout"),
    ("port", "port"),
    ("cpu", "cpu"),
    ("description", "description"),
)


def field_of_error(exc: BaseException) -> str | None:
    """The form field a save error concerns: from its code (an existing name), else the
    first API field name its message mentions; None when it names none."""
    code = str(getattr(exc, "code", "") or "")
    if code in ("FunctionAlreadyExists", "FunctionNotFound"):
        return "functionName"
    if code in ("InvalidImage", "ImageNotFound", "ManifestNotFound"):
        return "image"
    message = str(exc)
    best: tuple[int, str] | None = None
    for api_name, field in _SERVER_FIELDS:
        found = re.search(rf"\b{re.escape(api_name)}\b", message, re.IGNORECASE)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), field)
    return best[1] if best else None


def parse_args(text: str) -> tuple[str, ...]:
    """``python app.py`` or ``["python", "app.py"]`` → argv tuple; raises ValueError."""
    text = text.strip()
    if not text:
        return ()
    if text.startswith("["):
        value = json.loads(text)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("a JSON list of strings is expected")
        return tuple(value)
    return tuple(shlex.split(text))


def _join_args(args: tuple[str, ...]) -> str:
    return shlex.join(args) if args else ""


class FunctionDialog(QDialog):
    """``saveRequested(spec, creating)`` when the user confirms a valid form."""

    saveRequested = Signal(object, bool)

    def __init__(
        self,
        ctx: AppContext,
        existing: FunctionInfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.existing = existing
        self.creating = existing is None
        self.picked: PickedImage | None = None
        self.image_accel: AccelState = AccelState.UNKNOWN
        self.problems: list[Problem] = []
        self.setObjectName("functionDialog")
        self.setWindowTitle(
            self.tr("Create function")
            if self.creating
            else arg(self.tr("Edit %1"), existing.name if existing else "")
        )
        self.setAccessibleName(self.windowTitle())
        self.resize(760, 680)
        outer = QVBoxLayout(self)
        tabs = QTabWidget()
        outer.addWidget(tabs, 1)
        self._errors: dict[str, FieldError] = {}
        self._server_error: tuple[str, str] | None = None  # (field, message) from a save
        self._tab_of: dict[str, int] = {}
        self.tabs = tabs
        self._touched: set[str] = set()
        self._show_all = existing is not None

        # -- basics
        basics = QWidget()
        form = QFormLayout(basics)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("letters, digits, _ and -; 1–64 characters"))
        self.name_edit.setAccessibleName(self.tr("Function name"))
        self._add_row(form, self.tr("Name"), self.name_edit, "functionName")
        image_row = QHBoxLayout()
        self.image_edit = QLineEdit()
        self.image_edit.setPlaceholderText(self.tr("registry/namespace/repository:tag"))
        self.image_edit.setAccessibleName(self.tr("Image"))
        self.browse_button = QPushButton(icon("image"), self.tr("Browse…"))
        self.browse_button.setAccessibleName(self.tr("Browse images"))
        image_row.addWidget(self.image_edit, 1)
        image_row.addWidget(self.browse_button)
        wrapper = QWidget()
        wrapper.setLayout(image_row)
        image_row.setContentsMargins(0, 0, 0, 0)
        self._add_row(form, self.tr("Image"), wrapper, "image")
        accel_row = QHBoxLayout()
        self.accel_badge = BadgeLabel()
        self.accel_badge.setVisible(False)
        self.accel_hint = QLabel()
        self.accel_hint.setWordWrap(True)
        self.accel_hint.setObjectName("hintLabel")
        accel_row.addWidget(self.accel_badge)
        accel_row.addWidget(self.accel_hint, 1)
        self.why_button = QPushButton(self.tr("Why?"))
        self.why_button.setFlat(True)
        self.why_button.setToolTip(self.tr("Why is this image not accelerated?"))
        self.why_button.setAccessibleName(self.tr("Why is this image not accelerated?"))
        self.why_button.setVisible(False)
        accel_row.addWidget(self.why_button)
        form.addRow("", accel_row)
        self._basics_form = form
        self._accel_row = form.rowCount() - 1
        form.setRowVisible(self._accel_row, False)  # shown once an image says something
        self.why_panel: WhyPanel | None = None
        self._why_vm: WhyViewModel | None = None
        self._why_holder = QWidget()
        self._why_layout = QVBoxLayout(self._why_holder)
        self._why_layout.setContentsMargins(0, 0, 0, 0)
        self.fix_status = QLabel()
        self.fix_status.setObjectName("hintLabel")
        self.fix_status.setWordWrap(True)
        self.fix_status.setVisible(False)
        self._why_layout.addWidget(self.fix_status)
        self._images_vm: ImagesViewModel | None = None
        #: the why panel's fix under way: (fix, image, plain tag, twin state last seen)
        self._fix: tuple[FixKind, str, str, AccelState | None] | None = None
        form.addRow("", self._why_holder)
        self._why_row = form.rowCount() - 1
        form.setRowVisible(self._why_row, False)
        # deploy only when accelerated
        wait_box = QWidget()
        wait_layout = QVBoxLayout(wait_box)
        wait_layout.setContentsMargins(0, 0, 0, 0)
        self.wait_check = QCheckBox(self.tr("Deploy only when the accelerated image is ready"))
        self.wait_check.setToolTip(
            self.tr(
                "Wait for the image's _accelerated twin, then deploy it; if it does not get "
                "ready, the function is left as it was and the reason is shown."
            )
        )
        wait_layout.addWidget(self.wait_check)
        wait_options = QHBoxLayout()
        wait_options.setContentsMargins(22, 0, 0, 0)
        wait_options.addWidget(QLabel(self.tr("Wait at most")))
        self.wait_minutes = QSpinBox()
        self.wait_minutes.setRange(1, 120)
        self.wait_minutes.setValue(10)
        self.wait_minutes.setSuffix(self.tr(" min"))
        self.wait_minutes.setAccessibleName(self.tr("Wait at most (minutes)"))
        wait_options.addWidget(self.wait_minutes)
        self.or_plain_check = QCheckBox(self.tr("then deploy the plain image"))
        wait_options.addWidget(self.or_plain_check)
        wait_options.addStretch(1)
        self._wait_options = QWidget()
        self._wait_options.setLayout(wait_options)
        self._wait_options.setEnabled(False)
        wait_layout.addWidget(self._wait_options)
        self.wait_progress = QProgressBar()
        self.wait_progress.setRange(0, 0)
        self.wait_progress.setMaximumHeight(12)
        self.wait_progress.setTextVisible(False)
        self.wait_progress.setVisible(False)
        self.wait_progress.setAccessibleName(self.tr("Conversion progress"))
        wait_layout.addWidget(self.wait_progress)
        self.wait_status = QLabel()
        self.wait_status.setWordWrap(True)
        self.wait_status.setVisible(False)
        wait_layout.addWidget(self.wait_status)
        self.wait_check.toggled.connect(self._wait_options.setEnabled)
        form.addRow(self.tr("Acceleration"), wait_box)
        self.description_edit = QLineEdit()
        self.description_edit.setAccessibleName(self.tr("Description"))
        self._add_row(form, self.tr("Description"), self.description_edit, "description")
        self.cpu_spin = QDoubleSpinBox()
        # Ranges wider than the service allows: a value typed out of range stays as typed
        # and is flagged (a narrow range would cut 999999 to 9999 silently).
        self.cpu_spin.setRange(0.0, 9999.0)
        self.cpu_spin.setSingleStep(0.05)
        self.cpu_spin.setDecimals(2)
        self.cpu_spin.setSuffix(" vCPU")
        self.cpu_spin.setAccessibleName(self.tr("vCPU"))
        self._add_row(form, self.tr("vCPU"), self.cpu_spin, "cpu")
        self.memory_spin = QSpinBox()
        self.memory_spin.setRange(0, 9_999_999)
        self.memory_spin.setSingleStep(64)
        self.memory_spin.setSuffix(" MB")
        self.memory_spin.setAccessibleName(self.tr("Memory"))
        self._add_row(form, self.tr("Memory"), self.memory_spin, "memorySize")
        self.disk_combo = QComboBox()
        self.disk_combo.addItem("512 MB", 512)
        self.disk_combo.addItem("10 GB", 10240)
        self.disk_combo.setAccessibleName(self.tr("Disk"))
        self._add_row(form, self.tr("Disk"), self.disk_combo, "diskSize")
        self.timeout_spin = QSpinBox()
        self.timeout_spin.setRange(0, 9_999_999)
        self.timeout_spin.setSuffix(" s")
        self.timeout_spin.setAccessibleName(self.tr("Timeout"))
        self._add_row(form, self.tr("Timeout"), self.timeout_spin, "timeout")
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setRange(0, 99_999)
        self.concurrency_spin.setAccessibleName(self.tr("Instance concurrency"))
        self._add_row(
            form, self.tr("Instance concurrency"), self.concurrency_spin, "instanceConcurrency"
        )
        tabs.addTab(self._scroll(basics), self.tr("Basics"))

        # -- container
        container = QWidget()
        cform = QFormLayout(container)
        cform.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setAccessibleName(self.tr("Port"))
        self._add_row(cform, self.tr("Port"), self.port_spin, "port")
        self.entrypoint_edit = QLineEdit()
        self.entrypoint_edit.setPlaceholderText(self.tr("e.g. python   (image default if empty)"))
        self.entrypoint_edit.setAccessibleName(self.tr("Entrypoint"))
        self._add_row(cform, self.tr("Entrypoint"), self.entrypoint_edit, "entrypoint")
        self.command_edit = QLineEdit()
        self.command_edit.setPlaceholderText(self.tr("e.g. app.py --port 9000"))
        self.command_edit.setAccessibleName(self.tr("Command"))
        self._add_row(cform, self.tr("Command"), self.command_edit, "command")
        self.health_group = QGroupBox(self.tr("Health check"))
        self.health_group.setCheckable(True)
        hform = QFormLayout(self.health_group)
        self.hc_url = QLineEdit()
        self.hc_url.setPlaceholderText("/ready")
        self.hc_url.setAccessibleName(self.tr("Health check path"))
        self._add_row(hform, self.tr("HTTP GET path"), self.hc_url, "healthCheckConfig.httpGetUrl")
        self.hc_initial = self._spin(0, 120, 0, " s")
        self._add_row(
            hform,
            self.tr("Initial delay"),
            self.hc_initial,
            "healthCheckConfig.initialDelaySeconds",
        )
        self.hc_period = self._spin(1, 120, 3, " s")
        self._add_row(hform, self.tr("Period"), self.hc_period, "healthCheckConfig.periodSeconds")
        self.hc_timeout = self._spin(1, 3, 1, " s")
        self._add_row(
            hform, self.tr("Timeout"), self.hc_timeout, "healthCheckConfig.timeoutSeconds"
        )
        self.hc_success = self._spin(1, 120, 1, "")
        self._add_row(
            hform,
            self.tr("Success threshold"),
            self.hc_success,
            "healthCheckConfig.successThreshold",
        )
        self.hc_failure = self._spin(1, 120, 3, "")
        self._add_row(
            hform,
            self.tr("Failure threshold"),
            self.hc_failure,
            "healthCheckConfig.failureThreshold",
        )
        cform.addRow(self.health_group)
        self.internet_check = QCheckBox(self.tr("Allow internet access"))
        cform.addRow("", self.internet_check)
        tabs.addTab(self._scroll(container), self.tr("Container"))

        # -- environment
        env_page = QWidget()
        env_layout = QVBoxLayout(env_page)
        self.env_editor = EnvEditor()
        env_layout.addWidget(self.env_editor)
        self.env_error = QLabel()
        self.env_error.setObjectName("errorLabel")
        self.env_error.setWordWrap(True)
        env_layout.addWidget(self.env_error)
        tabs.addTab(env_page, self.tr("Environment variables"))

        for index, page in enumerate((basics, container)):
            for field, label in self._errors.items():
                if page.isAncestorOf(label):
                    self._tab_of[field] = index
        self.summary = QLabel()
        self.summary.setObjectName("errorLabel")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.summary)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Create") if self.creating else self.tr("Save"))
        self.save_button.setObjectName("primaryButton")
        outer.addWidget(self.buttons)

        self._load(existing)
        for w in (
            self.name_edit,
            self.image_edit,
            self.description_edit,
            self.entrypoint_edit,
            self.command_edit,
            self.hc_url,
        ):
            w.textChanged.connect(self.validate)
        for s in (
            self.memory_spin,
            self.timeout_spin,
            self.concurrency_spin,
            self.port_spin,
            self.hc_initial,
            self.hc_period,
            self.hc_timeout,
            self.hc_success,
            self.hc_failure,
        ):
            s.valueChanged.connect(self.validate)
        self.cpu_spin.valueChanged.connect(self.validate)
        self.disk_combo.currentIndexChanged.connect(self.validate)
        self.health_group.toggled.connect(self.validate)
        self.env_editor.changed.connect(self.validate)
        self.image_edit.textEdited.connect(self._on_image_edited)
        self.browse_button.clicked.connect(self._on_browse_clicked)
        self.why_button.clicked.connect(self._on_why_clicked)
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.reject)
        self.validate()

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _scroll(widget: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setWidget(widget)
        return area

    def _spin(self, lo: int, hi: int, value: int, suffix: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(lo, hi)
        spin.setValue(value)
        spin.setSuffix(suffix)
        return spin

    def _add_row(self, form: QFormLayout, title: str, widget: QWidget, field: str) -> None:
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(widget)
        error = FieldError()
        box.addWidget(error)
        self._errors[field] = error
        self._watch(widget, field)
        widget.setAccessibleName(widget.accessibleName() or title)
        label = QLabel(title + ":")
        label.setBuddy(widget)
        form.addRow(label, box)

    def _watch(self, widget: QWidget, field: str) -> None:
        """Errors of a field show once the user has changed it (or always when editing)."""

        def touch(*_args: object) -> None:
            self._touched.add(field)
            if self._server_error is not None and self._server_error[0] in (field, ""):
                self._server_error = None  # the value the service refused was changed
                self.validate()

        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(touch)
        elif isinstance(widget, QSpinBox | QDoubleSpinBox):
            widget.valueChanged.connect(touch)
        elif isinstance(widget, QComboBox):
            widget.activated.connect(touch)

    def _load(self, info: FunctionInfo | None) -> None:
        spec = info.to_spec() if info is not None else FunctionSpec(name="", image="")
        self.name_edit.setText(spec.name)
        self.name_edit.setReadOnly(not self.creating)
        self.image_edit.setText(spec.image)
        self.description_edit.setText(spec.description)
        self.cpu_spin.setValue(spec.cpu)
        self.memory_spin.setValue(spec.memory_mb)
        self.disk_combo.setCurrentIndex(max(0, self.disk_combo.findData(spec.disk_mb)))
        self.timeout_spin.setValue(spec.timeout_s)
        self.concurrency_spin.setValue(spec.instance_concurrency)
        self.port_spin.setValue(spec.port)
        self.entrypoint_edit.setText(_join_args(spec.entrypoint))
        self.command_edit.setText(_join_args(spec.command))
        hc = spec.health_check
        self.health_group.setChecked(hc is not None and bool(hc.http_get_url))
        if hc is not None:
            self.hc_url.setText(hc.http_get_url)
            self.hc_initial.setValue(hc.initial_delay_seconds)
            self.hc_period.setValue(hc.period_seconds)
            self.hc_timeout.setValue(hc.timeout_seconds)
            self.hc_success.setValue(hc.success_threshold)
            self.hc_failure.setValue(hc.failure_threshold)
        self.internet_check.setChecked(spec.internet_access)
        self.env_editor.set_variables(spec.environment)
        self._acr_instance = spec.acr_instance_id
        if info is not None:
            self._set_accel(info.accel, image_tag(info.image))

    def spec(self) -> FunctionSpec:
        """The form as a spec; raises ValueError for unparsable entrypoint/command."""
        hc = None
        if self.health_group.isChecked():
            hc = HealthCheck(
                http_get_url=self.hc_url.text().strip(),
                initial_delay_seconds=self.hc_initial.value(),
                period_seconds=self.hc_period.value(),
                timeout_seconds=self.hc_timeout.value(),
                success_threshold=self.hc_success.value(),
                failure_threshold=self.hc_failure.value(),
            )
        return FunctionSpec(
            name=self.name_edit.text().strip(),
            image=self.image_edit.text().strip(),
            cpu=round(self.cpu_spin.value(), 2),
            memory_mb=self.memory_spin.value(),
            disk_mb=int(self.disk_combo.currentData()),
            timeout_s=self.timeout_spin.value(),
            port=self.port_spin.value(),
            instance_concurrency=self.concurrency_spin.value(),
            description=self.description_edit.text(),
            environment=self.env_editor.variables(),
            entrypoint=parse_args(self.entrypoint_edit.text()),
            command=parse_args(self.command_edit.text()),
            health_check=hc,
            acr_instance_id=self.picked.instance_id if self.picked else self._acr_instance,
            internet_access=self.internet_check.isChecked(),
            role=self.existing.role if self.existing else "",
        )

    # -- validation ---------------------------------------------------------------------
    def validate(self) -> list[Problem]:
        problems: list[Problem] = []
        local: list[tuple[str, str]] = []
        try:
            parse_args(self.entrypoint_edit.text())
        except ValueError as exc:
            local.append(("entrypoint", arg(self.tr("Cannot read the entrypoint: %1"), str(exc))))
        try:
            parse_args(self.command_edit.text())
        except ValueError as exc:
            local.append(("command", arg(self.tr("Cannot read the command: %1"), str(exc))))
        env_problems = self.env_editor.problems()
        self.env_error.setText("\n".join(env_problems))
        backend = self.ctx.backend
        if not local and backend is not None:
            problems = backend.validate_function(self.spec(), creating=self.creating)
        for field, message in local:
            problems.append(Problem(field=field, code="Unparsable", message=message))
        messages: dict[str, str] = {}
        hidden = 0
        for p in problems:
            key = self._field_key(p.field)
            if key is None:
                continue
            if not (self._show_all or key in self._touched or p.field in self._touched):
                hidden += 1
                continue
            messages.setdefault(key, self.problem_text(p))
        server_text = ""
        if self._server_error is not None:
            server_field, server_text = self._server_error
            if server_field in self._errors:
                messages[server_field] = server_text
        for field, label in self._errors.items():
            label.set_message(messages.get(field, ""))
        unplaced = [p for p in problems if self._field_key(p.field) is None]
        all_problems = len(problems) + len(env_problems)
        summary = [self.problem_text(p) for p in unplaced]
        if all_problems and hidden == all_problems:
            summary.insert(0, self.tr("Fill in the name and the image to create the function."))
        elif all_problems:
            summary.insert(0, self.tr("%n problem(s) to fix before saving.", "", all_problems))
        if server_text:
            summary.append(self._server_summary)
        self.summary.setText("\n".join(summary))
        self.summary.setVisible(bool(summary))
        self.problems = problems
        self.save_button.setEnabled(not problems and not env_problems and not self._saving)
        return problems

    def _field_key(self, field: str) -> str | None:
        if field in self._errors:
            return field
        base = field.split(".")[0]
        return base if base in self._errors else None

    def problem_text(self, p: Problem) -> str:
        params = p.params
        core_texts = {
            "required": self.tr("Required."),
            "invalid_name": self.tr("Use letters, digits, _ or -; do not start with a digit or -."),
            "too_long": arg(self.tr("At most %1 characters."), str(params.get("max"))),
            "out_of_range": arg(
                self.tr("Must be between %1 and %2."),
                str(params.get("min")),
                str(params.get("max")),
            ),
            "not_multiple": arg(self.tr("Must be a multiple of %1."), str(params.get("step"))),
            "cpu_memory_ratio": arg(
                self.tr(
                    "vCPU : memory (GB) must be between 1:1 and 1:4; with this memory use "
                    "%1–%2 vCPU."
                ),
                str(params.get("min_cpu")),
                str(params.get("max_cpu")),
            ),
            "invalid_choice": arg(
                self.tr("Choose one of %1."), ", ".join(str(c) for c in params.get("choices", []))
            ),
            "invalid_image": self.tr(
                "Not a valid image reference (registry/namespace/repository:tag)."
            ),
            "invalid_type": self.tr("Wrong type of value."),
            "invalid_format": self.tr("Invalid format."),
        }
        if p.code in core_texts:
            return core_texts[p.code]
        texts = {
            "Required": self.tr("Required."),
            "InvalidName": self.tr(
                "Use 1–64 letters, digits, _ or -; do not start with a digit or -."
            ),
            "CpuStep": self.tr("vCPU must be a multiple of 0.05 between 0.05 and 16."),
            "MemoryStep": self.tr("Memory must be a multiple of 64 MB between 128 and 32768."),
            "CpuMemoryRatio": self.tr(
                "vCPU : memory (GB) must be between 1:1 and 1:4 (e.g. 1 vCPU with 1–4 GB)."
            ),
            "DiskSize": self.tr("Disk must be 512 MB or 10 GB."),
            "OutOfRange": self.tr("Out of range."),
            "InvalidImage": self.tr("Not a valid image reference."),
        }
        return texts.get(p.code) or p.message or p.code

    # -- image --------------------------------------------------------------------------
    def _on_image_edited(self, _text: str) -> None:
        self._touched.add("image")
        if self._server_error is not None and self._server_error[0] in ("image", ""):
            self._server_error = None
            self.validate()
        self.picked = None
        self._set_accel(AccelState.UNKNOWN, "")

    def _on_browse_clicked(self) -> None:
        picker = ImagePickerDialog(self.ctx, self)
        picker.picked.connect(self._on_picker_picked)
        picker.finished.connect(picker.deleteLater)
        picker.open()
        picker.start(self.image_edit.text())
        self.picker = picker

    def _on_picker_picked(self, picked: PickedImage) -> None:
        self._touched.add("image")
        self.picked = picked
        self.image_edit.setText(picked.address)
        self._set_accel(picked.accel, picked.tag)

    def _set_accel(self, accel: AccelState, tag: str) -> None:
        from core import is_accelerated_tag

        self.image_accel = accel
        self.accel_badge.setVisible(accel is not AccelState.UNKNOWN)
        if is_accelerated_tag(tag):
            self.accel_badge.set_badge(self.tr("Accelerated"), "ok")
            self.accel_hint.setText(self.tr("Cold starts load this image on demand."))
        elif accel in (AccelState.READY, AccelState.AVAILABLE):
            self.accel_badge.set_badge(self.tr("Twin ready"), "ok")
            self.accel_hint.setText(
                self.tr("An accelerated twin of this tag exists; choose it for faster cold starts.")
            )
        elif accel is AccelState.CONVERTING:
            self.accel_badge.set_badge(self.tr("Not ready"), "warn")
            self.accel_hint.setText(
                self.tr(
                    "The accelerated image is not ready yet. Deploying now uses the plain "
                    "image, with full-pull cold starts."
                )
            )
        elif accel in (AccelState.NONE, AccelState.FAILED):
            self.accel_badge.set_badge(self.tr("Not accelerated"), "warn")
            self.accel_hint.setText(
                self.tr("This image is not accelerated: every cold start pulls it whole.")
            )
        else:
            self.accel_hint.setText("")
        self.why_button.setVisible(
            accel in (AccelState.NONE, AccelState.FAILED, AccelState.CONVERTING)
            and not is_accelerated_tag(tag)
        )
        self._basics_form.setRowVisible(self._accel_row, bool(self.accel_hint.text()))
        self.accel_badge.setVisible(accel is not AccelState.UNKNOWN)

    # -- why not accelerated, deploy when accelerated ---------------------------------------
    def _why(self) -> tuple[WhyViewModel, WhyPanel]:
        if self._why_vm is None or self.why_panel is None:
            from gui.viewmodels.why_vm import WhyViewModel
            from gui.widgets.why_panel import WhyPanel

            vm = self._why_vm = WhyViewModel(self.ctx, self, key="dialog-why")
            panel = self.why_panel = WhyPanel()
            self._why_layout.addWidget(panel)
            vm.checking.connect(lambda _i: panel.show_checking())
            vm.checked.connect(panel.show_row)
            vm.failed.connect(panel.show_error)
            vm.unavailable.connect(lambda: self._basics_form.setRowVisible(self._why_row, False))
            panel.fixRequested.connect(self._on_why_fix_requested)
        return self._why_vm, self.why_panel

    def _on_why_clicked(self) -> None:
        image = self.image_edit.text().strip()
        if not image:
            return
        vm, _panel = self._why()
        self._basics_form.setRowVisible(self._why_row, True)
        vm.check(image, "" if self.creating or self.existing is None else self.existing.name)

    def _on_why_fix_requested(self, row: object, code: object) -> None:
        from core.report import FixKind, FunctionRow, ProblemCode

        assert isinstance(row, FunctionRow)
        assert isinstance(code, ProblemCode)
        finding = row.finding(code)
        if finding is not None and finding.fix is FixKind.USE_VPC_ADDRESS:
            vpc_image = finding.detail.get("vpcImage", "")
            if vpc_image:
                self.image_edit.setText(vpc_image)
                self._basics_form.setRowVisible(self._why_row, False)
        elif finding is not None and finding.fix is FixKind.SWITCH_TO_TWIN and row.twin_tag:
            tag = image_tag(row.image)
            self.image_edit.setText(row.image.removesuffix(tag) + row.twin_tag)
            self._basics_form.setRowVisible(self._why_row, False)
        elif finding is not None and finding.fix is FixKind.REDEPLOY and not self.creating:
            # the function runs a digest its tag has left: saving it deploys the image again
            self._basics_form.setRowVisible(self._why_row, False)
            self._on_save_clicked()
        elif finding is not None and finding.fix in (
            FixKind.ENABLE_ACCELERATION,
            FixKind.CONVERT_NOW,
            FixKind.RECONVERT,
        ):
            self._start_fix(row, finding.fix)

    # -- the panel's fixes in the image's repository (the Images page's actions) -------------
    def _images(self) -> ImagesViewModel:
        if self._images_vm is None:
            from gui.viewmodels.images_vm import ImagesViewModel

            vm = self._images_vm = ImagesViewModel(self.ctx, self, key_prefix="dialog-img")
            vm.imageOpened.connect(self._on_fix_image_opened)
            vm.imageNotFound.connect(self._on_fix_image_not_found)
            vm.accelerationChanged.connect(self._on_fix_acceleration_changed)
            vm.convertStarted.connect(self._on_fix_convert_started)
            vm.tags.modelReset.connect(self._on_fix_tags_changed)
            vm.tags.dataChanged.connect(self._on_fix_tags_changed)
            vm.tags.rowsInserted.connect(self._on_fix_tags_changed)
            self.ctx.backendChanged.connect(self._end_fix)
        return self._images_vm

    def _start_fix(self, row: FunctionRow, fix: FixKind) -> None:
        """Enable acceleration / Convert now / Re-convert from the panel: open the image's
        repository as the Images page would, then run the same action there; the panel
        follows the twin's state (and looks again once it has moved)."""
        tag = row.source_tag or row.tag or ""
        if not tag or not row.image:
            return
        self._fix = (fix, row.image, tag, None)
        self._fix_started = False
        self._convert_on_request = row.convert_on_request
        if self.why_panel is not None:
            for card in self.why_panel.cards:
                if card.button is not None:
                    card.button.setEnabled(False)
        self._set_fix_status(arg(self.tr("Opening the repository of %1…"), row.image))
        self._images().open_image(row.image)

    def _set_fix_status(self, text: str) -> None:
        self.fix_status.setText(text)
        self.fix_status.setVisible(bool(text))

    def _end_fix(self) -> None:
        self._fix = None
        self.ctx.jobs.cancel_prefix("dialog-img-")

    def _on_fix_image_opened(self, tag: str) -> None:
        from core.report import FixKind

        vm = self._images()
        if self._fix is None or vm.repo is None:
            return
        fix, _image, plain, _seen = self._fix
        if fix is FixKind.ENABLE_ACCELERATION:
            self._set_fix_status(arg(self.tr("Switching acceleration on for %1…"), vm.repo.path))
            vm.set_acceleration(vm.repo, True)
        else:
            self._set_fix_status(arg(self.tr("Starting the conversion of %1…"), plain))
            vm.convert_now([plain])

    def _on_fix_image_not_found(self, image: str, exc: object) -> None:
        from gui.errors import ErrorPresenter

        if self._fix is None or self._fix[1] != image:
            return
        self._fix = None
        if isinstance(exc, BaseException):
            text = ErrorPresenter.describe(exc).text
            self._set_fix_status(arg(self.tr("Could not open the image's repository: %1"), text))
        else:
            self._set_fix_status(
                arg(self.tr("No registry instance of this connection holds %1."), image)
            )
        self._why()[0].recheck()

    def _on_fix_acceleration_changed(self, repo_id: str, on: bool) -> None:
        vm = self._images()
        if self._fix is None or vm.repo is None or vm.repo.repo_id != repo_id:
            return
        plain = self._fix[2]
        if on and self._convert_on_request:
            # the registry converts existing tags on request: this one, now
            self._set_fix_status(arg(self.tr("Starting the conversion of %1…"), plain))
            vm.convert_now([plain])
        else:
            self._set_fix_status(
                self.tr("Acceleration is on: new pushes are converted.") if on else ""
            )
            self._fix = None
            self._why()[0].recheck()

    def _on_fix_convert_started(self, tag: str) -> None:
        if self._fix is not None and self._fix[2] == tag:
            self._fix_started = True
            self._on_fix_tags_changed()

    def _on_fix_tags_changed(self, *_args: object) -> None:
        """Follow the conversion the fix started: its progress here (the task itself is in
        the task log), then the panel and the badge again once it has finished."""
        from gui.backend import TaskStatus

        vm = self._images()
        if self._fix is None or vm.repo is None or not self._fix_started:
            return
        fix, image, plain, seen = self._fix
        task = vm.tags.task_for(plain)
        if task is None:
            return
        if task.status in (TaskStatus.PENDING, TaskStatus.BUILDING):
            frac = task.fraction
            self._set_fix_status(
                arg(self.tr("Converting %1: %2 %"), plain, str(round(frac * 100)))
                if frac is not None
                else arg(self.tr("Converting %1…"), plain)
            )
            state = AccelState.CONVERTING
        elif task.status is TaskStatus.SUCCESS and vm.tags.twin_state(plain) is AccelState.READY:
            self._set_fix_status(arg(self.tr("%1 is ready."), twin_tag_of(plain)))
            state = AccelState.READY
        elif task.status.finished and task.status is not TaskStatus.SUCCESS:
            self._set_fix_status(
                arg(self.tr("The conversion of %1 failed: %2"), plain, task.error or "—")
            )
            state = AccelState.FAILED
        else:
            return
        if state is seen:
            return
        self._fix = None if state is not AccelState.CONVERTING else (fix, image, plain, state)
        if image == self.image_edit.text().strip():
            self._set_accel(state, plain)
        why = self._why()[0]
        why.check(image, why.function)

    def wait_choice(self) -> WaitChoice | None:
        """Deploy only when accelerated, as chosen (``None``: deploy the image as it is)."""
        if not self.wait_check.isChecked():
            return None
        from gui.viewmodels.functions_vm import WaitChoice

        return WaitChoice(
            max_wait=self.wait_minutes.value() * 60.0, or_plain=self.or_plain_check.isChecked()
        )

    def show_wait_progress(self, event: object) -> None:
        from core import Progress
        from gui.format import format_eta

        if not isinstance(event, Progress) or event.phase != "accelerate":
            return
        if event.extra.get("done"):
            self._waiting = False  # the wait is over: what fails now is the deployment
        self.wait_progress.setVisible(not event.extra.get("done"))
        self._set_wait_status("", error=False)
        self.wait_status.setVisible(True)
        elapsed = int(float(event.extra.get("elapsed_s") or 0))
        if event.total:
            self.wait_progress.setRange(0, event.total)
            self.wait_progress.setValue(event.done)
            eta = event.extra.get("eta_s")
            text = arg(
                self.tr("Converting %1: %2 % (%3 left)"),
                event.item,
                str(event.done // 10),
                format_eta(eta),
            )
        elif event.extra.get("done"):
            text = arg(self.tr("%1 is ready; deploying it…"), event.item)
        else:
            self.wait_progress.setRange(0, 0)
            text = arg(self.tr("Waiting for %1 (%2 s)…"), event.item, str(elapsed))
        self.wait_status.setText(text)

    def done(self, code: int) -> None:
        self._end_fix()
        super().done(code)

    def reject(self) -> None:
        if self._saving and self.wait_check.isChecked():
            # waiting for the twin: stop waiting, the function stays as it was
            self.ctx.jobs.cancel(f"fn-save:{self.spec().name}")
        super().reject()

    def _set_wait_status(self, text: str, *, error: bool) -> None:
        """The line under "Deploy only when accelerated": progress, or why it failed."""
        name = "errorLabel" if error else ""
        if self.wait_status.objectName() != name:
            self.wait_status.setObjectName(name)
            self.wait_status.style().unpolish(self.wait_status)
            self.wait_status.style().polish(self.wait_status)
        if text:
            self.wait_status.setText(text)
            self.wait_status.setVisible(True)

    # -- save ---------------------------------------------------------------------------
    _saving = False
    _convert_on_request = False
    _fix_started = False
    _waiting = False  # waiting for the accelerated image (not deploying yet)
    _server_summary = ""

    def _on_save_clicked(self) -> None:
        if self._saving or self.validate():
            return
        try:
            spec = self.spec()
        except ValueError:
            return
        # The dialog stays open until the service has accepted the function: on an error
        # everything typed is still here, with the service's message by its field.
        self._server_error = None
        self._waiting = self.wait_check.isChecked()
        if self._waiting:
            self.wait_progress.setRange(0, 0)
            self.wait_progress.setVisible(True)
            self._set_wait_status(
                arg(self.tr("Checking the accelerated image of %1…"), spec.image), error=False
            )
        else:
            self.wait_progress.setVisible(False)
            self.wait_status.setVisible(False)
        self.set_saving(True)
        self.saveRequested.emit(spec, self.creating)

    @property
    def saving(self) -> bool:
        return self._saving

    def set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setText(
            (self.tr("Creating…") if self.creating else self.tr("Saving…"))
            if saving
            else (self.tr("Create") if self.creating else self.tr("Save"))
        )
        for widget in (self.tabs, self.browse_button):
            widget.setEnabled(not saving)
        self.validate()

    def save_succeeded(self) -> None:
        self._saving = False
        self.accept()

    def save_failed(self, exc: BaseException) -> None:
        """Show why the service refused the function next to the field it concerns (the
        summary says it too); the form keeps everything typed."""
        from gui.errors import ErrorPresenter
        from gui.viewmodels.functions_vm import NotAccelerated

        waiting, self._waiting = self._waiting, False
        self.wait_progress.setVisible(False)
        if isinstance(exc, NotAccelerated):
            self._not_accelerated(exc)
            return
        msg = ErrorPresenter.describe(exc)
        if waiting:
            # the wait for the twin failed (a refused or dropped request): nothing was
            # deployed; the reason goes under the choice it concerns
            said = msg.text.replace("\n", " — ")
            self._set_wait_status(
                arg(self.tr("Waiting for the accelerated image failed: %1"), said)
                + (f"\n{msg.hint}" if msg.hint else ""),
                error=True,
            )
            self._server_error = ("", said)
            self._server_summary = self.tr(
                "Nothing was deployed: the accelerated image could not be checked."
            )
            self.tabs.setCurrentIndex(0)
            self.set_saving(False)
            return
        field = field_of_error(exc)
        if field is not None and field not in self._errors:
            field = None
        text = msg.text.replace("\n", " — ")
        self._server_error = (field or "", text)
        self._server_summary = arg(self.tr("The service refused the function: %1"), text) + (
            f" {msg.hint}" if msg.hint else ""
        )
        if field is not None:
            self._touched.add(field)
            self.tabs.setCurrentIndex(self._tab_of.get(field, 0))
        self.set_saving(False)
        if field is not None:
            self._errors[field].setFocus()
            widget = self._widget_of(field)
            if widget is not None:
                widget.setFocus()

    def _not_accelerated(self, exc: NotAccelerated) -> None:
        """The twin did not get ready: say why (the panel), the function was not touched."""
        wait = exc.wait
        self.wait_progress.setVisible(False)
        if wait.outcome.value == "timeout":
            text = self.tr("%1 was not ready after %2 min: nothing was deployed.")
        else:
            text = self.tr("%1 will not get ready: nothing was deployed.")
        minutes = str(max(1, round(wait.seconds / 60)))
        self._set_wait_status(arg(text, wait.image, minutes), error=True)
        _vm, panel = self._why()
        panel.show_row(wait.row)
        self._basics_form.setRowVisible(self._why_row, True)
        self.tabs.setCurrentIndex(0)
        self.set_saving(False)

    def _widget_of(self, field: str) -> QWidget | None:
        widgets = {
            "functionName": self.name_edit,
            "image": self.image_edit,
            "description": self.description_edit,
            "cpu": self.cpu_spin,
            "memorySize": self.memory_spin,
            "diskSize": self.disk_combo,
            "timeout": self.timeout_spin,
            "instanceConcurrency": self.concurrency_spin,
            "port": self.port_spin,
            "entrypoint": self.entrypoint_edit,
            "command": self.command_edit,
            "healthCheckConfig.httpGetUrl": self.hc_url,
        }
        return widgets.get(field)

    def keyPressEvent(self, event: object) -> None:
        from PySide6.QtGui import QKeyEvent

        if (
            isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not self.save_button.isEnabled()
        ):
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]
