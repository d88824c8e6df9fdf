"""Without the FUSE bindings (pyfuse3 missing, as off Linux): ``core.pull`` still imports,
full and lazy pulls still work, and only a mount fails, with a clear error."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.pull._cache import ContentCache
from core.pull._full import pull_image
from core.registry import RegistryClient
from tests.core.pull.test_lazy import _accelerated, disk_tree
from tests.fixtures.registry import RunningRegistry

_REPO = Path(__file__).resolve().parents[3]
# Runs in a fresh interpreter where ``import pyfuse3`` raises ImportError.
_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from pathlib import Path

    sys.modules["pyfuse3"] = None  # any `import pyfuse3` now raises ImportError
    try:
        import pyfuse3  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("pyfuse3 was importable")

    import core.pull
    from core.errors import MountError
    from core.pull import ContentCache, LazyImage, LazyMount, fuse_available, pull_image
    from core.registry import RegistryClient

    source, target, work = sys.argv[1], sys.argv[2], Path(sys.argv[3])

    async def main():
        out = {"fuse_available": fuse_available()}
        async with RegistryClient(source.split("/", 1)[0]) as client:
            cache = ContentCache(work / "c1")
            result = await pull_image(client, source, work / "rootfs", cache=cache)
            out["rootfs"] = str(result.rootfs)
            image = await LazyImage.open(client, target, cache=ContentCache(work / "c2"))
            try:
                node = image.lookup("app/main.py")
                out["lazy_read"] = (await image.read(node, 0, 15)).decode()
                try:
                    async with LazyMount(image, work / "mnt"):
                        out["mount"] = "mounted"
                except MountError as exc:
                    out["mount"] = {"code": exc.code, "message": str(exc)}
            finally:
                await image.aclose()
        out["pyfuse3_loaded"] = sys.modules.get("pyfuse3") is not None
        print(json.dumps(out))

    asyncio.run(main())
    """
)


@pytest.fixture
async def registry(distribution_registry: RunningRegistry) -> AsyncIterator[RegistryClient]:
    async with RegistryClient(distribution_registry.host) as client:
        yield client


async def test_pulls_work_and_mounts_fail_clearly_without_pyfuse3(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    source, target = await _accelerated(registry, distribution_registry.host, unique_repo)
    # The pull blocks the loop no one else uses here (the registry is another process).
    proc = subprocess.run(  # noqa: ASYNC221
        [sys.executable, "-c", _SCRIPT, source, target, str(tmp_path / "work")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=_REPO,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert "pyfuse3" in out["fuse_available"]
    assert out["pyfuse3_loaded"] is False
    # The full pull gave the same tree as one made where the bindings are present.
    reference = await pull_image(
        registry, source, tmp_path / "reference", cache=ContentCache(tmp_path / "c")
    )
    assert disk_tree(Path(out["rootfs"])) == disk_tree(reference.rootfs)
    assert out["lazy_read"] == "print('hello')\n"
    assert out["mount"]["code"] == "FuseUnavailable"
    assert "pyfuse3" in out["mount"]["message"]
    assert "not installed" in out["mount"]["message"]
