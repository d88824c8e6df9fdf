from __future__ import annotations

import pytest

from core.errors import InvalidReference
from core.oci import Digest, ImageReference, is_loopback_host, registry_base_url, v2_path

D = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("ubuntu", "docker.io", "library/ubuntu", "latest", None),
        ("ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", None),
        ("library/ubuntu", "docker.io", "library/ubuntu", "latest", None),
        ("docker.io/ubuntu", "docker.io", "library/ubuntu", "latest", None),
        ("index.docker.io/ubuntu", "docker.io", "library/ubuntu", "latest", None),
        ("bitnami/redis:7", "docker.io", "bitnami/redis", "7", None),
        ("localhost/foo", "localhost", "foo", "latest", None),
        ("localhost:5000/foo/bar:v1", "localhost:5000", "foo/bar", "v1", None),
        ("127.0.0.1:5000/a", "127.0.0.1:5000", "a", "latest", None),
        ("[::1]:5000/a/b:c", "[::1]:5000", "a/b", "c", None),
        ("registry.example.com/ns/app@" + D, "registry.example.com", "ns/app", None, D),
        ("ghcr.io/o/r:tag@" + D, "ghcr.io", "o/r", "tag", D),
        ("Registry.Example/x", "Registry.Example", "x", "latest", None),
        ("host:443/a__b/c-d/e.f_g", "host:443", "a__b/c-d/e.f_g", "latest", None),
        ("localhost:5000", "docker.io", "library/localhost", "5000", None),
    ],
)
def test_parse_normalises(
    text: str, registry: str, repository: str, tag: str | None, digest: str | None
) -> None:
    ref = ImageReference.parse(text)
    assert ref.registry == registry
    assert ref.repository == repository
    assert ref.tag == tag
    assert (str(ref.digest) if ref.digest else None) == digest
    # the normalised string parses back to the same reference
    assert ImageReference.parse(str(ref)) == ref


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("library/UPPER", "lowercase"),
        ("docker.io/Foo", "lowercase"),
        ("foo:", "empty tag"),
        ("foo:-bad", "invalid tag"),
        ("foo:" + "a" * 129, "invalid tag"),
        ("foo@sha256:123", "invalid digest"),
        ("foo@md5:" + "0" * 32, "invalid digest"),
        ("a//b", "component"),
        ("a/-b", "component"),
        ("a/b_", "component"),
        ("has space", "invalid image reference"),
        ("example.com/", "empty repository"),
        ("-bad.host/x", "invalid registry"),
        ("example.com:port/x", "invalid registry"),
        ("x/" + "a" * 300, "longer than"),
    ],
)
def test_invalid_references(text: str, reason: str) -> None:
    with pytest.raises(InvalidReference) as info:
        ImageReference.parse(text)
    assert reason in str(info.value)


def test_no_default_tag_and_forms() -> None:
    ref = ImageReference.parse("ubuntu", default_tag=None)
    assert ref.tag is None
    assert ref.reference == "latest"
    full = ImageReference.parse("ubuntu:1@" + D)
    assert full.reference == D
    assert full.familiar == "ubuntu:1@" + D
    assert str(full) == "docker.io/library/ubuntu:1@" + D
    assert full.name == "docker.io/library/ubuntu"
    assert full.with_tag("2").reference == "2"
    assert full.with_tag("2").digest is None
    pinned = ImageReference.parse("r.example/x:t").with_digest(Digest.parse(D))
    assert pinned.tag == "t"
    assert pinned.digest == Digest.parse(D)
    with pytest.raises(InvalidReference):
        full.with_tag("bad tag")


def test_frozen() -> None:
    ref = ImageReference.parse("a/b")
    with pytest.raises(AttributeError):
        ref.tag = "x"  # type: ignore[misc]


def test_urls_and_schemes() -> None:
    hub = ImageReference.parse("ubuntu:22.04")
    assert hub.api_host == "registry-1.docker.io"
    assert hub.manifest_url() == "https://registry-1.docker.io/v2/library/ubuntu/manifests/22.04"
    local = ImageReference.parse("127.0.0.1:5000/a/b@" + D)
    assert local.manifest_url() == f"http://127.0.0.1:5000/v2/a/b/manifests/{D}"
    assert local.blob_url(D) == f"http://127.0.0.1:5000/v2/a/b/blobs/{D}"
    assert local.tags_url() == "http://127.0.0.1:5000/v2/a/b/tags/list"
    assert local.uploads_url() == "http://127.0.0.1:5000/v2/a/b/blobs/uploads/"
    assert local.base_url(insecure=False) == "https://127.0.0.1:5000"
    assert registry_base_url("r.example:8443", insecure=True) == "http://r.example:8443"
    assert registry_base_url("localhost:5000") == "http://localhost:5000"
    assert v2_path("a/b", "manifests", "t") == "/v2/a/b/manifests/t"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("localhost:5000", True),
        ("127.0.0.1", True),
        ("127.1.2.3:80", True),
        ("[::1]:5000", True),
        ("::1", True),
        ("10.0.0.1:5000", False),
        ("example.com", False),
        ("localhost.example.com", False),
    ],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# no "." so that a first component is never taken for a registry host
_component = st.from_regex(r"[a-z0-9]{1,8}(?:(?:_|__|-+)[a-z0-9]{1,8}){0,2}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(
    host=st.sampled_from(["", "localhost:5000/", "r.example.com/", "127.0.0.1:80/", "docker.io/"]),
    path=st.lists(_component, min_size=1, max_size=3),
    tag=st.none() | st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True),
)
def test_parse_is_idempotent(host: str, path: list[str], tag: str | None) -> None:
    text = host + "/".join(path) + (f":{tag}" if tag else "")
    ref = ImageReference.parse(text)
    assert ImageReference.parse(str(ref)) == ref
    assert ref.repository.endswith("/".join(path))
    assert ref.tag == (tag or "latest")


def test_try_parse_gives_none_instead_of_raising() -> None:
    assert ImageReference.try_parse("not a reference") is None
    assert ImageReference.try_parse("") is None
    ref = ImageReference.try_parse("127.0.0.1:5000/ns/app")
    assert ref is not None
    assert (ref.registry, ref.repository, ref.tag) == ("127.0.0.1:5000", "ns/app", None)
    tagged = ImageReference.try_parse("127.0.0.1:5000/ns/app", default_tag="latest")
    assert tagged is not None
    assert tagged.tag == "latest"
