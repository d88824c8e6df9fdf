"""Fixtures of the reliability suite and its report (see ``_report.py``)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from tests.reliability._report import REPORT, LoadFigures


class Recorder:
    """Records what one test tried; outcomes count only if the test passes."""

    def __init__(self, test: str) -> None:
        self.test = test

    def fault(self, kind: str, target: str, count: int = 1) -> None:
        if count:
            REPORT.add(self.test, "fault", kind, target, "injected", count=count)

    def hostile(self, name: str, component: str, outcome: str, error: str = "") -> None:
        """``outcome``: ``refused`` (with the error code) or ``policy`` (accepted as documented)."""
        REPORT.add(self.test, "hostile", name, component, outcome, error=error)

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
