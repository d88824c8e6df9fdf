"""Media types of OCI and Docker schema 2 images, and helpers to classify them."""

from __future__ import annotations

import enum

from core.errors import UnsupportedMediaType

__all__ = [
    "DOCKER_CONFIG",
    "DOCKER_FOREIGN_LAYER_GZIP",
    "DOCKER_LAYER_GZIP",
    "DOCKER_LAYER_UNCOMPRESSED",
    "DOCKER_MANIFEST",
    "DOCKER_MANIFEST_LIST",
    "DOCKER_MANIFEST_V1",
    "DOCKER_MANIFEST_V1_SIGNED",
    "IMAGE_INDEX_TYPES",
    "IMAGE_MANIFEST_TYPES",
    "MANIFEST_ACCEPT",
    "OCI_CONFIG",
    "OCI_EMPTY",
    "OCI_INDEX",
    "OCI_LAYER",
    "OCI_LAYER_GZIP",
    "OCI_LAYER_NONDIST",
    "OCI_LAYER_NONDIST_GZIP",
    "OCI_LAYER_NONDIST_ZSTD",
    "OCI_LAYER_ZSTD",
    "OCI_LAYOUT_VERSION",
    "OCI_MANIFEST",
    "Compression",
    "config_media_type_for",
    "is_config",
    "is_docker",
    "is_index",
    "is_layer",
    "is_manifest",
    "is_manifest_or_index",
    "layer_compression",
    "layer_media_type",
    "sniff_compression",
]

OCI_LAYOUT_VERSION = "1.0.0"

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
OCI_LAYER_NONDIST = "application/vnd.oci.image.layer.nondistributable.v1.tar"
OCI_LAYER_NONDIST_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
OCI_LAYER_NONDIST_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_LAYER_UNCOMPRESSED = "application/vnd.docker.image.rootfs.diff.tar"
DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#: Schema 1 (legacy, unsupported: its digest covers a JWS signature, not the content).
DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+json"
DOCKER_MANIFEST_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"

IMAGE_MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
IMAGE_INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})

#: ``Accept`` header value for manifest GET/HEAD: every manifest and index type fcdesk reads.
MANIFEST_ACCEPT = ", ".join([OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST])


class Compression(enum.StrEnum):
    """How a layer blob is compressed (from its media type, :func:`layer_compression`, or its
    first bytes, :func:`sniff_compression`)."""

    NONE = "none"
    GZIP = "gzip"
    ZSTD = "zstd"


_LAYER_COMPRESSION: dict[str, Compression] = {
    OCI_LAYER: Compression.NONE,
    OCI_LAYER_GZIP: Compression.GZIP,
    OCI_LAYER_ZSTD: Compression.ZSTD,
    OCI_LAYER_NONDIST: Compression.NONE,
    OCI_LAYER_NONDIST_GZIP: Compression.GZIP,
    OCI_LAYER_NONDIST_ZSTD: Compression.ZSTD,
    DOCKER_LAYER_GZIP: Compression.GZIP,
    DOCKER_LAYER_UNCOMPRESSED: Compression.NONE,
    DOCKER_FOREIGN_LAYER_GZIP: Compression.GZIP,
}

_DOCKER_TYPES = frozenset(
    {
        DOCKER_MANIFEST,
        DOCKER_MANIFEST_LIST,
        DOCKER_CONFIG,
        DOCKER_LAYER_GZIP,
        DOCKER_LAYER_UNCOMPRESSED,
        DOCKER_FOREIGN_LAYER_GZIP,
        DOCKER_MANIFEST_V1,
        DOCKER_MANIFEST_V1_SIGNED,
    }
)


def _base(media_type: str) -> str:
    # Tolerate parameters such as "; charset=utf-8" that some servers append.
    return media_type.split(";", 1)[0].strip().lower()


def is_index(media_type: str) -> bool:
    """An OCI image index or a Docker manifest list."""
    return _base(media_type) in IMAGE_INDEX_TYPES


def is_manifest(media_type: str) -> bool:
    """An OCI image manifest or a Docker schema 2 manifest."""
    return _base(media_type) in IMAGE_MANIFEST_TYPES


def is_manifest_or_index(media_type: str) -> bool:
    return is_index(media_type) or is_manifest(media_type)


def is_config(media_type: str) -> bool:
    """An image configuration blob (OCI or Docker)."""
    return _base(media_type) in (OCI_CONFIG, DOCKER_CONFIG)


def is_layer(media_type: str) -> bool:
    """A filesystem layer fcdesk knows how to decompress (see :func:`layer_compression`)."""
    return _base(media_type) in _LAYER_COMPRESSION


def is_docker(media_type: str) -> bool:
    """A Docker (not OCI) media type."""
    return _base(media_type) in _DOCKER_TYPES


def layer_compression(media_type: str) -> Compression:
    """The compression of a layer media type; :class:`UnsupportedMediaType` if not a layer."""
    try:
        return _LAYER_COMPRESSION[_base(media_type)]
    except KeyError:
        raise UnsupportedMediaType(
            f"not a supported layer media type: {media_type[:200]!r}", media_type=media_type
        ) from None


def sniff_compression(head: bytes) -> Compression:
    """The compression of a blob from its first four bytes (gzip or zstd magic, else none)."""
    if head[:2] == b"\x1f\x8b":
        return Compression.GZIP
    if head[:4] == b"\x28\xb5\x2f\xfd":
        return Compression.ZSTD
    # A zstd stream may open with a skippable frame (magic 0x184D2A50..5F, little endian).
    if len(head) >= 4 and head[1:4] == b"\x2a\x4d\x18" and 0x50 <= head[0] <= 0x5F:
        return Compression.ZSTD
    return Compression.NONE


def layer_media_type(compression: Compression | str, *, docker: bool = False) -> str:
    """The layer media type for ``compression``, OCI by default or Docker schema 2."""
    comp = Compression(compression)
    if docker:
        if comp is Compression.GZIP:
            return DOCKER_LAYER_GZIP
        if comp is Compression.NONE:
            return DOCKER_LAYER_UNCOMPRESSED
        raise UnsupportedMediaType("Docker schema 2 has no zstd layer media type")
    return {
        Compression.NONE: OCI_LAYER,
        Compression.GZIP: OCI_LAYER_GZIP,
        Compression.ZSTD: OCI_LAYER_ZSTD,
    }[comp]


def config_media_type_for(manifest_media_type: str) -> str:
    """The config media type matching a manifest media type."""
    return DOCKER_CONFIG if _base(manifest_media_type) == DOCKER_MANIFEST else OCI_CONFIG
