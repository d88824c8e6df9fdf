"""Start-up: the first window imports and builds only what it shows; the Local server, the
cloud clients and the other pages come after the first paint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, sys
from PySide6.QtWidgets import QApplication
from gui.app import Console, build_application
from gui.main_window import Page
app = build_application(["fcdesk"])
console = Console(lab_history=None)
console.window.show()
app.processEvents()
heavy = ["PySide6.QtCharts", "core.cloud", "core.report", "core.convert", "httpx",
         "keyring", "yaml", "gui.backend._core", "gui.server", "gui.views.lab_view",
         "gui.views.overview_view", "gui.dialogs.function_dialog"]
out = {"first": [m for m in heavy if m in sys.modules],
       "built": [console.window.page_built(i) for i in range(Page.COUNT)]}
console.window.go(Page.LAB)
out["lab"] = "PySide6.QtCharts" in sys.modules and console.window.page_built(Page.LAB)
out["crumbs"] = console.window.breadcrumbs.path()
console.window.go(Page.OVERVIEW)
out["overview"] = console.window.stack.currentWidget() is console.window.overview_view
sys.stdout.write(json.dumps(out))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        FCDESK_CONFIG_DIR=str(tmp_path / "config"),
        FCDESK_DATA_DIR=str(tmp_path / "userdata"),
    )
    return env


def test_first_window_imports_and_builds_only_what_it_shows(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["first"] == []
    assert out["built"] == [True, False, False, False, False, False, False]
    assert out["lab"] is True
    assert out["crumbs"] == ["Cold-start lab"]
    assert out["overview"] is True


@pytest.mark.slow
def test_fcdesk_paints_first_then_starts_the_local_server(tmp_path: Path) -> None:
    """The real entry point on the Local profile: the first paint is reported before the
    server it starts is running; the smoke test then lists functions and quits cleanly."""
    from core.settings import Settings, TomlSettingsStore

    settings = Settings()
    settings.secret_store = "file"
    TomlSettingsStore(tmp_path / "config" / "settings.toml").save(settings)
    env = _env(tmp_path)
    env["FCDESK_STARTUP_TRACE"] = "1"
    t0 = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gui",
            "--data-dir",
            str(tmp_path / "server"),
            "--smoke-test",
            "240",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    marks: dict[str, float] = {}
    for line in result.stdout.splitlines():
        if line.startswith("FCDESK-STARTUP "):
            _, mark, when = line.split()
            marks.setdefault(mark, float(when) - t0)
    assert set(marks) == {"first-paint", "connected"}, result.stdout
    assert 0 < marks["first-paint"] < marks["connected"]
    assert "FCDESK-SMOKE ok running" in result.stdout
    assert not (tmp_path / "server" / "server.json").exists() or not _server_alive(
        tmp_path / "server" / "server.json"
    )


def _server_alive(path: Path) -> bool:
    try:
        pid = int(json.loads(path.read_text())["pid"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError):
        return False
    return True
