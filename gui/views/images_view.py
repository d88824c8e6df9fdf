"""Images: repositories with their acceleration switch, and the selected repository's tags
paired with their accelerated twins (state, live progress, failure reason), "convert now"
and client-side conversion for plain OCI registries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core import is_accelerated_tag, source_tag_of, twin_tag_of
from gui.async_bridge import ask, async_slot
from gui.backend import AccelState, NamespaceInfo, RegistryInstance, RepoInfo
from gui.format import format_bytes, format_time
from gui.i18n import arg
from gui.models.repositories_model import Col as RepoCol
from gui.models.repositories_model import Roles as RepoRoles
from gui.models.tags_model import Col as TagCol
from gui.models.tags_model import Roles as TagRoles
from gui.models.tasks_model import eta_seconds
from gui.resources import icon
from gui.viewmodels.images_vm import ImagesViewModel
from gui.widgets.badge import BadgeDelegate, BadgeLabel
from gui.widgets.progress_delegate import ProgressDelegate
from gui.widgets.scope_combos import ScopeCombos
from gui.widgets.search_field import SearchField

if TYPE_CHECKING:
    from core.report import FunctionRow, ProblemCode
    from gui.dialogs.priority_file_dialog import PriorityFileDialog
    from gui.viewmodels.why_vm import WhyViewModel
    from gui.views.files_view import FilesView
    from gui.widgets.why_panel import WhyPanel

__all__ = ["ImagesView"]


class ImagesView(QWidget):
    crumbsChanged = Signal(list)
    showTaskRequested = Signal(str)

    def __init__(self, vm: ImagesViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("imagesView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        header = QHBoxLayout()
        title = QLabel(self.tr("Images"))
        title.setObjectName("pageTitle")
        header.addWidget(title)
        header.addSpacing(16)
        header.addWidget(QLabel(self.tr("Instance:")))
        self.instance_combo = QComboBox()
        self.instance_combo.setAccessibleName(self.tr("Registry instance"))
        self.instance_combo.setMinimumWidth(240)
        header.addWidget(self.instance_combo)
        header.addWidget(QLabel(self.tr("Namespace:")))
        self.namespace_combo = QComboBox()
        self.namespace_combo.setAccessibleName(self.tr("Namespace"))
        self.namespace_combo.setMinimumWidth(140)
        header.addWidget(self.namespace_combo)
        header.addStretch(1)
        self.refresh_button = QPushButton(icon("refresh"), self.tr("Refresh"))
        header.addWidget(self.refresh_button)
        layout.addLayout(header)

        split = QSplitter(Qt.Orientation.Horizontal)
        # -- repositories
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(self.tr("Repositories")))
        self.repo_table = QTableView()
        self.repo_table.setObjectName("reposTable")
        self.repo_table.setModel(vm.repos)
        self.repo_table.setAccessibleName(self.tr("Repositories"))
        self.repo_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.repo_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.repo_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.repo_table.verticalHeader().setVisible(False)
        self.repo_table.verticalHeader().setDefaultSectionSize(32)
        self.repo_table.setShowGrid(False)
        self.repo_table.setColumnHidden(RepoCol.MODIFIED, True)
        self.repo_table.setItemDelegateForColumn(
            RepoCol.ACCELERATION, BadgeDelegate(RepoRoles.Badge, self.repo_table)
        )
        rh = self.repo_table.horizontalHeader()
        rh.setSectionResizeMode(RepoCol.NAME, QHeaderView.ResizeMode.Stretch)
        self.repo_table.setColumnWidth(RepoCol.ACCELERATION, 112)
        self.repo_table.setColumnWidth(RepoCol.TYPE, 70)
        left_layout.addWidget(self.repo_table, 1)
        self.accel_check = QCheckBox(self.tr("Image acceleration"))
        self.accel_check.setAccessibleName(self.tr("Image acceleration for this repository"))
        self.accel_check.setToolTip(
            self.tr("Convert every tag pushed from now on into <tag>_accelerated.")
        )
        left_layout.addWidget(self.accel_check)
        self.accel_note = QLabel()
        self.accel_note.setObjectName("hintLabel")
        self.accel_note.setWordWrap(True)
        left_layout.addWidget(self.accel_note)
        split.addWidget(left)

        # -- tags
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        tag_header = QHBoxLayout()
        self.repo_title = QLabel()
        self.repo_title.setObjectName("sectionTitle")
        tag_header.addWidget(self.repo_title)
        tag_header.addStretch(1)
        self.tag_search = SearchField(self.tr("Filter tags"), delay_ms=80)
        tag_header.addWidget(self.tag_search)
        self.convert_button = QPushButton(icon("bolt"), self.tr("Convert now"))
        self.convert_button.setAccessibleName(self.tr("Convert the selected tag now"))
        tag_header.addWidget(self.convert_button)
        self.convert_all_button = QPushButton(self.tr("Convert all unconverted"))
        tag_header.addWidget(self.convert_all_button)
        self.push_button = QPushButton(icon("export"), self.tr("Push an image…"))
        self.push_button.setObjectName("pushButton")
        self.push_button.setToolTip(
            self.tr("The exact commands that push an image into this repository")
        )
        self.push_button.clicked.connect(self.open_push_dialog)
        tag_header.addWidget(self.push_button)
        right_layout.addLayout(tag_header)
        self.tags_loading = QProgressBar()
        self.tags_loading.setRange(0, 0)
        self.tags_loading.setMaximumHeight(4)
        self.tags_loading.setTextVisible(False)
        self.tags_loading.setVisible(False)
        right_layout.addWidget(self.tags_loading)
        self.tag_table = QTableView()
        self.tag_table.setObjectName("tagsTable")
        self.tag_table.setModel(vm.tags)
        self.tag_table.setAccessibleName(self.tr("Tags"))
        self.tag_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tag_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tag_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tag_table.setSortingEnabled(True)
        self.tag_table.horizontalHeader().setSortIndicatorShown(False)
        self.tag_table.verticalHeader().setVisible(False)
        self.tag_table.verticalHeader().setDefaultSectionSize(32)
        self.tag_table.setShowGrid(False)
        self.tag_table.setAlternatingRowColors(True)
        self.tag_table.setWordWrap(False)
        th = self.tag_table.horizontalHeader()
        # The tag names get the room they need (fitted when tags load); the twin column
        # takes what is left.
        th.setSectionResizeMode(TagCol.TWIN, QHeaderView.ResizeMode.Stretch)
        for col, width in (
            (TagCol.TAG, 220),
            (TagCol.STATE, 150),
            (TagCol.SIZE, 90),
            (TagCol.UPDATED, 135),
            (TagCol.DIGEST, 150),
        ):
            self.tag_table.setColumnWidth(col, width)
        self.tag_table.setItemDelegateForColumn(
            TagCol.STATE, ProgressDelegate(TagRoles.Progress, TagRoles.Badge, self.tag_table)
        )
        tags_split = QSplitter(Qt.Orientation.Vertical)
        tags_split.setChildrenCollapsible(False)
        tags_split.addWidget(self.tag_table)
        right_layout.addWidget(tags_split, 1)

        # -- selected tag detail
        detail = QWidget()
        detail.setObjectName("tagDetail")
        dform = QFormLayout(detail)
        dform.setContentsMargins(0, 6, 0, 0)
        self.d_tag = QLabel("—")
        self.d_pair = QLabel("—")
        self.d_pair.setTextFormat(Qt.TextFormat.RichText)
        self.d_pair.linkActivated.connect(self._on_pair_link_activated)
        self.d_state = BadgeLabel()
        self.d_progress = QProgressBar()
        self.d_progress.setRange(0, 1000)
        self.d_progress.setVisible(False)
        self.d_progress.setAccessibleName(self.tr("Conversion progress"))
        self.d_reason = QLabel()
        self.d_reason.setWordWrap(True)
        self.d_reason.setObjectName("errorLabel")
        self.d_digest = QLabel("—")
        self.d_digest.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.d_address = QLabel("—")
        self.d_address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        state_row = QHBoxLayout()
        state_row.addWidget(self.d_state)
        state_row.addWidget(self.d_progress, 1)
        self.d_task_link = QPushButton(self.tr("Show task"))
        self.d_task_link.setFlat(True)
        self.d_task_link.setVisible(False)
        state_row.addWidget(self.d_task_link)
        state_row.addStretch(0)
        dform.addRow(self.tr("Tag:"), self.d_tag)
        dform.addRow(self.tr("Pair:"), self.d_pair)
        dform.addRow(self.tr("Acceleration:"), state_row)
        dform.addRow("", self.d_reason)
        self._d_form = dform
        self._d_reason_row = dform.rowCount() - 1
        dform.setRowVisible(self._d_reason_row, False)  # only a failure has a reason
        # The start-up profile of the tag's image (the second stage of acceleration).
        self.d_profile = QLabel("—")
        self.d_profile.setObjectName("profileLabel")
        self.d_profile.setWordWrap(True)
        self.d_profile.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.d_profile_button = QPushButton(self.tr("Record"))
        self.d_profile_button.setObjectName("recordProfileButton")
        profile_row = QHBoxLayout()
        profile_row.addWidget(self.d_profile, 1)
        profile_row.addWidget(self.d_profile_button)
        dform.addRow(self.tr("Start-up profile:"), profile_row)
        self._d_profile_row = dform.rowCount() - 1
        dform.setRowVisible(self._d_profile_row, False)
        # "Why is this not accelerated?" for a plain tag without a ready twin
        self.why_panel: WhyPanel | None = None
        self.why_vm: WhyViewModel | None = None
        self._why_key: tuple[str, str] | None = None
        self._why_holder = QWidget()
        self._why_layout = QVBoxLayout(self._why_holder)
        self._why_layout.setContentsMargins(0, 0, 0, 0)
        dform.addRow(self.tr("Why:"), self._why_holder)
        self._why_row = dform.rowCount() - 1
        dform.setRowVisible(self._why_row, False)
        dform.addRow(self.tr("Digest:"), self.d_digest)
        dform.addRow(self.tr("Address (VPC):"), self.d_address)
        # The detail and the Files tab (built when first shown) share a tab widget.
        self.tag_tabs = QTabWidget()
        self.tag_tabs.setObjectName("tagTabs")
        self.tag_tabs.setDocumentMode(True)
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        detail_scroll.setWidget(detail)
        self.tag_tabs.addTab(detail_scroll, icon("info"), self.tr("Details"))
        self._files_placeholder = QWidget()
        self.tag_tabs.addTab(self._files_placeholder, icon("image"), self.tr("Files"))
        self.tag_tabs.setTabToolTip(
            1, self.tr("The tag's file tree, read without pulling the image")
        )
        self.files_view: FilesView | None = None
        tags_split.addWidget(self.tag_tabs)
        tags_split.setSizes([320, 400])
        self.tag_tabs.currentChanged.connect(lambda _i: self._sync_files())
        for changed in (vm.tags.modelReset, vm.tags.rowsInserted, vm.tags.rowsRemoved):
            changed.connect(self._on_tags_rows_changed)  # (a bound method: goes with the view)
        split.addWidget(right)
        split.setSizes([330, 800])
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        self.footer = QLabel()
        self.footer.setObjectName("footerLabel")
        layout.addWidget(self.footer)

        self.scope = ScopeCombos(
            vm,
            self.instance_combo,
            self.namespace_combo,
            describe=lambda inst: (
                icon("registry"),
                inst.name,
                f"{inst.instance_id} · {inst.specification} · {inst.region}",
            ),
            all_namespaces=self.tr("All"),
        )
        self.refresh_button.clicked.connect(self.refresh)
        self.repo_table.selectionModel().currentRowChanged.connect(self._on_repo_row_changed)
        self.tag_table.selectionModel().selectionChanged.connect(
            lambda *_a: self._update_tag_detail()
        )
        self.tag_search.searchChanged.connect(self._on_tag_search_changed)
        self.accel_check.clicked.connect(self._on_accel_check_clicked)
        self.convert_button.clicked.connect(self._on_convert_clicked)
        self.convert_all_button.clicked.connect(self._on_convert_all_clicked)
        self.d_task_link.clicked.connect(self._on_task_link_clicked)
        self.d_profile_button.clicked.connect(self._on_profile_button_clicked)
        vm.profilesChanged.connect(self._update_profile_row)
        vm.instancesChanged.connect(self._on_vm_instances_changed)
        vm.namespacesChanged.connect(self._on_vm_namespaces_changed)
        vm.currentRepoChanged.connect(self._on_vm_repo_changed)
        vm.tags.set_paired(True)  # each tag with its accelerated twin right under it
        vm.tags.modelReset.connect(self._fit_tag_column)
        vm.repos.modelReset.connect(self._select_current_repo)
        vm.tagsLoading.connect(self.tags_loading.setVisible)
        vm.tagsLoaded.connect(lambda _n: self._after_tags_loaded())
        # Live updates: the detail panel follows its own tag's row, once per event-loop pass
        # however many rows changed (not once per changed row of any tag).
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(0)
        self._detail_timer.timeout.connect(self._update_tag_detail)
        vm.tags.dataChanged.connect(self._on_tags_data_changed)
        vm.tags.modelReset.connect(self._update_footer)
        # A rebuilt tag list (a twin arrived, a filter changed) keeps the user's selection.
        self._reselect: tuple[str | None, list[str]] = (None, [])
        vm.tags.modelAboutToBeReset.connect(self._remember_selection)
        vm.tags.modelReset.connect(self._restore_selection)
        # The page may be built after its view-model loaded (pages are built on first
        # show): start from what the view-model already holds.
        if vm.instances:
            self._on_vm_instances_changed(vm.instances)
            self._on_vm_namespaces_changed(vm.namespaces)
            self.namespace_combo.blockSignals(True)
            self.namespace_combo.setCurrentIndex(
                max(0, self.namespace_combo.findData(vm.namespace or ""))
            )
            self.namespace_combo.blockSignals(False)
        self._on_vm_repo_changed(vm.repo)
        if vm.tags.rowCount():
            self._after_tags_loaded()

    def _fit_tag_column(self) -> None:
        """Wide enough for the longest tag name shown (``↳ v1.2.3_accelerated``), within
        reason: names are never cut to fit the other columns."""
        metrics = self.tag_table.fontMetrics()
        model = self.vm.tags
        sample = min(model.rowCount(), 2000)  # the longest of the first rows is enough
        widest = max(
            (
                metrics.horizontalAdvance(str(model.index(r, TagCol.TAG).data() or ""))
                for r in range(sample)
            ),
            default=0,
        )
        self.tag_table.setColumnWidth(TagCol.TAG, max(160, min(420, widest + 32)))

    def open_push_dialog(self) -> QDialog | None:
        """The push commands for the selected repository (with working credentials)."""
        from gui.dialogs.push_dialog import PushDialog

        vm = self.vm
        backend = vm.ctx.backend
        if backend is None or vm.repo is None or vm.instance is None:
            return None
        login_of = getattr(backend, "push_login", None)
        login = login_of() if login_of is not None else None
        dialog = PushDialog(vm.repo.path, lambda tag: vm.image_address(tag, vpc=False), login, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.push_dialog = dialog
        return dialog

    def crumbs(self) -> list[str]:
        crumbs = [self.tr("Images")]
        if self.vm.instance is not None:
            crumbs.append(self.vm.instance.name)
        if self.vm.repo is not None:
            crumbs.append(self.vm.repo.path)
        return crumbs

    def refresh(self) -> None:
        if self.vm.instance is None:
            self.vm.load_instances()
        else:
            self.vm.load_repositories()
            self.vm.load_tags()

    def focus_search(self) -> None:
        self.tag_search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.tag_search.selectAll()

    # -- browse -------------------------------------------------------------------------
    def _on_vm_instances_changed(self, instances: list[RegistryInstance]) -> None:
        self.scope.show_instances(instances)
        self.crumbsChanged.emit(self.crumbs())

    def _on_vm_namespaces_changed(self, namespaces: list[NamespaceInfo]) -> None:
        self.scope.show_namespaces(namespaces)

    def _select_current_repo(self) -> None:
        if self.vm.repo is None:
            return
        row = self.vm.repos.row_of(self.vm.repo.repo_id)
        if row >= 0:
            self.repo_table.selectionModel().setCurrentIndex(
                self.vm.repos.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _on_repo_row_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        repo_id = current.data(RepoRoles.Key)
        if repo_id and (self.vm.repo is None or self.vm.repo.repo_id != repo_id):
            self.vm.select_repo(str(repo_id))

    def _on_vm_repo_changed(self, repo: RepoInfo | None) -> None:
        self._select_current_repo()
        has = repo is not None
        inst = self.vm.instance
        backend = self.vm.ctx.backend
        rules = backend is None or backend.capabilities.acceleration_rules
        self.accel_check.setEnabled(
            rules
            and has
            and repo is not None
            and repo.acceleration is not None
            and (inst is None or inst.supports_acceleration)
        )
        self.accel_check.setChecked(bool(repo and repo.acceleration))
        self.repo_title.setText(repo.path if repo else self.tr("No repository selected"))
        if not rules:
            self.accel_note.setText(
                self.tr(
                    "A plain OCI registry does not convert by itself: select tags and "
                    "use “Convert now” to convert them on this computer."
                )
            )
        elif inst is not None and not inst.supports_acceleration:
            self.accel_note.setText(
                self.tr(
                    "This instance's edition cannot accelerate images (Standard or "
                    "Advanced needed)."
                )
            )
        elif repo is not None and repo.acceleration:
            self.accel_note.setText(
                self.tr(
                    "New tags are converted into <tag>_accelerated as they are pushed. "
                    "Tags pushed earlier need “Convert now”."
                )
            )
        elif repo is not None:
            self.accel_note.setText(self.tr("Tags are not converted."))
        else:
            self.accel_note.clear()
        self.crumbsChanged.emit(self.crumbs())
        self._update_tag_detail()

    def _on_tag_search_changed(self, text: str) -> None:
        self.vm.tags.set_filter(text)
        self._update_footer()

    def _after_tags_loaded(self) -> None:
        if self.vm.tags.rowCount() and not self.tag_table.selectionModel().hasSelection():
            self.select_tags([self.vm.tags.tag_at(0).tag])
        self._update_footer()

    def _update_footer(self) -> None:
        total = self.vm.tags.total_count()
        shown = self.vm.tags.rowCount()
        accelerated = (
            sum(1 for t in self.vm.tags.all_tags() if is_accelerated_tag(t.tag))
            if total < 20000
            else None
        )
        parts = [self.tr("%n tag(s)", "", total)]
        if shown != total:
            parts.append(arg(self.tr("%1 shown"), str(shown)))
        if accelerated is not None:
            parts.append(self.tr("%n accelerated", "", accelerated))
        self.footer.setText(" · ".join(parts))

    # -- selected tag -------------------------------------------------------------------
    def _on_tags_data_changed(self, top: QModelIndex, bottom: QModelIndex, *_roles: object) -> None:
        selection = self.tag_table.selectionModel()
        if selection is None or self._detail_timer.isActive():
            return
        first, last = top.row(), bottom.row()
        if any(first <= i.row() <= last for i in selection.selectedRows()):
            self._detail_timer.start()

    def _remember_selection(self) -> None:
        repo = self.vm.repo
        self._reselect = (repo.repo_id if repo else None, self.selected_tags())

    def _restore_selection(self) -> None:
        repo_id, tags = self._reselect
        self._reselect = (None, [])
        repo = self.vm.repo
        if not tags or repo is None or repo.repo_id != repo_id:
            return
        self.select_tags(tags)

    def select_tags(self, tags: list[str]) -> bool:
        """Select exactly these tags (those listed) and show the first one.

        Through the selection model, not ``selectRow``: with extended selection the latter
        consults the keyboard modifiers held at that moment (Ctrl toggles the row, Shift
        extends the range), so a programmatic selection would depend on the user's keys."""
        selection = self.tag_table.selectionModel()
        rows = [r for r in (self.vm.tags.row_of_tag(t) for t in tags) if r >= 0]
        if not rows:
            return False
        chosen = QItemSelection()
        for row in rows:
            index = self.vm.tags.index(row, 0)
            chosen.select(index, index)
        selection.select(
            chosen,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        current = self.vm.tags.index(rows[0], 0)
        selection.setCurrentIndex(current, QItemSelectionModel.SelectionFlag.NoUpdate)
        self.tag_table.scrollTo(current)
        return True

    def selected_tags(self) -> list[str]:
        rows = sorted({i.row() for i in self.tag_table.selectionModel().selectedRows()})
        return [self.vm.tags.tag_at(r).tag for r in rows if r < self.vm.tags.rowCount()]

    def show_files(self, tag: str | None = None) -> None:
        """Open the Files tab (of ``tag``, selected first when given)."""
        if tag is not None:
            self.select_tags([tag])
        self.tag_tabs.setCurrentIndex(1)

    def _files(self) -> FilesView:
        if self.files_view is None:
            from gui.viewmodels.files_vm import FilesViewModel
            from gui.views.files_view import FilesView

            self.files_view = FilesView(FilesViewModel(self.vm.ctx, self))
            index = self.tag_tabs.indexOf(self._files_placeholder)
            self.tag_tabs.blockSignals(True)
            self.tag_tabs.removeTab(index)
            self.tag_tabs.insertTab(index, self.files_view, icon("image"), self.tr("Files"))
            self.tag_tabs.setCurrentIndex(index)
            self.tag_tabs.blockSignals(False)
            self._files_placeholder.deleteLater()
        return self.files_view

    def _sync_files(self) -> None:
        if self.tag_tabs.currentIndex() != 1:
            return
        view = self._files()
        tags = self.selected_tags()
        inst, repo = self.vm.instance, self.vm.repo
        if not tags or inst is None or repo is None:
            view.vm.clear()
            return
        view.vm.load(inst.instance_id, repo, tags[0])
        self._update_compare_choices()

    def _on_tags_rows_changed(self, *_args: object) -> None:
        self._update_compare_choices()

    def _update_compare_choices(self) -> None:
        """The Files tab offers the repository's other images to compare with."""
        view = self.files_view
        if view is None:
            return
        from core.pull import is_profile_tag

        shown = view.vm.target[2] if view.vm.target is not None else ""
        view.set_compare_choices(
            [t.tag for t in self.vm.tags.all_tags() if t.tag != shown and not is_profile_tag(t.tag)]
        )

    def _why(self) -> tuple[WhyViewModel, WhyPanel]:
        if self.why_vm is None or self.why_panel is None:
            from gui.viewmodels.why_vm import WhyViewModel
            from gui.widgets.why_panel import WhyPanel

            self.why_vm = WhyViewModel(self.vm.ctx, self, key="img-why")
            panel = self.why_panel = WhyPanel()
            self._why_layout.addWidget(panel)
            self.why_vm.checking.connect(lambda _i: panel.show_checking())
            self.why_vm.checked.connect(self.why_panel.show_row)
            self.why_vm.failed.connect(self.why_panel.show_error)
            self.why_vm.unavailable.connect(
                lambda: self._d_form.setRowVisible(self._why_row, False)
            )
            self.why_panel.fixRequested.connect(self._on_why_fix_requested)
        return self.why_vm, self.why_panel

    def _sync_why(self, tag: str | None, state: AccelState | None) -> None:
        """Check why the selected plain tag has no ready twin (once per tag and state)."""
        wanted = tag is not None and state in (AccelState.NONE, AccelState.FAILED)
        self._d_form.setRowVisible(self._why_row, wanted)
        if not wanted or tag is None or state is None:
            self._why_key = None
            if self.why_vm is not None:
                self.why_vm.clear()
            return
        key = (tag, state.value)
        if key == self._why_key:
            return
        self._why_key = key
        vm, _panel = self._why()
        try:
            image = self.vm.image_address(tag, vpc=False)
        except AssertionError:
            return
        vm.check(image)

    def _on_why_fix_requested(self, row: FunctionRow, code: ProblemCode) -> None:
        from core.report import FixKind

        finding = row.finding(code)
        repo = self.vm.repo
        tag = row.source_tag or row.tag
        if finding is None or repo is None or not tag:
            return
        if finding.fix is FixKind.ENABLE_ACCELERATION:
            self.vm.set_acceleration(repo, True)
            if row.convert_on_request:
                self.vm.convert_now([tag])
        elif finding.fix in (FixKind.CONVERT_NOW, FixKind.RECONVERT):
            self.vm.convert_now([tag])
        self._why_key = None  # look again once the state moves

    def _update_tag_detail(self) -> None:
        self._sync_files()
        tags = self.selected_tags()
        repo = self.vm.repo
        self.convert_button.setEnabled(False)
        self.convert_all_button.setEnabled(bool(repo and repo.acceleration) or self._client_side())
        self.push_button.setEnabled(repo is not None)
        self.d_progress.setVisible(False)
        self.d_reason.clear()
        self._d_form.setRowVisible(self._d_reason_row, False)
        self.d_task_link.setVisible(False)
        self._update_profile_row()
        if not tags or repo is None:
            self._sync_why(None, None)
            self.d_tag.setText("—")
            self.d_pair.setText("—")
            self.d_state.set_badge("—", "muted")
            self.d_digest.setText("—")
            self.d_address.setText("—")
            return
        name = tags[0]
        row = self.vm.tags.row_of_tag(name)
        info = self.vm.tags.tag_at(row) if row >= 0 else None
        self.d_tag.setText(
            f"<b>{name}</b> · {format_bytes(info.size) if info and info.size else '—'} · "
            f"{format_time(info.updated) if info else '—'}"
        )
        if is_accelerated_tag(name):
            src = source_tag_of(name)
            self.d_pair.setText(
                arg(self.tr("accelerated image of %1"), f'<a href="{src}">{src}</a>')
            )
            self.d_state.set_badge(self.tr("Accelerated image"), "info")
            self._sync_why(None, None)
        else:
            twin = twin_tag_of(name)
            state = self.vm.tags.twin_state(name)
            task = self.vm.tags.task_for(name)
            if state is AccelState.READY:
                self.d_pair.setText(
                    arg(self.tr("accelerated twin: %1"), f'<a href="{twin}">{twin}</a>')
                )
                self.d_state.set_badge(self.tr("Ready"), "ok")
            elif state is AccelState.CONVERTING:
                self.d_pair.setText(arg(self.tr("accelerated twin: %1 (being converted)"), twin))
                frac = task.fraction if task else None
                from gui.format import format_eta

                eta = format_eta(eta_seconds(task)) if task else ""
                self.d_state.set_badge(
                    self.tr("Converting") + (f" · {eta}" if frac else ""), "busy"
                )
                self.d_progress.setVisible(True)
                if frac is None:
                    self.d_progress.setRange(0, 0)
                else:
                    self.d_progress.setRange(0, 1000)
                    self.d_progress.setValue(int(frac * 1000))
            elif state is AccelState.FAILED:
                self.d_pair.setText(self.tr("no accelerated twin"))
                self.d_state.set_badge(self.tr("Failed"), "bad")
                self.d_reason.setText(
                    task.error
                    if task and task.error
                    else self.tr("The conversion failed; see the task log.")
                )
            else:
                self.d_pair.setText(self.tr("no accelerated twin"))
                self.d_state.set_badge(self.tr("None"), "muted")
            if task is not None and not task.task_id.startswith(("pending:", "local:")):
                self.d_task_link.setVisible(True)
            self._sync_why(name, state)
            self.convert_button.setEnabled(
                (bool(repo.acceleration) or self._client_side())
                and state in (AccelState.NONE, AccelState.FAILED)
            )
            self.convert_button.setText(
                self.tr("Convert again") if state is AccelState.FAILED else self.tr("Convert now")
            )
        self.d_digest.setText(info.digest if info and info.digest else "—")
        try:
            self.d_address.setText(self.vm.image_address(name, vpc=True))
        except AssertionError:
            self.d_address.setText("—")
        self._d_form.setRowVisible(self._d_reason_row, bool(self.d_reason.text()))

    # -- start-up profile ---------------------------------------------------------------
    def _profile_text(self, tag: str) -> str:
        info = self.vm.profile_for(tag)
        if info is None or info.state == "NONE":
            return self.tr("not recorded")
        if info.state == "QUEUED":
            return self.tr("queued for recording")
        if info.state == "RECORDING":
            return self.tr("recording (the accelerated image starts once)…")
        if info.state == "FAILED":
            return arg(self.tr("not recorded: %1"), info.reason or "—")
        pattern = (
            self.tr("1 file, %2, recorded %3")
            if info.files == 1
            else self.tr("%1 files, %2, recorded %3")
        )
        text = arg(
            pattern, f"{info.files:,}", format_bytes(info.size), format_time(info.recorded_at)
        )
        if info.mode == "static":
            text += " " + self.tr("(static: the entrypoint and its libraries)")
        return text

    def _update_profile_row(self) -> None:
        """The selected tag's start-up profile and its action: Record (Local server) or
        Set prefetch list… (Alibaba Cloud's acceleration rule)."""
        backend = self.vm.ctx.backend
        tags = self.selected_tags()
        caps = backend.capabilities if backend is not None else None
        shown = bool(
            tags
            and self.vm.repo is not None
            and caps
            and (caps.startup_profiles or caps.priority_file)
        )
        self._d_form.setRowVisible(self._d_profile_row, shown)
        if not shown or caps is None:
            return
        tag = source_tag_of(tags[0])
        if caps.startup_profiles:
            info = self.vm.profile_for(tag)
            self.d_profile.setText(self._profile_text(tag))
            recorded = info is not None and info.state == "RECORDED"
            self.d_profile_button.setText(
                self.tr("Record again") if recorded else self.tr("Record")
            )
            self.d_profile_button.setToolTip(
                self.tr(
                    "Start the accelerated image once, record the files its start-up reads, "
                    "and convert the tag again so that it fetches them first"
                )
            )
            ready = self.vm.tags.twin_state(tag) is AccelState.READY
            self.d_profile_button.setEnabled(ready and not (info is not None and info.busy))
        else:
            self.d_profile.setText(
                self.tr("Alibaba Cloud prefetches the files listed in the repository's rule")
            )
            self.d_profile_button.setText(self.tr("Set prefetch list…"))
            self.d_profile_button.setToolTip(
                self.tr("Use a profile recorded with 'fcaccel profile record --output FILE'")
            )
            self.d_profile_button.setEnabled(True)

    def _on_profile_button_clicked(self) -> None:
        backend = self.vm.ctx.backend
        tags = self.selected_tags()
        if backend is None or not tags:
            return
        if backend.capabilities.startup_profiles:
            self.vm.record_profile(tags[0])
            return
        path = self._choose_profile_file()
        if path:
            self.confirm_priority_file(path)

    def _choose_profile_file(self) -> str:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose a start-up profile"),
            "",
            self.tr("Start-up profiles (*.txt *.json *.ndjson);;All files (*)"),
        )
        return path

    def confirm_priority_file(self, path: str) -> PriorityFileDialog | None:
        """Read the profile at ``path`` and ask before it becomes the prefetch list."""
        from core.convert import load_profile
        from core.errors import CoreError
        from gui.dialogs.priority_file_dialog import PriorityFileDialog

        repo = self.vm.repo
        if repo is None:
            return None
        try:
            paths = list(load_profile(path))
        except CoreError as exc:
            self.vm.ctx.presenter.show(exc)
            return None
        if not paths:
            self.vm.ctx.notify(
                self.tr("Nothing to prefetch"),
                arg(self.tr("%1 lists no files"), path),
                "warning",
            )
            return None
        dialog = PriorityFileDialog(
            repo.path, paths, rule_exists=bool(repo.acceleration), source=path, parent=self
        )
        dialog.accepted.connect(lambda: self.vm.set_priority_file(paths))
        dialog.open()
        return dialog

    def _client_side(self) -> bool:
        backend = self.vm.ctx.backend
        return bool(backend and backend.capabilities.client_conversion)

    def _on_pair_link_activated(self, tag: str) -> None:
        row = self.vm.tags.row_of_tag(tag)
        if row < 0 and self.vm.tags.filter_text:
            self.tag_search.clear()
            self.tag_search.flush()
            row = self.vm.tags.row_of_tag(tag)
        if row >= 0:
            self.select_tags([tag])

    def _on_task_link_clicked(self) -> None:
        tags = self.selected_tags()
        task = self.vm.tags.task_for(tags[0]) if tags else None
        if task is not None:
            self.showTaskRequested.emit(task.task_id)

    # -- actions ------------------------------------------------------------------------
    def _on_accel_check_clicked(self, checked: bool) -> None:
        repo = self.vm.repo
        if repo is not None:
            self._toggle_acceleration(repo, checked)

    @async_slot()
    async def _toggle_acceleration(self, repo: RepoInfo, on: bool) -> None:
        if not on:
            answer = await ask(
                self,
                self.tr("Switch acceleration off"),
                arg(self.tr("Stop converting new tags of %1?"), repo.path),
                informative=self.tr("Existing accelerated images are kept."),
            )
            if answer.name != "Yes":
                self.accel_check.setChecked(True)
                return
        self.vm.set_acceleration(repo, on)
        if on:

            def after(repo_id: str, state: bool) -> None:
                self.vm.accelerationChanged.disconnect(after)
                if state and repo_id == repo.repo_id:
                    self._offer_convert_existing()

            self.vm.accelerationChanged.connect(after)

    @async_slot()
    async def _offer_convert_existing(self) -> None:
        pending = self.vm.unconverted_tags()
        if not pending:
            repo = self.vm.repo
            self.vm.ctx.notify(
                self.tr("Nothing to convert"),
                arg(
                    self.tr("Every tag of %1 has its accelerated image or is being converted."),
                    repo.path if repo else "",
                ),
                "info",
            )
            return
        answer = await ask(
            self,
            self.tr("Convert existing tags"),
            self.tr(
                "%n tag(s) were pushed before acceleration was on. Convert them now?",
                "",
                len(pending),
            ),
            informative=self.tr("New pushes are converted automatically."),
        )
        if answer.name == "Yes":
            self.vm.convert_now(pending)

    def _on_convert_clicked(self) -> None:
        tags = [
            t
            for t in self.selected_tags()
            if not is_accelerated_tag(t)
            and self.vm.tags.twin_state(t) in (AccelState.NONE, AccelState.FAILED)
        ]
        self.vm.convert_now(tags)

    def _on_convert_all_clicked(self) -> None:
        self._offer_convert_existing()
