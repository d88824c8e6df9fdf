"""What a command imports when it starts: its own module, not every command's, and httpcore
without trio (which fcaccel never runs HTTP under)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_httpcore_is_imported_without_trio_and_trio_still_imports() -> None:
    out = _python(
        "import sys, core.cli, httpcore._synchronization as s\n"
        "print('trio' in sys.modules, s.trio is None)\n"
        "import trio\n"
        "print(trio.__name__)\n"
    )
    assert out.split() == ["False", "True", "trio"]


def test_a_command_imports_only_its_own_module() -> None:
    out = _python(
        "import sys, contextlib, io\n"
        "from core.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['report', '--help'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('core.cli.', 'core.pull', "
        "'core.emulator', 'core.coldstart')) and not m.startswith('core.cli._')))\n"
    )
    assert out.strip() == "['core.cli.report']"  # no other command, no pull, server or lab
    # a command word that is not a module name (copy lives in image.py) still works
    out = _python(
        "import contextlib, io\n"
        "from core.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):\n"
        "    main(['copy', '--help'])\n"
        "print(buf.getvalue().splitlines()[0])\n"
    )
    assert out.startswith("usage: fcaccel copy")
