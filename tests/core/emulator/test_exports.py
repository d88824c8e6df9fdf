"""The curated face of core.emulator (a change here is an API change)."""

from __future__ import annotations

import core.cloud
import core.emulator

EMULATOR = [
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


def test_exported_members() -> None:
    assert sorted(core.emulator.__all__) == sorted(EMULATOR)
    for name in EMULATOR:
        assert getattr(core.emulator, name) is not None
    assert core.cloud.LOCAL_READY_PREFIX == "FCDESK-READY "
    assert "during-conversion" in core.emulator.FAULT_POINTS
