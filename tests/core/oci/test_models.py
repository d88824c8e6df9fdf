from __future__ import annotations

import json

import pytest

from core.errors import DigestMismatch, InvalidInput, ManifestError, UnsupportedMediaType
from core.oci import (
    DOCKER_CONFIG,
    DOCKER_LAYER_GZIP,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    OCI_CONFIG,
    OCI_INDEX,
    OCI_LAYER,
    OCI_LAYER_GZIP,
    OCI_LAYER_ZSTD,
    OCI_MANIFEST,
    Compression,
    Descriptor,
    Digest,
    History,
    ImageConfig,
    Index,
    Manifest,
    Platform,
    is_config,
    is_docker,
    is_index,
    is_layer,
    is_manifest,
    layer_compression,
    layer_media_type,
    parse_manifest,
)

CFG = Descriptor(OCI_CONFIG, Digest.of_bytes(b"{}"), 2)
L1 = Descriptor(OCI_LAYER_GZIP, Digest.of_bytes(b"l1"), 2)

# A manifest as some other tool writes it: indented, odd key order, unknown fields.
FOREIGN = b"""{
   "schemaVersion": 2,
   "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
              "size": 2, "digest": "%s", "x-extra": [1, 2]},
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
               "size": 2, "digest": "%s",
               "urls": ["https://example.invalid/l1"]}],
   "vendorField": {"a": "b"}
}
""" % (str(Digest.of_bytes(b"{}")).encode(), str(Digest.of_bytes(b"l1")).encode())


def test_media_type_helpers() -> None:
    assert is_index(OCI_INDEX)
    assert is_index(DOCKER_MANIFEST_LIST)
    assert is_manifest(OCI_MANIFEST)
    assert is_manifest(DOCKER_MANIFEST + "; charset=utf-8")
    assert not is_manifest(OCI_INDEX)
    assert is_config(DOCKER_CONFIG)
    assert is_config(OCI_CONFIG)
    assert is_layer(OCI_LAYER_ZSTD)
    assert not is_layer(OCI_CONFIG)
    assert is_docker(DOCKER_LAYER_GZIP)
    assert not is_docker(OCI_LAYER)
    assert layer_compression(OCI_LAYER_ZSTD) is Compression.ZSTD
    assert layer_compression(DOCKER_LAYER_GZIP) is Compression.GZIP
    assert layer_compression(OCI_LAYER) is Compression.NONE
    with pytest.raises(UnsupportedMediaType):
        layer_compression("application/x-unknown")
    assert layer_media_type("gzip") == OCI_LAYER_GZIP
    assert layer_media_type(Compression.GZIP, docker=True) == DOCKER_LAYER_GZIP
    with pytest.raises(UnsupportedMediaType):
        layer_media_type("zstd", docker=True)


def test_foreign_manifest_round_trips_byte_exact() -> None:
    m = Manifest.parse(FOREIGN, DOCKER_MANIFEST)
    assert m.raw == FOREIGN
    assert m.digest == Digest.of_bytes(FOREIGN)
    assert m.media_type == DOCKER_MANIFEST
    assert m.config.extra == {"x-extra": [1, 2]}
    assert m.layers[0].urls == ("https://example.invalid/l1",)
    assert m.extra == {"vendorField": {"a": "b"}}
    # a modified copy keeps unknown fields
    evolved = m.evolve(annotations={"k": "v"})
    obj = json.loads(evolved.raw)
    assert obj["vendorField"] == {"a": "b"}
    assert obj["config"]["x-extra"] == [1, 2]
    assert obj["annotations"] == {"k": "v"}
    assert evolved.digest != m.digest
    # parse with the right digest verifies, with a wrong one fails
    Manifest.parse(FOREIGN, digest=m.digest)
    with pytest.raises(DigestMismatch):
        Manifest.parse(FOREIGN + b" ", digest=m.digest)


def test_built_manifest_is_deterministic() -> None:
    a = Manifest.build(CFG, [L1], annotations={"x": "y"})
    b = Manifest.build(CFG, [L1], annotations={"x": "y"})
    assert a.raw == b.raw
    assert a.raw.startswith(b'{"schemaVersion":2,"mediaType":"' + OCI_MANIFEST.encode())
    assert Manifest.parse(a.raw) == a
    assert a.blobs == (CFG, L1)
    assert a.descriptor().size == len(a.raw)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"not json", ManifestError),
        (b"[]", ManifestError),
        (b'{"schemaVersion": 1, "fsLayers": []}', UnsupportedMediaType),
        (b'{"schemaVersion": 3, "config": {}}', ManifestError),
        (b'{"schemaVersion": 2, "mediaType": "application/x-foo"}', UnsupportedMediaType),
        (
            b'{"schemaVersion": 2, "mediaType": "' + OCI_MANIFEST.encode() + b'", "layers": []}',
            ManifestError,
        ),
        (
            b'{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:zz","size":1}}',
            ManifestError,
        ),
        (
            b'{"schemaVersion":2,"config":{"mediaType":"a","digest":"'
            + str(Digest.of_bytes(b"")).encode()
            + b'","size":-1}}',
            ManifestError,
        ),
    ],
)
def test_bad_manifests(raw: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_manifest(raw)


def test_schema1_header_is_unsupported() -> None:
    with pytest.raises(UnsupportedMediaType):
        parse_manifest(
            b'{"schemaVersion":2,"config":{}}',
            "application/vnd.docker.distribution.manifest.v1+prettyjws",
        )


def test_index_round_trip_and_select() -> None:
    amd = Descriptor(OCI_MANIFEST, Digest.of_bytes(b"a"), 1, platform=Platform.parse("linux/amd64"))
    arm = Descriptor(
        OCI_MANIFEST, Digest.of_bytes(b"b"), 1, platform=Platform.parse("linux/arm64/v8")
    )
    idx = Index.build([amd, arm], annotations={"a": "b"})
    parsed = parse_manifest(idx.raw)
    assert isinstance(parsed, Index)
    assert parsed == idx
    assert idx.select(Platform.parse("linux/arm64")).digest == arm.digest
    assert idx.select(Platform("linux", "amd64")).digest == amd.digest
    with pytest.raises(ManifestError, match="s390x"):
        idx.select(Platform.parse("linux/s390x"))
    # an index without mediaType (allowed by OCI) is recognised by its shape
    bare = Index.build([amd], include_media_type=False)
    assert b'mediaType":"application/vnd.oci.image.index' not in bare.raw
    assert isinstance(parse_manifest(bare.raw), Index)
    assert bare.evolve(manifests=[arm]).media_type_in_body is False
    with pytest.raises(InvalidInput):
        idx.evolve(nope=1)


def test_platform_parse_and_str() -> None:
    p = Platform.parse("linux/arm/v7")
    assert str(p) == "linux/arm/v7"
    assert p.to_dict() == {"architecture": "arm", "os": "linux", "variant": "v7"}
    with pytest.raises(InvalidInput):
        Platform.parse("linux")
    assert Platform.from_dict({"os": "linux", "architecture": "amd64", "x": 1}).extra == {"x": 1}


def test_image_config_build_and_views() -> None:
    diff = [Digest.of_bytes(b"t1"), Digest.of_bytes(b"t2")]
    cfg = ImageConfig.build(
        diff_ids=diff,
        created="1970-01-01T00:00:00Z",
        env=["PATH=/bin"],
        entrypoint=["/app"],
        cmd=["--serve"],
        working_dir="/srv",
        exposed_ports=["9000", "53/udp"],
        labels={"a": "b"},
        user="1000",
        history=[History(created="1970-01-01T00:00:00Z", created_by="test")],
    )
    again = ImageConfig.build(
        diff_ids=diff,
        created="1970-01-01T00:00:00Z",
        env=["PATH=/bin"],
        entrypoint=["/app"],
        cmd=["--serve"],
        working_dir="/srv",
        exposed_ports=["9000", "53/udp"],
        labels={"a": "b"},
        user="1000",
        history=[History(created="1970-01-01T00:00:00Z", created_by="test")],
    )
    assert cfg.raw == again.raw
    assert cfg.diff_ids == tuple(diff)
    assert cfg.env == ("PATH=/bin",)
    assert cfg.entrypoint == ("/app",)
    assert cfg.cmd == ("--serve",)
    assert cfg.working_dir == "/srv"
    assert cfg.user == "1000"
    assert cfg.exposed_ports == ("9000/tcp", "53/udp")
    assert cfg.labels == {"a": "b"}
    assert cfg.platform == Platform("linux", "amd64")
    assert cfg.history[0].created_by == "test"
    assert cfg.created == "1970-01-01T00:00:00Z"
    assert cfg.descriptor().digest == Digest.of_bytes(cfg.raw)
    changed = cfg.evolve(os="windows")
    assert changed.os == "windows"
    assert changed.diff_ids == cfg.diff_ids
    raw = b'{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"zz":1}'
    parsed = ImageConfig.parse(raw)
    assert parsed.raw == raw
    assert parsed.data["zz"] == 1
    with pytest.raises(ManifestError):
        ImageConfig.parse(b'{"rootfs":{"diff_ids":["nope"]}}')
    with pytest.raises(DigestMismatch):
        ImageConfig.parse(raw, digest=Digest.of_bytes(b"x"))
