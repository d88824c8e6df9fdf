"""The ``fcaccel`` command line.

Each sub-command lives in its own module of this package and exposes
``register(subparsers) -> None``, which adds an ``argparse`` parser whose ``func`` default is an
``async def (args) -> int``. Modules are discovered at start-up, so adding a command means adding
a module; nothing here lists them.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import pkgutil
import re
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, cast

from core._version import __version__
from core.cli._status import end_progress
from core.errors import CoreError

__all__ = ["build_parser", "main", "plain_text"]


def _import_httpcore_without_trio() -> None:
    """httpcore imports trio when it is installed (pyfuse3 depends on it), only to support
    HTTP under trio's event loop; fcaccel runs asyncio alone, and that import was a third of
    every command's start-up (0.1-0.4 s). httpcore is imported as on a machine without trio
    (a configuration it supports), then trio is importable again for whoever needs it."""
    if "httpcore" in sys.modules or "trio" in sys.modules:
        return
    sys.modules["trio"] = None  # type: ignore[assignment]  # 'import trio' raises ImportError
    try:
        import httpcore  # noqa: F401
    finally:
        del sys.modules["trio"]


_import_httpcore_without_trio()

Handler = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]

_RST_ROLE = re.compile(r":[\w.-]+:`([^`]+)`")
_RST_LINK = re.compile(r"`([^`<]+?)(?:\s*<[^>]*>)?`_{1,2}")
_RST_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)
_RST_LITERAL_BLOCK = re.compile(r"(\S)\s*::$", re.MULTILINE)


def plain_text(doc: str | None) -> str:
    """A module docstring as plain text for ``--help``: reStructuredText inline markup
    (literals, roles, links, the ``::`` that opens a literal block) removed, line breaks and
    paragraphs kept."""
    text = (doc or "").strip()
    text = _RST_ROLE.sub(r"\1", text)
    text = _RST_LINK.sub(r"\1", text)
    text = _RST_LITERAL.sub(r"\1", text)
    return _RST_LITERAL_BLOCK.sub(r"\1:", text)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``fcaccel`` parser with every command; with ``command``, only the module of that
    name when it registers that command (a command needs only its own imports: starting
    ``fcaccel report`` does not import the converter, the Local server or the cold-start
    lab), else every command."""
    if command and not command.startswith("_") and command in _command_modules():
        parser = _parser()
        subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
        register = getattr(importlib.import_module(f"{__name__}.{command}"), "register", None)
        if callable(register):
            register(subparsers)
            if command in subparsers.choices:
                return parser
    parser = _parser()
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _command_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(subparsers)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fcaccel",
        description="fcdesk core: images, conversion to accelerated formats, pulls, cold "
        "starts, cloud and Local server operations.",
    )
    parser.add_argument("--version", action="version", version=f"fcaccel {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    return parser


def _command_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def _command_in(argv: Sequence[str]) -> str | None:
    """The command word of ``argv`` (the first argument that is not an option)."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(_command_in(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return asyncio.run(cast(Handler, func)(args))
    except CoreError as exc:
        end_progress()  # the error on a line of its own, not after the progress figures
        print(f"fcaccel: error: {exc} [{exc.code}]", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        end_progress()
        print("fcaccel: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
