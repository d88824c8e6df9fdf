"""Sandboxed function processes: isolation, readiness, the host bridge, teardown."""

from __future__ import annotations

import asyncio
import select
from pathlib import Path

import httpx
import pytest

from core.coldstart._demo import build_demo_tree, merge_layers
from core.coldstart._sandbox import Sandbox, SandboxSpec, sandbox_available
from core.errors import ColdStartError

ENV = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture(scope="module")
def small_rootfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert sandbox_available() is None, sandbox_available()
    base = tmp_path_factory.mktemp("demo")
    image = build_demo_tree("small", base / "layers")
    return merge_layers(image, base / "rootfs")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def _run(rootfs: Path, code: str) -> tuple[int | None, str]:
    box = Sandbox(SandboxSpec(rootfs=rootfs, argv=["python3", "-c", code], env=ENV))
    await box.start()
    assert box._proc is not None
    await asyncio.wait_for(box._proc.wait(), 30)
    rc = await box.stop()
    return rc, box.log_tail(50)


async def test_parallel_instances_share_port_9000(small_rootfs: Path) -> None:
    boxes = [
        Sandbox(
            SandboxSpec(
                rootfs=small_rootfs,
                argv=["/usr/bin/python3", "/app/server.py"],
                env={**ENV, "FC_FUNCTION_NAME": f"fn-{i}"},
                workdir="/app",
            )
        )
        for i in range(3)
    ]
    try:
        await asyncio.gather(*(b.start() for b in boxes))
        started = await asyncio.gather(*(b.wait_ready(limit_s=30) for b in boxes))
        assert all(s > 0 for s in started)
        assert len({b.host_port for b in boxes}) == 3
        async with httpx.AsyncClient() as client:
            for i, box in enumerate(boxes):
                r = await client.post(
                    f"{box.endpoint}/invoke", content=b"event", headers={"x-fc-request-id": "r"}
                )
                assert r.status_code == 200
                assert r.headers["x-fc-status"] == "200"
                assert r.json()["function"] == f"fn-{i}"
                assert r.json()["eventBytes"] == 5
        assert any("invoke r event=5B" in line.text for line in boxes[0].logs)
    finally:
        codes = await asyncio.gather(*(b.stop() for b in boxes))
    assert all(code is not None for code in codes)
    for box in boxes:
        assert box.child_pid is not None
        assert not _alive(box.child_pid)


async def test_sandbox_is_read_only_with_private_network(small_rootfs: Path) -> None:
    code = (
        "import socket, os\n"
        "print('ifaces', sorted(n for _, n in socket.if_nameindex()))\n"
        "open('/tmp/w', 'w').write('ok'); print('tmp writable')\n"
        "try:\n    open('/app/x', 'w')\nexcept OSError as e:\n    print('root ro', e.errno)\n"
        "print('cwd', os.getcwd(), 'uid', os.getuid(), 'env', sorted(os.environ))\n"
    )
    rc, out = await _run(small_rootfs, code)
    assert rc == 0, out
    assert "ifaces ['lo']" in out
    assert "tmp writable" in out
    assert "root ro 30" in out  # EROFS
    assert "cwd / uid 0" in out
    assert "env ['PATH', 'PWD', 'PYTHONDONTWRITEBYTECODE']" in out  # nothing from the host


async def test_process_that_exits_is_reported(small_rootfs: Path) -> None:
    box = Sandbox(
        SandboxSpec(rootfs=small_rootfs, argv=["python3", "-c", "print('boom'); exit(3)"], env=ENV)
    )
    await box.start()
    try:
        with pytest.raises(ColdStartError, match="exited with 3") as info:
            await box.wait_ready(limit_s=30)
        assert info.value.code == "FunctionNotStarted"
        assert "boom" in str(info.value)
    finally:
        await box.stop()


async def test_missing_entrypoint(small_rootfs: Path) -> None:
    box = Sandbox(SandboxSpec(rootfs=small_rootfs, argv=["/no/such/binary"], env=ENV))
    await box.start()
    try:
        with pytest.raises(ColdStartError):
            await box.wait_ready(limit_s=10)
    finally:
        await box.stop()


async def test_missing_entrypoint_says_so(small_rootfs: Path) -> None:
    box = Sandbox(SandboxSpec(rootfs=small_rootfs, argv=["/no/such/binary"], env=ENV))
    await box.start()
    try:
        with pytest.raises(ColdStartError) as info:
            await box.wait_ready(limit_s=10)
        assert info.value.code == "FunctionNotStarted"
        assert "'/no/such/binary' cannot be run" in str(info.value)
        assert "No such file or directory" in str(info.value)
    finally:
        await box.stop()


async def test_entrypoint_gone_before_its_namespace_is_joined(
    small_rootfs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However fast the process exits (here: gone before the host joins its network
    namespace), a missing entrypoint gets its own error, not a missing /proc file."""
    from core.coldstart import _sandbox

    read_info = _sandbox._read_info

    def read_info_then_wait_for_exit(fd: int) -> dict[str, object]:
        info = read_info(fd)
        pid = int(str(info["child-pid"]))
        while _alive(pid):  # the child exits at once: its execvp fails
            select.select([], [], [], 0.01)
        return info

    monkeypatch.setattr(_sandbox, "_read_info", read_info_then_wait_for_exit)
    box = Sandbox(SandboxSpec(rootfs=small_rootfs, argv=["/no/such/binary"], env=ENV))
    await box.start()
    try:
        with pytest.raises(ColdStartError) as info:
            await box.wait_ready(limit_s=10)
        assert "'/no/such/binary' cannot be run" in str(info.value)
    finally:
        await box.stop()
