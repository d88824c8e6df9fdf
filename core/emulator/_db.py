"""The Local server's state database: sqlite in WAL mode, used from one dedicated thread.

Every statement runs on the database thread (`Database.run`), so request handlers never block
the event loop on sqlite. A function passed to `Database.run` receives the connection and runs
inside one transaction: it commits when the function returns and rolls back when it raises,
which is what makes multi-row changes (a tag written with its manifest, a task finishing with
its log line) atomic across crashes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from core.emulator import _faults

__all__ = ["SCHEMA_VERSION", "Database"]

T = TypeVar("T")

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS namespaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    auto_create_repo INTEGER NOT NULL DEFAULT 1,
    default_repo_type TEXT NOT NULL DEFAULT 'PRIVATE',
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS repositories (
    id TEXT PRIMARY KEY,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    repo_type TEXT NOT NULL DEFAULT 'PRIVATE',
    summary TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    tag_immutability INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    UNIQUE (namespace, name)
);
CREATE TABLE IF NOT EXISTS blobs (
    digest TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS repo_blobs (
    repo TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (repo, digest)
);
CREATE TABLE IF NOT EXISTS manifests (
    repo TEXT NOT NULL,
    digest TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    artifact_type TEXT,
    subject TEXT,
    config_digest TEXT,
    image_size INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL,
    PRIMARY KEY (repo, digest)
);
CREATE INDEX IF NOT EXISTS manifests_subject ON manifests (repo, subject);
CREATE TABLE IF NOT EXISTS manifest_refs (
    repo TEXT NOT NULL,
    digest TEXT NOT NULL,
    child TEXT NOT NULL,
    PRIMARY KEY (repo, digest, child)
);
CREATE TABLE IF NOT EXISTS tags (
    repo TEXT NOT NULL,
    tag TEXT NOT NULL,
    digest TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    PRIMARY KEY (repo, tag)
);
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY,
    repo TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS build_rules (
    id TEXT PRIMARY KEY,
    scope_type TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    artifact_type TEXT NOT NULL,
    parameters TEXT NOT NULL DEFAULT '{}',
    created INTEGER NOT NULL,
    UNIQUE (scope_type, scope_id, artifact_type)
);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    repo_id TEXT NOT NULL,
    repo TEXT NOT NULL,
    source_tag TEXT NOT NULL,
    source_digest TEXT NOT NULL,
    target_tag TEXT NOT NULL,
    target_digest TEXT,
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    rule_id TEXT,
    trigger TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    progress REAL NOT NULL DEFAULT 0,
    created INTEGER NOT NULL,
    started INTEGER,
    ended INTEGER
);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks (status);
CREATE TABLE IF NOT EXISTS task_logs (
    task_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (task_id, line)
);
CREATE TABLE IF NOT EXISTS functions (
    name TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS invocations (
    request_id TEXT PRIMARY KEY,
    function TEXT NOT NULL,
    ts INTEGER NOT NULL,
    cold INTEGER NOT NULL,
    instance_id TEXT,
    status INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS invocations_function ON invocations (function, ts);
CREATE TABLE IF NOT EXISTS startup_profiles (
    repo TEXT NOT NULL,
    digest TEXT NOT NULL,
    state TEXT NOT NULL,
    trigger TEXT NOT NULL DEFAULT '',
    mode TEXT,
    paths TEXT NOT NULL DEFAULT '',
    files INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    twin_digest TEXT,
    recorded INTEGER,
    updated INTEGER NOT NULL,
    PRIMARY KEY (repo, digest)
);
CREATE TABLE IF NOT EXISTS nonces (
    nonce TEXT PRIMARY KEY,
    seen INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS nonces_seen ON nonces (seen);
"""


class Database:
    """A sqlite database served by one worker thread (WAL, ``synchronous=NORMAL``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fcdesk-db")
        self._conn: sqlite3.Connection | None = None
        self._thread_id: int | None = None

    def _open(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: every commit survives a process crash (kill -9); only a power loss can
        # drop the last commits, and the database stays consistent either way.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        conn.executescript(_SCHEMA)
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
        )
        self._conn = conn
        self._thread_id = threading.get_ident()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.get_running_loop().run_in_executor(self._executor, self._open)

    def _call(self, func: Callable[[sqlite3.Connection], T], label: str = "") -> T:
        conn = self._conn
        if conn is None:
            raise RuntimeError("database is closed")
        conn.execute("BEGIN IMMEDIATE")
        try:
            before = conn.total_changes
            result = func(conn)
            if conn.total_changes != before:
                _faults.hit("during-sqlite-write", label)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    async def run(self, func: Callable[[sqlite3.Connection], T], label: str = "") -> T:
        """Run ``func(conn)`` in one transaction on the database thread.

        ``label`` names the write for the ``during-sqlite-write@label`` fault point.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, func, label)

    async def fetchall(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        return await self.run(lambda c: c.execute(sql, params).fetchall())

    async def fetchone(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = await self.run(lambda c: c.execute(sql, params).fetchone())
        return row

    async def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return await self.run(lambda c: c.execute(sql, params).rowcount)

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(RuntimeError):
            await loop.run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)


def fsync_dir(path: Path) -> None:
    """fsync a directory so a rename inside it survives a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
