"""Build hook for the one compiled part of fcdesk; everything else is in pyproject.toml.

``core.pull._fastfuse`` is the C FUSE server of lazy mounts (libfuse3's multi-threaded
low-level loop; the pyfuse3 server in Python costs about 100 µs per kernel request, this one
about 15). It is optional: where the compiler or libfuse3's headers are missing the build
skips it, and lazy mounts use the pyfuse3 server instead.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from setuptools import Extension, setup


def _pkg_config(*args: str) -> list[str] | None:
    try:
        result = subprocess.run(
            ["pkg-config", *args, "fuse3"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.split()


def _extensions() -> list[Extension]:
    if not sys.platform.startswith("linux") or shutil.which("pkg-config") is None:
        return []
    cflags = _pkg_config("--cflags")
    libs = _pkg_config("--libs")
    if cflags is None or libs is None:
        return []
    return [
        Extension(
            "core.pull._fastfuse",
            ["core/pull/_fastfuse.c"],
            extra_compile_args=[*cflags, "-O2", "-Wall"],
            extra_link_args=libs,
            optional=True,
        )
    ]


setup(ext_modules=_extensions())
