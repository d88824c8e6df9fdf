from __future__ import annotations

import hashlib

import pytest

from core.errors import DigestMismatch, InvalidDigest, InvalidInput
from core.oci import Digest, DigestHasher

EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_parse_and_str_round_trip() -> None:
    d = Digest.parse(EMPTY)
    assert d.algorithm == "sha256"
    assert str(d) == EMPTY
    assert d.encoded == d.hex == EMPTY.split(":")[1]
    assert d.short == EMPTY[7:19]
    assert Digest.parse(d) is d


def test_of_bytes_sha256_and_sha512() -> None:
    assert str(Digest.of_bytes(b"")) == EMPTY
    d512 = Digest.of_bytes(b"abc", "sha512")
    assert d512.hex == hashlib.sha512(b"abc").hexdigest()
    assert Digest.parse(str(d512)) == d512


@pytest.mark.parametrize(
    "text",
    [
        "",
        "sha256",
        "sha256:",
        ":abc",
        "sha256:" + "A" * 64,  # upper case is not canonical
        "sha256:" + "0" * 63,
        "sha512:" + "0" * 64,
        "md5:" + "0" * 32,
        "SHA256:" + "0" * 64,
        "sha256:" + "g" * 64,
    ],
)
def test_invalid_digests(text: str) -> None:
    with pytest.raises(InvalidDigest):
        Digest.parse(text)


def test_invalid_digest_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        Digest.parse("nope")


def test_verify_and_mismatch() -> None:
    d = Digest.of_bytes(b"hello")
    d.verify(b"hello")
    with pytest.raises(DigestMismatch) as info:
        d.verify(b"hellO")
    assert info.value.expected == str(d)
    assert info.value.actual == str(Digest.of_bytes(b"hellO"))
    assert d.matches(str(d))
    assert not d.matches(Digest.of_bytes(b"x"))


def test_incremental_hasher_matches_one_shot() -> None:
    h = DigestHasher()
    for part in (b"a" * 1000, b"b" * 5, b""):
        h.update(part)
    assert h.size == 1005
    clone = h.copy()
    clone.update(b"c")
    assert h.digest() == Digest.of_bytes(b"a" * 1000 + b"b" * 5)
    assert clone.digest() == Digest.of_bytes(b"a" * 1000 + b"b" * 5 + b"c")
    assert Digest.parse(EMPTY).new_hasher().algorithm == "sha256"
    with pytest.raises(InvalidDigest):
        DigestHasher("md5")


def test_digests_are_hashable_and_ordered() -> None:
    a, b = Digest.of_bytes(b"a"), Digest.of_bytes(b"b")
    assert len({a, b, Digest.parse(str(a))}) == 2
    assert sorted([a, b]) == sorted([b, a])
