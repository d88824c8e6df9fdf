"""Pulling images: in full (download, verify, unpack) or lazily (TOCs, verified chunks on
demand, prefetch, FUSE mount), plus start-up profiles.

```python
from core.pull import ContentCache, LazyImage, LazyMount, pull_image

cache = ContentCache()                                   # shared by every pull
result = await pull_image(registry, "host/app:v1", "rootfs", cache=cache)

image = await LazyImage.open(registry, "host/app:v1_accelerated", cache=cache)
await image.prefetch(profile_paths)
async with LazyMount(image, "mnt", record=True) as mount:
    ...                                                   # run the entrypoint over "mnt"
```
"""

from core.pull._cache import ContentCache, default_cache_dir
from core.pull._fetch import LayerSource, LazyMetrics, RangeIgnored
from core.pull._full import PulledLayer, PullResult, TransferMeter, pull_image
from core.pull._lazy import LazyImage, PrefetchResult, is_lazy_pullable
from core.pull._mount import (
    LazyMount,
    close_mount_helpers,
    fuse_available,
    prewarm_mount_helper,
    unmount_stale,
)
from core.pull._profile import (
    PROFILE_ARTIFACT_TYPE,
    PROFILE_MEDIA_TYPE,
    StartupProfile,
    fetch_profile,
    is_profile_tag,
    load_cached_profile,
    profile_tag,
    push_profile,
    save_cached_profile,
)
from core.pull._resolve import DEFAULT_PLATFORM, ResolvedImage, resolve_image
from core.pull._tree import EntryList, HideObserver, LazyTree, Node, merge_tocs
from core.pull._unpack import UnpackStats, open_decompressed, unpack_layer, unpack_layer_sync

__all__ = [
    "DEFAULT_PLATFORM",
    "PROFILE_ARTIFACT_TYPE",
    "PROFILE_MEDIA_TYPE",
    "ContentCache",
    "EntryList",
    "HideObserver",
    "LayerSource",
    "LazyImage",
    "LazyMetrics",
    "LazyMount",
    "LazyTree",
    "Node",
    "PrefetchResult",
    "PullResult",
    "PulledLayer",
    "RangeIgnored",
    "ResolvedImage",
    "StartupProfile",
    "TransferMeter",
    "UnpackStats",
    "close_mount_helpers",
    "default_cache_dir",
    "fetch_profile",
    "fuse_available",
    "is_lazy_pullable",
    "is_profile_tag",
    "load_cached_profile",
    "merge_tocs",
    "open_decompressed",
    "prewarm_mount_helper",
    "profile_tag",
    "pull_image",
    "push_profile",
    "resolve_image",
    "save_cached_profile",
    "unmount_stale",
    "unpack_layer",
    "unpack_layer_sync",
]
