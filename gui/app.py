"""Application start-up and shutdown (see STYLE.md §13)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from core import __version__


def run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="fcdesk")
    parser.add_argument("--version", action="version", version=f"fcdesk {__version__}")
    parser.parse_known_args(list(argv)[1:])
    import qasync

    app = QApplication(list(argv))
    app.setOrganizationName("fcdesk")
    app.setApplicationName("fcdesk")
    window = QMainWindow()
    window.setWindowTitle("fcdesk")
    window.setCentralWidget(QLabel("fcdesk"))
    window.show()

    async def main() -> None:
        done = asyncio.Event()
        app.aboutToQuit.connect(done.set)
        await done.wait()

    qasync.run(main())
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv))
