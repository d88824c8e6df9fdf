"""Render the application icon (``resources/icons/app/fcdesk.svg``) for every desktop.

Writes, next to the SVG:

* ``hicolor/<N>x<N>/apps/<app id>.png`` for the sizes Linux desktops look up, and
  ``hicolor/scalable/apps/<app id>.svg`` (the freedesktop icon theme layout);
* ``fcdesk.ico`` (Windows: 16–256 px, PNG-compressed entries);
* ``fcdesk.icns`` (macOS: 16–1024 px, PNG entries).

The files are committed; ``packaging/build.py`` re-renders them and ``--check`` reports any
that are out of date with the SVG. Rendering uses Qt's SVG renderer, so no other image tool
is needed.

    python packaging/icons.py            # render
    python packaging/icons.py --check    # exit 1 if a committed file is stale
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "io.github.fcdesk.fcdesk"
ICON_DIR = ROOT / "resources" / "icons" / "app"
SOURCE = ICON_DIR / "fcdesk.svg"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns element types holding PNG data, by pixel size (2x variants share the bitmap).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)

__all__ = ["APP_ID", "HICOLOR_SIZES", "render_all", "render_png"]


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn at ``size``×``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        render_png.app = QGuiApplication([])  # type: ignore[attr-defined]
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    saved = image.save(buffer, "PNG")  # type: ignore[call-overload]
    if not saved:
        raise RuntimeError("PNG encoding failed")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG-compressed images (allowed since Windows Vista)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, payload = [], []
    for size in sizes:
        data = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset))
        payload.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(payload)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns whose elements are PNG images."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def expected_files(svg: Path = SOURCE) -> dict[Path, bytes]:
    """Every derived icon file and its content."""
    sizes = sorted({*HICOLOR_SIZES, *ICO_SIZES, *(size for _kind, size in ICNS_TYPES)})
    pngs = {size: render_png(svg, size) for size in sizes}
    files: dict[Path, bytes] = {}
    for size in HICOLOR_SIZES:
        files[ICON_DIR / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"] = pngs[size]
    files[ICON_DIR / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"] = svg.read_bytes()
    files[ICON_DIR / "fcdesk.ico"] = ico_bytes({s: pngs[s] for s in ICO_SIZES})
    files[ICON_DIR / "fcdesk.icns"] = icns_bytes(pngs)
    return files


def render_all(svg: Path = SOURCE) -> list[Path]:
    """Write every derived file; returns the paths that changed."""
    changed = []
    for path, data in expected_files(svg).items():
        if path.exists() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        changed.append(path)
    return changed


def stale_files(svg: Path = SOURCE) -> list[Path]:
    return [
        path
        for path, data in expected_files(svg).items()
        if not path.exists() or path.read_bytes() != data
    ]


def install_hicolor(target_share: Path) -> None:
    """Copy the hicolor tree into ``<target_share>/icons/hicolor``."""
    shutil.copytree(ICON_DIR / "hicolor", target_share / "icons" / "hicolor", dirs_exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale files, write nothing")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    for path in render_all():
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
