"""End to end through the console against a real Local server (``fcaccel serve``):

switch acceleration on → a pushed tag converts → ``<tag>_accelerated`` appears in the image
picker, pre-selected → create a function with it → run a lab comparison → the accelerated
timeline is faster.

The image is the small demo app beside ~40 MB of fonts it never reads at start-up, pushed
with its recorded start-up profile (``fcaccel demo build --assets``), so the comparison
measures what acceleration is for: over the lab's broadband link (100 Mbit/s, 20 ms) into
empty caches, the plain function pulls everything while the accelerated one fetches its TOCs
and start-up files only.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from core import twin_tag_of
from core.cloud import LOCAL_SECRET_ENV
from gui.app import Console
from gui.async_bridge import spawn
from gui.backend import AccelState, FunctionSpec, LabProgress, TaskStatus
from gui.main_window import Page
from gui.models.lab_runs_model import side_stats
from gui.viewmodels.settings_vm import SettingsViewModel

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture
def console(qtbot, qloop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(LOCAL_SECRET_ENV, "e2e-secret-" + "x" * 20)
    monkeypatch.setenv("FCDESK_DATA_DIR", str(tmp_path / "userdata"))
    settings = SettingsViewModel()
    settings.set_secret_mode("file")
    c = Console(settings, data_dir=tmp_path / "server", lab_history=tmp_path / "lab.json")
    c.window.show()
    c.start()
    yield c
    task = c.shutdown()
    qtbot.waitUntil(task.done, timeout=30000)
    c.window.close()
    c.window.deleteLater()
    c.deleteLater()


def _copy(console: Console, src: str, dst: str) -> None:
    assert console.supervisor is not None
    info = console.supervisor.info
    assert info is not None
    host = info.url.removeprefix("http://")
    creds = f"{info.access_key_id}:{os.environ[LOCAL_SECRET_ENV]}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "core.cli",
            "copy",
            f"docker://{host}/{src}",
            f"docker://{host}/{dst}",
            "--src-creds",
            creds,
            "--dest-creds",
            creds,
            "--src-insecure",
            "--dest-insecure",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _build_source_image(qtbot, console: Console, workdir: Path) -> str:
    """Build the test image into ``demo/demo-small:e2e`` (plain; its start-up profile is
    recorded over a lazy mount and pushed with it); returns the plain image's digest."""
    assert console.supervisor is not None
    info = console.supervisor.info
    assert info is not None
    host = info.url.removeprefix("http://")
    # Data the app never reads at start-up (Debian's fonts-noto-cjk, installed by .ci/setup).
    assets = sorted(glob.glob("/usr/share/fonts/opentype/noto/NotoSans*CJK*.ttc"))
    assert sum(os.path.getsize(a) for a in assets) > 30 << 20, (
        "fonts-noto-cjk is missing: the e2e image needs its fonts as bulk data"
    )
    cmd = [
        sys.executable,
        "-m",
        "core.cli",
        "demo",
        "build",
        "--registry",
        f"{host}/demo",
        "--kind",
        "small",
        "--tag",
        "e2e",
        "--creds",
        f"{info.access_key_id}:{os.environ[LOCAL_SECRET_ENV]}",
        "--insecure",
        "--workdir",
        str(workdir),
        "--json",
    ]
    for path in assets:
        cmd += ["--assets", path]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The console's loop keeps running while the image builds.
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=300000)
    out, err = proc.communicate()
    assert proc.returncode == 0, err[-3000:]
    (result,) = json.loads(out)
    assert result["order"] == "optimized", result["warnings"]
    assert result["plain_bytes"] > 30 << 20
    return str(result["plain_digest"])


def _answer(qtbot, parent, button) -> None:
    qtbot.waitUntil(lambda: parent.findChild(QMessageBox, "askBox") is not None, timeout=10000)
    box = parent.findChild(QMessageBox, "askBox")
    box.button(button).click()
    box.setObjectName("answered")


def test_acceleration_flow_end_to_end(qtbot, console: Console, tmp_path: Path) -> None:
    window = console.window
    qtbot.waitUntil(lambda: console.ctx.connection_state == "running", timeout=90000)
    # The seeded demo is there (plain and accelerated functions, converted twin).
    qtbot.waitUntil(lambda: console.functions.model.get("demo-plain") is not None, timeout=120000)
    qtbot.waitUntil(lambda: console.ctx.events.live, timeout=30000)

    # 1. A repository without acceleration gets a first tag (and the image's profile).
    digest = _build_source_image(qtbot, console, tmp_path / "build")
    _copy(console, "demo/demo-small:e2e", "demo/e2e:v1")
    profile_tag = digest.replace(":", "-") + ".profile"
    _copy(console, f"demo/demo-small:{profile_tag}", f"demo/e2e:{profile_tag}")
    window.go(Page.IMAGES)
    images = console.images
    qtbot.waitUntil(lambda: any(r.path == "demo/e2e" for r in images.repos.rows), timeout=30000)
    repo = next(r for r in images.repos.rows if r.path == "demo/e2e")
    images.select_repo(repo.repo_id)
    qtbot.waitUntil(
        lambda: getattr(images.repos.get(repo.repo_id), "acceleration", None) is False,
        timeout=30000,
    )
    qtbot.waitUntil(lambda: window.images_view.accel_check.isEnabled(), timeout=10000)
    qtbot.waitUntil(lambda: images.tags.has_tag("v1"), timeout=10000)

    # 2. Switch acceleration on in the Images view (don't convert the old tag now).
    window.images_view.accel_check.click()
    _answer(qtbot, window.images_view, QMessageBox.StandardButton.No)
    qtbot.waitUntil(
        lambda: getattr(images.repos.get(repo.repo_id), "acceleration", None) is True, timeout=30000
    )
    assert images.tags.twin_state("v1") is AccelState.NONE

    # 3. A tag pushed now converts, live: task, progress, then the twin.
    _copy(console, "demo/demo-small:e2e", "demo/e2e:v2")
    qtbot.waitUntil(lambda: images.tags.has_tag("v2"), timeout=30000)
    qtbot.waitUntil(lambda: images.tags.has_tag(twin_tag_of("v2")), timeout=180000)
    assert images.tags.twin_state("v2") is AccelState.READY
    qtbot.waitUntil(
        lambda: any(
            t.source_tag == "v2" and t.status is TaskStatus.SUCCESS
            for t in console.tasks.model.rows
        ),
        timeout=30000,
    )
    assert any(h[0] == "Conversion finished" for h in window.toasts.history)

    # 4. The picker lists the accelerated tag first and pre-selects it.
    window.go(Page.FUNCTIONS)
    dialog = window.open_create_dialog()
    assert dialog is not None
    dialog._on_browse_clicked()
    picker = dialog.picker
    qtbot.waitUntil(lambda: picker.vm.repos.rowCount() > 0, timeout=30000)
    picker.vm.select_repo(repo.repo_id)
    qtbot.waitUntil(lambda: picker.vm.tags.has_tag("v2_accelerated"), timeout=30000)
    qtbot.waitUntil(lambda: picker.selected_tag() == "v2_accelerated", timeout=10000)
    assert picker.vm.tags.index(0, 0).data() == "v2_accelerated"
    picker._on_accept()
    assert dialog.image_edit.text().endswith("/demo/e2e:v2_accelerated")

    # 5. Create the function with it (and a plain twin function to compare with).
    dialog.name_edit.setText("e2e-accelerated")
    assert dialog.save_button.isEnabled(), dialog.summary.text()
    dialog._on_save_clicked()
    plain_image = dialog.image_edit.text().removesuffix("_accelerated")
    console.functions.save(FunctionSpec(name="e2e-plain", image=plain_image), creating=True)
    for name in ("e2e-accelerated", "e2e-plain"):
        qtbot.waitUntil(
            lambda name=name: (
                (f := console.functions.model.get(name)) is not None
                and f.state == "Active"
                and f.last_update_status == "Successful"
            ),
            timeout=180000,
        )
    function = console.functions.model.get("e2e-accelerated")
    assert function is not None
    assert function.accel is AccelState.READY

    # 6. Compare them in the lab: both timelines fill in; the accelerated one is faster.
    window.go(Page.LAB)
    lab = window.lab_view
    lab.preset("functions", "e2e-plain", "e2e-accelerated")
    lab.runs_spin.setValue(2)
    lab.link_combo.setCurrentIndex(lab.link_combo.findData("broadband"))  # 100mbit,20ms
    phases: list[LabProgress] = []
    console.lab.phaseReported.connect(phases.append)
    lab.run_button.click()
    qtbot.waitUntil(lambda: console.lab.running, timeout=5000)
    qtbot.waitUntil(lambda: not console.lab.running, timeout=300000)
    assert console.lab.model.rowCount() == 1, window.toasts.history
    result = console.lab.model.row(0)
    assert {p.side for p in phases} == {0, 1}
    a, b = (side_stats(s)["p50"] for s in result.sides)
    assert a is not None
    assert b is not None
    assert result.request.link == "broadband"
    # Written to the e2e log: the figures behind the verdict.
    sys.stderr.write(f"lab p50: plain {a:.0f} ms, accelerated {b:.0f} ms\n")
    assert b < a, (a, b)
    for plain, accelerated in zip(result.sides[0].runs, result.sides[1].runs, strict=True):
        assert accelerated.bytes_fetched < plain.bytes_fetched
    # The server ran every one of those cold starts over that link into an empty cache.
    assert console.ctx.backend is not None
    core_clients = console.ctx.backend.core_clients()
    assert core_clients is not None
    local = core_clients[0].local
    assert local is not None
    task = spawn(local.function_invocations("e2e-accelerated", limit=10))
    qtbot.waitUntil(task.done, timeout=30000)
    cold = [i for i in task.result() if i["coldStart"]]
    assert len(cold) >= 2
    for invocation in cold[:2]:
        settings = invocation["coldStartSettings"]
        assert settings["cache"] == "empty"
        assert settings["link"]["spec"] == "100mbit,20ms"
