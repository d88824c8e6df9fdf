"""The public faces of core.oci and core.registry are deliberate: changing them is a decision."""

from __future__ import annotations

import httpx

import core.oci
import core.registry
from core.registry._transport import uses_large_reads

OCI = {
    "ANNOTATION_REF_NAME", "DEFAULT_REGISTRY", "DOCKER_CONFIG", "DOCKER_FOREIGN_LAYER_GZIP",
    "DOCKER_LAYER_GZIP", "DOCKER_LAYER_UNCOMPRESSED", "DOCKER_MANIFEST", "DOCKER_MANIFEST_LIST",
    "MANIFEST_ACCEPT", "OCI_CONFIG", "OCI_EMPTY", "OCI_INDEX", "OCI_LAYER", "OCI_LAYER_GZIP",
    "OCI_LAYER_ZSTD", "OCI_MANIFEST", "SUPPORTED_ALGORITHMS", "BlobWriter", "Compression",
    "Descriptor", "Digest", "DigestHasher", "History", "ImageConfig", "ImageReference", "Index",
    "Manifest", "ManifestLike", "OCILayout", "Platform", "canonical_json",
    "config_media_type_for", "is_config", "is_docker", "is_index", "is_layer",
    "is_loopback_host", "is_manifest", "is_manifest_or_index", "layer_compression",
    "layer_media_type", "parse_manifest", "registry_base_url", "sniff_compression", "v2_path",
    "validate_repository", "validate_tag",
}  # fmt: skip

REGISTRY = {
    "Anonymous", "Auth", "BasicAuth", "BearerAuth", "BlobSource", "Challenge", "ContentRange",
    "CopyResult", "ImageLocation", "ImportOptions", "ImportResult", "LayerFile", "PushResult",
    "RegistryClient", "blob_transport", "build_layers", "copy_image",
    "import_rootfs", "open_location_client", "parse_challenges", "parse_content_range",
    "parse_multipart_byteranges",
}  # fmt: skip


def test_exported_members() -> None:
    assert set(core.oci.__all__) == OCI
    assert set(core.registry.__all__) == REGISTRY
    for module in (core.oci, core.registry):
        assert list(module.__all__) == sorted(module.__all__, key=lambda n: (not n.isupper(), n))
        for name in module.__all__:
            assert getattr(module, name) is not None


async def test_registry_client_uses_the_large_read_transport() -> None:
    assert uses_large_reads(core.registry.blob_transport())
    async with core.registry.RegistryClient("127.0.0.1:1") as reg:
        transport = reg._http._transport
        assert isinstance(transport, httpx.AsyncHTTPTransport)
        assert uses_large_reads(transport)
