"""The packaged console runs on Linux, macOS and Windows: modules that exist only on some
platforms are imported in one place, behind a platform check, or inside the function that
needs them (the Linux-only FUSE helpers)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_ONLY = {"fcntl", "termios", "pwd", "grp", "resource", "msvcrt", "winreg", "pyfuse3"}


def _module_level_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """Imports a module runs unconditionally when it is imported."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def test_platform_only_modules_are_never_imported_unconditionally() -> None:
    offenders = []
    for path in sorted([*ROOT.joinpath("core").rglob("*.py"), *ROOT.joinpath("gui").rglob("*.py")]):
        tree = ast.parse(path.read_text("utf-8"))
        for line, name in _module_level_imports(tree):
            if name in PLATFORM_ONLY:
                offenders.append(f"{path.relative_to(ROOT)}:{line}: import {name}")
    assert offenders == []
