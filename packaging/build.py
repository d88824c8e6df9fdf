"""Build the fcdesk desktop package.

    .venv/bin/python packaging/build.py [--clean] [--archive]

1. compiles ``resources/i18n/app_*.ts`` into ``.qm`` with ``pyside6-lrelease``;
2. renders the application icons if the SVG changed (``packaging/icons.py``);
3. runs PyInstaller on ``packaging/fcdesk.spec`` → ``dist/fcdesk/`` (both ``fcdesk`` and
   ``fcaccel``), with ``build/pyinstaller/`` as its cache;
4. on Linux, adds ``share/`` (desktop entry, AppStream metainfo, hicolor icons) and
   ``install.sh``, and validates the desktop entry and the metainfo when
   ``desktop-file-validate`` / ``appstreamcli`` are installed;
5. with ``--archive``, packs ``dist/fcdesk-<version>-<os>-<arch>.tar.gz``.

``--update-translations`` refreshes the ``.ts`` files from ``gui/`` (``pyside6-lupdate``);
``--translations-only`` compiles them for running from a checkout.

The version comes from ``core/_version.py`` only.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))

from icons import APP_ID, install_hicolor, render_all  # noqa: E402

I18N = ROOT / "resources" / "i18n"
LINUX_DIR = ROOT / "packaging" / "linux"
DIST = ROOT / "dist"

__all__ = ["build", "compile_translations", "update_translations", "version"]


class BuildError(Exception):
    pass


def version() -> str:
    text = (ROOT / "core" / "_version.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if match is None:
        raise BuildError("core/_version.py has no __version__")
    return match.group(1)


def _venv_tool(name: str) -> str:
    """A console script installed next to this interpreter, else one on PATH."""
    here = Path(sys.executable).parent
    for candidate in (here / name, here / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BuildError(f"{name} not found (pip install PySide6)")
    return found


def compile_translations(out_dir: Path = I18N) -> dict[str, str]:
    """``app_<lang>.ts`` → ``out_dir/app_<lang>.qm``; returns lrelease's summary per file."""
    lrelease = _venv_tool("pyside6-lrelease")
    summaries: dict[str, str] = {}
    sources = sorted(I18N.glob("app_*.ts"))
    if not sources:
        raise BuildError(f"no translations in {I18N.relative_to(ROOT)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for ts in sources:
        qm = out_dir / f"{ts.stem}.qm"
        result = subprocess.run(
            [lrelease, "-removeidentical", str(ts), "-qm", str(qm)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not qm.exists():
            raise BuildError(f"lrelease failed on {ts.name}:\n{result.stdout}{result.stderr}")
        line = next(
            (ln.strip() for ln in result.stdout.splitlines() if "Generated" in ln), "compiled"
        )
        summaries[ts.name] = line
    return summaries


def update_translations() -> str:
    """Refresh ``resources/i18n/app_*.ts`` from the strings in ``gui/`` (new strings are added
    as unfinished, vanished ones dropped, finished translations kept); returns lupdate's
    summary. ``-extensions py`` matters: without it lupdate skips Python files."""
    lupdate = _venv_tool("pyside6-lupdate")
    sources = sorted(I18N.glob("app_*.ts"))
    options = ["-extensions", "py", "-locations", "relative", "-no-obsolete"]
    result = subprocess.run(
        [lupdate, *options, "-source-language", "en", "gui", "-ts", *map(str, sources)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BuildError(f"lupdate failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def _check_metainfo_version(metainfo: Path, expected: str) -> None:
    releases = re.findall(r'<release version="([^"]+)"', metainfo.read_text(encoding="utf-8"))
    if not releases or releases[0] != expected:
        newest = releases[0] if releases else "none"
        raise BuildError(
            f"{metainfo.name}: newest release is {newest}, but core/_version.py says "
            f"{expected}; add a <release> entry"
        )


def _validate(share: Path) -> list[str]:
    """Validate the desktop entry and the metainfo with the freedesktop tools, if present."""
    done = []
    desktop = share / "applications" / f"{APP_ID}.desktop"
    metainfo = share / "metainfo" / f"{APP_ID}.metainfo.xml"
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(
            ["desktop-file-validate", str(desktop)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0 or "error" in result.stdout.lower():
            raise BuildError(f"desktop-file-validate:\n{result.stdout}{result.stderr}")
        done.append("desktop-file-validate")
    if shutil.which("appstreamcli"):
        result = subprocess.run(
            ["appstreamcli", "validate", "--no-net", str(metainfo)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BuildError(f"appstreamcli validate:\n{result.stdout}{result.stderr}")
        done.append("appstreamcli validate")
    return done


def add_linux_files(app_dir: Path, ver: str) -> list[str]:
    """``share/`` and ``install.sh`` next to the executables; returns the checks run."""
    share = app_dir / "share"
    if share.exists():
        shutil.rmtree(share)
    (share / "applications").mkdir(parents=True)
    (share / "metainfo").mkdir(parents=True)
    shutil.copy2(LINUX_DIR / f"{APP_ID}.desktop", share / "applications")
    metainfo = LINUX_DIR / f"{APP_ID}.metainfo.xml"
    _check_metainfo_version(metainfo, ver)
    shutil.copy2(metainfo, share / "metainfo")
    install_hicolor(share)
    installer = app_dir / "install.sh"
    shutil.copy2(LINUX_DIR / "install.sh", installer)
    installer.chmod(0o755)
    (app_dir / "VERSION").write_text(ver + "\n", encoding="utf-8")
    return _validate(share)


def _archive(app_dir: Path, ver: str) -> Path:
    system = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(sys.platform, "os")
    name = f"fcdesk-{ver}-{system}-{platform.machine().lower()}"
    target = app_dir.parent / f"{name}.tar.gz"
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        tar.add(app_dir, arcname=name)
    return target


def _tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(*, clean: bool = False, archive: bool = False, dist: Path = DIST) -> Path:
    """Build into ``dist`` (``dist/fcdesk/``); returns the application folder."""
    started = time.monotonic()
    ver = version()
    print(f"fcdesk {ver}: building the desktop package")
    for name, summary in compile_translations().items():
        print(f"  translations: {name}: {summary}")
    changed = render_all()
    print(f"  icons: {len(changed)} re-rendered" if changed else "  icons: up to date")
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(ROOT / "build" / "pyinstaller"),
    ]
    if clean:
        command.append("--clean")
    command.append(str(ROOT / "packaging" / "fcdesk.spec"))
    print("  pyinstaller: " + " ".join(command[3:]))
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    app_dir = dist / ("fcdesk.app" if sys.platform == "darwin" else "fcdesk")
    if sys.platform.startswith("linux"):
        for check in add_linux_files(app_dir, ver):
            print(f"  {check}: ok")
    if archive:
        print(f"  archive: {_archive(app_dir, ver)}")
    size = _tree_size(app_dir)
    elapsed = time.monotonic() - started
    print(f"built {app_dir} ({size / 1e6:.0f} MB) in {elapsed:.0f} s; run {app_dir}/fcdesk")
    return app_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the fcdesk desktop package.")
    parser.add_argument("--clean", action="store_true", help="ignore PyInstaller's cache")
    parser.add_argument("--archive", action="store_true", help="also pack a .tar.gz")
    parser.add_argument(
        "--dist", type=Path, default=DIST, help="output directory (default: dist/ in the checkout)"
    )
    parser.add_argument(
        "--update-translations",
        action="store_true",
        help="refresh resources/i18n/*.ts from gui/ with pyside6-lupdate, then stop",
    )
    parser.add_argument(
        "--translations-only",
        action="store_true",
        help="only compile resources/i18n/*.ts into .qm (for running from a checkout)",
    )
    args = parser.parse_args(argv)
    try:
        if args.update_translations:
            print(update_translations(), end="")
            return 0
        if args.translations_only:
            for name, summary in compile_translations().items():
                print(f"{name}: {summary}")
            return 0
        build(clean=args.clean, archive=args.archive, dist=args.dist.resolve())
    except BuildError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return exc.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
