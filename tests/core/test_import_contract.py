"""``core`` must never pull in Qt: import every core module in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import importlib, pkgutil, sys
import core
mods = pkgutil.walk_packages(core.__path__, "core.")
names = [m.name for m in mods if not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in {"PySide6", "qasync", "shiboken6", "gui"})
print(len(names))
sys.exit(1 if bad else 0)
"""


def test_importing_every_core_module_never_imports_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert int(result.stdout.strip()) > 5
