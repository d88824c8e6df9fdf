"""The ``core`` package's own face: the ideas every layer shares, importable without cost."""

from __future__ import annotations

import subprocess
import sys

import core
from core import is_accelerated_tag, source_tag_of, twin_tag_of


def test_exported_members() -> None:
    assert core.__all__ == [
        "ACCELERATED_SUFFIX",
        "Progress",
        "RetryPolicy",
        "__version__",
        "atomic_write",
        "is_accelerated_tag",
        "percentile",
        "source_tag_of",
        "twin_tag_of",
    ]


def test_accelerated_twin_naming() -> None:
    assert twin_tag_of("v1") == "v1_accelerated"
    assert source_tag_of("v1_accelerated") == "v1"
    assert source_tag_of("v1") == "v1"
    assert is_accelerated_tag("v1_accelerated")
    assert not is_accelerated_tag("v1")
    assert not is_accelerated_tag(None)
    # The bare suffix is an ordinary tag: it has a twin of its own and no source.
    assert not is_accelerated_tag("_accelerated")
    assert source_tag_of("_accelerated") == "_accelerated"
    assert twin_tag_of(source_tag_of("x_accelerated")) == "x_accelerated"


def test_importing_core_loads_no_subpackage() -> None:
    probe = (
        "import sys, core; "
        "print(sorted(m for m in sys.modules if m.startswith('core.') and "
        "not m.startswith('core._')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert out == "[]"
