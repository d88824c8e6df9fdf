"""Fixtures of the reliability suite and its report (see ``_report.py``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability._report import REPORT, LoadFigures


class Recorder:
    """Records what one test tried; outcomes count only if the test passes.

    ``check`` names the safeguard the test exercises (``decompression-limits``,
    ``file-digest``, ``diff-id``, ``upload-restart``): records made while it is set (faults
    collected at teardown included) are also tallied under it in the figures.
    """

    def __init__(self, test: str) -> None:
        self.test = test
        self.check = ""

    def fault(self, kind: str, target: str, count: int = 1) -> None:
        if count:
            REPORT.add(self.test, "fault", kind, target, "injected", count=count, check=self.check)

    def hostile(
        self, name: str, component: str, outcome: str, error: str = "", *, check: str = ""
    ) -> None:
        """``outcome``: ``refused`` (with the error code) or ``policy`` (accepted as documented)."""
        REPORT.add(
            self.test, "hostile", name, component, outcome, error=error, check=check or self.check
        )

    def benign(self, name: str, component: str, *, check: str = "") -> None:
        """A legitimate input a safeguard must let through (it was accepted)."""
        REPORT.add(self.test, "benign", name, component, "accepted", check=check or self.check)

    def crash(self, point: str, operation: str, outcome: str = "recovered", **detail: Any) -> None:
        REPORT.add(self.test, "crash", point, operation, outcome, **detail)

    def load(self, figures: LoadFigures) -> None:
        REPORT.add(self.test, "load", figures.name, "server", "held", **figures.__dict__)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" or (report.when == "setup" and report.failed):
        item.stash[_OUTCOME] = report.passed
    return report


_OUTCOME = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def reliability(request: pytest.FixtureRequest) -> Iterator[Recorder]:
    """The recorder of this test; at teardown it also collects the counters of every fault
    proxy the test used and settles the test's records with its outcome."""
    recorder = Recorder(request.node.nodeid)
    yield recorder
    for proxy in getattr(request.node, "fault_proxies", []):
        for kind, n in proxy.injected.items():
            recorder.fault(kind, request.node.name, n)
    REPORT.settle(recorder.test, bool(request.node.stash.get(_OUTCOME, False)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = REPORT.summary_lines()
    if not lines:
        return
    terminalreporter.section("reliability figures")
    for line in lines:
        terminalreporter.line(line)
    path = REPORT.write()
    if path is not None:
        terminalreporter.line(f"report written to {path}")


@pytest.fixture(scope="session")
def seeded_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory of a server that seeded its demo (image, twin, two Active
    functions), settled and stopped cleanly. Tests copy it; never modify it."""
    from tests.fixtures.emulator import start_local_server
    from tests.reliability._integrity import check_store

    data = tmp_path_factory.mktemp("seeded") / "data"
    srv = start_local_server(data, extra_args=())

    async def wait() -> None:
        headers = {"x-acs-action": "GetFunction", "x-acs-version": "2023-03-30"}
        deadline = time.monotonic() + 240
        async with srv.signed_client() as http:
            while time.monotonic() < deadline:
                states = []
                for name in ("demo-plain", "demo-accelerated"):
                    r = await http.get(f"/2023-03-30/functions/{name}", headers=headers)
                    states.append(r.status_code == 200 and r.json()["state"] == "Active")
                if all(states) and check_store(data).settled:
                    return
                await asyncio.sleep(0.25)
        raise AssertionError("the seeded demo never became Active")

    try:
        asyncio.run(wait())
        check_store(data).assert_ok()
    finally:
        srv.stop()
    return data
