"""A tag pushed while the Images screen is open arrives with its size and date.

Before, the Local server's ``tag.pushed`` event carried only repo, tag and digest: the
row inserted live showed "—" for Size and Updated (until the next full reload), its digest
was written ``sha256:…`` while listed rows showed bare hex, and a tag listed first and then
announced (the seeded demo) lost its size.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from core.cloud import open_clients
from core.settings import LocalProfile
from gui.backend._core import CoreBackend
from gui.viewmodels.images_vm import ImagesViewModel
from tests.core.emulator.helpers import push_image
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread

pytestmark = [pytest.mark.integration]


def _run(qtbot, coro):
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=30_000)
    return task.result()


async def _push(srv: LocalServerHandle, tag: str, content: bytes = b"") -> None:
    async with srv.registry_client() as reg:
        await push_image(reg, "demo/app", tag, {"app.txt": b"x" * 5000 + (content or tag.encode())})


def test_live_pushed_tag_has_size_date_and_the_listing_digest_form(
    qtbot, ctx, tmp_path: Path
) -> None:
    srv = start_local_server_thread(tmp_path / "local")
    http = httpx.AsyncClient(timeout=60)
    try:
        _run(qtbot, _push(srv, "v1"))
        profile = LocalProfile(url=srv.url, access_key_id=srv.access_key_id)
        backend = CoreBackend(open_clients(profile, http, srv.credentials), http, kind="local")
        vm = ImagesViewModel(ctx)
        ctx.set_backend(backend, profile="Local", kind="local")
        qtbot.waitUntil(lambda: vm.tags.has_tag("v1"), timeout=20_000)
        qtbot.waitUntil(lambda: ctx.events.live, timeout=20_000)

        _run(qtbot, _push(srv, "v2"))
        qtbot.waitUntil(lambda: vm.tags.has_tag("v2"), timeout=20_000)
        listed = vm.tags.tag_at(vm.tags.row_of_tag("v1"))
        pushed = vm.tags.tag_at(vm.tags.row_of_tag("v2"))
        assert pushed.size > 5000
        assert pushed.updated
        assert int(pushed.updated) >= int(listed.updated)
        assert listed.digest.startswith("sha256:")
        assert pushed.digest.startswith("sha256:")

        # The same tag announced again (pushed anew) keeps size and date.
        _run(qtbot, _push(srv, "v1", b"new code"))
        qtbot.waitUntil(lambda: vm.tags.tag_at(vm.tags.row_of_tag("v1")) != listed, timeout=20_000)
        again = vm.tags.tag_at(vm.tags.row_of_tag("v1"))
        assert again.size > 5000
        assert again.updated
        ctx.set_backend(None)
        vm.deleteLater()
    finally:
        _run(qtbot, http.aclose())
        srv.stop()
