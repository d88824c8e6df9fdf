"""The image explorer: an image's file tree without pulling it, and two images compared.

```python
from core.explore import diff_listings, open_listing

listing = await open_listing(registry, "host/ns/app:v1_accelerated", cache=cache)
for entry in listing.children("usr/bin"):       # sizes summed per directory, owner, mode,
    ...                                          # source layer, start-up profile bytes
listing.hidden_under("etc")                     # what upper layers hide (whiteouts …)
changes = diff_listings(old, new)                # added / removed / changed paths
```

An accelerated image (seekable layers) is read from its TOCs only; a plain one by streaming
each layer once, with its index cached for the next time.
"""

from core.explore._diff import Change, ChangeKind, ListingDiff, diff_listings
from core.explore._model import (
    LISTING_FORMAT_VERSION,
    FileEntry,
    HiddenEntry,
    ImageListing,
    LayerInfo,
    LayerSourceKind,
    ProfileSummary,
    normalize_path,
)
from core.explore._read import (
    build_entries,
    build_listing,
    index_path,
    open_listing,
    scan_layer,
)

__all__ = [
    "LISTING_FORMAT_VERSION",
    "Change",
    "ChangeKind",
    "FileEntry",
    "HiddenEntry",
    "ImageListing",
    "LayerInfo",
    "LayerSourceKind",
    "ListingDiff",
    "ProfileSummary",
    "build_entries",
    "build_listing",
    "diff_listings",
    "index_path",
    "normalize_path",
    "open_listing",
    "scan_layer",
]
