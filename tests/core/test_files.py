"""The one atomic file writer."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from core import atomic_write
from core._files import lock_exclusive


def test_writes_bytes_and_text(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    atomic_write(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    atomic_write(target, "é\n")
    assert target.read_bytes() == "é\n".encode()
    assert os.listdir(tmp_path) == ["a.json"]


def test_mode_follows_the_umask_or_is_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "open", "x")
        atomic_write(tmp_path / "secret", "x", private=True)
    finally:
        os.umask(old)
    assert (tmp_path / "open").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600


def test_a_failed_replace_keeps_the_target_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "inside").write_text("keep")
    with pytest.raises(IsADirectoryError):
        atomic_write(target, "new")
    assert (target / "inside").read_text() == "keep"
    assert sorted(os.listdir(tmp_path)) == ["busy"]


def test_concurrent_writers_never_share_a_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "shared"
    payloads = [bytes([i]) * 4096 for i in range(8)]
    errors: list[OSError] = []

    def writer(payload: bytes) -> None:
        try:
            for _ in range(50):
                atomic_write(target, payload)
        except OSError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert target.read_bytes() in payloads  # one writer's whole content, never a mix
    assert os.listdir(tmp_path) == ["shared"]


def test_lock_exclusive_refuses_a_second_holder_without_waiting(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    first = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    second = os.open(lock, os.O_RDWR)
    try:
        lock_exclusive(first)
        with pytest.raises(BlockingIOError):
            lock_exclusive(second, wait=False)
        os.close(first)  # closing releases the lock
        first = -1
        lock_exclusive(second, wait=False)
    finally:
        for fd in (first, second):
            if fd >= 0:
                os.close(fd)
