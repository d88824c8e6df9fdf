"""`FilesView`: the Files tab of a tag on the Images page — the image's file tree without
pulling it, searchable, with sizes per directory, the layer of each entry, the start-up
profile's files highlighted and what upper layers hide."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTreeView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import Progress
from core.explore import HiddenEntry, ImageListing
from gui.errors import ErrorPresenter
from gui.format import format_bytes, format_eta
from gui.i18n import arg
from gui.models.files_model import FileCol
from gui.resources import icon
from gui.viewmodels.files_vm import FilesViewModel
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
        top.addWidget(self.summary, 1)
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
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.results_view)
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

    # -- slots --------------------------------------------------------------------------
    def _on_search_changed(self, text: str) -> None:
        self.vm.set_filter(text)
        self.stack.setCurrentWidget(self.results_view if self.vm.searching else self.tree)
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
        if self.vm.searching:
            text = arg(self.tr("%1 matches"), f"{self.vm.results.match_count():,}")
        self.summary.setText(text)

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
