"""Listings reach the view-models page by page (`gui.backend._pages`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from gui.backend._pages import collect_in_pages


async def _numbers(n: int) -> AsyncIterator[int]:
    for i in range(n):
        await asyncio.sleep(0)
        yield i


@pytest.mark.parametrize(("count", "pages"), [(0, []), (3, [3]), (4, [4]), (9, [4, 4, 1])])
def test_items_arrive_in_pages_and_all_are_returned(count: int, pages: list[int]) -> None:
    seen: list[list[int]] = []
    items = asyncio.run(collect_in_pages(_numbers(count), seen.append, size=4))
    assert items == list(range(count))
    assert [len(p) for p in seen] == pages
    assert [i for p in seen for i in p] == items


def test_without_a_callback_the_listing_is_still_complete() -> None:
    assert asyncio.run(collect_in_pages(_numbers(250))) == list(range(250))
