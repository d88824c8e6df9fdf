"""The image picker: instance → namespace → repository → tag, searchable.

``_accelerated`` tags come first and the first one is pre-selected; a plain tag shows its
twin's state, offers the twin when it exists, or to switch acceleration on (or convert now)
when it does not. The result is the registry address (the VPC one when the instance has one
and the box is ticked).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core import is_accelerated_tag, twin_tag_of
from gui.backend import AccelState, NamespaceInfo, RegistryInstance, RepoInfo, TaskStatus
from gui.context import AppContext
from gui.i18n import arg
from gui.models.repositories_model import Roles as RepoRoles
from gui.models.tags_model import Col as TagCol
from gui.models.tags_model import Roles as TagRoles
from gui.viewmodels.images_vm import ImagesViewModel
from gui.widgets.badge import BadgeDelegate, BadgeLabel
from gui.widgets.progress_delegate import ProgressDelegate
from gui.widgets.scope_combos import ScopeCombos
from gui.widgets.search_field import SearchField

__all__ = ["ImagePickerDialog", "PickedImage"]


@dataclass(frozen=True, slots=True)
class PickedImage:
    address: str
    instance_id: str
    repo: RepoInfo
    tag: str
    accel: AccelState


class ImagePickerDialog(QDialog):
    picked = Signal(object)  # PickedImage

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imagePicker")
        self.setWindowTitle(self.tr("Select an image"))
        self.setAccessibleName(self.tr("Select an image"))
        self.resize(980, 600)
        self.ctx = ctx
        self.vm = ImagesViewModel(ctx, self, key_prefix="pick")
        self.result_image: PickedImage | None = None
        self._want_tag: str | None = None
        self._want_repo: str | None = None  # namespace/name of the image being edited
        layout = QVBoxLayout(self)

        top = QFormLayout()
        row = QHBoxLayout()
        self.instance_combo = QComboBox()
        self.instance_combo.setAccessibleName(self.tr("Registry instance"))
        self.instance_combo.setMinimumWidth(260)
        # as wide as its longest entry ("name (instance id)"), not cut at 260 px
        self.instance_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.namespace_combo = QComboBox()
        self.namespace_combo.setAccessibleName(self.tr("Namespace"))
        self.namespace_combo.setMinimumWidth(160)
        row.addWidget(self.instance_combo)
        row.addWidget(QLabel(self.tr("Namespace:")))
        row.addWidget(self.namespace_combo)
        row.addStretch(1)
        top.addRow(self.tr("Instance:"), row)
        layout.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.repo_search = SearchField(self.tr("Filter repositories"))
        left_layout.addWidget(self.repo_search)
        self.repo_proxy = QSortFilterProxyModel(self)
        self.repo_proxy.setSourceModel(self.vm.repos)
        self.repo_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.repo_list = QListView()
        self.repo_list.setModel(self.repo_proxy)
        self.repo_list.setAccessibleName(self.tr("Repositories"))
        self.repo_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        left_layout.addWidget(self.repo_list)
        split.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.tag_search = SearchField(self.tr("Filter tags"), delay_ms=80)
        right_layout.addWidget(self.tag_search)
        self.tag_table = QTableView()
        self.tag_table.setModel(self.vm.tags)
        self.tag_table.setAccessibleName(self.tr("Tags"))
        self.tag_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tag_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tag_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tag_table.verticalHeader().setVisible(False)
        self.tag_table.verticalHeader().setDefaultSectionSize(30)
        self.tag_table.setShowGrid(False)
        self.tag_table.setWordWrap(False)
        self.tag_table.setColumnHidden(TagCol.DIGEST, True)
        hh = self.tag_table.horizontalHeader()
        hh.setSectionResizeMode(TagCol.TAG, QHeaderView.ResizeMode.Stretch)
        self.tag_table.setColumnWidth(TagCol.TWIN, 170)
        self.tag_table.setColumnWidth(TagCol.STATE, 150)
        self.tag_table.setColumnWidth(TagCol.UPDATED, 140)
        self.tag_table.setItemDelegateForColumn(
            TagCol.STATE, ProgressDelegate(TagRoles.Progress, TagRoles.Badge, self.tag_table)
        )
        right_layout.addWidget(self.tag_table, 1)
        split.addWidget(right)
        split.setSizes([280, 700])
        layout.addWidget(split, 1)

        hint_row = QHBoxLayout()
        self.hint_badge = BadgeLabel()
        hint_row.addWidget(self.hint_badge)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setObjectName("hintLabel")
        hint_row.addWidget(self.hint, 1)
        self.use_twin_button = QPushButton(self.tr("Use the accelerated twin"))
        self.switch_on_button = QPushButton(self.tr("Switch acceleration on"))
        self.convert_button = QPushButton(self.tr("Convert now"))
        for b in (self.use_twin_button, self.switch_on_button, self.convert_button):
            b.setVisible(False)
            hint_row.addWidget(b)
        layout.addLayout(hint_row)

        bottom = QHBoxLayout()
        self.vpc_check = QCheckBox(self.tr("Use the VPC registry address"))
        self.vpc_check.setChecked(True)
        self.vpc_check.setToolTip(
            self.tr("Functions pull over the VPC; the instance must allow the function's VPC.")
        )
        bottom.addWidget(self.vpc_check)
        self.address_label = QLabel()
        self.address_label.setObjectName("addressLabel")
        self.address_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bottom.addWidget(self.address_label, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Select"))
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

        badge = BadgeDelegate(RepoRoles.Badge, self.repo_list)
        del badge
        self.scope = ScopeCombos(
            self.vm,
            self.instance_combo,
            self.namespace_combo,
            describe=self._describe_instance,
            all_namespaces=self.tr("All namespaces"),
        )
        self.repo_search.searchChanged.connect(self.repo_proxy.setFilterFixedString)
        self.tag_search.searchChanged.connect(self._on_tag_search_changed)
        self.repo_list.selectionModel().currentChanged.connect(self._on_repo_current_changed)
        self.tag_table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_hint())
        self.tag_table.doubleClicked.connect(lambda _i: self._on_accept())
        self.vm.instancesChanged.connect(self._on_vm_instances_changed)
        self.vm.namespacesChanged.connect(self._on_vm_namespaces_changed)
        self.vm.tagsLoaded.connect(self._on_vm_tags_loaded)
        self.vm.currentRepoChanged.connect(self._on_vm_repo_changed)
        self.vm.repos.modelReset.connect(self._on_repos_reset)
        self.vm.repos.modelReset.connect(self._select_current_repo)
        self.vm.tags.dataChanged.connect(lambda *_a: self._update_hint())
        self.vpc_check.toggled.connect(lambda _c: self._update_hint())
        self.use_twin_button.clicked.connect(self._on_use_twin_clicked)
        self.switch_on_button.clicked.connect(self._on_switch_on_clicked)
        self.convert_button.clicked.connect(self._on_convert_clicked)
        self.buttons.accepted.connect(self._on_accept)
        self.buttons.rejected.connect(self.reject)
        self._update_hint()

    def start(self, initial_image: str = "") -> None:
        """Load instances (call after construction, with the loop running); with
        ``initial_image`` (the function's current image) open its repository and tag."""
        from core.errors import CoreError
        from core.oci import ImageReference

        if initial_image:
            try:
                ref = ImageReference.parse(initial_image, default_tag=None)
            except CoreError:
                ref = None
            if ref is not None and "/" in ref.repository:
                self._want_repo = ref.repository
                self._want_tag = ref.tag
        self.vm.load_instances()

    # -- browse -------------------------------------------------------------------------
    def _describe_instance(self, inst: RegistryInstance) -> tuple[None, str, str]:
        label = f"{inst.name} ({inst.instance_id})"
        if not inst.supports_acceleration:
            label += " · " + self.tr("no acceleration")
        return None, label, ""

    def _on_vm_instances_changed(self, instances: list[RegistryInstance]) -> None:
        self.scope.show_instances(instances)

    def _on_vm_namespaces_changed(self, namespaces: list[NamespaceInfo]) -> None:
        self.scope.show_namespaces(namespaces)

    def _on_repos_reset(self) -> None:
        want, self._want_repo = self._want_repo, None
        if want is None or not self.vm.repos.rows:
            self._want_repo = want
            return
        repo = next(
            (r for r in self.vm.repos.rows if want == r.path or want.endswith("/" + r.path)),
            None,
        )
        if repo is not None and (self.vm.repo is None or self.vm.repo.repo_id != repo.repo_id):
            self.vm.select_repo(repo.repo_id)

    def _select_current_repo(self) -> None:
        if self.vm.repo is None:
            return
        row = self.vm.repos.row_of(self.vm.repo.repo_id)
        if row >= 0:
            idx = self.repo_proxy.mapFromSource(self.vm.repos.index(row, 0))
            self.repo_list.selectionModel().setCurrentIndex(
                idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _on_repo_current_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        repo_id = current.data(RepoRoles.Key)
        if repo_id and (self.vm.repo is None or self.vm.repo.repo_id != repo_id):
            self.vm.select_repo(str(repo_id))

    def _on_vm_repo_changed(self, _repo: RepoInfo | None) -> None:
        self._select_current_repo()
        self._update_hint()

    def _on_tag_search_changed(self, text: str) -> None:
        current = self.selected_tag()
        self.vm.tags.set_filter(text)
        if current:
            self.select_tag(current)
        elif self.vm.tags.rowCount():
            self.tag_table.selectRow(0)

    def _on_vm_tags_loaded(self, _n: int) -> None:
        want = self._want_tag
        self._want_tag = None
        if want and self.vm.tags.has_tag(want):
            self.select_tag(want)
        elif self.vm.tags.rowCount():
            # _accelerated tags are listed first: pre-select the newest one.
            self.tag_table.selectRow(0)
        self._update_hint()

    # -- selection and hints ------------------------------------------------------------
    def selected_tag(self) -> str | None:
        idx = self.tag_table.selectionModel().currentIndex()
        if not idx.isValid():
            rows = self.tag_table.selectionModel().selectedRows()
            if not rows:
                return None
            idx = rows[0]
        value = self.vm.tags.index(idx.row(), 0).data(TagRoles.Key)
        return str(value) if value else None

    def select_tag(self, tag: str) -> bool:
        row = self.vm.tags.row_of_tag(tag)
        if row < 0:
            return False
        self.tag_table.selectRow(row)
        self.tag_table.scrollTo(self.vm.tags.index(row, 0))
        return True

    def _update_hint(self) -> None:
        tag = self.selected_tag()
        inst = self.vm.instance
        repo = self.vm.repo
        for b in (self.use_twin_button, self.switch_on_button, self.convert_button):
            b.setVisible(False)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.vpc_check.setEnabled(bool(inst and inst.vpc_host))
        if tag is None or inst is None or repo is None:
            self.hint_badge.setVisible(False)
            self.hint.setText(self.tr("Choose a repository and a tag."))
            self.address_label.clear()
            ok.setEnabled(False)
            return
        ok.setEnabled(True)
        self.hint_badge.setVisible(True)
        self.address_label.setText(self.address(tag))
        state = self.vm.tags.twin_state(tag)
        if is_accelerated_tag(tag):
            self.hint_badge.set_badge(self.tr("Accelerated"), "ok")
            self.hint.setText(
                self.tr("An accelerated image: cold starts fetch only what start-up reads.")
            )
            return
        twin = twin_tag_of(tag)
        if state is AccelState.READY:
            self.hint_badge.set_badge(self.tr("Twin ready"), "ok")
            self.hint.setText(
                arg(self.tr("Its accelerated twin %1 exists and starts faster."), twin)
            )
            self.use_twin_button.setVisible(True)
        elif state is AccelState.CONVERTING:
            task = self.vm.tags.task_for(tag)
            frac = task.fraction if task else None
            pct = f" ({int(frac * 100)}%)" if frac is not None else ""
            self.hint_badge.set_badge(self.tr("Converting") + pct, "busy")
            self.hint.setText(
                arg(
                    self.tr(
                        "The accelerated twin %1 is not ready yet. Deploying this plain tag "
                        "now means full-image cold starts."
                    ),
                    twin,
                )
            )
        elif state is AccelState.FAILED:
            task = self.vm.tags.task_for(tag)
            self.hint_badge.set_badge(self.tr("Conversion failed"), "bad")
            self.hint.setText(
                arg(
                    self.tr("Converting this tag failed: %1"),
                    (task.error if task else "") or self.tr("see the task log"),
                )
            )
            self.convert_button.setText(self.tr("Convert again"))
            self.convert_button.setVisible(True)
        else:
            self.hint_badge.set_badge(self.tr("No twin"), "warn")
            task = self.vm.tags.task_for(tag)
            if repo.acceleration and task is not None and task.status is TaskStatus.CANCELED:
                self.hint.setText(
                    arg(self.tr("Its conversion was cancelled: convert it now to get %1."), twin)
                )
                self.convert_button.setText(self.tr("Convert now"))
                self.convert_button.setVisible(True)
            elif repo.acceleration:
                self.hint.setText(
                    arg(
                        self.tr(
                            "Acceleration is on, but this tag was pushed before: convert it "
                            "now to get %1."
                        ),
                        twin,
                    )
                )
                self.convert_button.setText(self.tr("Convert now"))
                self.convert_button.setVisible(True)
            else:
                self.hint.setText(
                    arg(
                        self.tr(
                            "This repository has no image acceleration. Switch it on to "
                            "convert this tag into %1."
                        ),
                        twin,
                    )
                )
                self.switch_on_button.setVisible(inst.supports_acceleration)

    def address(self, tag: str) -> str:
        inst = self.vm.instance
        vpc = self.vpc_check.isChecked() and bool(inst and inst.vpc_host)
        return self.vm.image_address(tag, vpc=vpc)

    def _on_use_twin_clicked(self) -> None:
        tag = self.selected_tag()
        if tag:
            self.select_tag(twin_tag_of(tag))

    def _on_switch_on_clicked(self) -> None:
        repo = self.vm.repo
        tag = self.selected_tag()
        if repo is None or tag is None:
            return

        def on_changed(repo_id: str, on: bool) -> None:
            self.vm.accelerationChanged.disconnect(on_changed)
            if on and repo_id == repo.repo_id:
                self.vm.convert_now([tag])

        self.vm.accelerationChanged.connect(on_changed)
        self.vm.set_acceleration(repo, True)

    def _on_convert_clicked(self) -> None:
        tag = self.selected_tag()
        if tag:
            self.vm.convert_now([tag])

    def _on_accept(self) -> None:
        tag = self.selected_tag()
        inst, repo = self.vm.instance, self.vm.repo
        if tag is None or inst is None or repo is None:
            return
        self.result_image = PickedImage(
            address=self.address(tag),
            instance_id=inst.instance_id,
            repo=repo,
            tag=tag,
            accel=self.vm.tags.twin_state(tag),
        )
        self.picked.emit(self.result_image)
        self.accept()

    def done(self, code: int) -> None:
        self.ctx.jobs.cancel_prefix("pick-")
        super().done(code)
