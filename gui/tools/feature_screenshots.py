"""Screenshots of the image explorer, "why is this not accelerated?", deploying only when
accelerated, the Ctrl+K palette and live logs — from a real Local server (small demo seed).

Run ``python -m gui.tools.feature_screenshots [--out docs/screenshots] [--language ja]`` on a
display (``DISPLAY=:N``; under Xvfb for a headless machine). It starts its own Local server in
a temporary data directory, copies the demo image into a repository without acceleration,
and captures: ``files`` (the Files tab of an accelerated tag, read from its TOCs, start-up
profile files bold), ``files-compare`` (two versions of an application image, built with
``fcaccel import``, compared in the Files tab), ``images-why`` (why a plain tag has no twin,
with the fix), ``function-deploy-wait`` (the function form refusing to deploy a twin that will
not come, and why), ``palette`` (Ctrl+K) and ``function-logs`` (a function's instance output,
followed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from core.cloud import LOCAL_DEMO_FUNCTIONS, LOCAL_DEMO_REPO
from gui.tools.screenshots import _copy, _wait

__all__ = ["main"]

#: The Local server's demo functions (plain, accelerated).
DEMO_PLAIN, DEMO_ACCELERATED = LOCAL_DEMO_FUNCTIONS

SIZE = (1440, 900)

#: The application image compared in ``files-compare``: its two versions' files.
COMPARE_REPO = "demo/shop-api"
_V14: dict[str, tuple[str, int]] = {
    "app/main.py": ("from api import orders, users, legacy\napp = serve(orders, users)\n", 0o644),
    "app/api/__init__.py": ("", 0o644),
    "app/api/orders.py": ("def list_orders():\n    return db.query('orders')\n" * 40, 0o644),
    "app/api/users.py": ("def me():\n    return session.user\n" * 30, 0o644),
    "app/api/legacy.py": ("# v1 endpoints, kept for old clients\n" * 120, 0o644),
    "app/static/app.js": ("export function render(){return 1}\n" * 900, 0o644),
    "app/requirements.txt": ("flask==3.0.3\nsqlalchemy==2.0.30\n", 0o644),
    "app/bin/start.sh": ("#!/bin/sh\nexec python -m app.main\n", 0o644),
}
_V15: dict[str, tuple[str, int]] = {
    **{k: v for k, v in _V14.items() if k != "app/api/legacy.py"},
    "app/main.py": (
        "from api import orders, users, payments\napp = serve(orders, users, payments)\n",
        0o644,
    ),
    "app/api/orders.py": (
        "def list_orders(page=1):\n    return db.query('orders', page)\n" * 60,
        0o644,
    ),
    "app/api/payments.py": ("def charge(order):\n    return psp.charge(order.total)\n" * 80, 0o644),
    "app/static/app.js": ("export function render(){return 2}\n" * 1400, 0o644),
    "app/static/logo.svg": ("<svg xmlns='http://www.w3.org/2000/svg'/>\n" * 60, 0o644),
    "app/requirements.txt": ("flask==3.0.3\nsqlalchemy==2.0.31\nstripe==9.9.0\n", 0o644),
    "app/bin/start.sh": ("#!/bin/sh\nexec python -m app.main\n", 0o755),
}


def _import_tree(info: Any, secret: str, files: dict[str, tuple[str, int]], dst: str) -> None:
    """Write ``files`` into a directory and push it as image ``dst`` with ``fcaccel import``."""
    import subprocess

    with tempfile.TemporaryDirectory(prefix="fcdesk-shot-app-") as tmp:
        root = Path(tmp)
        for path, (text, mode) in files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            target.chmod(mode)
        host = info.url.removeprefix("http://")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "core.cli",
                "import",
                str(root),
                f"docker://{host}/{dst}",
                "--creds",
                f"{info.access_key_id}:{secret}",
                "--timestamp",
                "1767225600",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )


def run(out: Path, language: str = "") -> int:
    import qasync
    from PySide6.QtGui import QGuiApplication

    from core.cloud import LOCAL_SECRET_ENV
    from gui.app import Console, build_application
    from gui.main_window import MainWindow, Page
    from gui.theme import apply_theme
    from gui.viewmodels.settings_vm import SettingsViewModel

    work = Path(tempfile.mkdtemp(prefix="fcdesk-feature-shots-"))
    secret = "screenshots-" + os.urandom(8).hex()
    os.environ[LOCAL_SECRET_ENV] = secret
    os.environ["FCDESK_CONFIG_DIR"] = str(work / "config")
    os.environ["FCDESK_DATA_DIR"] = str(work / "userdata")
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    os.environ.setdefault("FCDESK_SEED", "small")
    out.mkdir(parents=True, exist_ok=True)
    app = build_application([sys.argv[0]])
    apply_theme(app, "light")
    settings = SettingsViewModel()
    settings.set_secret_mode("file")
    if language:
        from gui.i18n import install_translators

        settings.set_pref("language", language)
        install_translators(language)
    console = Console(settings, data_dir=work / "server", lab_history=work / "lab.json")
    window: MainWindow = console.window
    window.resize(*SIZE)
    window.move(40, 40)
    window.show()
    shots: list[Path] = []

    async def grab(name: str, widget: Any = None) -> None:
        target = widget or window
        for toast in window.toasts.visible_toasts():
            toast.close()
        await asyncio.sleep(0.3)
        screen = target.screen() or QGuiApplication.primaryScreen()
        pixmap = screen.grabWindow(target.winId())
        if pixmap.isNull() or pixmap.width() < 50:
            pixmap = target.grab()
        path = out / (f"{name}_{language}.png" if language else f"{name}.png")
        pixmap.save(str(path), "PNG")
        shots.append(path)

    async def main() -> None:
        ctx = console.ctx
        console.start()
        await _wait(lambda: ctx.connection_state == "running", 120, "the Local server")
        fvm = console.functions
        await _wait(lambda: fvm.model.get(DEMO_PLAIN) is not None, 240, "the seeded demo")
        await _wait(
            lambda: (f := fvm.model.get(DEMO_PLAIN)) is not None and f.state == "Active",
            240,
            DEMO_PLAIN,
        )
        info = console.supervisor.info if console.supervisor is not None else None
        assert info is not None
        _copy(info, secret, "demo/hello:v1", "demo/orders-api:2024.06")
        _import_tree(info, secret, _V14, f"{COMPARE_REPO}:1.4")
        _import_tree(info, secret, _V15, f"{COMPARE_REPO}:1.5")
        images = console.images
        window.go(Page.IMAGES)
        await _wait(lambda: any(r.path == "demo/orders-api" for r in images.repos.rows), 60, "repo")
        hello = next(r for r in images.repos.rows if r.path == LOCAL_DEMO_REPO)
        images.select_repo(hello.repo_id)
        await _wait(lambda: images.tags.has_tag("v1_accelerated"), 300, "the twin")
        view = window.images_view

        # 1. the Files tab of the accelerated twin
        view.select_tags(["v1_accelerated"])
        view.show_files()
        files = view.files_view
        assert files is not None
        await _wait(lambda: files.vm.listing is not None, 120, "the file tree")
        # The server records the start-up profile after the first conversion, then converts
        # again with it: read the (new) twin until its profile is there.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 300
        while files.vm.listing is None or files.vm.listing.profile is None:
            if loop.time() > deadline:
                break
            await asyncio.sleep(5)
            files.vm.reload()
            await _wait(lambda: not files.vm.loading, 120, "the file tree")
        tree, model = files.tree, files.vm.model
        for path in ("usr", "usr/lib", "app"):
            index = model.index_of_path(path)
            if index.isValid():
                tree.expand(index)
        await asyncio.sleep(1.0)
        await grab("files")

        # 1b. two versions of an application compared in the Files tab
        await _wait(lambda: any(r.path == COMPARE_REPO for r in images.repos.rows), 60, "repo")
        shop = next(r for r in images.repos.rows if r.path == COMPARE_REPO)
        images.select_repo(shop.repo_id)
        await _wait(lambda: images.tags.has_tag("1.5") and images.tags.has_tag("1.4"), 60, "tags")
        view.select_tags(["1.5"])
        view.show_files()
        await _wait(lambda: files.vm.listing is not None, 120, "the file tree")
        files.compare_with("1.4")
        await _wait(lambda: files.vm.diff is not None and not files.vm.comparing, 120, "the diff")
        await asyncio.sleep(1.0)
        await grab("files-compare")
        files.vm.end_compare()

        # 2. why a plain tag has no twin
        orders = next(r for r in images.repos.rows if r.path == "demo/orders-api")
        images.select_repo(orders.repo_id)
        await _wait(lambda: images.tags.has_tag("2024.06"), 60, "the copied tag")
        view.tag_tabs.setCurrentIndex(0)
        view.select_tags(["2024.06"])
        await _wait(lambda: view.why_panel is not None and bool(view.why_panel.cards), 60, "why")
        await asyncio.sleep(0.8)
        await grab("images-why")

        # 3. the function form: deploy only when accelerated, and why it will not
        window.go(Page.FUNCTIONS)
        dialog = window.open_create_dialog()
        assert dialog is not None
        dialog.name_edit.setText("orders-api")
        inst = images.instance
        assert inst is not None
        backend = ctx.require_backend()
        dialog.image_edit.setText(backend.image_address(inst, orders, "2024.06_accelerated"))
        dialog.wait_check.setChecked(True)
        dialog.move(window.x() + 300, window.y() + 40)
        dialog.resize(780, 820)
        dialog._on_save_clicked()
        await _wait(
            lambda: dialog.why_panel is not None and bool(dialog.why_panel.cards), 60, "reasons"
        )
        await asyncio.sleep(0.8)
        await grab("function-deploy-wait", dialog)
        dialog.reject()

        # 4. live logs of a function
        window.functions_view.open_function(DEMO_PLAIN)
        detail = window.functions_view.detail
        detail.tabs.setCurrentIndex(detail._logs_tab)
        await _wait(lambda: detail.logs_vm.following, 30, "following the logs")
        for event in (b'{"order": 1042}', b'{"order": 1043}'):
            detail.event_edit.setPlainText(event.decode())
            detail.invoke_button.click()
            await _wait(lambda: detail.invoke_button.isEnabled(), 180, "the invocation")
        await _wait(
            lambda: detail.logs_edit.toPlainText().count("FC Invoke End") >= 2, 60, "log lines"
        )
        await asyncio.sleep(0.8)
        await grab("function-logs")

        # 5. Ctrl+K
        window.go(Page.IMAGES)
        images.select_repo(hello.repo_id)
        await _wait(lambda: images.tags.rowCount() >= 2, 30, "tags")
        palette = window.open_palette()
        palette.edit.setText("demo")
        await asyncio.sleep(1.0)
        await grab("palette", palette)
        palette.reject()
        await console.shutdown()

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
    parser = argparse.ArgumentParser(prog="python -m gui.tools.feature_screenshots")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--language", default="", help="ja or zh_CN (names <screen>_<lang>)")
    args = parser.parse_args(argv)
    if args.language:
        posix = {"ja": "ja_JP", "zh": "zh_CN"}.get(args.language, args.language)
        os.environ["LANG"] = os.environ["LC_ALL"] = f"{posix}.UTF-8"
        os.environ["LANGUAGE"] = args.language
    if not os.environ.get("DISPLAY"):
        sys.stderr.write("feature_screenshots: needs a display (DISPLAY=:N, e.g. Xvfb)\n")
        return 2
    return run(args.out.absolute(), args.language)


if __name__ == "__main__":
    sys.exit(main())
