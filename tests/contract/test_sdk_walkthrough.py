"""The done-when check of SDK compatibility: `sdk_walkthrough.py` — a script that uses only
Alibaba Cloud's official SDKs — passes, unmodified, against a fresh ``fcaccel serve`` (seeding
its small demo), including an invocation right after a memory-only update."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.emulator import start_local_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCRIPT = Path(__file__).with_name("sdk_walkthrough.py")


def test_the_sdk_walkthrough_passes_against_a_fresh_server(tmp_path: Path) -> None:
    server = start_local_server(tmp_path / "local", extra_args=("--seed", "small"))
    try:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("FCDESK_", "ALIBABA_CLOUD_"))
        }
        env["ALIBABA_CLOUD_ACCESS_KEY_ID"] = server.access_key_id
        env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = server.access_key_secret
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "--endpoint", server.host, "--timeout", "540"],
            env=env,
            capture_output=True,
            text=True,
            timeout=580,
            check=False,
        )
    finally:
        server.stop()
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "InvokeFunction right after the update: 200" in output
    assert output.rstrip().endswith("walkthrough passed"), output
