"""Entry point of the packaged application: one program behind two executables.

The application folder holds ``fcdesk`` (the desktop console) and ``fcaccel`` (the command
line and the Local server). Both are built from this script and pick their role from the
executable's own name, so they share one set of bundled modules and libraries.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path


def _restore_library_path() -> None:
    """Give child processes the caller's library path, not the bundle's.

    The bootloader may point ``LD_LIBRARY_PATH`` at the bundle so that this process finds
    its libraries. System programs started from here (``bwrap``, ``fusermount3``, ``ldd``,
    ``skopeo``) must not load the bundle's copies of system libraries instead of their own.
    """
    if not sys.platform.startswith("linux"):
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is not None:
        os.environ["LD_LIBRARY_PATH"] = original
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)


def _helper_script(argv: list[str]) -> Path | None:
    """``[exe, "-I", script.py, ...]`` naming a script inside the bundle, else ``None``.

    The core starts small helpers (the FUSE server of lazy mounts) as
    ``sys.executable -I helper.py ARGS``. In the packaged application ``sys.executable`` is
    this program, not a Python interpreter, so it runs such a script itself. Only scripts
    shipped inside the bundle are accepted.
    """
    if len(argv) < 3 or argv[1] != "-I" or not argv[2].endswith(".py"):
        return None
    bundle = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)).resolve()
    script = Path(argv[2]).resolve()
    if not script.is_file() or not script.is_relative_to(bundle):
        return None
    return script


def main() -> int:
    _restore_library_path()
    # Programs of this bundle started from here (fcdesk → fcaccel, fcaccel → its helpers)
    # start as fresh instances instead of inheriting this process's bootloader state.
    os.environ["PYINSTALLER_RESET_ENVIRONMENT"] = "1"
    script = _helper_script(sys.argv)
    if script is not None:
        sys.argv = [str(script), *sys.argv[3:]]
        runpy.run_path(str(script), run_name="__main__")
        return 0
    role = Path(sys.executable).stem.lower()
    if role.startswith("fcaccel"):
        from core.cli import main as fcaccel_main

        return fcaccel_main()
    from gui.__main__ import main as fcdesk_main

    return fcdesk_main()


if __name__ == "__main__":
    sys.exit(main())
