"""fcdesk's shared core: OCI registry client, accelerated-layer formats, conversion, pulls,
cold starts, Alibaba Cloud clients and the Local server. Async-only, typed, and free of Qt.
"""

from core._progress import Progress
from core._version import __version__

__all__ = ["Progress", "__version__"]
