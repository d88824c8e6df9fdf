# ruff: noqa: B023 - the lambdas are awaited at once, inside the same iteration
"""Screenshots of every main screen, from a real Local server with its seeded demo.

Run ``python -m gui.tools.screenshots [--out docs/screenshots]``. Without a display it
re-runs itself under ``xvfb-run`` so that real (not offscreen) windows are captured, in the
light and the dark theme. It starts its own Local server in a temporary data directory,
pushes two extra tags (one converts live), creates two more functions, invokes one, runs a
cold-start comparison, and then captures each screen.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.cloud import LOCAL_DEMO_FUNCTIONS, LOCAL_DEMO_REPO, LOCAL_REALISTIC_DEMO_REPO

__all__ = ["main"]

#: The Local server's demo functions (plain, accelerated).
DEMO_PLAIN, DEMO_ACCELERATED = LOCAL_DEMO_FUNCTIONS

SIZE = (1440, 900)


def _reexec_under_xvfb(argv: list[str]) -> int:
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        sys.stderr.write("screenshots: no display and no xvfb-run\n")
        return 2
    env = dict(os.environ, FCDESK_SCREENSHOTS_XVFB="1")
    env.pop("QT_QPA_PLATFORM", None)
    cmd = [
        xvfb,
        "-a",
        "-s",
        "-screen 0 1600x1000x24",
        sys.executable,
        "-m",
        "gui.tools.screenshots",
        *argv,
    ]
    return subprocess.call(cmd, env=env)


async def _wait(cond: Callable[[], object], limit_s: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    while not cond():
        if loop.time() > deadline:
            raise TimeoutError(f"screenshots: timed out waiting for {what}")
        await asyncio.sleep(0.1)


def _copy(info: Any, secret: str, src: str, dst: str) -> None:
    host = info.url.removeprefix("http://")
    creds = f"{info.access_key_id}:{secret}"
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
        timeout=300,
    )


def run(out: Path, themes: list[str], language: str = "") -> int:
    import qasync
    from PySide6.QtGui import QGuiApplication

    from core import twin_tag_of
    from core.cloud import LOCAL_SECRET_ENV
    from gui.app import Console, build_application
    from gui.backend import FunctionSpec, LabRequest
    from gui.main_window import MainWindow, Page
    from gui.theme import apply_theme
    from gui.viewmodels.settings_vm import SettingsViewModel

    work = Path(tempfile.mkdtemp(prefix="fcdesk-shots-"))
    secret = "screenshots-" + os.urandom(8).hex()
    os.environ[LOCAL_SECRET_ENV] = secret
    os.environ["FCDESK_CONFIG_DIR"] = str(work / "config")
    os.environ["FCDESK_DATA_DIR"] = str(work / "userdata")
    out.mkdir(parents=True, exist_ok=True)
    app = build_application([sys.argv[0]])
    apply_theme(app, themes[0])
    settings = SettingsViewModel()
    settings.set_secret_mode("file")
    if language:
        from gui.i18n import install_translators

        settings.set_pref("language", language)
        install_translators(language)
    console = Console(settings, data_dir=work / "server", lab_history=work / "lab.json")
    assert console.window is not None
    window: MainWindow = console.window
    window.resize(*SIZE)
    window.move(40, 40)
    window.show()
    shots: list[Path] = []

    current: dict[str, Any] = {"window": window}
    first_console = console

    async def grab(name: str, widget: Any = None) -> None:
        target = widget or current["window"]
        # Notifications of the set-up (conversions, deployments, the lab run) would cover
        # the screen's own content.
        toasts = current["window"].toasts.visible_toasts()
        for toast in toasts:
            toast.close()
        if toasts:
            await asyncio.sleep(0.3)  # repainted without them
        screen = target.screen() or QGuiApplication.primaryScreen()
        pixmap = screen.grabWindow(target.winId())
        if pixmap.isNull() or pixmap.width() < 50:
            pixmap = target.grab()
        path = out / (f"{name}_{language}.png" if language else f"{name}.png")
        pixmap.save(str(path), "PNG")
        shots.append(path)

    async def settle(seconds: float = 0.6) -> None:
        # Sleeping lets Qt paint; processEvents() here would re-enter the running task.
        await asyncio.sleep(seconds)

    async def main() -> None:
        nonlocal console, window
        ctx = console.ctx
        console.start()
        await _wait(lambda: ctx.connection_state == "running", 120, "the Local server")
        fvm = console.functions
        await _wait(
            lambda: (
                fvm.model.get(DEMO_ACCELERATED) is not None
                and fvm.model.get(DEMO_PLAIN) is not None
            ),
            180,
            "the seeded demo",
        )
        assert console.supervisor is not None
        info = console.supervisor.info
        # A little more real data: a second repository, two tags (one converts live).
        _copy(info, secret, "demo/hello:v1", "demo/orders-api:2024.06")
        images = console.images
        await _wait(
            lambda: any(r.path == "demo/orders-api" for r in images.repos.rows),
            60,
            "the new repository",
        )
        repo = next(r for r in images.repos.rows if r.path == "demo/orders-api")
        await _wait(
            lambda: getattr(images.repos.get(repo.repo_id), "acceleration", None) is not None,
            30,
            "the acceleration switch",
        )
        backend = ctx.require_backend()
        inst = images.instance
        assert inst is not None
        await backend.set_acceleration(inst.instance_id, repo, True)
        _copy(info, secret, "demo/hello:v1", "demo/orders-api:2024.07")
        hello = next(r for r in images.repos.rows if r.path == LOCAL_DEMO_REPO)
        accel = backend.image_address(inst, hello, twin_tag_of("v1"))
        orders = backend.image_address(inst, repo, "2024.06")
        for spec in (
            FunctionSpec(
                "orders-api",
                orders,
                cpu=1.0,
                memory_mb=2048,
                timeout_s=30,
                environment={"LOG_LEVEL": "info", "REGION": "local"},
                description="Order intake API",
            ),
            FunctionSpec(
                "thumbnailer",
                accel,
                cpu=0.5,
                memory_mb=1024,
                timeout_s=120,
                description="Image thumbnails",
            ),
        ):
            await backend.create_function(spec)
        fvm.reload()
        for name in ("orders-api", "thumbnailer", DEMO_PLAIN, DEMO_ACCELERATED):
            await _wait(
                lambda name=name: (  # type: ignore[misc]
                    (f := fvm.model.get(name)) is not None
                    and f.state == "Active"
                    and f.last_update_status == "Successful"
                ),
                240,
                f"function {name}",
            )

        # The server's seeding switches the demo functions to the realistic image
        # (demo/python-app: a runtime and libraries start-up barely reads) once it is built
        # and converted; the lab compares them then — on the small first image there is
        # nothing to save, and the screens would show a comparison nobody makes.
        async def on_realistic_image() -> bool:
            for name in (DEMO_PLAIN, DEMO_ACCELERATED):
                info = await backend.get_function(name)
                if "/demo/python-app:" not in info.image or info.last_update_status not in (
                    "Successful",
                    None,
                ):
                    return False
            return True

        # Meanwhile the console shows that the realistic image is being prepared: the
        # Overview's banner and the lab's note on the demo functions.
        from gui.viewmodels.seed_vm import seed_view_model

        seed = seed_view_model(ctx)
        if seed.state.realistic_pending:
            with contextlib.suppress(TimeoutError):
                await _wait(lambda: seed.state.in_realistic_stage, 120, "the realistic stage")
            if seed.state.running:
                window.go(Page.OVERVIEW)
                await settle(1.5)
                await grab("demo-seeding")
                window.go(Page.LAB)
                window.lab_view.preset("functions", DEMO_PLAIN, DEMO_ACCELERATED)
                await settle(1.0)
                await grab("lab-seeding")
                window.go(Page.FUNCTIONS)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 900
        while not await on_realistic_image():
            if loop.time() > deadline:
                sys.stderr.write("screenshots: the realistic demo image never arrived\n")
                break
            await asyncio.sleep(3)
        fvm.reload()
        await settle(2.0)
        # A cold-start comparison for the lab (and its history).
        console.lab.run(LabRequest("functions", DEMO_PLAIN, DEMO_ACCELERATED, "broadband", 3))
        await settle(0.3)
        await _wait(lambda: not console.lab.running, 600, "the lab run")
        await _wait(lambda: images.tags.rowCount() > 0, 30, "tags")

        for theme in themes:
            suffix = "" if theme == themes[0] else f"-{theme}"
            if theme != themes[0]:
                # A fresh window in the new theme (every icon and chart drawn for it), on the
                # same running Local server: the new console connects to it.
                await console.jobs.shutdown()
                console.ctx.set_backend(None)
                window.hide()
                apply_theme(app, theme)
                console = Console(settings, data_dir=work / "server", lab_history=work / "lab.json")
                assert console.window is not None
                window = console.window
                current["window"] = window
                window.resize(*SIZE)
                window.move(40, 40)
                window.show()
                ctx = console.ctx
                console.start()
                await _wait(
                    lambda: ctx.connection_state in ("running", "connected"),
                    60,
                    "the running Local server",
                )
                fvm = console.functions
                images = console.images
                await _wait(lambda: fvm.model.get(DEMO_PLAIN) is not None, 60, "functions")
                await _wait(
                    lambda: any(r.path == LOCAL_DEMO_REPO for r in images.repos.rows),
                    60,
                    "repositories",
                )
            await settle(0.5)
            window.go(Page.FUNCTIONS)
            window.functions_view.show_list()
            fvm.reload()
            await settle(2.0)
            await grab(f"functions{suffix}")
            window.functions_view.open_function(DEMO_PLAIN)
            await settle(1.5)
            await grab(f"function-overview{suffix}")
            detail = window.functions_view.detail
            detail.tabs.setCurrentIndex(2)
            await settle(0.5)
            await grab(f"function-image{suffix}")
            detail.tabs.setCurrentIndex(3)
            detail.event_edit.setPlainText('{\n  "order": 1042,\n  "items": 3\n}\n')
            detail.invoke_button.click()
            await _wait(
                lambda d=detail: (  # type: ignore[misc]
                    d.invoke_button.isEnabled() and d.response_edit.toPlainText() != ""
                ),
                120,
                "the invocation",
            )
            await settle(0.5)
            await grab(f"function-invoke{suffix}")
            window.functions_view.show_list()
            window.go(Page.IMAGES)
            # the realistic demo image and its twin, when the seeding has made them
            shown = next(
                (r for r in images.repos.rows if r.path == LOCAL_REALISTIC_DEMO_REPO), hello
            )
            images.select_repo(shown.repo_id)
            await _wait(lambda: images.tags.rowCount() >= 2, 60, "the repository's tags")
            await settle(1.0)
            view = window.images_view
            view.select_tags(["v1"])
            await settle(0.5)
            await grab(f"images{suffix}")
            window.go(Page.TASKS)
            await settle(0.5)
            if console.tasks.model.rowCount():
                window.tasks_view.select_task(console.tasks.model.row(0).task_id)
            await settle(2.0)
            await grab(f"tasks{suffix}")
            window.go(Page.LAB)
            if console.lab.model.rowCount():
                window.lab_view.history.selectRow(0)
            await settle(1.0)
            await grab(f"lab{suffix}")
            window.go(Page.SETTINGS)
            await settle(0.5)
            await grab(f"settings{suffix}")
            if theme == themes[0]:
                window.go(Page.FUNCTIONS)
                dialog = window.open_create_dialog()
                assert dialog is not None
                dialog.name_edit.setText("checkout")
                dialog.cpu_spin.setValue(0.25)
                dialog.memory_spin.setValue(2048)
                dialog.move(window.x() + 300, window.y() + 80)
                await settle(0.8)
                await grab("create-function", dialog)
                dialog._on_browse_clicked()
                picker = dialog.picker
                picker.move(window.x() + 200, window.y() + 120)
                await _wait(lambda p=picker: p.vm.repos.rowCount() > 0, 30, "picker repos")  # type: ignore[misc]
                picker.vm.select_repo(shown.repo_id)
                await _wait(lambda p=picker: p.selected_tag() is not None, 30, "picker tags")  # type: ignore[misc]
                await settle(0.8)
                await grab("image-picker", picker)
                picker.select_tag("v1")
                await settle(0.5)
                await grab("image-picker-plain-tag", picker)
                picker.reject()
                dialog.reject()
                await settle(0.3)
        await console.shutdown()
        if console is not first_console:
            await first_console.shutdown()

    try:
        qasync.run(main())
    finally:
        console.deleteLater()
        app.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    for path in shots:
        sys.stdout.write(f"{path}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m gui.tools.screenshots")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--themes", default="light,dark")
    parser.add_argument(
        "--language",
        default="",
        help="show the console in this language (ja, zh_CN; needs the compiled .qm files) and "
        "name the files <screen>_<language>.png",
    )
    args = parser.parse_args(argv)
    if args.language:
        # The locale also picks the CJK font variant (Japanese or Simplified Chinese glyphs).
        posix = {"ja": "ja_JP", "zh": "zh_CN"}.get(args.language, args.language)
        os.environ["LANG"] = os.environ["LC_ALL"] = f"{posix}.UTF-8"
        os.environ["LANGUAGE"] = args.language
    if not os.environ.get("DISPLAY") and not os.environ.get("FCDESK_SCREENSHOTS_XVFB"):
        return _reexec_under_xvfb(argv)
    return run(args.out.absolute(), [t for t in args.themes.split(",") if t], args.language)


if __name__ == "__main__":
    sys.exit(main())
