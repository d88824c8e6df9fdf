"""A Local server (in a thread) with every problem case of the report, built once per module,
next to a private registry the Local profile has no credentials for."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.core.report.scenario import Scenario, build_scenario
from tests.fixtures.emulator import start_local_server_thread
from tests.fixtures.registry import RunningRegistry


@pytest.fixture(scope="module")
def scenario(
    tmp_path_factory: pytest.TempPathFactory, basic_auth_registry: RunningRegistry
) -> Iterator[Scenario]:
    server = start_local_server_thread(tmp_path_factory.mktemp("report") / "local")
    try:
        yield asyncio.run(build_scenario(server.url, server.credentials, basic_auth_registry.host))
    finally:
        server.stop()
