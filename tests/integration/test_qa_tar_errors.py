"""A layer that is not a tar stream fails its conversion with a readable reason.

Before, a gzip layer of random bytes failed with
``layer sha256:…, entry '[\\x18\\x04b…(binary noise)…': tar header field chksum is not a number``:
the noise of the non-header block was reported as an entry name, and the Images screen, the
image picker and the notification showed it as the conversion's failure reason.
"""

from __future__ import annotations

import io
import os
import tarfile

import pytest

from core.errors import TarFormatError
from core.formats import TarStreamReader
from tests.fixtures.images import random_bytes


def _reader(data: bytes) -> TarStreamReader:
    return TarStreamReader(io.BytesIO(data).read)


def _drain(reader: TarStreamReader) -> None:
    while reader.next() is not None:
        pass


@pytest.mark.parametrize("seed", range(8))
def test_random_bytes_are_not_a_tar_stream(seed: int) -> None:
    # Reproducible noise: a failure names its seed, and the same bytes fail again.
    noise = random_bytes(4096, seed) if seed else bytes(range(256)) * 16
    with pytest.raises(TarFormatError) as info:
        _drain(_reader(noise))
    message = str(info.value)
    assert "not a tar stream" in message
    assert message.isprintable()
    assert info.value.entry == ""


def test_noise_after_a_good_entry_names_the_entry_it_follows() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("app/main.py")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"x=1"))
    good = buf.getvalue()[:1024]  # header + one payload block, no end marker
    with pytest.raises(TarFormatError) as err:
        _drain(_reader(good + b"\xff" * 100 + os.urandom(412)))
    assert "after entry 'app/main.py'" in str(err.value)
    assert str(err.value).isprintable()
