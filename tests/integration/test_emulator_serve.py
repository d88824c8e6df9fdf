"""The ``fcaccel serve`` process contract the desktop console relies on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.fixtures.emulator import TEST_SECRET, start_local_server

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "FCDESK_LOCAL_ACCESS_KEY_SECRET"}
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "core.cli", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=full,
        cwd=ROOT,
        check=False,
    )


def test_ready_line_server_json_lock_and_graceful_stop(tmp_path: Path) -> None:
    data = tmp_path / "d"
    srv = start_local_server(data)
    try:
        ready = srv.ready
        assert set(ready) >= {"url", "pid", "accessKeyId", "dataDir"}
        assert ready["url"].startswith("http://127.0.0.1:")
        assert ready["dataDir"] == str(data)
        assert json.loads((data / "server.json").read_text()) == ready
        r = httpx.get(ready["url"] + "/x-fcdesk/health")
        assert r.status_code == 200
        assert r.json()["pid"] == ready["pid"]
        # a second server on the same data directory says so and exits 3
        second = _serve(
            "--port", "0", "--data-dir", str(data), env={"FCDESK_LOCAL_ACCESS_KEY_SECRET": "x"}
        )
        assert second.returncode == 3
        assert "already running" in second.stderr
        line = next(x for x in second.stdout.splitlines() if x.startswith("FCDESK-RUNNING "))
        assert json.loads(line.split(" ", 1)[1])["url"] == ready["url"]
    finally:
        rc = srv.stop()
    assert rc == 0
    assert not (data / "server.json").exists()
    # the same data directory starts again and keeps its AccessKey id
    again = start_local_server(data)
    try:
        assert again.access_key_id == srv.access_key_id
    finally:
        again.stop()


def test_keyring_refusal_names_the_explicit_choice(tmp_path: Path) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = _serve("--data-dir", str(tmp_path / "d"), "--no-seed", env=env)
    assert result.returncode == 1
    assert "--secret-store file" in result.stderr
    assert "FCDESK-READY" not in result.stdout


def test_file_secret_store_and_print_credentials(tmp_path: Path) -> None:
    data = tmp_path / "d"
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    printed = _serve(
        "--data-dir", str(data), "--secret-store", "file", "--print-credentials", env=env
    )
    assert printed.returncode == 0, printed.stderr
    creds = json.loads(printed.stdout)
    assert creds["accessKeyId"].startswith("LTAI")
    assert len(creds["accessKeySecret"]) >= 30
    secret_file = data / "access-key.secret"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert creds["accessKeySecret"] not in (data / "access-key.json").read_text()
    # the server started with the file store uses the same pair
    srv = start_local_server(
        data,
        extra_args=("--no-seed", "--secret-store", "file"),
        env={"FCDESK_LOCAL_ACCESS_KEY_SECRET": ""},
    )
    try:
        assert srv.access_key_id == creds["accessKeyId"]
        r = httpx.get(srv.url + "/v2/", auth=(creds["accessKeyId"], creds["accessKeySecret"]))
        assert r.status_code == 200
        r = httpx.get(srv.url + "/v2/", auth=(creds["accessKeyId"], TEST_SECRET))
        assert r.status_code == 401
    finally:
        srv.stop()


def test_print_credentials_needs_no_flag_once_a_file_store_was_chosen(tmp_path: Path) -> None:
    """Without a keyring: the key pair a server created in a file is found again without
    ``--secret-store file``, and a new data directory follows the settings' choice (the
    console records 'a private file' there)."""
    from core.settings import TomlSettingsStore

    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    data = tmp_path / "d"
    first = _serve(
        "--data-dir", str(data), "--secret-store", "file", "--print-credentials", env=env
    )
    assert first.returncode == 0, first.stderr
    again = _serve("--data-dir", str(data), "--print-credentials", env=env)
    assert again.returncode == 0, again.stderr
    assert (
        json.loads(again.stdout)["accessKeySecret"] == json.loads(first.stdout)["accessKeySecret"]
    )
    # A fresh data directory: refused while the settings say keyring …
    refused = _serve("--data-dir", str(tmp_path / "e"), "--print-credentials", env=env)
    assert refused.returncode != 0
    # … and fine once the console (or anyone) chose the private file.
    TomlSettingsStore().update(lambda s: setattr(s, "secret_store", "file"))
    chosen = _serve("--data-dir", str(tmp_path / "e"), "--print-credentials", env=env)
    assert chosen.returncode == 0, chosen.stderr
    assert json.loads(chosen.stdout)["secretStore"] == "file"
