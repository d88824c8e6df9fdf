"""fcdesk's shared core: OCI registry client, accelerated-layer formats, conversion, pulls,
cold starts, Alibaba Cloud clients and the Local server. Async-only, typed, and free of Qt.

The package itself holds the few ideas every layer shares and that import nothing heavy (the
console imports them before its first paint): progress events, retries, the atomic file writer,
percentiles and the naming of accelerated twins.
"""

from core._accelerated import ACCELERATED_SUFFIX, is_accelerated_tag, source_tag_of, twin_tag_of
from core._files import atomic_write
from core._progress import Progress
from core._retry import RetryPolicy
from core._stats import percentile
from core._version import __version__

__all__ = [
    "ACCELERATED_SUFFIX",
    "Progress",
    "RetryPolicy",
    "__version__",
    "atomic_write",
    "is_accelerated_tag",
    "percentile",
    "source_tag_of",
    "twin_tag_of",
]
