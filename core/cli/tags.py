"""``fcaccel tags``: list a repository's tags with their accelerated twins."""

from __future__ import annotations

import argparse
from typing import Any

from core import is_accelerated_tag, twin_tag_of
from core.cli._cloud_common import (
    add_common_arguments,
    choose_instance,
    emit_json,
    open_profile,
    print_table,
    split_repo,
)

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("tags", help="list repository tags")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser("list", help="list the tags of NAMESPACE/NAME")
    add_common_arguments(p)
    p.add_argument("repo", help="NAMESPACE/NAME")
    p.add_argument("--instance", help="registry instance id (cri-…)")
    p.set_defaults(func=_list)


async def _list(args: argparse.Namespace) -> int:
    namespace, name = split_repo(args.repo)
    async with open_profile(args) as ctx:
        instance = await choose_instance(ctx, args.instance)
        acr = ctx.clients.acr
        repo = await acr.get_repository(instance, namespace=namespace, name=name)
        tags = [t async for t in acr.list_tags(instance, repo.repo_id or "")]
    names = {t.tag for t in tags}
    # _accelerated tags first, as the function form lists them
    tags.sort(key=lambda t: (not is_accelerated_tag(t.tag), t.tag or ""))
    if args.json:
        emit_json(
            [
                {
                    **t.to_json(),
                    "accelerated": is_accelerated_tag(t.tag),
                    "hasAcceleratedTwin": (
                        None if is_accelerated_tag(t.tag) else twin_tag_of(t.tag or "") in names
                    ),
                }
                for t in tags
            ]
        )
        return 0
    rows = []
    for t in tags:
        twin = (
            ""
            if is_accelerated_tag(t.tag)
            else ("yes" if twin_tag_of(t.tag or "") in names else "no")
        )
        rows.append([t.tag, (t.digest or "")[:19], t.size, twin])
    print_table(["TAG", "DIGEST", "SIZE", "ACCELERATED TWIN"], rows)
    return 0
