"""Building OCI images from directories or root-filesystem tarballs (``fcaccel import``).

Each source becomes the next layer(s) of the image, in the order given (a base root
filesystem, then the application, …). A source is read once, in a worker thread, entry by
entry (sorted paths for a directory, archive order for a tarball) and written into one or
more layer tar streams. Each stream is
hashed uncompressed (its ``diff_id``), compressed (gzip through ISA-L, zstd, or none) and
hashed again (its blob digest) on the way to a temporary file, so memory stays bounded
whatever the layer size.

Layer split (within each source): entries under each ``split_paths`` prefix go to a layer of
their own (in the order given, after the layer that holds everything else), and a layer that
grows past ``max_layer_size`` uncompressed bytes is closed and continued in a new one.

Progress (``import`` events): source bytes read (a tarball's bytes as stored, compressed or
not; a directory's file contents) against the total of every source, measured before
reading, with ``extra`` = ``source`` (index), ``sources``, ``entries``; then ``push`` events
per layer upload (bytes sent of that layer; ``extra``: ``layer``, ``layers`` and
``bytes_total``, the size of every layer together).

Reproducibility: with ``timestamp`` (or ``SOURCE_DATE_EPOCH``) every entry's mtime, the
config's ``created`` and the history dates are set to that time, owner names are dropped,
and compression output is deterministic, so the same tree gives the same digests.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import stat
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, cast

import zstandard

from core._files import tree_size
from core._progress import Progress, ProgressCallback, emit
from core.errors import InvalidInput, UnsafeContent
from core.oci import (
    Compression,
    Descriptor,
    Digest,
    DigestHasher,
    History,
    ImageConfig,
    Manifest,
    OCILayout,
    layer_media_type,
    sniff_compression,
)
from core.registry._client import RegistryClient
from core.registry._transfer import ImageLocation

__all__ = ["ImportOptions", "ImportResult", "LayerFile", "build_layers", "import_rootfs"]

_READ = 1024 * 1024
#: Progress is reported every 256 entries, and after every this many bytes.
_PROGRESS_BYTES = 8 << 20


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Image settings for :func:`import_rootfs` (see the module documentation)."""

    compression: Compression = Compression.GZIP
    compression_level: int | None = None
    split_paths: Sequence[str] = ()
    max_layer_size: int | None = None
    timestamp: int | None = None
    architecture: str = "amd64"
    os: str = "linux"
    variant: str | None = None
    entrypoint: Sequence[str] | None = None
    cmd: Sequence[str] | None = None
    env: Sequence[str] = ()
    working_dir: str | None = None
    user: str | None = None
    exposed_ports: Sequence[str] = ()
    labels: dict[str, str] = field(default_factory=dict)
    author: str | None = None
    created_by: str = "fcaccel import"


@dataclass(frozen=True, slots=True)
class LayerFile:
    """A finished layer in a temporary file."""

    path: Path
    digest: Digest
    diff_id: Digest
    size: int
    media_type: str
    group: str
    entries: int
    #: The source (directory or tarball) the layer was made from.
    source: str = ""


@dataclass(frozen=True, slots=True)
class ImportResult:
    manifest: Manifest
    config: ImageConfig
    layers: tuple[LayerFile, ...]

    @property
    def digest(self) -> Digest:
        return self.manifest.digest


# --------------------------------------------------------------------------------------
# compression sinks
# --------------------------------------------------------------------------------------
class _Compressor:
    def __init__(self, compression: Compression, level: int | None) -> None:
        self._fn: Callable[[bytes], bytes]
        self._flush: Callable[[], bytes]
        obj: Any
        if compression is Compression.GZIP:
            try:
                from isal import isal_zlib

                obj = isal_zlib.compressobj(
                    level if level is not None else 2, isal_zlib.DEFLATED, 31
                )
            except ImportError:  # pragma: no cover - isal is a dependency
                obj = zlib.compressobj(level if level is not None else 6, zlib.DEFLATED, 31)
            self._fn, self._flush = obj.compress, obj.flush
        elif compression is Compression.ZSTD:
            import zstandard

            cobj = zstandard.ZstdCompressor(
                level=level if level is not None else 3, threads=-1, write_checksum=True
            ).compressobj()
            self._fn = cobj.compress
            self._flush = cobj.flush
        else:
            self._fn, self._flush = bytes, lambda: b""

    def compress(self, data: bytes) -> bytes:
        return self._fn(data)

    def flush(self) -> bytes:
        return self._flush()


class _LayerSink:
    """A write-only file object: tar bytes in, compressed blob out to a temporary file."""

    def __init__(self, directory: Path, compression: Compression, level: int | None) -> None:
        fd, name = tempfile.mkstemp(prefix=".layer-", suffix=".tmp", dir=directory)
        self.path = Path(name)
        self._fh: BinaryIO = os.fdopen(fd, "wb")
        self.diff = DigestHasher()
        self.blob = DigestHasher()
        self._comp = _Compressor(compression, level)
        self._buf = bytearray()

    def write(self, data: bytes) -> int:
        self.diff.update(data)
        self._buf += data
        if len(self._buf) >= _READ:
            self._emit(self._comp.compress(bytes(self._buf)))
            self._buf.clear()
        return len(data)

    def _emit(self, out: bytes) -> None:
        if out:
            self.blob.update(out)
            self._fh.write(out)

    def finish(self) -> None:
        if self._buf:
            self._emit(self._comp.compress(bytes(self._buf)))
            self._buf.clear()
        self._emit(self._comp.flush())
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._fh.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class _OpenLayer:
    def __init__(self, group: str, directory: Path, opts: ImportOptions, source: str = "") -> None:
        self.group = group
        self.source = source
        self.sink = _LayerSink(directory, opts.compression, opts.compression_level)
        self.tar = tarfile.open(  # noqa: SIM115 - closed in close()
            fileobj=cast(Any, self.sink),
            mode="w|",
            format=tarfile.PAX_FORMAT,
            bufsize=_READ,
        )
        self.size = 0
        self.entries = 0
        self.dirs: set[str] = set()

    def close(self, opts: ImportOptions) -> LayerFile:
        self.tar.close()
        self.sink.finish()
        return LayerFile(
            path=self.sink.path,
            digest=self.sink.blob.digest(),
            diff_id=self.sink.diff.digest(),
            size=self.sink.blob.size,
            media_type=layer_media_type(opts.compression),
            group=self.group,
            entries=self.entries,
            source=self.source,
        )


# --------------------------------------------------------------------------------------
# sources
# --------------------------------------------------------------------------------------
_Entry = tuple[tarfile.TarInfo, Callable[[], IO[bytes]] | None]


def _clean_name(name: str) -> str:
    p = PurePosixPath("/" + name.replace("\\", "/"))
    parts = [x for x in p.parts[1:] if x not in ("", ".")]
    if ".." in parts:
        # the safety policy's words (core.formats sits above this package)
        raise UnsafeContent("has a '..' path component", entry=name, rule="dotdot-name")
    return "/".join(parts)


class _Meter:
    """Bytes of the current source read so far (its ``read()`` is polled while reading)."""

    def __init__(self) -> None:
        self.read: Callable[[], int] = lambda: 0


def _source_size(path: Path) -> int:
    if path.is_dir():
        return tree_size(path)
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _directory_entries(root: Path, meter: _Meter | None = None) -> Iterator[_Entry]:
    read = [0]
    if meter is not None:
        meter.read = lambda: read[0]
    probe = tarfile.TarFile(
        fileobj=cast(Any, _NullWriter()), mode="w"
    )  # for gettarinfo's hardlink map
    try:
        stack = [root]
        while stack:
            current = stack.pop()
            try:
                names = sorted(os.listdir(current))
            except OSError as exc:
                raise InvalidInput(f"cannot read {current}: {exc}") from exc
            subdirs = []
            for name in names:
                full = current / name
                arc = full.relative_to(root).as_posix()
                info = probe.gettarinfo(str(full), arcname=arc)
                if info is None:  # sockets and other unsupported types
                    continue
                opener = _opener(full) if info.isreg() else None
                yield info, opener
                if info.isreg():
                    read[0] += info.size
                if info.isdir():
                    subdirs.append(full)
            stack.extend(reversed(subdirs))
    finally:
        probe.close()


class _NullWriter:
    def write(self, data: bytes) -> int:
        return len(data)

    def tell(self) -> int:
        return 0


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: open(path, "rb")


def _tarball_entries(path: Path, meter: _Meter | None = None) -> Iterator[_Entry]:
    """Entries of a tarball: plain, gzip, bzip2, xz (tarfile) or zstd (python-zstandard)."""
    with open(path, "rb") as raw:
        if meter is not None:
            meter.read = raw.tell
        zstd = sniff_compression(raw.read(4)) is Compression.ZSTD
        raw.seek(0)
        if zstd:
            stream: IO[bytes] = zstandard.ZstdDecompressor().stream_reader(raw, read_size=_READ)
        else:
            stream = raw
        try:
            archive = tarfile.open(fileobj=stream, mode="r|*", bufsize=_READ)  # noqa: SIM115
        except (tarfile.TarError, OSError, zstandard.ZstdError, EOFError) as exc:
            raise InvalidInput(f"cannot read tarball {path}: {exc}") from exc
        with archive:
            try:
                for member in archive:
                    extracted = archive.extractfile(member) if member.isreg() else None
                    if extracted is not None:
                        handle: IO[bytes] = extracted
                        yield member, (lambda h=handle: h)  # type: ignore[misc]
                    else:
                        yield member, None
            except (tarfile.TarError, OSError, zstandard.ZstdError, EOFError) as exc:
                raise InvalidInput(f"corrupt tarball {path}: {exc}") from exc


# --------------------------------------------------------------------------------------
def build_layers(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    workdir: str | os.PathLike[str],
    options: ImportOptions,
    on_progress: ProgressCallback | None = None,
) -> list[LayerFile]:
    """Write the layers of ``source`` (a directory or tarball, or several: each the next
    layers, in order) into ``workdir`` (blocking; run it in a thread).

    Returns the layers in image order (base first). ``on_progress`` gets ``import`` events
    (see the module documentation) from this thread.
    """
    sources = [Path(source)] if isinstance(source, str | os.PathLike) else [Path(s) for s in source]
    if not sources:
        raise InvalidInput("nothing to import: give at least one directory or tarball")
    work = Path(workdir)
    prefixes = [_clean_name(p) for p in options.split_paths]
    for p in prefixes:
        if not p:
            raise InvalidInput("a split path must not be the root")
    for src in sources:
        if not (src.is_dir() or src.is_file()):
            raise InvalidInput(f"import source {src} is neither a directory nor a file")
    sizes = [_source_size(src) for src in sources]
    total = sum(sizes)
    state = {"before": 0, "entries": 0, "bytes": 0, "last": 0}
    result: list[LayerFile] = []
    try:
        for index, src in enumerate(sources):
            meter = _Meter()

            def report(final: bool = False, index: int = index, meter: _Meter = meter) -> None:
                if on_progress is None:
                    return
                done = state["before"] + (
                    sizes[index] if final else min(meter.read(), sizes[index])
                )
                on_progress(
                    Progress(
                        "import",
                        done,
                        total,
                        str(sources[index]),
                        {"source": index, "sources": len(sources), "entries": state["entries"]},
                    )
                )

            result.extend(_source_layers(src, meter, work, options, prefixes, state, report))
            report(final=True)
            state["before"] += sizes[index]
    except BaseException:
        for f in result:
            with contextlib.suppress(FileNotFoundError):
                f.path.unlink()
        raise
    if not result:
        # an empty source still makes a valid image with one empty layer
        empty = _OpenLayer("", work, options, str(sources[0]))
        result.append(empty.close(options))
    return result


def _source_layers(
    src: Path,
    meter: _Meter,
    work: Path,
    options: ImportOptions,
    prefixes: list[str],
    state: dict[str, int],
    report: Callable[[], None],
) -> list[LayerFile]:
    """The layers of one source (see :func:`build_layers`)."""
    entries = _directory_entries(src, meter) if src.is_dir() else _tarball_entries(src, meter)
    groups = ["", *prefixes]
    open_layers: dict[str, _OpenLayer] = {}
    finished: dict[str, list[LayerFile]] = {g: [] for g in groups}
    dir_infos: dict[str, tarfile.TarInfo] = {}
    label = str(src)

    def group_of(name: str) -> str:
        best = ""
        for p in prefixes:
            if (name == p or name.startswith(p + "/")) and len(p) > len(best):
                best = p
        return best

    def layer_for(group: str) -> _OpenLayer:
        layer = open_layers.get(group)
        if layer is None:
            layer = _OpenLayer(group, work, options, label)
            open_layers[group] = layer
        return layer

    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        if options.timestamp is not None:
            info.mtime = options.timestamp
            info.uname = info.gname = ""
            info.pax_headers = {
                k: v for k, v in info.pax_headers.items() if k not in ("atime", "ctime", "mtime")
            }
        else:
            info.mtime = int(info.mtime)
        return info

    def add_parents(layer: _OpenLayer, name: str) -> None:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            parent = "/".join(parts[:i])
            if parent in layer.dirs:
                continue
            layer.dirs.add(parent)
            info = dir_infos.get(parent)
            if info is None:
                info = tarfile.TarInfo(parent)
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                info.mtime = options.timestamp or 0
            layer.tar.addfile(normalise(_copy_info(info)))

    try:
        for info, opener in entries:
            name = _clean_name(info.name)
            if not name:
                continue  # the root itself
            info.name = name
            if info.islnk():
                info.linkname = _clean_name(info.linkname)
            if info.isdir():
                dir_infos[name] = _copy_info(info)
            group = group_of(name)
            layer = layer_for(group)
            if (
                options.max_layer_size is not None
                and layer.size > 0
                and layer.size + info.size > options.max_layer_size
            ):
                finished[group].append(layer.close(options))
                del open_layers[group]
                layer = layer_for(group)
            if info.islnk() and group_of(info.linkname) != group:
                raise InvalidInput(
                    f"hard link {name} -> {info.linkname} crosses a layer split; "
                    "choose split paths that keep hard links together"
                )
            add_parents(layer, name)
            if info.isdir():
                if name in layer.dirs:
                    continue
                layer.dirs.add(name)
            normalise(info)
            if opener is not None:
                try:
                    with opener() as fh:
                        layer.tar.addfile(info, fh)
                except (tarfile.ReadError, zstandard.ZstdError, EOFError) as exc:
                    raise InvalidInput(f"corrupt source at {name}: {exc}") from exc
            else:
                layer.tar.addfile(info)
            layer.size += info.size + 512
            layer.entries += 1
            state["entries"] += 1
            state["bytes"] += info.size
            if state["entries"] % 256 == 0 or state["bytes"] - state["last"] >= _PROGRESS_BYTES:
                state["last"] = state["bytes"]
                report()
        for group in groups:
            layer_obj = open_layers.pop(group, None)
            if layer_obj is not None:
                finished[group].append(layer_obj.close(options))
    except BaseException:
        for layer_obj in open_layers.values():
            layer_obj.sink.discard()
        for files in finished.values():
            for f in files:
                with contextlib.suppress(FileNotFoundError):
                    f.path.unlink()
        raise
    return [f for g in groups for f in finished[g]]


def _copy_info(info: tarfile.TarInfo) -> tarfile.TarInfo:
    new = tarfile.TarInfo(info.name)
    for attr in ("mode", "uid", "gid", "size", "mtime", "type", "linkname", "uname", "gname"):
        setattr(new, attr, getattr(info, attr))
    new.devmajor, new.devminor = info.devmajor, info.devminor
    new.pax_headers = dict(info.pax_headers)
    if new.isdir():
        new.size = 0
    return new


def _iso(ts: int | None) -> str:
    when = dt.datetime.fromtimestamp(ts, tz=dt.UTC) if ts is not None else dt.datetime.now(dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _effective_timestamp(options: ImportOptions) -> int | None:
    if options.timestamp is not None:
        return options.timestamp
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env:
        try:
            return int(env)
        except ValueError:
            raise InvalidInput(f"SOURCE_DATE_EPOCH is not an integer: {env!r}") from None
    return None


async def import_rootfs(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    destination: ImageLocation | str,
    *,
    options: ImportOptions | None = None,
    client: RegistryClient | None = None,
    concurrency: int = 4,
    on_progress: ProgressCallback | None = None,
) -> ImportResult:
    """Build an image from a directory or rootfs tarball (or several, each the next layers
    in order) and write it to ``destination``.

    ``destination`` is an OCI layout (``oci:PATH[:TAG]``) or a registry reference (then
    ``client`` is required). Layers are built off the event loop; for a registry they are
    pushed concurrently (skipped when present), then the config, then the manifest under
    its tag. Progress: ``import`` (source bytes read / total, see the module documentation),
    then ``push`` (bytes sent per layer; see the module documentation).
    """
    opts = options or ImportOptions()
    ts = _effective_timestamp(opts)
    if ts is not None and ts != opts.timestamp:
        from dataclasses import replace

        opts = replace(opts, timestamp=ts)
    dst = ImageLocation.parse(destination) if isinstance(destination, str) else destination
    if dst.kind == "registry" and client is None:
        raise InvalidInput(f"a registry client is needed for {dst}")
    layout: OCILayout | None = None
    if dst.kind == "layout":
        assert dst.path is not None
        layout = await asyncio.to_thread(OCILayout.create, dst.path)
        workdir_parent: Path | None = layout.path / "blobs" / "sha256"
    else:
        workdir_parent = None

    loop = asyncio.get_running_loop()

    def from_thread(event: Progress) -> None:
        if on_progress is not None:
            loop.call_soon_threadsafe(on_progress, event)

    several = not isinstance(source, str | os.PathLike) and len(source) > 1
    with tempfile.TemporaryDirectory(prefix=".fcaccel-import-", dir=workdir_parent) as work:
        layers = await asyncio.to_thread(build_layers, source, work, opts, from_thread)
        created = _iso(opts.timestamp)
        history = [
            History(
                created=created,
                created_by=f"{opts.created_by} ("
                + (f"{os.path.basename(layer.source)}: " if several else "")
                + f"{layer.group or 'base'}, {layer.entries} entries)",
                author=opts.author,
            )
            for layer in layers
        ]
        config = ImageConfig.build(
            diff_ids=[layer.diff_id for layer in layers],
            architecture=opts.architecture,
            os=opts.os,
            variant=opts.variant,
            created=created,
            author=opts.author,
            env=list(opts.env)
            or ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            entrypoint=opts.entrypoint,
            cmd=opts.cmd,
            working_dir=opts.working_dir,
            user=opts.user,
            exposed_ports=opts.exposed_ports,
            labels=opts.labels,
            history=history,
        )
        manifest = Manifest.build(
            config.descriptor(),
            [Descriptor(layer.media_type, layer.digest, layer.size) for layer in layers],
        )
        tag = dst.tag_or_none
        if layout is not None:
            for layer in layers:
                await asyncio.to_thread(_move_into_layout, layout, layer)
            await asyncio.to_thread(layout.write_blob, config.raw, config.digest)
            desc = await asyncio.to_thread(layout.put_manifest, manifest)
            if tag:
                await asyncio.to_thread(layout.set_tag, desc, tag)
            else:
                await asyncio.to_thread(layout.add_untagged, desc)
        else:
            assert client is not None
            assert dst.reference is not None
            repo = dst.reference.repository
            sem = asyncio.Semaphore(concurrency)

            everything = sum(layer.size for layer in layers)

            async def push(index: int, layer: LayerFile) -> None:
                extra = {"layer": index, "layers": len(layers), "bytes_total": everything}

                def sent(event: Progress) -> None:
                    emit(
                        on_progress,
                        Progress("push", event.done, layer.size, str(layer.digest), extra),
                    )

                async with sem:
                    await client.push_blob(
                        repo, layer.path, digest=layer.digest, size=layer.size, on_progress=sent
                    )
                emit(
                    on_progress, Progress("push", layer.size, layer.size, str(layer.digest), extra)
                )

            await asyncio.gather(*(push(i, layer) for i, layer in enumerate(layers)))
            await client.push_blob(repo, config.raw, digest=config.digest)
            await client.put_manifest(repo, manifest, dst.reference.tag)
    return ImportResult(manifest=manifest, config=config, layers=tuple(layers))


def _move_into_layout(layout: OCILayout, layer: LayerFile) -> None:
    target = layout.blob_path(layer.digest)
    if target.exists():
        return
    os.chmod(layer.path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
    os.replace(layer.path, target)
