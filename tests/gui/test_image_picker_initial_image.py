"""Editing a function opens the image picker on the function's own repository and tag.

Before, the picker always opened on the first repository and pre-selected its newest
accelerated tag (the function's tag name was looked up there), so pressing Select while
editing a function switched it to another repository's image.
"""

from __future__ import annotations

from gui.dialogs.image_picker_dialog import ImagePickerDialog
from tests.gui.fakes import FakeBackend


def _picker(qtbot, ctx, image: str) -> ImagePickerDialog:
    ctx.set_backend(FakeBackend(tags=4))
    picker = ImagePickerDialog(ctx)
    qtbot.addWidget(picker)
    picker.show()
    picker.start(image)
    qtbot.waitUntil(lambda: picker.selected_tag() is not None, timeout=5000)
    qtbot.wait(50)
    return picker


def test_opens_on_the_images_repository_and_tag(qtbot, ctx) -> None:
    picker = _picker(qtbot, ctx, "registry-vpc.example.com/demo/web:latest")
    assert picker.vm.repo is not None
    assert picker.vm.repo.path == "demo/web"
    assert picker.selected_tag() == "latest"
    assert picker.repo_list.currentIndex().data() == "demo/web"


def test_keeps_the_plain_tag_of_the_image_being_edited(qtbot, ctx) -> None:
    picker = _picker(qtbot, ctx, "registry-vpc.example.com/demo/app:v1")
    assert picker.vm.repo is not None
    assert picker.vm.repo.path == "demo/app"
    assert picker.selected_tag() == "v1"


def test_unknown_repository_falls_back_to_the_first_and_its_accelerated_tag(qtbot, ctx) -> None:
    picker = _picker(qtbot, ctx, "other.example.com/elsewhere/app:latest")
    assert picker.vm.repo is not None
    assert picker.vm.repo.path == "demo/app"
    assert picker.selected_tag() == "v3_accelerated"
