"""Pagination: a page that sets `paginate` lists its posts over several pages.

`paginate = true` pages through every post; `paginate = "posts/"` through the posts
under a folder; `paginate_size` (page or site variable, default 10) sets how many per
page. The page itself is page 1; pages 2..N are written at `URL/page/N/` with the same
layout, and `URL/page/1/` redirects to `URL`. Layouts read `paginator`.

Franklin's `{{paginate items n}}` call is Franklin's own: page N of its list is written at
`URL/N/` (page 1 too, and at `URL`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pysite.blog import redirects
from pysite.dialect import franklin_layout
from pysite.dialect.templates import paginate_count

DEFAULT_SIZE = 10


@dataclass
class Paginator:
    items: list[dict[str, Any]]             # the posts on this page, newest first
    number: int                             # this page's number, from 1
    urls: list[str] = field(default_factory=list)   # every page's URL, page 1 first
    total_items: int = 0
    size: int = DEFAULT_SIZE

    @property
    def total_pages(self) -> int:
        return len(self.urls)

    @property
    def url(self) -> str:
        return self.urls[self.number - 1]

    @property
    def prev_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < len(self.urls) else None

    @property
    def first_url(self) -> str:
        return self.urls[0]

    @property
    def last_url(self) -> str:
        return self.urls[-1]


def listed(view: Any, page_view: dict[str, Any]) -> list[dict[str, Any]]:
    """The posts a page pages through (never the page itself)."""
    wanted = page_view.get("paginate")
    posts = [p for p in view.posts if p["source"] != page_view["source"]]
    if isinstance(wanted, str) and wanted.strip("/"):
        folder = wanted.strip("/") + "/"
        posts = [p for p in posts if p["source"].startswith(folder)]
    return posts


def size_of(view: Any, page_view: dict[str, Any]) -> int:
    try:
        return max(1, int(page_view.get("paginate_size") or view.site.get("paginate_size") or DEFAULT_SIZE))
    except (TypeError, ValueError):
        return DEFAULT_SIZE


def paginators(view: Any, page_view: dict[str, Any]) -> list[Paginator]:
    """One paginator per list page; empty when the page does not paginate."""
    if not page_view.get("paginate"):
        return []
    posts = listed(view, page_view)
    size = size_of(view, page_view)
    count = max(1, -(-len(posts) // size))
    base = page_view["url"]
    urls = [base] + [f"{base}page/{n}/" for n in range(2, count + 1)]
    return [Paginator(posts[(n - 1) * size:n * size], n, urls, len(posts), size) for n in range(1, count + 1)]


def context(view: Any, page_view: dict[str, Any]) -> dict[str, Any]:
    """What page 1 (the page itself) gets in its layout: `paginator` when it paginates."""
    found = paginators(view, page_view)
    return {"paginator": found[0]} if found else {}


def pages(view: Any) -> dict[str, str]:
    """Pages 2..N of every paginated page, and the `page/1/` redirect."""
    made = {}
    for rel, page in view.read.items():
        page_view = view.views[rel]
        folder = page.source.out.removesuffix("index.html")
        parts = paginate_count(page.content, franklin_layout.render_scope(view, page, [])) if not page.failed else 0
        for part in range(1, parts + 1):
            made[f"{folder}{part}/index.html"] = view.render(page, part=part)
        found = paginators(view, page_view)
        if not found or page.failed:
            continue
        made[f"{folder}page/1/index.html"] = redirects.redirect_page(view.site, page_view["url"])
        for paginator in found[1:]:
            made[f"{folder}page/{paginator.number}/index.html"] = view.render(page, paginator=paginator)
    return made
