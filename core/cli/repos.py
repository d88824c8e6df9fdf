"""``fcaccel repos``: browse Container Registry repositories."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli._cloud_common import (
    add_common_arguments,
    choose_instance,
    emit_json,
    open_profile,
    print_table,
)

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("repos", help="browse registry repositories")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser("list", help="list repositories of a registry instance")
    add_common_arguments(p)
    p.add_argument("--instance", help="registry instance id (cri-…)")
    p.add_argument("--namespace", help="only this namespace")
    p.add_argument(
        "--accel", action="store_true", help="also show whether acceleration is switched on"
    )
    p.set_defaults(func=_list)


async def _list(args: argparse.Namespace) -> int:
    async with open_profile(args) as ctx:
        instance = await choose_instance(ctx, args.instance)
        acr = ctx.clients.acr
        repos = [r async for r in acr.list_repositories(instance, namespace=args.namespace)]
        rules: list[bool | None] = [None] * len(repos)
        if args.accel:
            for i, repo in enumerate(repos):
                if repo.repo_id:
                    rules[i] = await acr.get_acceleration_rule(instance, repo.repo_id) is not None
        hosts = await acr.registry_hosts(instance)
    if args.json:
        emit_json(
            {
                "instanceId": instance,
                "registry": {"public": hosts.public, "vpc": hosts.vpc},
                "repositories": [
                    {**r.to_json(), **({"acceleration": rules[i]} if args.accel else {})}
                    for i, r in enumerate(repos)
                ],
            }
        )
        return 0
    headers = ["REPOSITORY", "ID", "TYPE", "STATUS"] + (["ACCELERATION"] if args.accel else [])
    rows = []
    for i, r in enumerate(repos):
        row = [r.path, r.repo_id, r.repo_type, r.repo_status]
        if args.accel:
            row.append("on" if rules[i] else "off")
        rows.append(row)
    print_table(headers, rows)
    return 0
