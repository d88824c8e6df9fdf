"""Every ``fcaccel`` help text reads as plain text: no reStructuredText markup left over from
the docstrings the descriptions are taken from."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

from core.cli import build_parser, plain_text

# inline literals and interpreted text (any backquote), roles, directives, literal-block "::"
_MARKUP = re.compile(r"`|:[\w.-]+:`|^\s*\.\. [\w-]+::|\S::\s*$", re.MULTILINE)


def _parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...]
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield " ".join(path), parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


_ALL = list(_parsers(build_parser(), ("fcaccel",)))


def test_every_command_is_covered() -> None:
    names = {name for name, _ in _ALL}
    # the commands whose descriptions come from module docstrings, and a nested one
    assert {"fcaccel", "fcaccel report", "fcaccel functions", "fcaccel functions list"} <= names
    assert len(_ALL) > 20


@pytest.mark.parametrize(("name", "parser"), _ALL, ids=[name for name, _ in _ALL])
def test_help_is_plain_text(name: str, parser: argparse.ArgumentParser) -> None:
    text = parser.format_help()
    assert text.startswith("usage: " + name)
    leftovers = [line for line in text.splitlines() if _MARKUP.search(line)]
    assert not leftovers, f"{name} --help shows markup:\n" + "\n".join(leftovers)


def test_report_help_keeps_its_paragraphs() -> None:
    report = dict(_ALL)["fcaccel report"].format_help()
    assert "fcaccel report: the acceleration overview" in report
    assert "Exit status: 0 no problem found, 3 problems found" in report
    assert "\n\n--fix CODE shows what fixing" in report


def test_plain_text_removes_inline_markup() -> None:
    doc = (
        "``fcaccel x``: see :func:`core.run` and `the docs <https://example.com>`_.\n\n"
        "For example::\n\n    fcaccel x --y"
    )
    assert plain_text(doc) == (
        "fcaccel x: see core.run and the docs.\n\nFor example:\n\n    fcaccel x --y"
    )
    assert plain_text(None) == ""
