"""Async OCI Distribution client on httpx.

```python
from core.registry import RegistryClient

async with RegistryClient("127.0.0.1:5000", credentials=("user", "secret")) as reg:
    manifest = await reg.get_manifest("app", "v1")          # verified, byte-exact
    async for chunk in reg.stream_blob("app", manifest.layers[0].digest):
        ...                                                 # last chunk only after a match
    await reg.push_blob("other", path, digest=d, mount_from="app")
```
"""

from core.registry._auth import Anonymous, Auth, BasicAuth, BearerAuth, Challenge, parse_challenges
from core.registry._client import BlobSource, PushResult, RegistryClient
from core.registry._importer import (
    ImportOptions,
    ImportResult,
    LayerFile,
    build_layers,
    import_rootfs,
)
from core.registry._ranges import ContentRange, parse_content_range, parse_multipart_byteranges
from core.registry._transfer import CopyResult, ImageLocation, copy_image, open_location_client
from core.registry._transport import blob_transport

__all__ = [
    "Anonymous",
    "Auth",
    "BasicAuth",
    "BearerAuth",
    "BlobSource",
    "Challenge",
    "ContentRange",
    "CopyResult",
    "ImageLocation",
    "ImportOptions",
    "ImportResult",
    "LayerFile",
    "PushResult",
    "RegistryClient",
    "blob_transport",
    "build_layers",
    "copy_image",
    "import_rootfs",
    "open_location_client",
    "parse_challenges",
    "parse_content_range",
    "parse_multipart_byteranges",
]
