from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import BlobNotFound, DigestMismatch, LayoutError, ManifestNotFound
from core.oci import (
    ANNOTATION_REF_NAME,
    OCI_CONFIG,
    OCI_LAYER,
    Descriptor,
    Digest,
    Index,
    Manifest,
    OCILayout,
)


def _image(layout: OCILayout) -> Manifest:
    cfg = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
    layer = b"layer-bytes" * 1000
    cd = layout.write_blob(cfg)
    ld = layout.write_blob(layer, Digest.of_bytes(layer))
    return Manifest.build(
        Descriptor(OCI_CONFIG, cd, len(cfg)), [Descriptor(OCI_LAYER, ld, len(layer))]
    )


def _tmp_files(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.name.startswith(".")]


def test_create_writes_the_skeleton(tmp_path: Path) -> None:
    layout = OCILayout.create(tmp_path / "l")
    assert json.loads((tmp_path / "l" / "oci-layout").read_text()) == {
        "imageLayoutVersion": "1.0.0"
    }
    index = layout.read_index()
    assert index.manifests == ()
    assert OCILayout.open(tmp_path / "l").tags() == []
    # re-creating keeps what is there
    m = _image(layout)
    layout.put_manifest(m, "v1")
    assert OCILayout.create(tmp_path / "l").tags() == ["v1"]


def test_open_rejects_non_layouts(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match="oci-layout"):
        OCILayout.open(tmp_path)
    (tmp_path / "oci-layout").write_text('{"imageLayoutVersion":"2.0.0"}')
    with pytest.raises(LayoutError, match="imageLayoutVersion"):
        OCILayout.open(tmp_path)
    (tmp_path / "oci-layout").write_text("garbage")
    with pytest.raises(LayoutError):
        OCILayout.open(tmp_path)


def test_tags_resolve_and_replace(tmp_path: Path) -> None:
    layout = OCILayout.create(tmp_path)
    m = _image(layout)
    desc = layout.put_manifest(m, "v1")
    assert desc.digest == m.digest
    assert layout.resolve("v1").annotations == {ANNOTATION_REF_NAME: "v1"}
    assert layout.resolve().digest == m.digest
    got = layout.get_manifest(layout.resolve("v1"))
    assert isinstance(got, Manifest)
    assert got.raw == m.raw
    m2 = m.evolve(annotations={"x": "y"})
    layout.put_manifest(m2, "v1")
    layout.put_manifest(m2, "v2")
    assert sorted(layout.tags()) == ["v1", "v2"]
    assert layout.resolve("v1").digest == m2.digest
    with pytest.raises(ManifestNotFound):
        layout.resolve()
    with pytest.raises(ManifestNotFound):
        layout.resolve("nope")
    layout.remove_tag("v2")
    assert layout.tags() == ["v1"]
    layout.add_untagged(m.descriptor())
    layout.add_untagged(m.descriptor())
    assert len(layout.read_index().manifests) == 2


def test_blob_writer_verifies_before_rename(tmp_path: Path) -> None:
    layout = OCILayout.create(tmp_path)
    data = b"x" * 10_000
    good = Digest.of_bytes(data)
    with pytest.raises(DigestMismatch):
        layout.write_blob(data, Digest.of_bytes(b"other"))
    with layout.blob_writer(Digest.of_bytes(b"other")) as w:
        w.write(data)
        with pytest.raises(DigestMismatch):
            w.commit()
    assert not layout.has_blob(good)
    assert not layout.has_blob(Digest.of_bytes(b"other"))
    assert _tmp_files(tmp_path / "blobs") == []
    # a writer abandoned half-way leaves nothing
    with layout.blob_writer(good) as w:
        w.write(data[:10])
    assert _tmp_files(tmp_path / "blobs") == []
    # size limits are enforced while writing
    with layout.blob_writer(good, expected_size=5) as w, pytest.raises(DigestMismatch):
        w.write(data)
    assert _tmp_files(tmp_path / "blobs") == []
    assert layout.write_blob(data) == good
    assert layout.read_blob(good) == data
    assert b"".join(layout.iter_blob(good, chunk_size=999)) == data
    assert list(layout.blobs()) == [good]


def test_corrupt_blob_is_detected(tmp_path: Path) -> None:
    layout = OCILayout.create(tmp_path)
    d = layout.write_blob(b"abc" * 100)
    layout.blob_path(d).write_bytes(b"abd" * 100)
    with pytest.raises(DigestMismatch):
        layout.read_blob(d)
    chunks: list[bytes] = []

    def consume() -> None:
        for c in layout.iter_blob(d, chunk_size=7):
            chunks.append(c)

    with pytest.raises(DigestMismatch):
        consume()
    # the final chunk is withheld, so a consumer never has the whole wrong content
    assert sum(map(len, chunks)) < 300
    with pytest.raises(BlobNotFound):
        layout.read_blob(Digest.of_bytes(b"missing"))


def test_import_blob_file_and_tag_requires_blob(tmp_path: Path) -> None:
    layout = OCILayout.create(tmp_path / "l")
    src = tmp_path / "f"
    src.write_bytes(b"file-content")
    d = layout.import_blob_file(src, Digest.of_bytes(b"file-content"))
    assert layout.blob_size(d) == 12
    with pytest.raises(LayoutError):
        layout.set_tag(Descriptor(OCI_CONFIG, Digest.of_bytes(b"nothing"), 7), "t")
    idx = Index.build([])
    layout.write_index(idx)
    assert layout.read_index().raw == idx.raw
