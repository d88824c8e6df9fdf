"""The user guide: every relative link and image resolves, every guide page is reachable from
docs/index.md, and each main screen has a Japanese and a Chinese screenshot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in _LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve()
        if not resolved.exists():
            broken.append(target)
            continue
        if anchor and resolved.suffix == ".md":
            headings = {
                re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", resolved.read_text(encoding="utf-8"), re.M)
            }
            if anchor not in headings:
                broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)}: broken links {broken}"


def test_every_guide_page_is_linked_from_the_index() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in sorted((DOCS / "guide").glob("*.md")):
        assert f"guide/{page.name}" in index, page.name
    assert "formats.md" in index


def test_main_screens_have_japanese_and_chinese_screenshots() -> None:
    shots = DOCS / "screenshots"
    screens: tuple[str, ...] = ("functions", "function-overview", "images", "tasks", "lab")
    screens += ("settings",)
    screens += ("overview", "overview-problems", "overview-fix")
    screens += ("demo-window", "demo-race", "demo-finished")
    screens += ("files", "files-compare", "images-why", "function-deploy-wait", "palette")
    screens += ("function-logs",)
    for screen in screens:
        for lang in ("ja", "zh_CN"):
            png = shots / f"{screen}_{lang}.png"
            assert png.is_file(), png.name
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_translated_screenshot_is_shown_in_the_guide() -> None:
    pages = "\n".join(p.read_text(encoding="utf-8") for p in _pages())
    shots = sorted((DOCS / "screenshots").glob("*_*.png"))
    assert shots
    missing = [p.name for p in shots if f"screenshots/{p.name}" not in pages]
    assert not missing, f"not referenced from docs/: {missing}"
