"""Demo function images, assembled from files already on this machine (no downloads).

Both demo images run the same stdlib web app (``resources/demo/app/server.py``) with the
machine's Debian ``python3`` (``/usr/bin/python3``: the interpreter, the shared libraries
it and its extension modules load, the standard library with its byte code):

* ``small`` — the runtime and the app (a few tens of MB): fast tests. With ``assets`` (bulk
  files from this machine in a layer of their own that start-up never reads) it is the
  realistic image of a machine without a Python environment to take libraries from: the
  Local server's fallback (variant ``runtime+assets``) and the end-to-end test's image.
* ``medium`` — the bloated image's app and start-up without its largest packages (a few
  hundred MB: the runtime, ``site-packages`` without packages over 64 MB, fonts): the Local
  server's seeded demo, realistic yet quick to build, pull and demonstrate.
* ``bloated`` — a realistic ≥ 1 GiB image: the same runtime, a virtual environment's
  ``site-packages`` (Qt for Python and friends), fonts and system libraries as assets, and an
  app that imports a handful of those packages and reads one asset at start-up. Start-up
  reads only a small fraction of the image, as in the product's own motivation.

:func:`build_demo_tree` writes one directory per layer plus the image config; the image is
built from them by ``fcaccel demo build`` (import → push → convert).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import stat
import subprocess
import sysconfig
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core._files import tree_size
from core._progress import Progress, ProgressCallback, emit
from core.convert import ConvertOptions, Order, convert_image
from core.errors import ColdStartError, InvalidInput
from core.oci import Compression, ImageReference
from core.pull import ContentCache, save_cached_profile
from core.registry import ImportOptions, RegistryClient, import_rootfs

__all__ = [
    "DEMO_APP_DIR",
    "DEMO_KINDS",
    "DemoBuildResult",
    "DemoImage",
    "DemoLayer",
    "build_demo_image",
    "build_demo_tree",
    "demo_python",
    "import_options",
    "merge_layers",
]

DEMO_KINDS = ("small", "medium", "bloated")
#: The demo app sources (``server.py``) shipped with fcdesk.
DEMO_APP_DIR = Path(__file__).resolve().parents[2] / "resources" / "demo" / "app"

_STDLIB_SKIP = {
    "test",
    "idlelib",
    "tkinter",
    "turtledemo",
    "lib2to3",
    "ensurepip",
    "pydoc_data",
    "distutils",
    "venv",
}
_SITE_SKIP = re.compile(r"^(__editable__.*|fcdesk.*|.*\.pth)$")
#: Packages the medium image leaves out: any top-level entry of site-packages over this size.
_MEDIUM_PACKAGE_LIMIT = 64 << 20
_LDD_LINE = re.compile(r"^\s*(?:(\S+)\s+=>\s+)?(/\S+)\s+\(0x[0-9a-f]+\)")
_GIB = 1 << 30


@dataclass(slots=True)
class DemoLayer:
    """One layer's files, as a directory laid out like the image's root."""

    name: str
    root: Path
    size: int = 0
    files: int = 0


@dataclass(slots=True)
class DemoImage:
    """The layers (bottom first) and the image config (``config`` = OCI ``config`` object)."""

    kind: str
    layers: list[DemoLayer]
    config: dict[str, Any]
    startup: dict[str, Any] = field(default_factory=dict)
    #: Paths (relative to the root) of extra assets, each imported as a layer of its own.
    extra_paths: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(layer.size for layer in self.layers)

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "size": self.size,
            "layers": [
                {"name": layer.name, "size": layer.size, "files": layer.files}
                for layer in self.layers
            ],
            "config": self.config,
        }


def demo_python() -> Path:
    """The Debian interpreter the demo images run (not a virtual environment's)."""
    path = Path("/usr/bin/python3")
    if not path.exists():
        raise ColdStartError(
            "the demo images need the system python3 (Debian package python3-minimal)",
            code="DemoPythonMissing",
        )
    return path.resolve()


class _Builder:
    def __init__(self, layer: DemoLayer) -> None:
        self.layer = layer
        self.seen: set[str] = set()

    def _account(self, dest: Path) -> None:
        st = dest.lstat()
        if stat.S_ISREG(st.st_mode):
            self.layer.size += st.st_size
        self.layer.files += 1

    def add_file(self, source: Path, image_path: str) -> None:
        """Copy (hard link when possible) ``source`` to ``image_path``, keeping metadata."""
        rel = image_path.lstrip("/")
        if rel in self.seen:
            return
        dest = self.layer.root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), dest)
        else:
            try:
                os.link(source, dest)
            except OSError:
                shutil.copy2(source, dest)
        self.seen.add(rel)
        self._account(dest)

    def add_symlink(self, target: str, image_path: str) -> None:
        rel = image_path.lstrip("/")
        if rel in self.seen:
            return
        dest = self.layer.root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, dest)
        self.seen.add(rel)
        self._account(dest)

    def add_dir(self, image_path: str, mode: int = 0o755) -> None:
        dest = self.layer.root / image_path.lstrip("/")
        dest.mkdir(parents=True, exist_ok=True)
        dest.chmod(mode)

    def add_bytes(self, data: bytes, image_path: str, mode: int = 0o644) -> None:
        dest = self.layer.root / image_path.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        dest.chmod(mode)
        self.seen.add(image_path.lstrip("/"))
        self._account(dest)

    def add_tree(
        self, source: Path, image_path: str, *, skip: Iterable[str] = (), budget: int | None = None
    ) -> None:
        """Copy a directory tree (symlinks kept) under ``image_path``; stop at ``budget``."""
        skip_set = set(skip)
        base = image_path.rstrip("/")
        for dirpath, dirnames, filenames in os.walk(source):
            rel_dir = os.path.relpath(dirpath, source)
            dirnames[:] = sorted(
                d
                for d in dirnames
                if d not in skip_set and not os.path.islink(os.path.join(dirpath, d))
            )
            links = [
                d
                for d in os.listdir(dirpath)
                if os.path.islink(os.path.join(dirpath, d))
                and os.path.isdir(os.path.join(dirpath, d))
            ]
            for name in sorted(filenames) + sorted(links):
                if name in skip_set:
                    continue
                if budget is not None and self.layer.size >= budget:
                    return
                src = Path(dirpath) / name
                target = f"{base}/{name}" if rel_dir == "." else f"{base}/{rel_dir}/{name}"
                if src.is_symlink() or src.is_file():
                    self.add_file(src, target)


def _elf_deps(paths: Iterable[Path]) -> dict[str, str]:
    """``{library path as ld.so resolved it: real path}`` for ELF files (via ``ldd``)."""
    found: dict[str, str] = {}
    for path in paths:
        try:
            out = subprocess.run(
                ["ldd", str(path)], capture_output=True, text=True, check=False, timeout=30
            ).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            raise ColdStartError(f"ldd failed on {path}: {exc}") from exc
        for line in out.splitlines():
            m = _LDD_LINE.match(line)
            if m:
                found[m.group(2)] = os.path.realpath(m.group(2))
    return found


def _canonical(path: str) -> str:
    """A library path with usr-merged directories resolved (``/lib/x`` → ``/usr/lib/x``)."""
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))


def _add_libraries(builder: _Builder, libs: dict[str, str]) -> None:
    for seen_as, real in sorted(libs.items()):
        builder.add_file(Path(real), real)
        canonical = _canonical(seen_as)
        if canonical != real:
            builder.add_symlink(os.path.relpath(real, os.path.dirname(canonical)), canonical)


def _runtime_layer(dest: Path, *, full_dynload: bool) -> DemoLayer:
    layer = DemoLayer("runtime", dest / "layer-runtime")
    b = _Builder(layer)
    python = demo_python()
    version = python.name  # python3.11
    for name, target in (("bin", "usr/bin"), ("lib", "usr/lib"), ("lib64", "usr/lib64")):
        b.add_symlink(target, name)
    b.add_symlink("usr/sbin", "sbin")
    for d in ("proc", "dev", "sys", "root", "run", "var/tmp", "usr/local/bin", "etc"):
        b.add_dir(d)
    b.add_dir("tmp", 0o1777)
    b.add_bytes(
        b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/nonexistent:/bin/false\n",
        "etc/passwd",
    )
    b.add_bytes(b"root:x:0:\nnogroup:x:65534:\n", "etc/group")
    b.add_bytes(b"127.0.0.1 localhost\n::1 localhost\n", "etc/hosts")
    b.add_file(python, f"/usr/bin/{version}")
    b.add_symlink(version, "usr/bin/python3")
    b.add_symlink(version, "usr/bin/python")
    stdlib = Path("/usr/lib") / version
    base_libs = _elf_deps([python])
    dynload: list[Path] = []
    extra_libs: dict[str, str] = {}
    for so in sorted((stdlib / "lib-dynload").glob("*.so")):
        if so.name.startswith(("_test", "_xx", "xx", "_ctypes_test")):
            continue
        deps = _elf_deps([so])
        new = {k: v for k, v in deps.items() if k not in base_libs}
        if new and not full_dynload:
            continue
        dynload.append(so)
        extra_libs.update(new)
    _add_libraries(b, {**base_libs, **extra_libs})
    skip = set(_STDLIB_SKIP) | {"lib-dynload"}
    skip |= {p.name for p in stdlib.iterdir() if p.name.startswith("config-")}
    b.add_tree(stdlib, f"/usr/lib/{version}", skip=skip)
    for so in dynload:
        b.add_file(so, f"/usr/lib/{version}/lib-dynload/{so.name}")
    return layer


def _app_layer(dest: Path, app_config: dict[str, Any]) -> DemoLayer:
    layer = DemoLayer("app", dest / "layer-app")
    b = _Builder(layer)
    source = DEMO_APP_DIR / "server.py"
    if not source.exists():
        raise ColdStartError(f"demo app sources are missing ({source})")
    b.add_bytes(source.read_bytes(), "app/server.py")
    b.add_bytes(json.dumps(app_config, indent=2, sort_keys=True).encode() + b"\n", "app/app.json")
    return layer


def _config(kind: str) -> dict[str, Any]:
    return {
        "Entrypoint": ["/usr/bin/python3", "/app/server.py"],
        "Env": [
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "PYTHONDONTWRITEBYTECODE=1",
            "PYTHONUNBUFFERED=1",
            "LANG=C.UTF-8",
        ],
        "WorkingDir": "/app",
        "ExposedPorts": {"9000/tcp": {}},
        "Labels": {"io.github.fcdesk.demo": kind},
    }


_BLOATED_IMPORTS = [
    "idna",
    "sniffio",
    "h11",
    "certifi",
    "anyio",
    "httpcore",
    "httpx",
    "zstandard",
]


def build_demo_tree(
    kind: str,
    dest: str | os.PathLike[str],
    *,
    site_packages: str | os.PathLike[str] | None = None,
    min_size: int = int(1.05 * _GIB),
    assets: Sequence[str | os.PathLike[str]] = (),
    assets_budget: int | None = None,
) -> DemoImage:
    """Lay out the ``kind`` demo image's layers under ``dest`` (which must be empty or absent).

    ``site_packages`` (medium and bloated) defaults to the running environment's ``purelib``;
    ``min_size`` is the uncompressed size the bloated image must reach (assets are added from
    the machine's fonts and libraries until it does). ``assets``: absolute paths of files or
    directories on this machine copied to the same paths in a layer of their own, below the
    app's, that start-up never reads (makes the small image big enough for lazy pulls to
    matter, e.g. in tests over an emulated link); ``assets_budget`` caps that layer's size
    (assets are taken in the order given, files in name order, until it is reached).
    """
    if kind not in DEMO_KINDS:
        raise InvalidInput(f"unknown demo image {kind!r} (choose from {', '.join(DEMO_KINDS)})")
    root = Path(dest)
    if root.exists() and any(root.iterdir()):
        raise InvalidInput(f"{root} is not empty")
    root.mkdir(parents=True, exist_ok=True)
    extra = _extra_assets_layer(root, assets, assets_budget) if assets else None
    if kind == "small":
        runtime = _runtime_layer(root, full_dynload=False)
        app = _app_layer(root, {"imports": [], "data": []})
        layers = [runtime, app] if extra is None else [runtime, extra, app]
        return DemoImage(kind, layers, _config(kind), extra_paths=_asset_paths(assets))

    runtime = _runtime_layer(root, full_dynload=True)
    site = Path(site_packages or sysconfig.get_paths()["purelib"])
    if not (site / "httpx").is_dir():
        raise ColdStartError(f"{site} does not look like a site-packages with httpx in it")
    venv_site = "/opt/venv/lib/python3.11/site-packages"
    packages = DemoLayer("site-packages", root / "layer-site-packages")
    pb = _Builder(packages)
    for entry in sorted(site.iterdir()):
        if _SITE_SKIP.match(entry.name) or entry.name == "__pycache__":
            continue
        if entry.is_dir() and not entry.is_symlink():
            if kind == "medium" and tree_size(entry) > _MEDIUM_PACKAGE_LIMIT:
                continue
            pb.add_tree(entry, f"{venv_site}/{entry.name}")
        else:
            pb.add_file(entry, f"{venv_site}/{entry.name}")
    fonts_layer = DemoLayer("assets", root / "layer-assets")
    ab = _Builder(fonts_layer)
    ab.add_tree(Path("/usr/share/fonts"), "/usr/share/fonts")
    if kind == "medium":
        min_size = 0  # no filler: the medium image is what it holds
    budget = max(0, min_size - runtime.size - packages.size - fonts_layer.size)
    if budget:
        libs = DemoLayer("system-libraries", root / "layer-system-libraries")
        lb = _Builder(libs)
        lb.add_tree(
            Path("/usr/lib/x86_64-linux-gnu"),
            "/usr/lib/x86_64-linux-gnu",
            budget=budget,
        )
        layers = [runtime, libs, packages, fonts_layer]
    else:
        layers = [runtime, packages, fonts_layer]
    fonts = sorted(
        p
        for p in Path(fonts_layer.root, "usr/share/fonts").rglob("*")
        if p.is_file() and not p.is_symlink()
    )
    data = []
    if fonts:
        smallest = min(fonts, key=lambda p: abs(p.stat().st_size - (1 << 20)))
        data.append("/" + str(smallest.relative_to(fonts_layer.root)))
    app = _app_layer(root, {"sys_path": [venv_site], "imports": _BLOATED_IMPORTS, "data": data})
    if extra is not None:
        layers.append(extra)
    image = DemoImage(kind, [*layers, app], _config(kind), extra_paths=_asset_paths(assets))
    if image.size < min_size:
        raise ColdStartError(
            f"the bloated demo image reached only {image.size} bytes (wanted {min_size}); "
            "the machine lacks the files it is assembled from"
        )
    return image


def _asset_paths(assets: Sequence[str | os.PathLike[str]]) -> list[str]:
    paths = []
    for item in assets:
        path = Path(item)
        if not path.is_absolute():
            raise InvalidInput(f"demo asset {item} must be an absolute path")
        paths.append(str(path).lstrip("/"))
    return paths


def _extra_assets_layer(
    root: Path, assets: Sequence[str | os.PathLike[str]], budget: int | None = None
) -> DemoLayer:
    layer = DemoLayer("extra-assets", root / "layer-extra-assets")
    builder = _Builder(layer)
    for rel in _asset_paths(assets):
        source = Path("/") / rel
        if budget is not None and layer.size >= budget:
            break
        if source.is_dir() and not source.is_symlink():
            builder.add_tree(source, "/" + rel, budget=budget)
        elif source.is_file():
            builder.add_file(source, "/" + rel)
        else:
            raise InvalidInput(f"demo asset {source} is not a file or directory on this machine")
    return layer


def merge_layers(image: DemoImage, dest: str | os.PathLike[str]) -> Path:
    """Copy every layer of a demo tree into one root filesystem directory (no whiteouts
    are involved in demo images); used to measure the function's start on a local disk."""
    root = Path(dest)
    root.mkdir(parents=True, exist_ok=True)
    for layer in image.layers:
        shutil.copytree(
            layer.root,
            root,
            symlinks=True,
            dirs_exist_ok=True,
            copy_function=_link_or_copy,
        )
    return root


def _link_or_copy(src: str, dst: str) -> None:
    if os.path.lexists(dst):
        os.unlink(dst)  # an upper layer replaces the file
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def import_options(image: DemoImage) -> ImportOptions:
    """How ``fcaccel import`` lays the demo tree out as image layers (one per demo layer,
    large ones split at 512 MiB), with the demo's config.

    File times are kept as they are on this machine: Python checks its byte code against
    the source files' mtimes, and rewritten times would make the interpreter recompile its
    whole standard library on every start.
    """
    config = image.config
    prefixes = {
        "small": ["app"],
        "medium": ["opt/venv", "usr/share/fonts", "app"],
        "bloated": ["usr/lib/x86_64-linux-gnu", "opt/venv", "usr/share/fonts", "app"],
    }[image.kind]
    prefixes = [*image.extra_paths, *prefixes]
    return ImportOptions(
        compression=Compression.GZIP,
        split_paths=prefixes,
        max_layer_size=512 << 20,
        entrypoint=config["Entrypoint"],
        env=config["Env"],
        working_dir=config["WorkingDir"],
        exposed_ports=list(config["ExposedPorts"]),
        labels=config["Labels"],
        created_by="fcaccel demo build",
    )


@dataclass(slots=True)
class DemoBuildResult:
    """What :func:`build_demo_image` pushed."""

    kind: str
    plain: str
    accelerated: str | None
    plain_digest: str
    accelerated_digest: str | None = None
    order: str | None = None
    profile: tuple[str, ...] = ()
    image_size: int = 0
    plain_bytes: int = 0
    accelerated_bytes: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "plain": self.plain,
            "plain_digest": self.plain_digest,
            "accelerated": self.accelerated,
            "accelerated_digest": self.accelerated_digest,
            "order": self.order,
            "profile_files": len(self.profile),
            "uncompressed_size": self.image_size,
            "plain_bytes": self.plain_bytes,
            "accelerated_bytes": self.accelerated_bytes,
            "timings": self.timings,
            "warnings": self.warnings,
        }


async def build_demo_image(
    client: RegistryClient,
    kind: str,
    reference: str,
    workdir: str | os.PathLike[str],
    *,
    accelerate: bool = True,
    optimize: bool = True,
    cache: ContentCache | None = None,
    site_packages: str | os.PathLike[str] | None = None,
    assets: Sequence[str | os.PathLike[str]] = (),
    assets_budget: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> DemoBuildResult:
    """Build the ``kind`` demo image and push it as ``reference`` (plain), then
    ``<tag>_accelerated``: first converted in *preserve* order, then run once over a lazy
    mount to record its start-up profile (pushed with the plain image), then converted again
    in *optimized* order with that profile (the tag then names the optimized image).

    Profile recording needs exec mode (FUSE and bubblewrap); without it the accelerated
    image stays in preserve order and a warning says so. ``site_packages``, ``assets`` and
    ``assets_budget``: see :func:`build_demo_tree`.
    """
    from core.coldstart._record import (
        optimize_with_profile,
        publish_profile,
        record_startup_profile,
    )
    from core.coldstart._runner import exec_available

    ref = ImageReference.parse(reference)
    work = Path(workdir)
    timings: dict[str, float] = {}
    t = time.monotonic()
    emit(on_progress, Progress("demo", 0, 5, "tree"))
    image = await asyncio.to_thread(
        build_demo_tree,
        kind,
        work / "layers",
        site_packages=site_packages,
        assets=assets,
        assets_budget=assets_budget,
    )
    rootfs = await asyncio.to_thread(merge_layers, image, work / "rootfs")
    timings["tree"] = time.monotonic() - t
    t = time.monotonic()
    emit(on_progress, Progress("demo", 1, 5, "import"))
    imported = await import_rootfs(
        rootfs, str(ref), client=client, options=import_options(image), on_progress=on_progress
    )
    timings["import"] = time.monotonic() - t
    result = DemoBuildResult(
        kind=kind,
        plain=str(ref),
        accelerated=None,
        plain_digest=str(imported.manifest.digest),
        image_size=image.size,
        plain_bytes=sum(layer.size for layer in imported.manifest.layers),
        timings=timings,
    )
    await asyncio.to_thread(shutil.rmtree, work / "rootfs", True)
    await asyncio.to_thread(shutil.rmtree, work / "layers", True)
    if not accelerate:
        return result
    t = time.monotonic()
    emit(on_progress, Progress("demo", 2, 5, "convert-preserve"))
    converted = await convert_image(
        client, ref, options=ConvertOptions(order=Order.PRESERVE), on_progress=on_progress
    )
    timings["convert_preserve"] = time.monotonic() - t
    result.accelerated = converted.target
    result.accelerated_digest = converted.digest
    result.order = "preserve"
    result.accelerated_bytes = converted.bytes_out
    result.warnings.extend(converted.warnings)
    if not optimize:
        return result
    reason = exec_available()
    if reason is not None:
        result.warnings.append(f"start-up profile not recorded ({reason}); kept preserve order")
        return result
    t = time.monotonic()
    emit(on_progress, Progress("demo", 3, 5, "record-profile"))
    cache = cache or ContentCache(work / "cache")
    recording = await record_startup_profile(
        client,
        converted.target,
        workdir=work / "profile",
        cache=cache,
        run_mode="exec",
        function_name=f"demo-{kind}",
    )
    if recording.first_status != 200:
        raise ColdStartError(f"the demo function answered HTTP {recording.first_status}")
    profile = recording.profile
    await publish_profile(client, recording)
    await asyncio.to_thread(save_cached_profile, cache, result.plain_digest, profile)
    timings["record_profile"] = time.monotonic() - t
    t = time.monotonic()
    emit(on_progress, Progress("demo", 4, 5, "convert-optimized"))
    optimized = await optimize_with_profile(client, recording, on_progress=on_progress)
    timings["convert_optimized"] = time.monotonic() - t
    result.accelerated = optimized.target
    result.accelerated_digest = optimized.digest
    result.order = "optimized"
    result.profile = profile.paths
    result.accelerated_bytes = optimized.bytes_out
    result.warnings.extend(optimized.warnings)
    emit(on_progress, Progress("demo", 5, 5, "done"))
    return result
