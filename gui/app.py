"""Start-up and shutdown (CONTRIBUTING.md, "Start-up and shutdown"), and `Console`, which
wires the window, the view-models, the Local server supervisor and profile switching together.

The window is shown before anything slow happens: this module imports only what the first
window needs. Once it has been painted, the Local server is started (or found), the cloud
clients and the backend are imported in a worker thread, and data is loaded asynchronously.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import secrets
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from core import __version__
from core.errors import CoreError, CredentialsError, ServerError
from core.settings import AliyunProfile, LocalProfile, RegistryProfile
from gui.async_bridge import spawn
from gui.backend import Backend
from gui.context import AppContext
from gui.errors import ErrorPresenter, install_excepthook
from gui.i18n import install_translators
from gui.jobs import JobRunner
from gui.main_window import MainWindow
from gui.theme import apply_theme
from gui.viewmodels.functions_vm import FunctionsViewModel
from gui.viewmodels.images_vm import ImagesViewModel
from gui.viewmodels.lab_vm import LabViewModel
from gui.viewmodels.settings_vm import SettingsViewModel
from gui.viewmodels.tasks_vm import TasksViewModel

if TYPE_CHECKING:
    import httpx

    from core.cloud import SecretStore
    from gui.server import LocalServerSupervisor

__all__ = ["Console", "build_application", "run"]

log = logging.getLogger(__name__)


def _import_backend_modules() -> None:
    """What connecting needs beyond the first window: the HTTP client, the cloud clients
    and the backend (a few hundred milliseconds of imports)."""
    import httpx  # noqa: F401

    import core.cloud  # noqa: F401
    import gui.server  # noqa: F401
    from gui.backend import CoreBackend  # noqa: F401


async def load_backend_modules() -> None:
    """Import the connection's modules in a worker thread, so that the GUI thread keeps
    painting meanwhile (the import system's locks make a concurrent import elsewhere wait
    for the same module rather than run it twice)."""
    if "gui.backend._core" not in sys.modules:
        await asyncio.to_thread(_import_backend_modules)
        # Everything loaded so far (modules, classes, the window) lives as long as the
        # application: keep it out of the collector's full passes, which otherwise walk it
        # all on the GUI thread (50+ ms stalls measured by bench/gui/run.py).
        gc.freeze()


def _http_client() -> httpx.AsyncClient:
    import httpx

    return httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0), trust_env=False)


class SecretChoiceDialog(QDialog):
    """Shown when no keyring exists: choose a private file or this session only."""

    def __init__(self, parent: MainWindow) -> None:
        super().__init__(parent)
        self.setObjectName("secretChoiceDialog")
        self.setWindowTitle(self.tr("No system keyring"))
        self.choice = ""
        layout = QVBoxLayout(self)
        text = QLabel(
            self.tr(
                "This computer has no system keyring, so fcdesk cannot store secrets (the "
                "Local server's AccessKey, cloud AccessKeys, registry passwords) safely by "
                "default.\n\nKeep them in a file only you can read (mode 0600), or keep them "
                "for this session only?"
            )
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox()
        self.file_button = buttons.addButton(
            self.tr("Use a private file"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.session_button = buttons.addButton(
            self.tr("This session only"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.file_button.clicked.connect(lambda: self._choose("file"))
        self.session_button.clicked.connect(lambda: self._choose("session"))
        layout.addWidget(buttons)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


class Console(QObject):
    """Owns the application's objects; `start` connects the default profile."""

    def __init__(
        self,
        settings: SettingsViewModel | None = None,
        *,
        server_command: list[str] | None = None,
        data_dir: Path | None = None,
        lab_history: Path | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or SettingsViewModel()
        self.jobs = JobRunner(self)
        # The presenter parents its boxes to the window, which is built below.
        self.presenter = ErrorPresenter(lambda: getattr(self, "window", None))
        self.ctx = AppContext(self.jobs, self.presenter, self)
        self.functions = FunctionsViewModel(self.ctx, self)
        self.images = ImagesViewModel(self.ctx, self)
        self.tasks = TasksViewModel(self.ctx, self)
        from gui.viewmodels.lab_vm import LabHistory

        self.lab = LabViewModel(self.ctx, LabHistory(lab_history) if lab_history else None, self)
        self.window: MainWindow = MainWindow(
            self.ctx, self.functions, self.images, self.tasks, self.lab, self.settings
        )
        self.window.profileRequested.connect(self.switch_profile)
        self.window.regionRequested.connect(self.switch_region)
        self.window.restartServerRequested.connect(self._on_restart_requested)
        # The theme chosen in Settings (or the system's, when following it) applies at once;
        # icons and badges follow the palette.
        self.settings.preferenceChanged.connect(self._on_settings_preference_changed)
        # Profiles and preferences that fcaccel or another console write show up here.
        self.settings.watch()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)
        self._server_command = server_command
        self._data_dir_override = data_dir
        if data_dir is not None:
            self.settings.data_dir_override = data_dir  # Settings shows the one in use
        self.supervisor: LocalServerSupervisor | None = None
        self._session_local_secret: str | None = None
        self._switching: asyncio.Task[None] | None = None
        self._wanted_kind = "local"  # the kind of the profile being (or last) connected
        self._shutdown: asyncio.Future[None] | None = None
        self.ask_secret_choice = True
        self.window.closed.connect(self._on_window_closed)

    # -- start / stop -------------------------------------------------------------------
    def start(self, profile: str | None = None) -> asyncio.Task[None]:
        name = profile or self.settings.settings.default_profile or "Local"
        return self.switch_profile(name)

    def shutdown(self) -> asyncio.Future[None]:
        """Stop everything this console runs: jobs (cancelled and awaited), the profile
        switch under way, the backend's clients and the Local server it started. Closing
        the window starts it; calling it again returns the same shutdown."""
        if self._shutdown is None:
            self._shutdown = asyncio.ensure_future(self._shut_down())
        return self._shutdown

    def _on_window_closed(self) -> None:
        with contextlib.suppress(RuntimeError):  # no running loop: nothing to stop
            asyncio.get_running_loop()
            self.shutdown()

    async def _shut_down(self) -> None:
        import httpx

        self.ctx.events.stop()
        switching = self._switching
        if switching is not None and not switching.done():
            switching.cancel()
            await asyncio.wait([switching], timeout=5.0)
        await self.jobs.shutdown()
        backend = self.ctx.backend
        self.ctx.set_backend(None)
        if backend is not None:
            with contextlib.suppress(CoreError, httpx.HTTPError):
                await backend.aclose()
        if self.supervisor is not None:
            await self.supervisor.stop()

    # -- profiles -----------------------------------------------------------------------
    def switch_profile(self, name: str) -> asyncio.Task[None]:
        if self._switching is not None and not self._switching.done():
            self._switching.cancel()
        self._switching = spawn(self._switch(name))
        return self._switching

    def switch_region(self, region: str) -> None:
        profile = self.settings.settings.profile(self.ctx.profile_name)
        if isinstance(profile, AliyunProfile):
            self._switching = spawn(self._connect_aliyun(replace(profile, region=region)))

    async def _switch(self, name: str) -> None:
        try:
            profile = self.settings.settings.profile(name)
        except CoreError as exc:
            self.presenter.show(exc)
            return
        self._wanted_kind = profile.kind
        try:
            await load_backend_modules()
            if isinstance(profile, LocalProfile):
                await self._connect_local(profile)
            elif isinstance(profile, AliyunProfile):
                await self._connect_aliyun(profile)
            elif isinstance(profile, RegistryProfile):
                await self._connect_registry(profile)
        except CoreError as exc:
            self.ctx.set_connection("failed", str(exc))
            self.presenter.show(exc)

    async def _ask_secret_mode(self) -> None:
        if not self.settings.needs_secret_choice():
            return
        if not self.ask_secret_choice:
            # Unattended (--smoke-test): nobody answers a dialog; keep secrets in memory.
            self.settings.use_session_secrets_now()
            return
        self.ctx.set_connection("choice", "")
        from gui.async_bridge import dialog_result

        dialog = SecretChoiceDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        await dialog_result(dialog)
        self.settings.set_secret_mode(dialog.choice or "session")
        dialog.deleteLater()

    def _data_dir(self) -> Path:
        return self._data_dir_override or self.settings.server_data_dir()

    async def _connect_local(self, profile: LocalProfile) -> None:
        from core.cloud import (
            LOCAL_SECRET_ENV,
            FileSecretStore,
            KeyringSecretStore,
            MemorySecretStore,
            local_secret_key,
            open_clients,
            resolve_credentials,
        )
        from gui.backend import CoreBackend
        from gui.server import LocalServerSupervisor, ServerState

        await self._ask_secret_mode()
        mode = self.settings.secret_mode()
        data_dir = self._data_dir()
        env_secret = os.environ.get(LOCAL_SECRET_ENV)
        extra: list[str] = []
        if mode == "file":
            extra = ["--secret-store", "file"]
        elif mode == "session" and not env_secret:
            if self._session_local_secret is None:
                self._session_local_secret = secrets.token_urlsafe(24)
            os.environ[LOCAL_SECRET_ENV] = self._session_local_secret
            extra = ["--secret-store", "file"]
        if self.supervisor is None or self.supervisor.data_dir != data_dir:
            if self.supervisor is not None:
                await self.supervisor.stop()
            self.supervisor = LocalServerSupervisor(
                data_dir,
                port=int(self.settings.pref("server_port") or 0),
                command=self._server_command,
                extra_args=extra,
                parent=self,
            )
            self.supervisor.stateChanged.connect(self._on_server_state)
        info = await self.supervisor.ensure_running()
        store: SecretStore
        if mode == "file":
            store = FileSecretStore(data_dir / "access-key.secret")
        elif mode == "session":
            store = MemorySecretStore()
        else:
            store = KeyringSecretStore()
        local = replace(profile, url=info.url, access_key_id=info.access_key_id)
        try:
            creds = await asyncio.to_thread(resolve_credentials, local, store)
        except CredentialsError:
            if mode == "file":
                raise
            # The server may have been created with a file store earlier.
            store = FileSecretStore(Path(info.data_dir or data_dir) / "access-key.secret")
            key = local_secret_key(info.access_key_id)
            if await asyncio.to_thread(store.get, key) is None:
                raise
            creds = await asyncio.to_thread(resolve_credentials, local, store)
        http = _http_client()
        clients = open_clients(local, http, creds)
        backend = CoreBackend(
            clients,
            http,
            kind="local",
            registry_credentials=(creds.access_key_id, creds.access_key_secret),
        )
        self._set_backend(backend, "Local", "local", "")
        state = self.supervisor.state
        self.ctx.set_connection(
            "running" if state is ServerState.RUNNING else "connected", info.url
        )
        self.window.set_local_server_state(str(state), info.url)

    async def _connect_aliyun(self, profile: AliyunProfile) -> None:
        from core.cloud import open_clients, resolve_credentials
        from gui.backend import CoreBackend

        await self._ask_secret_mode()
        self.ctx.set_connection("connecting", profile.region)
        store = self.settings.secret_store()
        creds = await asyncio.to_thread(resolve_credentials, profile, store)
        http = _http_client()
        clients = open_clients(profile, http, creds)
        backend = CoreBackend(clients, http, region=profile.region, kind="aliyun")
        self._set_backend(backend, profile.name, "aliyun", profile.region)
        # "Connected" once the service has answered: offline, or with a refused key, the
        # status bar says so (the views show their own errors).
        listing = clients.fc.list_functions(limit=1)
        try:
            async for _function in listing:
                break
        except CoreError as exc:
            self.ctx.set_connection("failed", str(exc))
            return
        finally:
            aclose = getattr(listing, "aclose", None)
            if aclose is not None:
                await aclose()
        self.ctx.set_connection("connected", clients.endpoints.fc)

    async def _connect_registry(self, profile: RegistryProfile) -> None:
        from core.cloud import secret_key
        from core.registry import RegistryClient
        from gui.backend import RegistryBackend

        await self._ask_secret_mode()
        self.ctx.set_connection("connecting", profile.url)
        creds: tuple[str, str] | None = None
        if profile.username:
            store = self.settings.secret_store()
            password = await asyncio.to_thread(store.get, secret_key(profile.name, "password"))
            creds = (profile.username, password or "")
        insecure = True if profile.insecure else None
        client = RegistryClient(profile.url, credentials=creds, insecure=insecure)
        await client.ping()
        backend = RegistryBackend(
            client, name=profile.name, credentials=creds, insecure=insecure, url=profile.url
        )
        self._set_backend(backend, profile.name, "registry", "")
        self.ctx.set_connection("connected", profile.url)

    def _set_backend(self, backend: Backend, name: str, kind: str, region: str) -> None:
        self.ctx.set_backend(backend, profile=name, kind=kind, region=region)

    def _on_settings_preference_changed(self, key: str, value: object) -> None:
        app = QApplication.instance()
        if key == "theme" and isinstance(app, QApplication):
            apply_theme(app, str(value))

    def _on_color_scheme_changed(self, _scheme: object) -> None:
        app = QApplication.instance()
        if self.settings.pref("theme") == "system" and isinstance(app, QApplication):
            apply_theme(app, "system")

    def _on_server_state(self, state: str, detail: str) -> None:
        self.window.set_local_server_state(state, detail)
        if self._wanted_kind != "local":
            return  # the Local server's states are not another profile's connection
        if state in ("starting", "stopping", "failed", "stopped"):
            self.ctx.set_connection(state, detail)

    def _on_restart_requested(self) -> None:
        async def restart() -> None:
            if self.supervisor is not None:
                self.ctx.set_backend(None)
                await self.supervisor.stop()
                self.supervisor = None
            await self._switch("Local")

        spawn(restart())


def build_application(argv: Sequence[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setOrganizationName("fcdesk")
    app.setApplicationName("fcdesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("io.github.fcdesk.fcdesk")  # the desktop entry's id (Wayland app id)
    return app


def _parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fcdesk", description="fcdesk desktop console")
    parser.add_argument("--version", action="version", version=f"fcdesk {__version__}")
    parser.add_argument("--profile", help="profile to open (default: the default profile)")
    parser.add_argument("--data-dir", type=Path, help="the Local server's data directory")
    parser.add_argument("--theme", choices=["system", "light", "dark"], help="override theme")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    parser.add_argument(
        "--smoke-test",
        type=float,
        metavar="SECONDS",
        help="connect the profile, list its functions, print 'FCDESK-SMOKE ok …' and quit; "
        "exit 1 if that fails or takes longer than SECONDS (checks an installation)",
    )
    args, _qt = parser.parse_known_args(list(argv)[1:])
    return args


STARTUP_TRACE_ENV = "FCDESK_STARTUP_TRACE"
FIRST_PAINT_WAIT_S = 3.0  # start connecting anyway if no paint is seen (hidden window)


class _FirstPaintProbe(QObject):
    """Notes when the window has been painted for the first time (the end of start-up as
    the user sees it) and logs it; with ``$FCDESK_STARTUP_TRACE`` set it also prints
    ``FCDESK-STARTUP first-paint <CLOCK_MONOTONIC seconds>`` (read by ``bench/gui/startup.py``).
    Callbacks given to `when_painted` run right after that first paint."""

    def __init__(self, window: QObject, t0: float) -> None:
        super().__init__(window)
        self._t0 = t0
        self.painted = False
        self._callbacks: list[Callable[[], None]] = []
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted:
            watched.removeEventFilter(self)
            # Report once this paint has been flushed, then start the deferred work.
            QTimer.singleShot(0, self._on_painted)
        return False

    def _on_painted(self) -> None:
        if self.painted:
            return
        self.painted = True
        log.info("first window painted after %.0f ms", (time.perf_counter() - self._t0) * 1000)
        trace_startup("first-paint")
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def when_painted(self, callback: Callable[[], None]) -> None:
        if self.painted:
            callback()
        else:
            self._callbacks.append(callback)


def trace_startup(mark: str) -> None:
    """With ``$FCDESK_STARTUP_TRACE`` set, print a start-up mark and the monotonic clock."""
    if os.environ.get(STARTUP_TRACE_ENV):
        sys.stdout.write(f"FCDESK-STARTUP {mark} {time.monotonic():.6f}\n")
        sys.stdout.flush()


def run(argv: Sequence[str]) -> int:
    t0 = time.perf_counter()
    args = _parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG
        if args.verbose > 1
        else logging.INFO
        if args.verbose
        else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    import qasync

    app = build_application(argv)
    settings = SettingsViewModel()
    install_translators(str(settings.pref("language") or "") or None)
    apply_theme(app, args.theme or str(settings.pref("theme")))
    console = Console(settings, data_dir=args.data_dir)
    console.ask_secret_choice = not args.smoke_test
    restore = install_excepthook(console.presenter)
    probe = _FirstPaintProbe(console.window, t0)
    console.window.show()
    log.info("first window shown after %.0f ms", (time.perf_counter() - t0) * 1000)
    console.ctx.connectionChanged.connect(
        lambda state, _d: trace_startup("connected") if state in ("running", "connected") else None
    )
    if settings.load_error is not None:
        console.presenter.show(settings.load_error)

    async def main() -> None:
        quit_event = asyncio.Event()
        # Closing the window ends main() after a clean shutdown (jobs, clients, server).
        app.setQuitOnLastWindowClosed(False)
        console.window.closed.connect(quit_event.set)
        app.aboutToQuit.connect(quit_event.set)
        # Nothing the first window does not show starts before it has been painted: the
        # Local server's start-up, the backend's imports and the first listings.
        painted: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def on_painted() -> None:
            if not painted.done():
                painted.set_result(None)

        probe.when_painted(on_painted)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(painted, FIRST_PAINT_WAIT_S)
        switching = console.start(args.profile)
        smoke = spawn(_smoke_test(console, switching, args.smoke_test)) if args.smoke_test else None
        if smoke is not None:
            smoke.add_done_callback(lambda _t: quit_event.set())
        await quit_event.wait()
        await console.shutdown()
        if smoke is not None:
            exit_code[0] = 0 if smoke.done() and not smoke.cancelled() and smoke.result() else 1

    exit_code = [0]

    try:
        with contextlib.suppress(asyncio.CancelledError):
            qasync.run(main())
    finally:
        restore()
        console.deleteLater()
        app.shutdown()
    return exit_code[0]


async def _smoke_test(console: Console, switching: asyncio.Task[None], limit_s: float) -> bool:
    """``--smoke-test``: wait for the connection, make one API call, report on stdout."""

    async def check() -> str:
        await switching
        if console.ctx.connection_state not in ("running", "connected"):
            raise ServerError(console.ctx.connection_detail or console.ctx.connection_state)
        backend = console.ctx.backend
        if backend is None:
            raise ServerError("no backend after connecting")
        page = await backend.list_functions()
        return (
            f"FCDESK-SMOKE ok {console.ctx.connection_state} {console.ctx.connection_detail} "
            f"functions={len(page.functions)}"
        )

    try:
        async with asyncio.timeout(limit_s):
            line = await check()
    except (CoreError, TimeoutError) as exc:
        why = str(exc) or (
            f"no answer within {limit_s:g} s (connection: {console.ctx.connection_state})"
        )
        sys.stdout.write(f"FCDESK-SMOKE failed {type(exc).__name__}: {why}\n")
        sys.stdout.flush()
        return False
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    return True


if __name__ == "__main__":
    sys.exit(run(sys.argv))
