"""Values the console shows from data (a link profile, a function's state) are translated
like the text around them: no "回線 broadband" in demo mode, no "関数の状態: Active"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gui.i18n import install_translators
from gui.viewmodels.demo_vm import DemoViewModel
from gui.views.demo_view import DemoView


@pytest.fixture
def japanese(qapp) -> Iterator[None]:
    assert install_translators("ja") == "ja"
    try:
        yield
    finally:
        install_translators("en")


def test_demo_mode_names_the_link_in_japanese(qtbot, ctx, japanese) -> None:
    vm = DemoViewModel(ctx)
    view = DemoView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    from dataclasses import replace

    view.stage.show_state(replace(vm.state(), source="live"))
    text = view.stage.subtitle.text()
    assert "ブロードバンド" in text
    assert "broadband" not in text.lower()


def test_the_overview_detail_shows_the_function_state_in_japanese(qtbot, japanese) -> None:
    from gui.viewmodels.overview_text import state_text as _state_text

    assert _state_text("Active") == "アクティブ"
    assert _state_text(None) == "—"
