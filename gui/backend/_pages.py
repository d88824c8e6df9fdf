"""Long listings handed to the view-models in pages, so a repository of 100,000 tags fills its
table while the rest is still arriving."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable
from typing import TypeVar

__all__ = ["PAGE_SIZE", "collect_in_pages"]

T = TypeVar("T")

PAGE_SIZE = 100


async def collect_in_pages(
    items: AsyncIterable[T],
    on_page: Callable[[list[T]], None] | None = None,
    *,
    size: int = PAGE_SIZE,
) -> list[T]:
    """Every item of ``items``; ``on_page`` gets them ``size`` at a time as they arrive (the
    last page may be shorter; an empty listing calls it never)."""
    out: list[T] = []
    page: list[T] = []
    async for item in items:
        page.append(item)
        if len(page) >= size:
            out.extend(page)
            if on_page is not None:
                on_page(list(page))
            page = []
    out.extend(page)
    if on_page is not None and page:
        on_page(list(page))
    return out
