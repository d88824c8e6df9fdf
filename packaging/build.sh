#!/usr/bin/env bash
# Build the desktop package into dist/fcdesk/ (see packaging/build.py for the steps).
#   bash packaging/build.sh [--clean] [--archive]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  "$PY" -m pip install -q -e ".[package]"
fi
exec "$PY" packaging/build.py "$@"
