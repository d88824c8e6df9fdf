"""The Local server (``fcaccel serve``): an OCI registry, the ACR and FC 3.0 API subsets, a
conversion worker and a function runtime on loopback, verifying ACS3 signatures like the cloud.

```python
from core.emulator import LocalServer, ServerConfig

async with LocalServer(ServerConfig(data_dir=path, secret_store="file")) as server:
    print(server.url, server.ready_info())      # the FCDESK-READY payload
```

Seams for tests and embedders: ``ServerConfig.converter`` (a `Converter`) replaces the
conversion core, ``ServerConfig.instance_backend`` (an `InstanceBackend`) the function runtime's
instance starter. The HTTP surface is documented in docs/local-server.md.
"""

from core.emulator._context import INSTANCE_ID, INSTANCE_NAME, ServerConfig
from core.emulator._credentials import ENV_SECRET, load_access_key
from core.emulator._faults import POINTS as FAULT_POINTS
from core.emulator._runtime import (
    HandleResponse,
    InstanceBackend,
    InstanceHandle,
    InstanceSpec,
    Phase,
)
from core.emulator._server import AlreadyRunning, LocalServer, read_server_json
from core.emulator._worker import ConversionJob, Converter

__all__ = [
    "ENV_SECRET",
    "FAULT_POINTS",
    "INSTANCE_ID",
    "INSTANCE_NAME",
    "AlreadyRunning",
    "ConversionJob",
    "Converter",
    "HandleResponse",
    "InstanceBackend",
    "InstanceHandle",
    "InstanceSpec",
    "LocalServer",
    "Phase",
    "ServerConfig",
    "load_access_key",
    "read_server_json",
]
