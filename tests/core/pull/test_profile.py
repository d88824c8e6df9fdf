"""Start-up profiles: text form, registry artifact, local cache, converter compatibility."""

from __future__ import annotations

from pathlib import Path

from core.convert import load_profile
from core.oci import Digest
from core.pull._cache import ContentCache
from core.pull._profile import (
    StartupProfile,
    fetch_profile,
    load_cached_profile,
    profile_tag,
    push_profile,
    save_cached_profile,
)
from core.registry import RegistryClient
from tests.core.pull._images import entry, push_image
from tests.fixtures.registry import RunningRegistry


def test_text_round_trip_and_converter_reads_it(tmp_path: Path) -> None:
    profile = StartupProfile.from_paths(
        ["/usr/bin/python3.11", "usr/lib/x.py", "usr/bin/python3.11", "app/server.py"],
        image="sha256:" + "a" * 64,
    )
    assert profile.paths == ("usr/bin/python3.11", "usr/lib/x.py", "app/server.py")
    again = StartupProfile.from_text(profile.to_text())
    assert again == profile
    path = tmp_path / "profile.txt"
    path.write_bytes(profile.to_text())
    assert load_profile(path) == profile.paths
    assert profile.digest == Digest.of_bytes(b"usr/bin/python3.11\nusr/lib/x.py\napp/server.py")


async def test_push_fetch_and_cache(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    async with RegistryClient(distribution_registry.host) as client:
        pushed = await push_image(client, unique_repo, [[entry("a", data=b"1")]])
        subject = pushed.manifest.descriptor()
        assert await fetch_profile(client, unique_repo, subject.digest) is None
        profile = StartupProfile.from_paths(["a"], image=str(subject.digest))
        await push_profile(client, unique_repo, profile, subject)
        got = await fetch_profile(client, unique_repo, subject.digest)
        assert got == profile
        tags = [t async for t in client.list_tags(unique_repo)]
        assert profile_tag(subject.digest) in tags
    cache = ContentCache(tmp_path / "c")
    assert load_cached_profile(cache, subject.digest) is None
    save_cached_profile(cache, subject.digest, profile)
    assert load_cached_profile(cache, subject.digest) == profile
