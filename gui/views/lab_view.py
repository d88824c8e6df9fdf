"""Cold-start lab: pick two functions or two images and a link profile, run N forced cold
starts, watch both timelines fill in phase by phase, compare p50/p95, bytes fetched,
on-demand fetches and fallbacks; history kept across restarts; export JSON and PNG."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.backend import (
    LINK_PROFILES,
    LINK_SPECS,
    LabPhase,
    LabProgress,
    LabRequest,
    LabResult,
    image_tag,
)
from gui.format import format_bytes, format_duration_ms, format_eta, link_profile_label, phase_label
from gui.i18n import arg
from gui.models.lab_runs_model import Col, Roles, about_even, ratio, side_stats
from gui.resources import icon
from gui.viewmodels.lab_vm import LabViewModel
from gui.viewmodels.seed_vm import seed_view_model
from gui.widgets.seed_banner import SeedLabNote
from gui.widgets.timeline_chart import PHASES, RunsChart, TimelineChart

__all__ = ["LabView"]


class LabView(QWidget):
    crumbsChanged = Signal(list)

    def __init__(self, vm: LabViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("labView")
        self.shown: LabResult | None = None
        self._run_totals: dict[tuple[int, int], float] = {}
        self._events = 0
        self._started = 0.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        title = QLabel(self.tr("Cold-start lab"))
        title.setObjectName("pageTitle")
        layout.addWidget(title)

        top = QSplitter(Qt.Orientation.Horizontal)
        # -- form
        form_box = QGroupBox(self.tr("Comparison"))
        form = QFormLayout(form_box)
        mode_row = QHBoxLayout()
        self.functions_radio = QRadioButton(self.tr("Two functions"))
        self.images_radio = QRadioButton(self.tr("Two images"))
        self.functions_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.functions_radio)
        group.addButton(self.images_radio)
        mode_row.addWidget(self.functions_radio)
        mode_row.addWidget(self.images_radio)
        form.addRow(self.tr("Compare:"), mode_row)
        self.a_combo = QComboBox()
        self.a_combo.setEditable(True)
        self.a_combo.setAccessibleName(self.tr("A (baseline)"))
        self.a_combo.setMinimumWidth(240)
        self.b_combo = QComboBox()
        self.b_combo.setEditable(True)
        self.b_combo.setAccessibleName(self.tr("B (accelerated)"))
        form.addRow(self.tr("A (baseline):"), self.a_combo)
        form.addRow(self.tr("B (accelerated):"), self.b_combo)
        self.link_combo = QComboBox()
        self.link_combo.setAccessibleName(self.tr("Link profile"))
        for name in LINK_PROFILES:
            spec = LINK_SPECS[name].replace(",", ", ")
            label = link_profile_label(name)
            self.link_combo.addItem(f"{label} ({spec})" if spec else label, name)
        self.link_combo.setToolTip(
            self.tr(
                "Bandwidth and round-trip time of the emulated link between the "
                "registry and the function."
            )
        )
        self.link_combo.setCurrentIndex(max(0, self.link_combo.findData("broadband")))
        form.addRow(self.tr("Link profile:"), self.link_combo)
        self.runs_spin = QSpinBox()
        self.runs_spin.setRange(1, 50)
        self.runs_spin.setValue(3)
        self.runs_spin.setAccessibleName(self.tr("Cold starts per side"))
        form.addRow(self.tr("Cold starts each:"), self.runs_spin)
        self.order_combo = QComboBox()
        self.order_combo.setAccessibleName(self.tr("How the two sides run"))
        self.order_combo.addItem(self.tr("Both at once (a race)"), True)
        self.order_combo.addItem(self.tr("One after the other"), False)
        self.order_combo.setToolTip(
            self.tr(
                "Both at once: A and B start cold at the same moment, each pulling over an "
                "emulated link of its own, as two nodes would. One after the other: each "
                "cold start has the machine to itself."
            )
        )
        form.addRow(self.tr("Run:"), self.order_combo)
        buttons = QHBoxLayout()
        self.run_button = QPushButton(icon("play"), self.tr("Run comparison"))
        self.run_button.setObjectName("primaryButton")
        self.cancel_button = QPushButton(icon("stop"), self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        form.addRow(buttons)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Lab progress"))
        self.progress.setVisible(False)
        form.addRow(self.progress)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("hintLabel")
        form.addRow(self.status)
        self.seed_note = SeedLabNote(
            seed_view_model(vm.ctx), (self.a_combo, self.b_combo), self.functions_radio
        )
        form.addRow(self.seed_note)
        top.addWidget(form_box)

        # -- results
        self.results = QWidget()
        self.results.setObjectName("labResults")
        rlayout = QVBoxLayout(self.results)
        rlayout.setContentsMargins(0, 0, 0, 0)
        self.headline = QLabel(self._no_result_text())
        self.headline.setObjectName("sectionTitle")
        self.headline.setWordWrap(True)
        rlayout.addWidget(self.headline)
        charts = QHBoxLayout()
        self.timeline = TimelineChart()
        self.runs_chart = RunsChart()
        charts.addWidget(self.timeline, 3)
        charts.addWidget(self.runs_chart, 2)
        rlayout.addLayout(charts, 1)
        self.stats = QTableWidget(6, 2)
        self.stats.setObjectName("labStats")
        self.stats.setAccessibleName(self.tr("Comparison figures"))
        self.stats.setVerticalHeaderLabels(
            [
                self.tr("p50"),
                self.tr("p95"),
                self.tr("Bytes fetched"),
                self.tr("Share of image"),
                self.tr("On-demand fetches"),
                self.tr("Fallbacks"),
            ]
        )
        self.stats.setHorizontalHeaderLabels([self.tr("A"), self.tr("B")])
        self.stats.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.stats.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.stats.verticalHeader().setDefaultSectionSize(26)
        self.stats.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stats.setFixedHeight(6 * 26 + self.stats.horizontalHeader().sizeHint().height() + 4)
        rlayout.addWidget(self.stats)
        top.addWidget(self.results)
        top.setSizes([360, 900])
        top.setStretchFactor(1, 1)

        outer_split = QSplitter(Qt.Orientation.Vertical)
        outer_split.addWidget(top)
        # -- history
        hist = QWidget()
        hlayout = QVBoxLayout(hist)
        hlayout.setContentsMargins(0, 0, 0, 0)
        hrow = QHBoxLayout()
        hrow.addWidget(QLabel(self.tr("History")))
        hrow.addStretch(1)
        self.export_json_button = QPushButton(icon("export"), self.tr("Export JSON…"))
        self.export_png_button = QPushButton(icon("export"), self.tr("Export PNG…"))
        self.delete_button = QPushButton(icon("delete"), self.tr("Delete"))
        for b in (self.export_json_button, self.export_png_button, self.delete_button):
            b.setEnabled(False)
            hrow.addWidget(b)
        hlayout.addLayout(hrow)
        self.history = QTableView()
        self.history.setObjectName("labHistory")
        self.history.setModel(vm.model)
        self.history.setAccessibleName(self.tr("Lab history"))
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().setVisible(False)
        self.history.setShowGrid(False)
        self.history.setAlternatingRowColors(True)
        hh = self.history.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(Col.WHEN, QHeaderView.ResizeMode.ResizeToContents)
        # The header sizes that column when the view is built; rows added later (the first
        # run of a new history) need it sized again, or the date is cut and wrapped.
        vm.model.rowsInserted.connect(lambda *_a: self.history.resizeColumnToContents(Col.WHEN))
        vm.model.modelReset.connect(lambda: self.history.resizeColumnToContents(Col.WHEN))
        hlayout.addWidget(self.history)
        outer_split.addWidget(hist)
        outer_split.setSizes([520, 200])
        layout.addWidget(outer_split, 1)

        self.functions_radio.toggled.connect(lambda _c: self._fill_choices())
        self.run_button.clicked.connect(self._on_run_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.export_json_button.clicked.connect(self._on_export_json_clicked)
        self.export_png_button.clicked.connect(self._on_export_png_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.history.selectionModel().currentRowChanged.connect(self._on_history_current)
        vm.runningChanged.connect(self._on_vm_running_changed)
        vm.phaseReported.connect(self._on_vm_phase)
        vm.runFinished.connect(self._on_vm_run_finished)
        vm.runFailed.connect(self._on_vm_run_failed)
        vm.partialResult.connect(self._on_vm_partial_result)
        self.function_names: list[str] = []
        self.image_refs: list[str] = []
        self.function_images: dict[str, str] = {}
        self._live: dict[int, tuple[int, LabPhase]] = {}  # side -> (run, its phase now)
        self._clear_stats()
        if vm.model.rowCount():
            self.history.selectRow(0)
        vm.ctx.backendChanged.connect(self._on_backend_changed)
        self._on_backend_changed()

    def _on_backend_changed(self) -> None:
        """A profile without functions (a plain OCI registry) compares images only."""
        backend = self.vm.ctx.backend
        functions = backend is None or backend.capabilities.functions
        self.functions_radio.setEnabled(functions)
        if not functions and self.functions_radio.isChecked():
            self.images_radio.setChecked(True)

    def crumbs(self) -> list[str]:
        return [self.tr("Cold-start lab")]

    def refresh(self) -> None:
        self._fill_choices()

    # -- choices ------------------------------------------------------------------------
    def set_choices(
        self,
        functions: list[str],
        images: list[str],
        function_images: dict[str, str] | None = None,
    ) -> None:
        """The functions and images to choose from; ``function_images`` (function → its
        image) lets A default to a function on a plain image and B to one on its
        accelerated twin."""
        self.function_names = functions
        self.image_refs = images
        if function_images is not None:
            self.function_images = dict(function_images)
        self._fill_choices()

    def _default_pair(self, items: list[str]) -> tuple[str, str] | None:
        """A plain baseline and an accelerated challenger among ``items``: a function and
        the one running its twin first, else the first plain and the first accelerated."""
        from core import is_accelerated_tag
        from core.cloud import accelerated_twin  # loaded by then: the backend uses it

        def image_of(item: str) -> str:
            if self.functions_radio.isChecked():
                return self.function_images.get(item, "")
            return item

        def accelerated(item: str) -> bool:
            image = image_of(item)
            if image:
                return is_accelerated_tag(image_tag(image))
            return "accel" in item  # nothing known but the name

        plain = [i for i in items if not accelerated(i)]
        fast = [i for i in items if accelerated(i)]
        for a in plain:
            image = image_of(a)
            twin = (accelerated_twin(image) or "") if image else ""
            for b in fast:
                if twin and image_of(b) == twin:
                    return a, b
        if plain and fast:
            return plain[0], fast[0]
        return None

    def _fill_choices(self) -> None:
        items = self.function_names if self.functions_radio.isChecked() else self.image_refs
        for combo in (self.a_combo, self.b_combo):
            text = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(items)
            if text and text in items:
                combo.setCurrentText(text)
            combo.blockSignals(False)
        if items and self.b_combo.currentText() == self.a_combo.currentText():
            pair = self._default_pair(items)
            if pair is not None:
                self.a_combo.setCurrentText(pair[0])
                self.b_combo.setCurrentText(pair[1])
        # Images are compared one after the other (on this machine); only functions race.
        self.order_combo.setEnabled(self.functions_radio.isChecked())

    def preset(self, mode: str, a: str, b: str = "") -> None:
        (self.functions_radio if mode == "functions" else self.images_radio).setChecked(True)
        self._fill_choices()
        self.a_combo.setCurrentText(a)
        if b:
            self.b_combo.setCurrentText(b)

    # -- run ----------------------------------------------------------------------------
    def request(self) -> LabRequest:
        return LabRequest(
            mode="functions" if self.functions_radio.isChecked() else "images",
            a=self.a_combo.currentText().strip(),
            b=self.b_combo.currentText().strip(),
            link=str(self.link_combo.currentData()),
            runs=self.runs_spin.value(),
            together=bool(self.order_combo.currentData()) and self.functions_radio.isChecked(),
        )

    def _on_run_clicked(self) -> None:
        req = self.request()
        if not req.a or not req.b:
            self.status.setText(self.tr("Choose both A and B."))
            return
        if req.a == req.b:
            self.status.setText(self.tr("A and B are the same; choose two different ones."))
            return
        self._run_totals.clear()
        self._live.clear()
        self._events = 0
        self._started = time.monotonic()
        self.timeline.clear()
        self.timeline.set_labels(req.a, req.b)
        self.runs_chart.set_labels(req.a, req.b)
        self.runs_chart.set_runs([], [])
        self.headline.setText(arg(self.tr("Running: %1 vs %2"), req.a, req.b))
        self._clear_stats()
        self.progress.setRange(0, req.runs * 2 * 5)
        self.progress.setValue(0)
        self.status.setText(self.tr("Starting…"))
        self.vm.run(req)

    def _on_vm_running_changed(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        if not running and self.status.text() == self.tr("Starting…"):
            self.status.clear()

    def _on_vm_phase(self, event: LabProgress) -> None:
        phase = event.phase
        key = (event.side, event.run)
        if key not in self._run_totals:
            # A new run on that side: its bar starts over.
            for p in PHASES:
                self.timeline.set_phase(event.side, p, 0.0)
            self._run_totals[key] = 0.0
        self.timeline.set_phase(event.side, phase.name, phase.duration_ms)
        self._run_totals[key] = max(self._run_totals[key], phase.start_ms + phase.duration_ms)
        if event.finished:
            self._events += 1
            self.progress.setValue(min(self.progress.maximum(), self._events))
        runs = self.runs_spin.value()
        a = [self._run_totals.get((0, i), 0.0) for i in range(runs) if (0, i) in self._run_totals]
        b = [self._run_totals.get((1, i), 0.0) for i in range(runs) if (1, i) in self._run_totals]
        self.runs_chart.set_runs(a, b)
        self._live[event.side] = (event.run, phase)
        elapsed = time.monotonic() - self._started
        frac = self._events / max(1, self.progress.maximum())
        eta = elapsed * (1 - frac) / frac if frac > 0 else None
        parts = [self._live_text(side, *self._live[side]) for side in sorted(self._live)]
        self.status.setText(" · ".join([*parts, format_eta(eta)]))

    def _live_text(self, side: int, run: int, phase: LabPhase) -> str:
        """``A run 1: pull 12.3 s, 45 MB``: the phase a side is in (or has just ended)."""
        text = arg(
            self.tr("%1 run %2: %3 %4"),
            "A" if side == 0 else "B",
            str(run + 1),
            phase_label(phase.name),
            format_duration_ms(phase.duration_ms),
        )
        if phase.bytes:
            text += ", " + format_bytes(phase.bytes)
        return text

    def _on_vm_run_finished(self, result: LabResult) -> None:
        self.status.setText(self.tr("Finished."))
        row = self.vm.model.row_of(result.run_id)
        if row >= 0:
            self.history.selectRow(row)
        self.show_result(result)

    def _on_vm_run_failed(self, exc: BaseException) -> None:
        from gui.errors import ErrorPresenter

        reason = ErrorPresenter.describe(exc).text
        self._run_ended(arg(self.tr("The comparison failed: %1"), reason.replace("\n", " ")))

    def _on_cancel_clicked(self) -> None:
        self._run_ended(self.tr("Cancelled."))
        self.vm.cancel()

    def _on_vm_partial_result(self, result: LabResult) -> None:
        """A comparison that stopped early: its finished runs are shown (and kept)."""
        done = min(len(result.sides[0].runs), len(result.sides[1].runs))
        self.status.setText(
            self.status.text()
            + " "
            + self.tr("The %n run(s) that finished are kept in the history.", "", done)
        )
        row = self.vm.model.row_of(result.run_id)
        if row >= 0:
            self.history.selectRow(row)
        self.show_result(result)

    def _run_ended(self, status: str) -> None:
        """A run that stopped without a result: say why, and show again what was shown
        before it (not 'Running: …' over empty charts)."""
        self.status.setText(status)
        if self.shown is not None:
            self.show_result(self.shown)
        else:
            self.headline.setText(self._no_result_text())
            self.timeline.clear()
            self.runs_chart.set_runs([], [])

    # -- showing results ----------------------------------------------------------------
    def _no_result_text(self) -> str:
        return self.tr(
            "No comparison yet: choose A and B and a link profile, then “Run comparison”."
        )

    def _clear_stats(self) -> None:
        for r in range(self.stats.rowCount()):
            for c in range(2):
                self.stats.setItem(r, c, QTableWidgetItem("—"))

    def show_result(self, result: LabResult) -> None:
        self.shown = result
        a, b = result.sides
        self.timeline.clear()
        self.timeline.set_labels(a.label, b.label)
        self.runs_chart.set_labels(a.label, b.label)
        for side_index, side in enumerate(result.sides):
            if not side.runs:
                continue
            totals = side.totals()
            median_run = sorted(range(len(totals)), key=totals.__getitem__)[len(totals) // 2]
            for phase in side.runs[median_run].phases:
                self.timeline.set_phase(side_index, phase.name, phase.duration_ms)
        self.runs_chart.set_runs(a.totals(), b.totals())
        r = ratio(result)
        if result.status != "finished":
            done = min(len(a.runs), len(b.runs))
            if result.status == "cancelled":
                text = self.tr("%1 vs %2 — cancelled after %3 of %4 runs (the finished ones)")
            else:
                text = self.tr("%1 vs %2 — failed after %3 of %4 runs: %5")
            self.headline.setText(
                arg(
                    text, a.label, b.label, str(done), str(result.request.runs), result.error or "?"
                )
            )
        else:
            times = ""
            if about_even(r):
                text = self.tr("%1 vs %2 — B starts about as fast as A (p50) over “%4”")
            elif r is not None and r < 1:
                text = self.tr("%1 vs %2 — B starts %3× slower (p50) over “%4”")
                times = f"{1 / r:.1f}"
            else:
                text = self.tr("%1 vs %2 — B starts %3× faster (p50) over “%4”")
                times = f"{r:.1f}" if r else "?"
            link = link_profile_label(result.request.link)
            self.headline.setText(arg(text, a.label, b.label, times, link))
        for col, side in enumerate(result.sides):
            s = side_stats(side)
            share = s["share"]
            values = [
                format_duration_ms(s["p50"]),
                format_duration_ms(s["p95"]),
                format_bytes(s["bytes"]),
                f"{share * 100:.1f} %" if share is not None else "—",
                f"{s['on_demand']:.0f}" if s["on_demand"] is not None else "—",
                f"{s['fallbacks']:.0f}" if s["fallbacks"] is not None else "—",
            ]
            for row, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.stats.setItem(row, col, item)
        self.stats.setHorizontalHeaderLabels(
            [arg(self.tr("A: %1"), a.label), arg(self.tr("B: %1"), b.label)]
        )
        for button in (self.export_json_button, self.export_png_button, self.delete_button):
            button.setEnabled(True)

    def _on_history_current(self, current: QModelIndex, _prev: QModelIndex) -> None:
        result = current.data(Roles.Result)
        if isinstance(result, LabResult) and not self.vm.running:
            self.show_result(result)

    # -- export -------------------------------------------------------------------------
    def _save_dialog(self, title: str, suffix: str, filter_text: str) -> QFileDialog:
        dialog = QFileDialog(self, title)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(filter_text)
        dialog.setDefaultSuffix(suffix)
        if self.shown is not None:
            dialog.selectFile(f"coldstart-{self.shown.run_id}.{suffix}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return dialog

    def _on_export_json_clicked(self) -> None:
        dialog = self._save_dialog(self.tr("Export run as JSON"), "json", "JSON (*.json)")
        dialog.fileSelected.connect(lambda path: self.export_json(Path(path)))
        dialog.open()

    def _on_export_png_clicked(self) -> None:
        dialog = self._save_dialog(self.tr("Export run as PNG"), "png", "PNG (*.png)")
        dialog.fileSelected.connect(lambda path: self.export_png(Path(path)))
        dialog.open()

    def export_json(self, path: Path) -> None:
        if self.shown is not None:
            try:
                self.vm.export_json(self.shown, path)
            except OSError as exc:
                self.vm.ctx.presenter.show(exc)
                return
            self.vm.ctx.notify(self.tr("Exported"), str(path), "ok")

    def export_png(self, path: Path) -> bool:
        pixmap = self.results.grab()
        ok = pixmap.save(str(path), "PNG")
        if ok:
            self.vm.ctx.notify(self.tr("Exported"), str(path), "ok")
        else:
            self.vm.ctx.notify(self.tr("Export failed"), str(path), "bad")
        return ok

    def _on_delete_clicked(self) -> None:
        if self.shown is not None:
            self.vm.delete(self.shown.run_id)
            self.shown = None
