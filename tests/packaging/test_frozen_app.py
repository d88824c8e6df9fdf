"""The packaged application (``packaging/build.py`` → ``fcdesk/`` with ``fcdesk`` and
``fcaccel``): versions, desktop metadata, bundle contents, the console connecting to a Local
server started by the packaged ``fcaccel`` (whose runtime starts a real function from a lazily
mounted image), and the package running from a fresh directory with no Python around it.

The package is built once per test session (a few minutes). Set ``FCDESK_FROZEN_APP`` to an
existing build's ``fcdesk/`` folder to test that build instead.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from core._version import __version__

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.fcdesk.fcdesk"
CLEAN_PATH = "/usr/bin:/bin"
SECRET_FILE = ("--secret-store", "file")


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The application folder, built once for the session."""
    given = os.environ.get("FCDESK_FROZEN_APP")
    if given:
        return Path(given).resolve()
    dist = tmp_path_factory.mktemp("dist")
    log = dist / "build.log"
    with log.open("w") as out:
        result = subprocess.run(
            [sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(dist)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=1800,
        )
    text = log.read_text(errors="replace")
    assert result.returncode == 0, f"the build failed:\n{text[-6000:]}"
    folder = dist / "fcdesk"
    assert (folder / "fcdesk").is_file(), text[-3000:]
    return folder


def _run(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, capture_output=True, text=True, env=env, timeout=timeout, check=False, cwd=cwd
    )


def _settings(home: Path, data_dir: Path) -> Path:
    """A settings file keeping secrets in a 0600 file (no keyring in tests) and pointing the
    Local profile at ``data_dir``."""
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.toml").write_text(
        f'secret_store = "file"\n\n[local]\ndata_dir = "{data_dir}"\n', encoding="utf-8"
    )
    return config


class Server:
    """``fcaccel serve`` of the package, with its ready line parsed."""

    def __init__(self, exe: Path, data_dir: Path, env: dict[str, str], cwd: Path) -> None:
        self.log = data_dir.parent / "server.log"
        self._stderr = self.log.open("w")
        self.proc = subprocess.Popen(
            [str(exe), "serve", "--port", "0", "--data-dir", str(data_dir), *SECRET_FILE],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=cwd,
        )
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                lines.put(line)

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        deadline = time.monotonic() + 120
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise AssertionError("no ready line:\n" + self.log.read_text()[-3000:]) from None
            if line.startswith("FCDESK-READY "):
                self.info = json.loads(line.removeprefix("FCDESK-READY "))
                break
        self.url = self.info["url"]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._pump.join(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._stderr.close()
        return self.proc.returncode


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


# -- the package itself ------------------------------------------------------------------------


def test_both_programs_report_the_one_version(app: Path) -> None:
    for name in ("fcdesk", "fcaccel"):
        result = _run([str(app / name), "--version"])
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"{name} {__version__}"
    assert (app / "VERSION").read_text().strip() == __version__
    metainfo = (app / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").read_text()
    assert re.findall(r'<release version="([^"]+)"', metainfo)[0] == __version__


def test_desktop_entry_metainfo_and_icons_validate(app: Path) -> None:
    share = app / "share"
    desktop = share / "applications" / f"{APP_ID}.desktop"
    result = _run(["desktop-file-validate", str(desktop)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert not result.stdout.strip(), result.stdout
    result = _run(
        ["appstreamcli", "validate", "--no-net", str(share / "metainfo" / f"{APP_ID}.metainfo.xml")]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    entry = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
    assert (app / entry["Exec"].split()[0]).is_file()
    assert entry["Icon"] == APP_ID
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert _png_size(png) == (size, size)
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert os.access(app / "install.sh", os.X_OK)


def test_bundle_holds_translations_qt_plugins_and_native_libraries(app: Path, qapp: object) -> None:
    from PySide6.QtCore import QTranslator

    internal = app / "_internal"
    for lang, functions in (("ja", "関数"), ("zh_CN", "函数")):
        qm = internal / "resources" / "i18n" / f"app_{lang}.qm"
        translator = QTranslator()
        assert translator.load(str(qm)), qm
        assert translator.translate("MainWindow", "Functions") == functions
    plugins = internal / "PySide6" / "Qt" / "plugins"
    for plugin in (
        "platforms/libqxcb.so",
        "platforms/libqoffscreen.so",
        "iconengines/libqsvgicon.so",
    ):
        assert (plugins / plugin).is_file(), plugin
    libs = {p.name for p in internal.rglob("*.so*")}
    assert any(n.startswith("libQt6Charts") for n in libs)
    assert any(n.startswith("libfuse3") for n in libs), "pyfuse3's libfuse3 is not bundled"
    assert not any(n.startswith(("libQt6WebEngine", "libQt6Quick", "libQt63D")) for n in libs)
    assert (internal / "core" / "pull" / "_fusechild.py").is_file()
    assert (internal / "resources" / "demo" / "app").is_dir()
    assert (internal / "resources" / "icons" / "functions.svg").is_file()


def test_every_fcaccel_command_group_is_bundled(app: Path) -> None:
    from core.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert commands
    result = _run([str(app / "fcaccel"), "--help"])
    assert result.returncode == 0, result.stderr
    for name in commands:
        assert re.search(rf"^\s+{re.escape(name)}\b", result.stdout, re.M), name


# -- the console and the server from the package ----------------------------------------------


def test_console_connects_to_a_server_started_by_the_packaged_fcaccel(
    app: Path, tmp_path: Path, servers: list[Server]
) -> None:
    data_dir = tmp_path / "data"
    env = dict(os.environ, FCDESK_CONFIG_DIR=str(_settings(tmp_path, data_dir)))
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("PYTHONPATH", None)
    server = Server(app / "fcaccel", data_dir, env, tmp_path)
    servers.append(server)

    result = _run(
        [str(app / "fcdesk"), "--data-dir", str(data_dir), "--smoke-test", "120"],
        env=env,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"FCDESK-SMOKE ok connected {server.url}" in result.stdout
    assert server.proc.poll() is None, "the console must leave a server it did not start running"

    # The packaged server seeds the demo (import + conversion to _accelerated) ...
    cli = [str(app / "fcaccel")]
    deadline = time.monotonic() + 300
    while True:
        listing = _run([*cli, "functions", "list", "--details"], env=env)
        assert listing.returncode == 0, listing.stderr
        rows = {line.split()[0]: line for line in listing.stdout.splitlines()[1:] if line.strip()}
        ready = rows.get("demo-accelerated", "")
        if re.search(r"\bActive\s+Successful\s+ready\b", ready):
            break
        assert time.monotonic() < deadline, listing.stdout + server.log.read_text()[-3000:]
        time.sleep(2)
    # ... and starts the accelerated function from a lazily mounted image (FUSE helper and
    # sandbox started by the packaged program).
    invoke = _run(
        [*cli, "functions", "invoke", "demo-accelerated", "--log", "--timeout", "240"],
        env=env,
        timeout=300,
    )
    assert invoke.returncode == 0, invoke.stdout + invoke.stderr + server.log.read_text()[-3000:]
    body = json.loads(invoke.stdout.splitlines()[0])
    assert body["function"] == "demo-accelerated"
    assert "status 200" in invoke.stdout + invoke.stderr

    assert server.stop() == 0
    assert not (data_dir / "server.json").exists()


def _smoke(app: Path) -> list[str]:
    return [str(app / "fcdesk"), "--smoke-test", "120"]


def _fresh_copy(app: Path, tmp_path: Path) -> tuple[Path, Path]:
    fresh = tmp_path / "fresh"
    shutil.copytree(app, fresh / "fcdesk", symlinks=True)
    home = tmp_path / "home"
    home.mkdir()
    return fresh / "fcdesk", home


def _maps_outside(pid: int, allowed: tuple[str, ...]) -> set[str]:
    """Files mapped into ``pid`` that are neither system files nor under ``allowed``."""
    paths = set()
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        parts = line.split(maxsplit=5)
        if len(parts) == 6 and parts[5].startswith("/"):
            paths.add(parts[5])
    system = ("/usr/", "/lib", "/etc/", "/dev/", "/memfd:", "/SYSV")
    return {p for p in paths if not p.startswith(allowed + system)}


def test_package_starts_from_a_clean_directory_without_python(
    app: Path, tmp_path: Path, servers: list[Server]
) -> None:
    copy, home = _fresh_copy(app, tmp_path)
    data_dir = home / "data"
    config = _settings(home, data_dir)
    clean = {"PATH": CLEAN_PATH, "HOME": str(home), "FCDESK_CONFIG_DIR": str(config)}
    prefix = ["env", "-i", *(f"{k}={v}" for k, v in clean.items())]

    for name in ("fcdesk", "fcaccel"):
        result = _run([*prefix, str(copy / name), "--version"], cwd=home)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"{name} {__version__}"

    # The console starts its own Local server (the bundled fcaccel) and stops it on quit.
    result = _run(
        [*prefix, "QT_QPA_PLATFORM=offscreen", str(copy / "fcdesk"), "-v", "--smoke-test", "120"],
        cwd=home,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FCDESK-SMOKE ok running http://127.0.0.1:" in result.stdout
    assert f"starting the Local server: {copy / 'fcaccel'} serve" in result.stderr
    assert not (data_dir / "server.json").exists(), "the server was not stopped on quit"

    # On a real X display (Xvfb) through the bundled xcb platform plugin.
    result = _run(
        [*prefix, "xvfb-run", "-a", "env", "QT_QPA_PLATFORM=xcb", *_smoke(copy)],
        cwd=home,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FCDESK-SMOKE ok running" in result.stdout

    # Nothing from a Python installation or this checkout is loaded: every mapped file is
    # the package's own or the system's.
    server = Server(copy / "fcaccel", data_dir, clean, home)
    servers.append(server)
    # Once it has answered a request it has imported what serving needs.
    with urllib.request.urlopen(server.url + "/x-fcdesk/health", timeout=60) as health:
        assert health.status == 200
    outside = _maps_outside(server.proc.pid, (str(copy) + "/", str(home) + "/"))
    assert not outside, f"the server loads files from outside the package: {sorted(outside)}"
    assert not any(str(ROOT) in p or ".venv" in p for p in outside)
    assert server.stop() == 0


def test_package_runs_with_the_checkout_and_python_hidden(app: Path, tmp_path: Path) -> None:
    """Inside a sandbox that only shows the system's /usr and /etc: no checkout, no virtual
    environment and no Python installation outside /usr exist there."""
    copy, home = _fresh_copy(app, tmp_path)
    config = _settings(home, home / "data")
    sandbox = [
        "bwrap", "--die-with-parent", "--unshare-pid", "--unshare-ipc",
        "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
        "--bind", str(tmp_path), str(tmp_path),
        "--clearenv", "--setenv", "PATH", CLEAN_PATH, "--setenv", "HOME", str(home),
        "--setenv", "FCDESK_CONFIG_DIR", str(config), "--setenv", "QT_QPA_PLATFORM", "offscreen",
        "--chdir", str(home),
    ]  # fmt: skip
    probe = _run([*sandbox, "/bin/sh", "-c", f"test -e {ROOT} || echo hidden"])
    assert probe.stdout.strip() == "hidden", probe.stdout + probe.stderr
    result = _run([*sandbox, str(copy / "fcdesk"), "--smoke-test", "120"], timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FCDESK-SMOKE ok running" in result.stdout


def test_install_script_installs_and_removes_the_package(app: Path, tmp_path: Path) -> None:
    copy, home = _fresh_copy(app, tmp_path)
    prefix = tmp_path / "prefix"
    env = {"PATH": CLEAN_PATH, "HOME": str(home), "PREFIX": str(prefix)}
    result = _run(["sh", str(copy / "install.sh")], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lib = prefix / "lib" / "fcdesk"
    for name in ("fcdesk", "fcaccel"):
        assert (prefix / "bin" / name).resolve() == lib / name
        version = _run([str(prefix / "bin" / name), "--version"], env=env)
        assert version.stdout.strip() == f"{name} {__version__}", version.stderr
    desktop = prefix / "share" / "applications" / f"{APP_ID}.desktop"
    assert f"Exec={lib / 'fcdesk'}" in desktop.read_text().splitlines()
    check = _run(["desktop-file-validate", str(desktop)])
    assert check.returncode == 0, check.stdout + check.stderr
    assert (prefix / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (prefix / "share" / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png").is_file()

    result = _run(["sh", str(lib / "install.sh"), "--uninstall"], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not lib.exists()
    assert not (prefix / "bin" / "fcdesk").exists()
    assert not desktop.exists()
    assert not list((prefix / "share" / "icons").rglob(f"{APP_ID}.*"))
