"""Packaging metadata that needs no build: one application id everywhere, the version from
core/_version.py, the desktop entry and metainfo validated, and icons that match the SVG."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from core._version import __version__

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
sys.path.insert(0, str(ROOT / "packaging"))

import icons  # noqa: E402

APP_ID = icons.APP_ID


def test_one_application_id_everywhere(qapp: object) -> None:
    from gui.app import build_application

    desktop = LINUX / f"{APP_ID}.desktop"
    metainfo = (LINUX / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    assert desktop.is_file()
    assert f"<id>{APP_ID}</id>" in metainfo
    assert f'<launchable type="desktop-id">{APP_ID}.desktop</launchable>' in metainfo
    assert f"Icon={APP_ID}" in desktop.read_text(encoding="utf-8").splitlines()
    assert build_application(["fcdesk"]).desktopFileName() == APP_ID
    spec = (ROOT / "packaging" / "fcdesk.spec").read_text(encoding="utf-8")
    assert f'APP_ID = "{APP_ID}"' in spec


def test_metainfo_release_is_the_package_version() -> None:
    metainfo = (LINUX / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    releases = re.findall(r'<release version="([^"]+)"', metainfo)
    assert releases, "no <release> in the metainfo"
    assert releases[0] == __version__, "add a <release> for the version in core/_version.py"


@pytest.mark.parametrize(
    "command",
    [
        ["desktop-file-validate", str(LINUX / f"{APP_ID}.desktop")],
        ["appstreamcli", "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")],
    ],
    ids=["desktop-file-validate", "appstreamcli"],
)
def test_desktop_metadata_validates(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


def test_icons_cover_the_desktop_sizes_and_match_the_svg(qapp: object) -> None:
    from PySide6.QtGui import QImage

    for size in icons.HICOLOR_SIZES:
        path = icons.ICON_DIR / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        committed = QImage(str(path))
        assert (committed.width(), committed.height()) == (size, size), path
        fresh = QImage.fromData(icons.render_png(icons.SOURCE, size))
        # Same picture (renderers may differ by a rounding step between Qt versions).
        diff = sum(
            abs(committed.pixelColor(x, y).alpha() - fresh.pixelColor(x, y).alpha())
            for x in range(0, size, max(1, size // 32))
            for y in range(0, size, max(1, size // 32))
        )
        samples = len(range(0, size, max(1, size // 32))) ** 2
        assert diff / samples < 8, f"{path.name} at {size}px is stale: run packaging/icons.py"
    scalable = icons.ICON_DIR / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == icons.SOURCE.read_bytes()
    ico = (icons.ICON_DIR / "fcdesk.ico").read_bytes()
    assert ico[:4] == b"\x00\x00\x01\x00"
    assert int.from_bytes(ico[4:6], "little") == len(icons.ICO_SIZES)
    icns = (icons.ICON_DIR / "fcdesk.icns").read_bytes()
    assert icns[:4] == b"icns"
    assert int.from_bytes(icns[4:8], "big") == len(icns)


def test_ico_and_icns_writers_round_trip() -> None:
    pngs = {16: b"\x89PNG-16", 256: b"\x89PNG-256"}
    ico = icons.ico_bytes(pngs)
    count = int.from_bytes(ico[4:6], "little")
    assert count == 2
    entries = [ico[6 + 16 * i : 22 + 16 * i] for i in range(count)]
    sizes = [e[0] or 256 for e in entries]
    assert sizes == [16, 256]
    for entry, size in zip(entries, sizes, strict=True):
        length = int.from_bytes(entry[8:12], "little")
        offset = int.from_bytes(entry[12:16], "little")
        assert ico[offset : offset + length] == pngs[size]
    icns = icons.icns_bytes({s: f"png{s}".encode() for _k, s in icons.ICNS_TYPES})
    assert icns[8:12] == b"icp4"
    assert b"ic10" in icns
