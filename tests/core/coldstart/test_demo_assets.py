"""``build_demo_tree(..., assets=...)``: bulk data beside the small demo, in a layer of its
own below the app's, imported as its own image layer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.coldstart import build_demo_tree, import_options
from core.errors import InvalidInput


def test_assets_get_a_layer_of_their_own(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "sub/blob.bin").write_bytes(os.urandom(300_000))
    single = tmp_path / "single.bin"
    single.write_bytes(b"x" * 1000)
    image = build_demo_tree("small", tmp_path / "layers", assets=[data, single])
    names = [layer.name for layer in image.layers]
    assert names == ["runtime", "extra-assets", "app"]
    extra = image.layers[names.index("extra-assets")]
    rel_data = str(data).lstrip("/")
    rel_single = str(single).lstrip("/")
    assert (extra.root / rel_data / "sub/blob.bin").read_bytes() == (
        data / "sub/blob.bin"
    ).read_bytes()
    assert (extra.root / rel_single).read_bytes() == b"x" * 1000
    assert extra.size == 301_000
    # The app's layer does not carry them; the import splits them into a layer of their own.
    app = image.layers[-1]
    assert not (app.root / rel_data).exists()
    options = import_options(image)
    assert rel_data in options.split_paths
    assert rel_single in options.split_paths
    assert list(options.split_paths)[-1] == "app"


def test_plain_small_image_is_unchanged(tmp_path: Path) -> None:
    image = build_demo_tree("small", tmp_path / "layers")
    assert "extra-assets" not in [layer.name for layer in image.layers]
    assert list(import_options(image).split_paths) == ["app"]


@pytest.mark.parametrize("bad", ["relative/path", "/no/such/file/anywhere"])
def test_bad_assets_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(InvalidInput, match="demo asset"):
        build_demo_tree("small", tmp_path / "layers", assets=[bad])
