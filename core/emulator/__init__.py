"""The Local server (``fcaccel serve``): an OCI registry, the ACR and FC 3.0 API subsets, a
conversion worker and a function runtime on loopback, verifying ACS3 signatures like the cloud.

```python
from core.emulator import LocalServer, ServerConfig

async with LocalServer(ServerConfig(data_dir=path, secret_store="file")) as server:
    print(server.url, server.ready_info())
```
"""

from core.emulator._context import INSTANCE_ID, INSTANCE_NAME, ServerConfig
from core.emulator._credentials import ENV_SECRET, load_access_key
from core.emulator._server import READY_PREFIX, AlreadyRunning, LocalServer, read_server_json

__all__ = [
    "ENV_SECRET",
    "INSTANCE_ID",
    "INSTANCE_NAME",
    "READY_PREFIX",
    "AlreadyRunning",
    "LocalServer",
    "ServerConfig",
    "load_access_key",
    "read_server_json",
]
