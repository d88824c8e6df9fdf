"""An integrity check of a Local server's data directory (read-only; server stopped or running).

* the sqlite database passes ``PRAGMA integrity_check``;
* every file of the blob store hashes to its name (quarantined files are set aside and reported);
* every blob a repository links is on disk and whole;
* every tag points at a manifest row whose bytes are on disk, match the digest, parse, and
  whose blobs (config and layers) or child manifests are all present and whole in that
  repository;
* every conversion task is finished (SUCCESS with its target tag whole, FAILED / CANCELED with a
  reason) or still resumable (PENDING / BUILDING, reported so the caller can wait for it);
* every function is Active, Failed with a reason, or still being prepared (reported).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import CoreError
from core.oci import Index, Manifest, parse_manifest

__all__ = ["StoreReport", "check_store"]

TERMINAL = {"SUCCESS", "FAILED", "CANCELED"}


@dataclass
class StoreReport:
    blobs: int = 0
    tags: int = 0
    manifests_checked: int = 0
    tasks: dict[str, int] = field(default_factory=dict)
    functions: dict[str, int] = field(default_factory=dict)
    pending_tasks: list[str] = field(default_factory=list)
    pending_functions: list[str] = field(default_factory=list)
    quarantined: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        return not self.pending_tasks and not self.pending_functions

    def assert_ok(self) -> None:
        assert not self.problems, "integrity problems:\n" + "\n".join(self.problems)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _blob_path(data_dir: Path, digest: str) -> Path:
    hexpart = digest.split(":", 1)[1]
    return data_dir / "blobs" / "sha256" / hexpart[:2] / hexpart


def _snapshot(data_dir: Path, report: StoreReport) -> dict[str, list[sqlite3.Row]]:
    """Every row the check needs, read in one read transaction (one consistent state)."""
    conn = sqlite3.connect(f"file:{data_dir / 'state.db'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            report.problems.append(f"sqlite integrity_check: {verdict}")
        conn.execute("BEGIN")
        rows = {
            "repo_blobs": conn.execute("SELECT repo, digest FROM repo_blobs").fetchall(),
            "manifests": conn.execute("SELECT * FROM manifests").fetchall(),
            "tags": conn.execute("SELECT repo, tag, digest FROM tags").fetchall(),
            "tasks": conn.execute("SELECT * FROM tasks").fetchall(),
            "functions": conn.execute("SELECT name, doc FROM functions").fetchall(),
        }
        conn.execute("COMMIT")
        return rows
    finally:
        conn.close()


def check_store(data_dir: Path) -> StoreReport:
    """Check ``data_dir``. On a running server the database is read first, in one read
    transaction, and the files after it: the server writes a blob's bytes before any row
    that refers to them, so everything that snapshot refers to is on disk when the files are
    read. (Files first, then rows read one query after the other, saw a conversion that
    ended in between as a tag whose manifest bytes were missing, or a SUCCESS task whose tag
    was absent.)"""
    report = StoreReport()
    problems = report.problems
    rows = _snapshot(data_dir, report)
    # -- files ----------------------------------------------------------------------------
    whole: set[str] = set()
    store = data_dir / "blobs" / "sha256"
    for path in store.rglob("*") if store.exists() else []:
        if not path.is_file():
            continue
        report.blobs += 1
        actual = _sha256_file(path)
        if actual != path.name:
            problems.append(f"blob file {path.name} holds content {actual}")
        else:
            whole.add("sha256:" + actual)
    quarantine = data_dir / "quarantine"
    report.quarantined = len(list(quarantine.iterdir())) if quarantine.exists() else 0
    # -- database -------------------------------------------------------------------------
    linked: dict[str, set[str]] = {}
    for row in rows["repo_blobs"]:
        linked.setdefault(row["repo"], set()).add(row["digest"])
        if row["digest"] not in whole:
            problems.append(f"{row['repo']} links blob {row['digest']}, missing or damaged")
    manifests = {(r["repo"], r["digest"]): r for r in rows["manifests"]}

    def check_manifest(repo: str, digest: str, depth: int = 0) -> None:
        report.manifests_checked += 1
        if (repo, digest) not in manifests:
            problems.append(f"{repo}: manifest {digest} has no row")
            return
        path = _blob_path(data_dir, digest)
        if digest not in whole or not path.exists():
            problems.append(f"{repo}: manifest {digest} bytes missing or damaged")
            return
        try:
            parsed = parse_manifest(path.read_bytes(), manifests[(repo, digest)]["media_type"])
        except CoreError as exc:
            problems.append(f"{repo}: manifest {digest} does not parse: {exc}")
            return
        if isinstance(parsed, Manifest):
            for desc in parsed.blobs:
                d = str(desc.digest)
                if d not in linked.get(repo, set()) or d not in whole:
                    problems.append(f"{repo}: manifest {digest} needs blob {d}, absent")
        elif isinstance(parsed, Index) and depth < 2:
            for child in parsed.manifests:
                check_manifest(repo, str(child.digest), depth + 1)

    for row in rows["tags"]:
        report.tags += 1
        check_manifest(row["repo"], row["digest"])
    # -- tasks ----------------------------------------------------------------------------
    tags = {(r["repo"], r["tag"]): r["digest"] for r in rows["tags"]}
    for row in rows["tasks"]:
        status = row["status"]
        report.tasks[status] = report.tasks.get(status, 0) + 1
        if status in ("PENDING", "BUILDING"):
            report.pending_tasks.append(row["id"])
        elif status == "SUCCESS":
            if (row["repo"], row["target_tag"]) not in tags:
                problems.append(f"task {row['id']} SUCCESS but {row['target_tag']} is absent")
        elif status in ("FAILED", "CANCELED"):
            if not (row["reason"] or "").strip():
                problems.append(f"task {row['id']} {status} without a reason")
        else:
            problems.append(f"task {row['id']} has unknown status {status!r}")
    # an _accelerated tag only exists whole (checked above with every tag)
    # -- functions ------------------------------------------------------------------------
    for row in rows["functions"]:
        doc = json.loads(row["doc"])
        state = str(doc.get("state"))
        report.functions[state] = report.functions.get(state, 0) + 1
        if state == "Pending" or doc.get("lastUpdateStatus") == "InProgress":
            report.pending_functions.append(row["name"])
        elif state == "Failed" and not (doc.get("stateReason") or doc.get("stateReasonCode")):
            problems.append(f"function {row['name']} Failed without a reason")
        elif state not in ("Active", "Failed", "Inactive"):
            problems.append(f"function {row['name']} in unknown state {state!r}")
    return report
