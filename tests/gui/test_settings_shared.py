"""The console shares the settings file with ``fcaccel`` and other consoles: a profile added by
the command line while the console is open is kept when the console changes a preference,
and it appears in the console's profile list without a restart."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from gui.viewmodels.settings_vm import SettingsViewModel
from gui.views.settings_view import SettingsView

ROOT = Path(__file__).resolve().parents[2]


def _fcaccel(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=ROOT,
        env=dict(os.environ),
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_a_profile_the_cli_adds_survives_a_language_change_and_shows_up(
    qtbot, ctx, config_dir: Path
) -> None:
    vm = SettingsViewModel()
    vm.watch()
    view = SettingsView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    assert vm.profile_names() == ["Local"]
    _fcaccel("profiles", "add", "from-cli", "--region", "cn-beijing", "--credential-source", "env")
    # The console notices the new profile by itself (the file is watched).
    qtbot.waitUntil(lambda: "from-cli" in vm.profile_names(), timeout=10000)
    qtbot.waitUntil(lambda: view.profile_list.count() == 2, timeout=5000)
    view.language_combo.setCurrentIndex(view.language_combo.findData("ja"))
    data = tomllib.loads((config_dir / "settings.toml").read_text())
    assert data["gui"]["language"] == "ja"
    assert "from-cli" in data["profiles"]


def test_a_change_written_meanwhile_is_merged_even_unnoticed(qtbot, ctx, config_dir) -> None:
    """Even before the watcher has fired, a write merges into the file as it is now."""
    vm = SettingsViewModel()  # not watching: it never re-read the file
    _fcaccel("profiles", "add", "other", "--region", "cn-beijing", "--credential-source", "env")
    _fcaccel("profiles", "default", "other")
    vm.set_pref("theme", "dark")
    data = tomllib.loads((config_dir / "settings.toml").read_text())
    assert "other" in data["profiles"]
    assert data["default_profile"] == "other"
    assert data["gui"]["theme"] == "dark"
    assert "other" in vm.profile_names()  # the write brought the console up to date


def test_preferences_another_console_changes_apply_here(qtbot, ctx) -> None:
    here, there = SettingsViewModel(), SettingsViewModel()
    here.watch()
    seen: list[tuple[str, object]] = []
    here.preferenceChanged.connect(lambda k, v: seen.append((k, v)))
    there.set_pref("theme", "dark")
    qtbot.waitUntil(lambda: ("theme", "dark") in seen, timeout=10000)
    assert here.pref("theme") == "dark"
