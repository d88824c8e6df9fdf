"""``fcaccel serve``: run the Local server (registry, ACR and FC APIs, worker, runtime)."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any

from core.cloud import default_local_data_dir
from core.errors import CoreError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the Local server on loopback",
        description="Run the Local server: an OCI registry at /v2/, the ACR and FC 3.0 API "
        "subsets, a conversion worker and a function runtime. Prints one line "
        "'FCDESK-READY {json}' on stdout once it answers requests.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=0, help="port to bind; 0 picks a free one (default 0)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"where state and blobs live (default {default_local_data_dir()})",
    )
    parser.add_argument(
        "--secret-store",
        choices=["keyring", "file"],
        default=None,
        help="where the local AccessKey secret is kept: the system keyring or a 0600 file in "
        "the data directory (default: where this data directory's key already is, else the "
        "settings' choice — the console's 'private file' choice included — else the keyring)",
    )
    parser.add_argument(
        "--anonymous-pull",
        action="store_true",
        help="let clients without credentials pull from the registry",
    )
    parser.add_argument(
        "--no-seed", action="store_true", help="do not seed the demo on first start"
    )
    parser.add_argument(
        "--seed",
        choices=["small", "medium", "bloated"],
        default=None,
        help="demo seeded on first start: the small image only (seconds), or then a realistic "
        "image the demo functions switch to (minutes, in the background); default "
        "$FCDESK_SEED, else medium",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="concurrent conversion tasks (default 1)"
    )
    parser.add_argument(
        "--no-auto-profile",
        action="store_true",
        help="do not record start-up profiles by itself after a tag's first conversion "
        "(they are still recorded on request); default: $FCDESK_AUTO_PROFILE, else on",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=300.0,
        help="seconds a warm function instance is kept after its last request (default 300)",
    )
    parser.add_argument(
        "--runtime",
        choices=["auto", "exec", "replay"],
        default="auto",
        help="how function instances start: exec (FUSE + bubblewrap), replay, or auto",
    )
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="close a connection whose request line and headers take longer (default 20)",
    )
    parser.add_argument(
        "--body-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="answer 408 to a request whose body stops arriving this long (default 60)",
    )
    parser.add_argument(
        "--upload-ttl",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="drop blob upload sessions untouched this long (default 3600; swept every "
        "tenth of it, at most every 10 minutes)",
    )
    parser.add_argument(
        "--print-credentials",
        action="store_true",
        help="print the local AccessKey id and secret as JSON and exit",
    )
    parser.set_defaults(func=run)


async def _print_credentials(data_dir: Path, store: str) -> int:
    from core.emulator import load_access_key

    creds = await asyncio.to_thread(load_access_key, data_dir, store)
    print(
        json.dumps(
            {
                "accessKeyId": creds.access_key_id,
                "accessKeySecret": creds.access_key_secret,
                "secretStore": creds.source,
            }
        )
    )
    return 0


def default_secret_store(data_dir: Path) -> str:
    """The secret store to use when ``--secret-store`` is not given: the one this data
    directory's AccessKey was created with, else the one chosen in the shared settings (where
    the console records 'a private file'), else the keyring."""
    from core.settings import TomlSettingsStore

    try:
        doc = json.loads((data_dir / "access-key.json").read_text("utf-8"))
    except (OSError, ValueError):
        doc = {}
    recorded = doc.get("secretStore") if isinstance(doc, dict) else None
    if recorded in ("keyring", "file"):
        return str(recorded)
    try:
        return TomlSettingsStore().load().secret_store
    except CoreError:
        return "keyring"


async def run(args: argparse.Namespace) -> int:
    from core.cloud import LOCAL_READY_PREFIX
    from core.emulator import AlreadyRunning, LocalServer, ServerConfig

    data_dir: Path = (args.data_dir or default_local_data_dir()).expanduser().absolute()
    if args.secret_store is None:
        args.secret_store = default_secret_store(data_dir)
    if args.print_credentials:
        return await _print_credentials(data_dir, args.secret_store)
    if args.workers < 1 or args.workers > 8:
        print("fcaccel serve: --workers must be between 1 and 8", file=sys.stderr)
        return 2
    config = ServerConfig(
        data_dir=data_dir,
        host=args.host,
        port=args.port,
        secret_store=args.secret_store,
        anonymous_pull=args.anonymous_pull,
        seed=not args.no_seed,
        **({"seed_image": args.seed} if args.seed else {}),
        conversion_workers=args.workers,
        instance_idle_timeout=args.idle_timeout,
        runtime_mode=args.runtime,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        upload_ttl=args.upload_ttl,
        upload_sweep_interval=min(600.0, max(1.0, args.upload_ttl / 10)),
    )
    if args.no_auto_profile:
        config.auto_profile = False
    server = LocalServer(config)
    try:
        await server.start()
    except AlreadyRunning as exc:
        print(f"fcaccel serve: {exc}", file=sys.stderr)
        if exc.info:
            print("FCDESK-RUNNING " + json.dumps(exc.info), flush=True)
        return 3
    except CoreError as exc:
        print(f"fcaccel serve: {exc} [{exc.code}]", file=sys.stderr)
        return 1
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, server.request_stop)
    try:
        print(LOCAL_READY_PREFIX + json.dumps(server.ready_info()), flush=True)
        await server.wait_closed()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await server.stop()
    return 0
