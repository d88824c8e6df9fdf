"""The contributor documentation stays true: CONTRIBUTING.md, CHANGELOG.md and
docs/architecture.md exist and link correctly, the code cites conventions only from
CONTRIBUTING.md (by a heading that exists), and every place the architecture page names as an
idea's home exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_SOURCES = sorted(
    p
    for folder in ("core", "gui", "tests", "bench", "packaging")
    for p in (ROOT / folder).rglob("*.py")
    if p != Path(__file__).resolve()
)


def _anchor(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _headings(page: Path) -> list[str]:
    return re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.M)


@pytest.mark.parametrize("name", ["CONTRIBUTING.md", "CHANGELOG.md", "docs/architecture.md"])
def test_page_exists_and_its_links_resolve(name: str) -> None:
    page = ROOT / name
    broken = []
    for target in _LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists() or (
            anchor
            and resolved.suffix == ".md"
            and anchor not in {_anchor(h) for h in _headings(resolved)}
        ):
            broken.append(target)
    assert not broken, f"{name}: broken links {broken}"


def test_code_cites_no_document_outside_the_repository() -> None:
    outside = re.compile(r"STYLE(\.md)? ?§|DESIGN\.md|reference/(formats|aliyun-api|fc-container)")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _SOURCES
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if outside.search(line)
    ]
    assert offenders == []


def test_cited_conventions_are_headings_of_contributing() -> None:
    headings = set(_headings(CONTRIBUTING))
    cited = re.compile(r'CONTRIBUTING\.md, "([^"]+)"')
    missing = []
    for p in _SOURCES:
        # A citation may wrap onto the next line of a docstring.
        text = re.sub(r"\s*\n\s*", " ", p.read_text(encoding="utf-8"))
        missing += [f"{p.relative_to(ROOT)}: {h}" for h in cited.findall(text) if h not in headings]
    assert missing == []


def _homes() -> list[tuple[str, str]]:
    """The rows of 'Where each idea lives': (idea, where)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## Where each idea lives", 1)[1]
    return re.findall(r"^\| ([^|]+) \| ([^|]+) \|$", section, re.M)[2:]


def test_every_home_named_by_the_architecture_page_exists() -> None:
    rows = _homes()
    assert len(rows) > 30
    problems = []
    for idea, where in rows:
        for item in re.findall(r"`([^`]+)`", where):
            if "/" in item:
                if not (ROOT / item).exists():
                    problems.append(f"{idea}: no file {item}")
                continue
            first = item.split(",")[0].strip()
            if first.startswith(("core", "gui")) and "." in first and not _resolves(first):
                problems.append(f"{idea}: no {first}")
    assert problems == []


def _resolves(dotted: str) -> bool:
    """``core.cloud.BuildTask.started_at``: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False
