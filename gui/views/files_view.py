"""`FilesView`: the Files tab of a tag on the Images page — the image's file tree without
pulling it, searchable, with sizes per directory, the layer of each entry, the start-up
profile's files highlighted and what upper layers hide; and the tag compared with another
tag or image (added, removed and changed paths with their sizes, filtered by kind and by the
search box)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTreeView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import Progress
from core.errors import InvalidReference
from core.explore import ChangeKind, HiddenEntry, ImageListing, ListingDiff
from gui.errors import ErrorPresenter
from gui.format import format_bytes, format_eta
from gui.i18n import arg
from gui.models.diff_model import DiffCol, DiffRoles
from gui.models.files_model import FileCol
from gui.resources import icon
from gui.viewmodels.files_vm import FilesViewModel, UnknownRepository
from gui.widgets.badge import BadgeDelegate
from gui.widgets.search_field import SearchField

__all__ = ["FilesView"]


class FilesView(QWidget):
    def __init__(self, vm: FilesViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("filesView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        top = QHBoxLayout()
        self.search = SearchField(self.tr("Search files"), delay_ms=120)
        top.addWidget(self.search)
        self.summary = QLabel()
        self.summary.setObjectName("hintLabel")
        # a long summary is cut (its tooltip has it all) rather than widening the page
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary.setMinimumWidth(120)
        top.addWidget(self.summary, 1)
        self.compare_combo = QComboBox()
        self.compare_combo.setObjectName("compareCombo")
        self.compare_combo.setEditable(True)
        self.compare_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.compare_combo.setMinimumContentsLength(12)
        self.compare_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        line = self.compare_combo.lineEdit()
        assert line is not None
        line.setPlaceholderText(self.tr("Compare with…"))
        self.compare_combo.setToolTip(
            self.tr(
                "Another tag of this repository, or NAMESPACE/REPOSITORY:TAG of this registry "
                "instance"
            )
        )
        self.compare_combo.setAccessibleName(self.tr("Image to compare with"))
        top.addWidget(self.compare_combo)
        self.compare_button = QPushButton(icon("compare"), self.tr("Compare"))
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setToolTip(
            self.tr("List what was added, removed or changed between the two images")
        )
        self.compare_button.setEnabled(False)
        top.addWidget(self.compare_button)
        self.reload_button = QPushButton(icon("refresh"), "")
        self.reload_button.setToolTip(self.tr("Read the file tree again"))
        self.reload_button.setAccessibleName(self.tr("Reload the file tree"))
        self.reload_button.setFlat(True)
        top.addWidget(self.reload_button)
        layout.addLayout(top)

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)
        self.progress.setAccessibleName(self.tr("Reading the image"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setVisible(False)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

        # The comparison's title on a line of its own (two long image names), its filters
        # and buttons below: the bar never makes the tab wider than the page gives it.
        self.compare_bar = QWidget()
        self.compare_bar.setObjectName("compareBar")
        bar_rows = QVBoxLayout(self.compare_bar)
        bar_rows.setContentsMargins(0, 0, 0, 0)
        bar_rows.setSpacing(2)
        self.compare_title = QLabel()
        self.compare_title.setObjectName("compareTitle")
        self.compare_title.setWordWrap(True)
        self.compare_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar_rows.addWidget(self.compare_title)
        bar = QHBoxLayout()
        bar_rows.addLayout(bar)
        self.kind_buttons: dict[ChangeKind, QCheckBox] = {}
        for kind in ChangeKind:
            button = QCheckBox()
            button.setObjectName(f"{kind.value}Check")
            button.setChecked(True)
            button.setToolTip(self.tr("Show or hide these paths"))
            button.toggled.connect(self._on_kind_toggled)
            bar.addWidget(button)
            self.kind_buttons[kind] = button
        bar.addStretch(1)
        self.swap_button = QPushButton(icon("compare"), self.tr("Swap"))
        self.swap_button.setObjectName("swapButton")
        self.swap_button.setToolTip(self.tr("Compare the other way round"))
        bar.addWidget(self.swap_button)
        self.close_compare_button = QPushButton(icon("back"), self.tr("Back to the files"))
        self.close_compare_button.setObjectName("closeCompareButton")
        bar.addWidget(self.close_compare_button)
        self.compare_bar.setVisible(False)
        layout.addWidget(self.compare_bar)
        self.compare_progress = QProgressBar()
        self.compare_progress.setRange(0, 0)
        self.compare_progress.setMaximumHeight(14)
        self.compare_progress.setTextVisible(False)
        self.compare_progress.setVisible(False)
        self.compare_progress.setAccessibleName(self.tr("Reading the image to compare with"))
        layout.addWidget(self.compare_progress)
        self.compare_status = QLabel()
        self.compare_status.setObjectName("compareStatus")
        self.compare_status.setWordWrap(True)
        self.compare_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.compare_status.setVisible(False)
        layout.addWidget(self.compare_status)

        self.tree = QTreeView()
        self.tree.setObjectName("filesTree")
        self.tree.setModel(vm.model)
        self.tree.setAccessibleName(self.tr("Files of the image"))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(FileCol.NAME, QHeaderView.ResizeMode.Stretch)
        for col, width in (
            (FileCol.SIZE, 86),
            (FileCol.STARTUP, 78),
            (FileCol.LAYER, 58),
            (FileCol.MODE, 96),
            (FileCol.OWNER, 80),
            (FileCol.MODIFIED, 130),
        ):
            self.tree.setColumnWidth(col, width)
        self.results_view = QTableView()
        self.results_view.setObjectName("filesResults")
        self.results_view.setModel(vm.results)
        self.results_view.setAccessibleName(self.tr("Files found"))
        self.results_view.setAlternatingRowColors(True)
        self.results_view.setShowGrid(False)
        self.results_view.setWordWrap(False)
        self.results_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.verticalHeader().setVisible(False)
        self.results_view.verticalHeader().setDefaultSectionSize(22)
        rheader = self.results_view.horizontalHeader()
        rheader.setSectionResizeMode(FileCol.NAME, QHeaderView.ResizeMode.Stretch)
        for col in FileCol:
            if col is not FileCol.NAME:
                self.results_view.setColumnWidth(col, self.tree.columnWidth(col))
        self.diff_view = QTableView()
        self.diff_view.setObjectName("diffView")
        self.diff_view.setModel(vm.diff_model)
        self.diff_view.setAccessibleName(self.tr("Differences between the two images"))
        self.diff_view.setAlternatingRowColors(True)
        self.diff_view.setShowGrid(False)
        self.diff_view.setWordWrap(False)
        self.diff_view.setSortingEnabled(True)
        self.diff_view.sortByColumn(DiffCol.PATH, Qt.SortOrder.AscendingOrder)
        self.diff_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.diff_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.diff_view.verticalHeader().setVisible(False)
        self.diff_view.verticalHeader().setDefaultSectionSize(22)
        dheader = self.diff_view.horizontalHeader()
        dheader.setSectionResizeMode(DiffCol.PATH, QHeaderView.ResizeMode.Stretch)
        for dcol, width in (
            (DiffCol.CHANGE, 80),
            (DiffCol.BEFORE, 86),
            (DiffCol.AFTER, 86),
            (DiffCol.DELTA, 104),
            (DiffCol.WHAT, 200),
        ):
            self.diff_view.setColumnWidth(dcol, width)
        self.diff_view.setItemDelegateForColumn(
            DiffCol.CHANGE, BadgeDelegate(DiffRoles.Badge, self.diff_view)
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.results_view)
        self.stack.addWidget(self.diff_view)
        layout.addWidget(self.stack, 1)

        bottom = QHBoxLayout()
        self.profile_label = QLabel()
        self.profile_label.setObjectName("profileLabel")
        self.profile_label.setWordWrap(True)
        bottom.addWidget(self.profile_label, 1)
        self.hidden_button = QPushButton()
        self.hidden_button.setCheckable(True)
        self.hidden_button.setFlat(True)
        self.hidden_button.setVisible(False)
        bottom.addWidget(self.hidden_button)
        layout.addLayout(bottom)
        self.hidden_list = QTreeWidget()
        self.hidden_list.setObjectName("hiddenList")
        self.hidden_list.setAccessibleName(self.tr("Hidden by upper layers"))
        self.hidden_list.setRootIsDecorated(False)
        self.hidden_list.setUniformRowHeights(True)
        self.hidden_list.setHeaderLabels(
            [self.tr("Path"), self.tr("Size"), self.tr("From layer"), self.tr("Hidden by")]
        )
        self.hidden_list.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.hidden_list.setMaximumHeight(150)
        self.hidden_list.setVisible(False)
        layout.addWidget(self.hidden_list)

        self.search.searchChanged.connect(self._on_search_changed)
        self.reload_button.clicked.connect(self._on_reload_clicked)
        self.compare_button.clicked.connect(self._on_compare_clicked)
        self.compare_combo.activated.connect(lambda _i: self._on_compare_clicked())
        line.returnPressed.connect(self._on_compare_clicked)
        line.textChanged.connect(self._update_compare_button)
        self.swap_button.clicked.connect(self._on_swap_clicked)
        self.close_compare_button.clicked.connect(self._on_close_compare_clicked)
        vm.compareLoadingChanged.connect(self._on_vm_compare_loading_changed)
        vm.compareProgressed.connect(self._on_vm_compare_progressed)
        vm.compared.connect(self._on_vm_compared)
        vm.compareFailed.connect(self._on_vm_compare_failed)
        vm.compareEnded.connect(self._on_vm_compare_ended)
        self.hidden_button.toggled.connect(self.hidden_list.setVisible)
        vm.loadingChanged.connect(self._on_vm_loading_changed)
        vm.progressed.connect(self._on_vm_progressed)
        vm.loaded.connect(self._on_vm_loaded)
        vm.failed.connect(self._on_vm_failed)
        if vm.listing is not None:
            self._on_vm_loaded(vm.listing)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def set_compare_choices(self, tags: list[str]) -> None:
        """The tags offered to compare with (the repository's others); what is typed stays."""
        text = self.compare_combo.currentText()
        self.compare_combo.blockSignals(True)
        self.compare_combo.clear()
        self.compare_combo.addItems(tags)
        self.compare_combo.setCurrentIndex(-1)
        self.compare_combo.setEditText(text)
        self.compare_combo.blockSignals(False)
        self._update_compare_button()

    def compare_with(self, text: str) -> None:
        """Compare the tag shown with the image ``text`` names (as if typed and confirmed)."""
        self.compare_combo.setEditText(text)
        self._on_compare_clicked()

    # -- slots --------------------------------------------------------------------------
    def _on_search_changed(self, text: str) -> None:
        self.vm.set_filter(text)
        self._show_page()
        self._show_summary()
        if self.compare_bar.isVisible():
            self._show_kind_counts()

    def _show_page(self) -> None:
        if self.compare_bar.isVisible():
            self.stack.setCurrentWidget(self.diff_view)
        else:
            self.stack.setCurrentWidget(self.results_view if self.vm.searching else self.tree)

    def _update_compare_button(self) -> None:
        self.compare_button.setEnabled(
            self.vm.listing is not None and bool(self.compare_combo.currentText().strip())
        )

    def _on_compare_clicked(self) -> None:
        text = self.compare_combo.currentText().strip()
        if not text or self.vm.listing is None:
            return
        try:
            self.vm.compare_with(text)
        except InvalidReference as exc:
            self._show_compare_error(
                arg(self.tr("“%1” names no image to compare with: %2"), text, str(exc)),
                self.tr("Type a tag of this repository, or NAMESPACE/REPOSITORY:TAG."),
            )

    def _on_swap_clicked(self) -> None:
        self.vm.swap()

    def _on_close_compare_clicked(self) -> None:
        self.vm.end_compare()

    def _on_kind_toggled(self, _checked: bool) -> None:
        self.vm.diff_model.set_kinds(
            {kind for kind, button in self.kind_buttons.items() if button.isChecked()}
        )
        self._show_summary()

    def _on_vm_compare_loading_changed(self, loading: bool) -> None:
        self.compare_progress.setVisible(loading)
        self.compare_button.setEnabled(not loading and self.vm.listing is not None)
        if loading:
            self.compare_progress.setRange(0, 0)
            self._set_compare_status(self.tr("Reading the image to compare with…"), error=False)
        elif self.vm.compare_error is None:
            self.compare_status.setVisible(False)

    def _on_vm_compare_progressed(self, event: Progress) -> None:
        if event.phase == "index" and event.total:
            self.compare_progress.setRange(0, 1000)
            self.compare_progress.setValue(int(1000 * event.done / event.total))
            self._set_compare_status(
                arg(
                    self.tr("Plain image: reading its layers once (%1 of %2, %3 left)…"),
                    format_bytes(event.done),
                    format_bytes(event.total),
                    format_eta(event.extra.get("eta_s")),
                ),
                error=False,
            )
        elif event.phase == "merge":
            self.compare_progress.setRange(0, 0)

    def _on_vm_compared(self, diff: ListingDiff) -> None:
        self.compare_bar.setVisible(True)
        self.profile_label.setVisible(False)
        self.hidden_button.setVisible(False)
        self.hidden_list.setVisible(False)
        other = self.vm.other
        this = self.vm.target
        if other is not None and this is not None:
            theirs = f"{other[1].path}:{other[2]}"
            mine = f"{this[1]}:{this[2]}"
            older, newer = (mine, theirs) if self.vm.reversed else (theirs, mine)
            self.compare_title.setText(arg(self.tr("From %1 to %2"), older, newer))
        self._show_kind_counts()
        self._show_page()
        self._show_summary()

    def _show_kind_counts(self) -> None:
        diff = self.vm.diff
        if diff is None:
            return
        summary = diff.summary
        texts = {
            ChangeKind.ADDED: self.tr("Added: %1 (%2)"),
            ChangeKind.REMOVED: self.tr("Removed: %1 (%2)"),
            ChangeKind.CHANGED: self.tr("Changed: %1 (%2)"),
        }
        for kind, button in self.kind_buttons.items():
            counts = summary[kind.value]
            nbytes = counts["bytes"]
            size = format_bytes(abs(nbytes))
            if kind is ChangeKind.CHANGED:
                size = ("+" if nbytes >= 0 else "−") + size
            button.setText(arg(texts[kind], f"{counts['paths']:,}", size))

    def _on_vm_compare_failed(self, exc: BaseException) -> None:
        if isinstance(exc, UnknownRepository):
            self._show_compare_error(
                arg(self.tr("This registry instance has no repository %1."), exc.path),
                self.tr("Check the name; repositories of another instance cannot be compared."),
            )
            return
        msg = ErrorPresenter.describe(exc)
        self._show_compare_error(f"{msg.title}: {msg.text}", msg.hint)

    def _show_compare_error(self, text: str, hint: str = "") -> None:
        self._set_compare_status(text + (f"\n{hint}" if hint else ""), error=True)
        self.compare_combo.setFocus()

    def _set_compare_status(self, text: str, *, error: bool) -> None:
        name = "errorLabel" if error else ""
        if self.compare_status.objectName() != name:
            self.compare_status.setObjectName(name)
            self.compare_status.style().unpolish(self.compare_status)
            self.compare_status.style().polish(self.compare_status)
        self.compare_status.setText(text)
        self.compare_status.setVisible(True)

    def _on_vm_compare_ended(self) -> None:
        self.compare_bar.setVisible(False)
        self.compare_progress.setVisible(False)
        self.compare_status.setVisible(False)
        self.profile_label.setVisible(True)
        listing = self.vm.listing
        self.hidden_button.setVisible(listing is not None and bool(listing.hidden))
        self.hidden_list.setVisible(
            self.hidden_button.isVisible() and self.hidden_button.isChecked()
        )
        self._update_compare_button()
        self._show_page()
        self._show_summary()

    def _on_reload_clicked(self) -> None:
        self.vm.reload()

    def _on_vm_loading_changed(self, loading: bool) -> None:
        self.progress.setVisible(loading)
        self.status.setVisible(loading)
        if loading:
            self.progress.setRange(0, 0)
            self.status.setObjectName("")
            self.status.setText(self.tr("Reading the image's file tree…"))
            self.summary.setText("")
            self.profile_label.setText("")
            self.hidden_button.setVisible(False)
            self.hidden_list.setVisible(False)

    def _on_vm_progressed(self, event: Progress) -> None:
        if event.phase == "index" and event.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * event.done / event.total))
            rate = event.extra.get("bytes_per_second") or 0
            text = arg(
                self.tr("Plain image: reading its layers once (%1 of %2, %3/s, %4 left)…"),
                format_bytes(event.done),
                format_bytes(event.total),
                format_bytes(rate),
                format_eta(event.extra.get("eta_s")),
            )
            self.status.setText(text + " " + self.tr("The index is kept for next time."))
        elif event.phase == "toc":
            self.status.setText(self.tr("Reading the tables of contents…"))
        elif event.phase == "merge":
            self.progress.setRange(0, 0)
            self.status.setText(self.tr("Merging the layers…"))

    def _on_vm_failed(self, exc: BaseException) -> None:
        msg = ErrorPresenter.describe(exc)
        self.status.setObjectName("errorLabel")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(f"{msg.title}: {msg.text}" + (f"\n{msg.hint}" if msg.hint else ""))
        self.status.setVisible(True)

    def _on_vm_loaded(self, listing: ImageListing) -> None:
        self._update_compare_button()
        self._show_summary()
        profile = listing.profile
        if profile is not None and profile.files:
            self.profile_label.setText(
                arg(
                    self.tr("● Start-up profile: %1 files, %2 — %3 % of the image's bytes"),
                    f"{profile.files:,}",
                    format_bytes(profile.bytes),
                    f"{100 * profile.share:.1f}",
                )
            )
        else:
            self.profile_label.setText(self.tr("No start-up profile recorded for this image."))
        hidden = listing.hidden
        self.hidden_button.setVisible(bool(hidden))
        self.hidden_button.setChecked(False)
        self.hidden_button.setText(
            arg(
                self.tr("Hidden by upper layers: %1 (%2)"),
                f"{len(hidden):,}",
                format_bytes(sum(h.size for h in hidden)),
            )
        )
        self._fill_hidden(hidden)
        self.tree.expand(self.vm.model.index(0, 0))

    def _show_summary(self) -> None:
        listing = self.vm.listing
        if listing is None:
            self.summary.setText("")
            return
        if listing.accelerated:
            how = self.tr("read from its TOCs")
        elif listing.bytes_transferred_layers:
            how = self.tr("its layers streamed once (the index is kept for next time)")
        else:
            how = self.tr("from the index kept earlier")
        text = arg(
            self.tr("%1 entries, %2 of files — %3 in %4"),
            f"{len(listing) - 1:,}",
            format_bytes(listing.total_bytes),
            how,
            f"{self.vm.seconds:.1f} s",
        )
        if self.compare_bar.isVisible():
            text = arg(
                self.tr("%1 of %2 differences shown"),
                f"{self.vm.diff_model.rowCount():,}",
                f"{len(self.vm.diff.changes) if self.vm.diff is not None else 0:,}",
            )
        elif self.vm.searching:
            text = arg(self.tr("%1 matches"), f"{self.vm.results.match_count():,}")
        self.summary.setText(text)
        self.summary.setToolTip(text)

    def _fill_hidden(self, hidden: list[HiddenEntry]) -> None:
        how = {
            "whiteout": self.tr("whiteout"),
            "opaque": self.tr("opaque directory"),
            "replaced": self.tr("replaced"),
        }
        self.hidden_list.clear()
        items = []
        for h in hidden[:5000]:
            item = QTreeWidgetItem(
                [
                    "/" + h.path + ("/" if h.kind == "dir" else ""),
                    format_bytes(h.size),
                    str(h.layer),
                    f"{h.by} ({how.get(h.how, h.how)})",
                ]
            )
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            items.append(item)
        self.hidden_list.addTopLevelItems(items)
