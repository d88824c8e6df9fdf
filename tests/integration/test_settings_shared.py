"""The settings file is shared by ``fcaccel`` and consoles: two processes changing it at the
same time lose nothing (each change is applied, under a lock, to the file as it is)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROUNDS = 100

# `fcaccel profiles add` as the command line runs it, ROUNDS times in one process.
CLI_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from core.cli import main
    go = Path(sys.argv[1])
    while not go.exists():
        time.sleep(0.001)
    for i in range(int(sys.argv[2])):
        code = main(["profiles", "add", f"cli-{i:03d}", "--region", "cn-hangzhou",
                     "--credential-source", "env"])
        assert code == 0, code
    """
)

# The console's settings view-model: a profile added and a preference changed each round.
CONSOLE_WRITER = textwrap.dedent(
    """
    import asyncio, sys, time
    from pathlib import Path
    from core.settings import AliyunProfile
    from gui.viewmodels.settings_vm import SettingsViewModel
    go = Path(sys.argv[1])
    vm = SettingsViewModel()
    while not go.exists():
        time.sleep(0.001)

    async def run():
        for i in range(int(sys.argv[2])):
            profile = AliyunProfile(f"gui-{i:03d}", "cn-shanghai", credential_source="env")
            await vm.add_profile(profile)
            vm.set_pref("theme", "dark" if i % 2 else "light")
            vm.set_pref("server_port", 20000 + i)

    asyncio.run(run())
    """
)


def test_two_processes_writing_100_times_each_lose_nothing(tmp_path: Path, config_dir: Path):
    go = tmp_path / "go"
    env = dict(os.environ, FCDESK_CONFIG_DIR=str(config_dir), QT_QPA_PLATFORM="offscreen")
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(go), str(ROUNDS)],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for code in (CLI_WRITER, CONSOLE_WRITER)
    ]
    go.touch()  # both start writing at once
    for proc in procs:
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
    data = tomllib.loads((config_dir / "settings.toml").read_text())
    names = set(data["profiles"])
    assert names == {f"cli-{i:03d}" for i in range(ROUNDS)} | {
        f"gui-{i:03d}" for i in range(ROUNDS)
    }
    assert data["gui"]["theme"] == "dark"  # the last round's (ROUNDS - 1 is odd)
    assert data["gui"]["server_port"] == 20000 + ROUNDS - 1
