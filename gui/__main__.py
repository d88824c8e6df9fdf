"""Entry point of the ``fcdesk`` desktop console."""

from __future__ import annotations

import sys


def main() -> int:
    if sys.argv[1:2] == ["--convert-worker"]:
        # a client-side conversion in its own process (no Qt): gui.backend._convert_worker
        from gui.backend._convert_worker import worker_main

        return worker_main()
    from gui.app import run

    return run(sys.argv)


if __name__ == "__main__":
    sys.exit(main())
