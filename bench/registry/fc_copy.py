"""``fcaccel copy`` for the benchmark: the same command code, without loading the other
command modules (their imports are start-up time that has nothing to do with copying)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.cli import image

if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="fcaccel")
    image.register(parser.add_subparsers())
    args = parser.parse_args(["copy", *sys.argv[1:]])
    sys.exit(asyncio.run(args.func(args)))
