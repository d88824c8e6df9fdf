"""`ScopeCombos`: the registry instance and namespace drop-downs of a registry browser (the
Images page and the image picker), kept in step with an `ImagesViewModel`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QComboBox

from gui.backend import NamespaceInfo, RegistryInstance
from gui.viewmodels.images_vm import ImagesViewModel

__all__ = ["InstanceItem", "ScopeCombos"]

#: How a browser shows one instance: its icon (or None), its text and its tooltip ('' for none).
InstanceItem = Callable[[RegistryInstance], tuple[QIcon | None, str, str]]


class ScopeCombos(QObject):
    """Fills the two drop-downs from the view-model's lists without echoing the change back,
    keeps the view-model's current instance selected, and sends the user's choice to the
    view-model (which then lists that instance's or namespace's repositories).

    The owner says how an instance reads (``describe``) and what "every namespace" is called
    (``all_namespaces``), in its own words and translation context.
    """

    def __init__(
        self,
        vm: ImagesViewModel,
        instances: QComboBox,
        namespaces: QComboBox,
        *,
        describe: InstanceItem,
        all_namespaces: str,
    ) -> None:
        super().__init__(instances)
        self.vm = vm
        self.instances = instances
        self.namespaces = namespaces
        self._describe = describe
        self._all_namespaces = all_namespaces
        instances.currentIndexChanged.connect(self._on_instances_current_index_changed)
        namespaces.currentIndexChanged.connect(self._on_namespaces_current_index_changed)

    def show_instances(self, instances: list[RegistryInstance]) -> None:
        combo = self.instances
        combo.blockSignals(True)
        combo.clear()
        for inst in instances:
            icon, text, tooltip = self._describe(inst)
            if icon is not None:
                combo.addItem(icon, text, inst.instance_id)
            else:
                combo.addItem(text, inst.instance_id)
            if tooltip:
                combo.setItemData(combo.count() - 1, tooltip, Qt.ItemDataRole.ToolTipRole)
        if self.vm.instance is not None:
            combo.setCurrentIndex(max(0, combo.findData(self.vm.instance.instance_id)))
        combo.blockSignals(False)

    def show_namespaces(self, namespaces: list[NamespaceInfo]) -> None:
        combo = self.namespaces
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self._all_namespaces, "")
        for ns in namespaces:
            combo.addItem(ns.name, ns.name)
        combo.blockSignals(False)

    def _on_instances_current_index_changed(self, _index: int) -> None:
        instance_id = self.instances.currentData()
        if instance_id:
            self.vm.repo = None
            self.vm.select_instance(str(instance_id))

    def _on_namespaces_current_index_changed(self, _index: int) -> None:
        self.vm.repo = None
        self.vm.select_namespace(str(self.namespaces.currentData() or "") or None)
