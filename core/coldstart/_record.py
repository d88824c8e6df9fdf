"""Start-up profiles for any image: record, publish, convert in optimized order.

One mechanism behind ``fcaccel profile record``, ``fcaccel coldstart --record-profile``,
``fcaccel demo build`` and the Local server's second stage of acceleration::

    twin = await prepare_twin(client, "host/ns/app:v1", convert=True)  # lazily pullable
    recording = await record_startup_profile(client, twin.run, workdir=tmp)
    await publish_profile(client, recording)                # sha256-<digest>.profile
    await optimize_with_profile(client, recording)          # v1_accelerated, optimized order

Three ways to record, in the order ``run_mode="auto"`` tries them:

* **exec** (Linux with FUSE and bubblewrap): the image's real entrypoint starts in a sandbox
  over a lazy FUSE mount of the accelerated image (:class:`~core.coldstart.SandboxInstance`, the
  cold-start runner's own), until its port answers HTTP and a first invocation returned;
  then the optional :class:`Exercise` (HTTP requests to the function, commands on this
  machine that reach it through ``FC_ENDPOINT``). The profile is every file opened through the
  mount, in first-open order.
* **replay** (``from_paths``): a profile recorded elsewhere (another machine, ctr-remote's
  ``--record-out``) is read through the lazy reader against this image; the files this image
  does not have are left out and counted.
* **static** (where exec is impossible): what can be known without running the image — the
  entrypoint, the interpreter of a script (``#!``), the ELF program interpreter and every
  shared library linked (``DT_NEEDED``, found the way ``ld.so`` searches), ``ld.so.cache``
  and the arguments that are files in the image. What the program opens at run time is
  missing; reports say which mode made a profile.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import posixpath
import shlex
import struct
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core._accelerated import is_accelerated_tag, twin_tag_of
from core._progress import ProgressCallback
from core.coldstart._instance import InstanceConfig, SandboxInstance, image_argv
from core.coldstart._runner import exec_available
from core.convert import (
    ANNOTATION_SOURCE_DIGEST,
    ConvertOptions,
    ConvertResult,
    Order,
    convert_image,
)
from core.errors import ColdStartError, CoreError, InvalidInput, NotFound
from core.oci import Digest, ImageReference
from core.pull import (
    ContentCache,
    LazyImage,
    Node,
    ResolvedImage,
    StartupProfile,
    is_lazy_pullable,
    push_profile,
    resolve_image,
)
from core.registry import RegistryClient

__all__ = [
    "DEFAULT_EVENT",
    "RECORD_MODES",
    "Exercise",
    "ProfileRecording",
    "TwinChoice",
    "optimize_with_profile",
    "prepare_twin",
    "publish_profile",
    "record_startup_profile",
]

#: The event of the first invocation while a profile is recorded.
DEFAULT_EVENT = b'{"source": "profile recording"}'
RECORD_MODES = ("auto", "exec", "replay", "static")


@dataclass(frozen=True, slots=True)
class Exercise:
    """What to do once the first invocation returned, while the profile is still recorded.

    ``urls``: requests to the function, each ``PATH``, ``METHOD PATH`` or a full URL (its path
    and query are used), e.g. ``/orders?limit=5`` or ``POST /invoke``. ``commands``: shell
    commands run on this machine with ``FC_ENDPOINT`` set to the function's address (e.g.
    ``curl -fsS $FC_ENDPOINT/health``); each must exit 0.
    """

    urls: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    timeout_s: float = 120.0

    def __bool__(self) -> bool:
        return bool(self.urls or self.commands)


@dataclass(slots=True)
class ProfileRecording:
    """A recorded start-up profile and how it was made."""

    profile: StartupProfile
    #: The image that ran (an accelerated, lazily pullable one in exec and replay mode).
    image: str
    image_digest: str
    #: Its plain source's digest (the converter's annotation), empty when unknown.
    source_digest: str
    mode: str
    seconds: float
    first_status: int | None = None
    exercised: list[dict[str, Any]] = field(default_factory=list)
    #: Paths of a replayed profile that this image does not have.
    missing: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.profile.paths)

    @property
    def size(self) -> int:
        return self.profile.size

    def as_dict(self) -> dict[str, Any]:
        return {
            "image": self.image,
            "image_digest": self.image_digest,
            "source_digest": self.source_digest,
            "mode": self.mode,
            "files": self.files,
            "bytes": self.size,
            "recorded_at": self.profile.recorded_at,
            "seconds": round(self.seconds, 3),
            "first_status": self.first_status,
            "exercised": self.exercised,
            "missing": self.missing,
            "warnings": self.warnings,
            "paths": list(self.profile.paths),
        }


@dataclass(frozen=True, slots=True)
class TwinChoice:
    """Which image a recording runs: ``run`` (lazily pullable), for the plain ``source``."""

    run: str
    source: str | None
    #: The preserve-order conversion made on the way (``convert=True`` and no twin yet).
    converted: ConvertResult | None = None


def _twin_reference(ref: ImageReference) -> ImageReference | None:
    if ref.tag is None:
        return None
    return ref.with_tag(ref.tag if is_accelerated_tag(ref.tag) else twin_tag_of(ref.tag))


async def prepare_twin(
    client: RegistryClient,
    image: str,
    *,
    convert: bool = False,
    on_progress: ProgressCallback | None = None,
) -> TwinChoice:
    """The image a profile of ``image`` is recorded on.

    A lazily pullable image (an accelerated one) runs as it is. For a plain image its
    ``<tag>_accelerated`` twin runs when that twin was converted from the tag's current
    digest; otherwise, with ``convert``, the plain image is converted (preserve order) first,
    and without it :class:`~core.errors.InvalidInput` says what to do.
    """
    ref = ImageReference.parse(image)
    resolved = await resolve_image(client, ref)
    if is_lazy_pullable(resolved):
        return TwinChoice(run=str(ref), source=None)
    twin = _twin_reference(ref)
    if twin is not None:
        with contextlib.suppress(NotFound):
            found = await resolve_image(client, twin)
            source = (found.manifest.annotations or {}).get(ANNOTATION_SOURCE_DIGEST)
            current = {str(resolved.digest), str(resolved.index_digest or "")}
            if is_lazy_pullable(found) and source in current:
                return TwinChoice(run=str(twin), source=str(ref))
    if not convert:
        hint = (
            f"{image} is not lazily pullable and has no accelerated twin converted from its "
            f"current digest; convert it first (fcaccel convert {image}) or pass --convert"
        )
        raise InvalidInput(hint)
    converted = await convert_image(client, ref, twin, on_progress=on_progress)
    return TwinChoice(run=converted.target, source=str(ref), converted=converted)


async def record_startup_profile(
    client: RegistryClient,
    image: str,
    *,
    workdir: str | os.PathLike[str],
    cache: ContentCache | None = None,
    run_mode: str = "auto",
    event: bytes = DEFAULT_EVENT,
    exercise: Exercise | None = None,
    from_paths: Sequence[str] | None = None,
    function_name: str = "profile",
    env: Mapping[str, str] | None = None,
    entrypoint: Sequence[str] | None = None,
    command: Sequence[str] | None = None,
    port: int = 9000,
    ready_timeout_s: float = 120.0,
    on_progress: ProgressCallback | None = None,
) -> ProfileRecording:
    """Record the start-up profile of ``image`` (see the module documentation).

    ``env``, ``entrypoint``, ``command`` and ``port`` are a function's
    ``customContainerConfig`` and environment, when the image starts the way a function
    configures it rather than with its own ``Entrypoint`` and ``Cmd``.

    ``run_mode``: ``auto`` (``replay`` when ``from_paths`` is given, else ``exec`` where it
    can run, else ``static``), or one of them forced. Exec and replay need a lazily pullable
    image (:func:`prepare_twin`). Raises :class:`~core.errors.ColdStartError` when the function
    does not start, answers the first invocation with a 5xx status, or an exercise fails.
    """
    if run_mode not in RECORD_MODES:
        raise InvalidInput(f"record mode must be one of {', '.join(RECORD_MODES)}")
    mode = run_mode
    if mode == "auto":
        if from_paths is not None:
            mode = "replay"
        else:
            mode = "exec" if exec_available() is None else "static"
    elif mode == "exec":
        reason = exec_available()
        if reason is not None:
            raise ColdStartError(f"exec mode is not available here: {reason}", code="NoExec")
    if mode == "replay" and from_paths is None:
        raise InvalidInput("replay mode needs a profile to replay (from_paths)")
    work = Path(workdir)
    await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
    if cache is None:
        cache = await asyncio.to_thread(ContentCache, work / "cache")
    started = time.monotonic()
    resolved = await resolve_image(client, image)
    source = (resolved.manifest.annotations or {}).get(ANNOTATION_SOURCE_DIGEST, "")
    if mode in ("exec", "replay") and not is_lazy_pullable(resolved):
        raise InvalidInput(
            f"{image} is not lazily pullable: record on its accelerated twin "
            "(fcaccel convert, or --convert)"
        )
    recording = ProfileRecording(
        profile=StartupProfile(()),
        image=image,
        image_digest=str(resolved.digest),
        source_digest=source,
        mode=mode,
        seconds=0.0,
    )
    if mode == "exec":
        await _record_exec(
            client,
            recording,
            cache,
            work,
            event=event,
            exercise=exercise or Exercise(),
            function_name=function_name,
            env=env or {},
            entrypoint=entrypoint,
            command=command,
            port=port,
            ready_timeout_s=ready_timeout_s,
            on_progress=on_progress,
        )
    else:
        lazy = await LazyImage.open(
            client, image, cache=cache, resolved=resolved, stream_prefetch=False
        )
        try:
            if mode == "replay":
                assert from_paths is not None
                paths, recording.missing = await asyncio.to_thread(
                    _replayable, lazy, list(from_paths)
                )
                if recording.missing:
                    recording.warnings.append(
                        f"{recording.missing} path(s) of the replayed profile are not files of "
                        "this image and were left out"
                    )
            else:
                paths = await _static_closure(lazy, resolved, entrypoint, command)
                recording.warnings.append(
                    "static profile: the entrypoint and the libraries it links, not what it "
                    "opens at run time"
                    + ("" if run_mode == "static" else " (no FUSE or bubblewrap here)")
                )
            for path in paths:  # read as a start would, so that every file is checked
                await lazy.read(path)
            recording.profile = StartupProfile.from_paths(
                paths, image=recording.image_digest, source=source, size=_size(lazy, paths)
            )
        finally:
            await lazy.aclose()
    recording.seconds = time.monotonic() - started
    if not recording.profile.paths:
        raise ColdStartError(
            f"no file of {image} was read while its start-up profile was recorded",
            code="EmptyProfile",
        )
    return recording


async def _record_exec(
    client: RegistryClient,
    recording: ProfileRecording,
    cache: ContentCache,
    work: Path,
    *,
    event: bytes,
    exercise: Exercise,
    function_name: str,
    env: Mapping[str, str],
    entrypoint: Sequence[str] | None,
    command: Sequence[str] | None,
    port: int,
    ready_timeout_s: float,
    on_progress: ProgressCallback | None,
) -> None:
    instance = await SandboxInstance.start(
        InstanceConfig(
            image=recording.image,
            function_name=function_name,
            mode="lazy",
            port=port,
            entrypoint=entrypoint,
            command=command,
            prefetch=False,
            record_profile=True,
            background_fill=False,
            env=dict(env),
            ready_timeout_s=ready_timeout_s,
        ),
        registry=client,
        cache=cache,
        workdir=work / "instances",
        on_progress=on_progress,
    )
    try:
        answer = await instance.invoke(event)
        recording.first_status = answer.status
        if answer.status >= 500:
            raise ColdStartError(
                f"the function answered its first invocation with HTTP {answer.status}; a "
                "profile of a failing start would miss what a working one reads "
                f"({_tail(answer.body)})",
                code="ProfileInvokeFailed",
            )
        if answer.status >= 400:
            recording.warnings.append(
                f"the first invocation answered HTTP {answer.status} (give an event the "
                "function accepts for a complete profile)"
            )
        for url in exercise.urls:
            recording.exercised.append(await _exercise_url(instance, url))
        for command in exercise.commands:
            recording.exercised.append(
                await _exercise_command(instance, command, exercise.timeout_s)
            )
        recorded = instance.profile()
        assert recorded is not None
        assert instance.lazy is not None
        recording.profile = StartupProfile.from_paths(
            recorded.paths,
            image=recording.image_digest,
            source=recording.source_digest,
            size=_size(instance.lazy, recorded.paths),
        )
    finally:
        await instance.stop(grace=0.5)


def _split_url(item: str) -> tuple[str, str]:
    method, _, rest = item.strip().partition(" ")
    if not rest:
        method, rest = "GET", method
    method = method.upper()
    if method not in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"):
        raise InvalidInput(f"exercise {item!r}: unknown HTTP method {method}")
    rest = rest.strip()
    if "://" in rest:
        parts = urlsplit(rest)
        rest = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not rest.startswith("/"):
        raise InvalidInput(f"exercise {item!r}: a URL path starts with '/'")
    return method, rest


async def _exercise_url(instance: SandboxInstance, item: str) -> dict[str, Any]:
    method, path = _split_url(item)
    started = time.monotonic()
    answer = await instance.invoke(b"", path=path, method=method)
    if answer.status >= 500:
        raise ColdStartError(
            f"exercise {method} {path} answered HTTP {answer.status} ({_tail(answer.body)})",
            code="ExerciseFailed",
        )
    return {
        "request": f"{method} {path}",
        "status": answer.status,
        "seconds": round(time.monotonic() - started, 3),
    }


async def _exercise_command(
    instance: SandboxInstance, command: str, timeout_s: float
) -> dict[str, Any]:
    started = time.monotonic()
    proc = await asyncio.create_subprocess_shell(
        command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "FC_ENDPOINT": instance.endpoint},
    )
    try:
        output, _ = await asyncio.wait_for(proc.communicate(), timeout_s)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise ColdStartError(
            f"exercise command {command!r} did not finish within {timeout_s:g} s",
            code="ExerciseFailed",
        ) from None
    if proc.returncode != 0:
        raise ColdStartError(
            f"exercise command {command!r} exited with {proc.returncode}: {_tail(output)}",
            code="ExerciseFailed",
        )
    return {
        "command": command,
        "exit": proc.returncode,
        "seconds": round(time.monotonic() - started, 3),
    }


def _tail(data: bytes, limit: int = 200) -> str:
    text = data.decode("utf-8", "replace").strip().replace("\n", " ")
    return text[-limit:] if text else "no output"


def _size(lazy: LazyImage, paths: Sequence[str]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            node = lazy.lookup(path, follow=True)
            if node.is_regular:
                total += node.size
    return total


def _replayable(lazy: LazyImage, paths: list[str]) -> tuple[list[str], int]:
    """The regular files among ``paths`` (by their path in the merged tree), and how many
    paths were left out."""
    kept: dict[str, None] = {}
    missing = 0
    for path in paths:
        try:
            node = lazy.lookup(path, follow=True)
        except OSError:
            missing += 1
            continue
        if node.is_regular:
            kept.setdefault(node.path, None)
        elif not node.is_dir:
            missing += 1
    return list(kept), missing


# -- static profiles: the entrypoint and what it links -------------------------------------

_LIBRARY_DIRS = (
    "lib/x86_64-linux-gnu",
    "usr/lib/x86_64-linux-gnu",
    "lib/aarch64-linux-gnu",
    "usr/lib/aarch64-linux-gnu",
    "lib64",
    "usr/lib64",
    "lib",
    "usr/lib",
    "usr/local/lib",
)
_PT_LOAD, _PT_DYNAMIC, _PT_INTERP = 1, 2, 3
_DT_NEEDED, _DT_STRTAB, _DT_STRSZ, _DT_RPATH, _DT_RUNPATH = 1, 5, 10, 15, 29
_MAX_HEADER = 64 << 10


def _find(lazy: LazyImage, path: str) -> Node | None:
    try:
        node = lazy.lookup(path, follow=True)
    except OSError:
        return None
    return node if node.is_regular else None


def _which(lazy: LazyImage, program: str, search: Sequence[str]) -> Node | None:
    if "/" in program:
        return _find(lazy, program)
    for directory in search:
        node = _find(lazy, posixpath.join(directory, program))
        if node is not None:
            return node
    return None


async def _elf_links(lazy: LazyImage, node: Node) -> tuple[str | None, list[str], list[str]]:
    """``(program interpreter, DT_NEEDED names, RUNPATH/RPATH dirs)`` of a 64-bit
    little-endian ELF file; nothing for other files."""
    head = await lazy.read(node, 0, 64)
    if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
        return None, [], []
    (phoff,) = struct.unpack_from("<Q", head, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
    table_size = phentsize * phnum
    if phentsize < 56 or table_size > _MAX_HEADER:
        return None, [], []
    table = await lazy.read(node, phoff, table_size)
    loads: list[tuple[int, int, int]] = []
    interp: str | None = None
    dynamic: tuple[int, int] | None = None
    for i in range(phnum):
        if (i + 1) * phentsize > len(table):
            break
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
            "<IIQQQQ", table, i * phentsize
        )
        if p_type == _PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == _PT_INTERP and p_filesz <= 4096:
            raw = await lazy.read(node, p_offset, p_filesz)
            interp = raw.split(b"\0", 1)[0].decode("utf-8", "replace") or None
        elif p_type == _PT_DYNAMIC and p_filesz <= _MAX_HEADER:
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        return interp, [], []
    data = await lazy.read(node, *dynamic)
    needed: list[int] = []
    paths: list[int] = []
    strtab = strsz = 0
    for off in range(0, len(data) - 15, 16):
        tag, value = struct.unpack_from("<qQ", data, off)
        if tag == 0:
            break
        if tag == _DT_NEEDED:
            needed.append(value)
        elif tag in (_DT_RPATH, _DT_RUNPATH):
            paths.append(value)
        elif tag == _DT_STRTAB:
            strtab = value
        elif tag == _DT_STRSZ:
            strsz = value
    offset = next(
        (o + strtab - v for v, o, size in loads if v <= strtab < v + size),
        None,
    )
    if offset is None or not strsz:
        return interp, [], []

    async def string(at: int) -> str:
        # Only the names needed are read: a library's string table holds every exported
        # symbol (megabytes for a C++ runtime), the names are a few bytes each.
        if at >= strsz:
            return ""
        raw = await lazy.read(node, offset + at, min(4096, strsz - at))
        return raw.split(b"\0", 1)[0].decode("utf-8", "replace")

    origin = posixpath.dirname("/" + node.path)
    dirs = [
        d.replace("$ORIGIN", origin).replace("${ORIGIN}", origin)
        for at in paths
        for d in (await string(at)).split(":")
        if d
    ]
    names = [await string(at) for at in needed]
    return interp, [n for n in names if n], dirs


async def _static_closure(
    lazy: LazyImage,
    resolved: ResolvedImage,
    entrypoint: Sequence[str] | None = None,
    command: Sequence[str] | None = None,
) -> list[str]:
    """The entrypoint, its script interpreter, the ELF interpreter and every library it
    links (breadth first), ``ld.so.cache`` and the arguments that are files of the image."""
    config = resolved.config
    argv = image_argv(
        InstanceConfig(image=str(resolved.reference), entrypoint=entrypoint, command=command),
        config,
    )
    env_path = next(
        (e.partition("=")[2] for e in config.env if e.startswith("PATH=")),
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    )
    search = [d for d in env_path.split(":") if d]
    workdir = config.working_dir or "/"
    order: dict[str, None] = {}
    queue: list[Node] = []

    def add(node: Node | None) -> None:
        if node is not None and node.path not in order:
            order[node.path] = None
            queue.append(node)

    program = _which(lazy, argv[0], search)
    if program is None:
        raise ColdStartError(
            f"the entrypoint {argv[0]} is not a file of {resolved.reference}",
            code="NoEntrypoint",
        )
    head = await lazy.read(program, 0, 256)
    if head.startswith(b"#!"):
        words = shlex.split(head[2:].split(b"\n", 1)[0].decode("utf-8", "replace"))
        if words:
            interpreter = _which(lazy, words[0], search)
            if interpreter is not None and posixpath.basename(words[0]) == "env" and words[1:]:
                interpreter = _which(lazy, words[1], search) or interpreter
            add(interpreter)
    add(program)
    for arg in argv[1:]:
        if arg.startswith("-"):
            continue
        add(_find(lazy, arg if arg.startswith("/") else posixpath.join(workdir, arg)))
    add(_find(lazy, "etc/ld.so.cache"))
    seen = 0
    while seen < len(queue):
        node = queue[seen]
        seen += 1
        try:
            interp, needed, runpath = await _elf_links(lazy, node)
        except CoreError:
            continue
        if interp:
            add(_find(lazy, interp))
        for name in needed:
            dirs = [*runpath, *_LIBRARY_DIRS]
            add(_which(lazy, name, dirs) if "/" not in name else _find(lazy, name))
    return list(order)


# -- after recording: publish, convert -------------------------------------------------------


async def publish_profile(client: RegistryClient, recording: ProfileRecording) -> Digest:
    """Push the profile next to the image it belongs to, as ``fcaccel demo build`` does: an
    artifact about the plain source manifest (the recorded image itself when it has no
    source), tagged ``sha256-<digest>.profile``. Returns the artifact's digest."""
    ref = ImageReference.parse(recording.image)
    subject = recording.source_digest or recording.image_digest
    manifest = await client.get_manifest(ref.repository, subject)
    return await push_profile(client, ref.repository, recording.profile, manifest.descriptor())


async def optimize_with_profile(
    client: RegistryClient,
    recording: ProfileRecording,
    *,
    target: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> ConvertResult:
    """Convert the plain source again in optimized order with the recorded profile, to
    ``target`` (default: the recorded image's tag, or the source's ``<tag>_accelerated``)."""
    ref = ImageReference.parse(recording.image)
    if not recording.source_digest:
        raise InvalidInput(
            f"{recording.image} names no plain source (it was not made by fcaccel convert); "
            "convert its plain image with --profile instead"
        )
    source = ref.with_digest(recording.source_digest)
    if target is not None:
        dst = ImageReference.parse(target)
    else:
        twin = _twin_reference(ref)
        if twin is None:
            raise InvalidInput(f"{recording.image} has no tag: give the target of the conversion")
        dst = twin
    return await convert_image(
        client,
        source,
        dst,
        ConvertOptions(order=Order.OPTIMIZED, profile=recording.profile.paths),
        on_progress,
    )
