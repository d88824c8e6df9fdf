"""OCI image model: references, digests, media types, manifests, configs and image layouts.

```python
from core.oci import Digest, ImageReference, Manifest, OCILayout

ref = ImageReference.parse("ubuntu:22.04")          # docker.io/library/ubuntu:22.04
manifest = Manifest.parse(raw, content_type, digest=expected)   # verified, byte-exact
layout = OCILayout.create("out")                    # oci-layout, index.json, blobs/
```
"""

from core.oci._digest import SUPPORTED_ALGORITHMS, Digest, DigestHasher
from core.oci._layout import BlobWriter, OCILayout
from core.oci._mediatypes import (
    DOCKER_CONFIG,
    DOCKER_FOREIGN_LAYER_GZIP,
    DOCKER_LAYER_GZIP,
    DOCKER_LAYER_UNCOMPRESSED,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    MANIFEST_ACCEPT,
    OCI_CONFIG,
    OCI_EMPTY,
    OCI_INDEX,
    OCI_LAYER,
    OCI_LAYER_GZIP,
    OCI_LAYER_ZSTD,
    OCI_MANIFEST,
    Compression,
    config_media_type_for,
    is_config,
    is_docker,
    is_index,
    is_layer,
    is_manifest,
    is_manifest_or_index,
    layer_compression,
    layer_media_type,
    sniff_compression,
)
from core.oci._models import (
    ANNOTATION_REF_NAME,
    Descriptor,
    History,
    ImageConfig,
    Index,
    Manifest,
    ManifestLike,
    Platform,
    canonical_json,
    parse_manifest,
)
from core.oci._reference import (
    DEFAULT_REGISTRY,
    ImageReference,
    is_loopback_host,
    registry_base_url,
    v2_path,
    validate_repository,
    validate_tag,
)

__all__ = [
    "ANNOTATION_REF_NAME",
    "DEFAULT_REGISTRY",
    "DOCKER_CONFIG",
    "DOCKER_FOREIGN_LAYER_GZIP",
    "DOCKER_LAYER_GZIP",
    "DOCKER_LAYER_UNCOMPRESSED",
    "DOCKER_MANIFEST",
    "DOCKER_MANIFEST_LIST",
    "MANIFEST_ACCEPT",
    "OCI_CONFIG",
    "OCI_EMPTY",
    "OCI_INDEX",
    "OCI_LAYER",
    "OCI_LAYER_GZIP",
    "OCI_LAYER_ZSTD",
    "OCI_MANIFEST",
    "SUPPORTED_ALGORITHMS",
    "BlobWriter",
    "Compression",
    "Descriptor",
    "Digest",
    "DigestHasher",
    "History",
    "ImageConfig",
    "ImageReference",
    "Index",
    "Manifest",
    "ManifestLike",
    "OCILayout",
    "Platform",
    "canonical_json",
    "config_media_type_for",
    "is_config",
    "is_docker",
    "is_index",
    "is_layer",
    "is_loopback_host",
    "is_manifest",
    "is_manifest_or_index",
    "layer_compression",
    "layer_media_type",
    "parse_manifest",
    "registry_base_url",
    "sniff_compression",
    "v2_path",
    "validate_repository",
    "validate_tag",
]
