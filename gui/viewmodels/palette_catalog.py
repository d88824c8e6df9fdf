"""`TagCatalog`: every repository and tag of each connection, for the Ctrl+K palette.

Read in the background once per connection (when the palette first opens on it): the
registry instances, their repositories, then each repository's tags — a few repositories at
a time (`CONCURRENCY`), never a burst of one request per repository — published as each
repository's tags come in, so that the palette finds them while the rest is read. What was
read is kept for the session (per profile and region, so that an earlier connection's tags
stay searchable); a pushed or deleted tag (the Local server's events) updates its repository
at once, a repository the catalog does not know yet is read when its first tag arrives, and
a connection without events is read again when the palette opens after `MAX_AGE_S`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from gui.backend import Backend, BackendEvent, RepoInfo, TagInfo
from gui.context import AppContext
from gui.models.palette_model import PaletteItem

__all__ = ["CONCURRENCY", "MAX_AGE_S", "MAX_TAGS", "TagCatalog"]

log = logging.getLogger(__name__)

Target = tuple[str, str]
#: Repositories whose tags are listed at once.
CONCURRENCY = 3
#: Tags kept per connection (a console, not a search engine).
MAX_TAGS = 50_000
#: A connection without live events is read again after this long (seconds).
MAX_AGE_S = 600.0
#: Publishing what came in is coalesced over this long (ms).
_PUBLISH_MS = 400

#: ``(repository, target)`` → the repository's item; ``(repository, tag, target)`` → a tag's.
RepoLabel = Callable[[RepoInfo, Target], PaletteItem]
TagLabel = Callable[[RepoInfo, str, Target], PaletteItem]


@dataclass
class _Connection:
    """What the catalog holds of one connection."""

    repos: dict[str, RepoInfo] = field(default_factory=dict)  # by path
    tags: dict[str, list[str]] = field(default_factory=dict)  # by repository path
    #: Each repository's items (built when asked for, dropped when it changes), and all.
    by_repo: dict[str, list[PaletteItem]] = field(default_factory=dict)
    items: list[PaletteItem] | None = None
    read_at: float = 0.0  # monotonic time the last full read finished
    complete: bool = False

    def tag_count(self) -> int:
        return sum(len(t) for t in self.tags.values())


class TagCatalog(QObject):
    """See the module docs. ``changed`` is emitted (coalesced) when items came or went."""

    changed = Signal()
    readingChanged = Signal(bool)

    def __init__(
        self,
        ctx: AppContext,
        repository_label: RepoLabel,
        tag_label: TagLabel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._repository_label = repository_label
        self._tag_label = tag_label
        self._connections: dict[Target, _Connection] = {}
        self._reading: set[Target] = set()
        self._publish = QTimer(self)
        self._publish.setSingleShot(True)
        self._publish.setInterval(_PUBLISH_MS)
        self._publish.timeout.connect(self.changed.emit)
        ctx.events.eventReceived.connect(self._on_event)
        ctx.backendChanged.connect(self._on_backend_changed)

    # -- reading ------------------------------------------------------------------------
    def is_reading(self, target: Target) -> bool:
        return target in self._reading

    def read(self, target: Target) -> None:
        """Read the current connection (``target``) unless it was read (or is being read);
        a connection without live events is read again once its catalog is `MAX_AGE_S` old."""
        backend = self.ctx.backend
        if backend is None or target in self._reading:
            return
        known = self._connections.get(target)
        if known is not None and known.complete:
            fresh = time.monotonic() - known.read_at < MAX_AGE_S
            if fresh or self.ctx.events.live:
                return
        self._start(target, backend)

    def _start(self, target: Target, backend: Backend, only: set[str] | None = None) -> None:
        """Read ``target``'s repositories and their tags (``only``: of these repository
        paths, plus any repository not seen before)."""
        conn = self._connections.setdefault(target, _Connection())
        self._reading.add(target)
        self.readingChanged.emit(True)

        async def job(_sink: Any) -> None:
            repos: list[RepoInfo] = []
            for inst in await backend.list_instances():
                repos += await backend.list_repositories(inst.instance_id, None)
            current = self.ctx.backend is backend
            if not current:
                return
            seen = {r.path for r in repos}
            for path in [p for p in conn.repos if p not in seen]:
                del conn.repos[path]
                conn.tags.pop(path, None)
                conn.by_repo.pop(path, None)
            wanted: list[RepoInfo] = []
            for repo in repos:
                new = repo.path not in conn.repos
                if conn.repos.get(repo.path) != repo:
                    conn.by_repo.pop(repo.path, None)
                conn.repos[repo.path] = repo
                if only is None or new or repo.path in only:
                    wanted.append(repo)
            self._changed(conn)
            await self._read_tags(backend, conn, wanted)

        def done(_result: object) -> None:
            self._finish(target)
            conn.complete = True
            conn.read_at = time.monotonic()

        def failed(exc: BaseException) -> None:
            # nothing to show: the palette keeps what it has and reads again next time
            log.info("palette: reading %s's repositories and tags failed: %r", target, exc)
            self._finish(target)

        self.ctx.run(f"palette-tags:{target}", job, on_done=done, on_error=failed)

    async def _read_tags(self, backend: Backend, conn: _Connection, repos: list[RepoInfo]) -> None:
        queue: asyncio.Queue[RepoInfo] = asyncio.Queue()
        for repo in repos:
            queue.put_nowait(repo)

        from core.pull import is_profile_tag  # not needed before the palette's first use

        async def worker() -> None:
            while not queue.empty() and conn.tag_count() < MAX_TAGS:
                repo = queue.get_nowait()
                try:
                    tags: list[TagInfo] = await backend.list_tags(repo.instance_id, repo)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - one repository's tags are optional
                    log.info("palette: listing the tags of %s failed: %r", repo.path, exc)
                    continue
                if self.ctx.backend is not backend:
                    return
                if repo.path in conn.repos:
                    conn.tags[repo.path] = [t.tag for t in tags if not is_profile_tag(t.tag)]
                    self._changed(conn, repo.path)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))

    def _finish(self, target: Target) -> None:
        self._reading.discard(target)
        self.readingChanged.emit(bool(self._reading))

    def _on_backend_changed(self) -> None:
        # a connection's reading stops with it (what was read stays)
        for target in list(self._reading):
            self.ctx.jobs.cancel(f"palette-tags:{target}")
            self._finish(target)

    # -- live ---------------------------------------------------------------------------
    def _on_event(self, event: BackendEvent) -> None:
        if event.kind not in ("tag.pushed", "tag.deleted", "repository.deleted"):
            return
        target = (self.ctx.profile_name, self.ctx.region)
        conn = self._connections.get(target)
        backend = self.ctx.backend
        if conn is None or backend is None:
            return  # not read yet: the first read lists it
        path = str(event.data.get("repo") or "")
        tag = str(event.data.get("tag") or "")
        if event.kind == "repository.deleted":
            if conn.repos.pop(path, None) is not None:
                conn.tags.pop(path, None)
                self._changed(conn, path)
            return
        from core.pull import is_profile_tag

        if not path or not tag or is_profile_tag(tag):
            return
        if path not in conn.repos:
            if event.kind == "tag.pushed" and target not in self._reading:
                self._start(target, backend, only=set())  # a new repository: read it
            return
        tags = conn.tags.setdefault(path, [])
        if event.kind == "tag.deleted":
            if tag in tags:
                tags.remove(tag)
                self._changed(conn, path)
        elif tag not in tags and conn.tag_count() < MAX_TAGS:
            tags.append(tag)
            self._changed(conn, path)

    # -- items --------------------------------------------------------------------------
    def _changed(self, conn: _Connection, path: str | None = None) -> None:
        """``path``'s repository changed (None: which ones are there)."""
        conn.items = None
        if path is not None:
            conn.by_repo.pop(path, None)
        if not self._publish.isActive():
            self._publish.start()

    def items(self, target: Target) -> list[PaletteItem]:
        """The repositories and tags known of ``target``."""
        conn = self._connections.get(target)
        if conn is None:
            return []
        if conn.items is None:
            out: list[PaletteItem] = []
            for path, repo in conn.repos.items():
                mine = conn.by_repo.get(path)
                if mine is None:
                    mine = [self._repository_label(repo, target)]
                    mine += [self._tag_label(repo, tag, target) for tag in conn.tags.get(path, ())]
                    conn.by_repo[path] = mine
                out += mine
            conn.items = out
        return conn.items

    def targets(self) -> list[Target]:
        return list(self._connections)

    def repository(self, target: Target, path: str) -> RepoInfo | None:
        conn = self._connections.get(target)
        return conn.repos.get(path) if conn is not None else None
