"""jekyll-paginate (v1): with `paginate: N` in _config.yml, the site's posts are listed N to a
page by one `index.html` (the deepest one on the way to `paginate_path`): page 1 is that page,
pages 2.. are written at `paginate_path` (default `/page:num`) with `:num` their number.
Layouts read `paginator` (page, per_page, posts, total_posts, total_pages, previous_page,
previous_page_path, next_page, next_page_path); every other page gets none, as in Jekyll.
"""

from __future__ import annotations

import posixpath
from typing import Any

from pysite.jekyll.site import HEXO, GeneratorSite

DEFAULT_PATH = "/page:num"


def per_page(site: GeneratorSite) -> int:
    """The site's `paginate` (0: the site does not paginate)."""
    if site.kind == HEXO:
        return 0
    try:
        return max(0, int(site.config.get("paginate") or 0))
    except (TypeError, ValueError):
        return 0


def paginate_path(site: GeneratorSite) -> str:
    path = str(site.config.get("paginate_path") or DEFAULT_PATH)
    # Jekyll stops on a path without :num; pysite lists the posts at the default path instead
    return path if ":num" in path else DEFAULT_PATH


def template_page(site: GeneratorSite) -> str | None:
    """The source of the page that pages through the posts: an `index.html` in the folder of
    `paginate_path` or in one above it, the deepest first."""
    if "paginate_template" not in site.cache:  # cleared with the rest when the site is discovered
        site.cache["paginate_template"] = find_template(site) if per_page(site) else None
    return site.cache["paginate_template"]


def find_template(site: GeneratorSite) -> str | None:
    folder = posixpath.dirname("/" + paginate_path(site).lstrip("/")).strip("/")
    allowed = {""}
    while folder:
        allowed.add(folder)
        folder = posixpath.dirname(folder)
    found = [rel for rel, document in site.documents.items()
             if document.type == "pages" and posixpath.basename(site.below_source(rel)) == "index.html"
             and posixpath.dirname(site.below_source(rel)) in allowed]
    return max(found, key=lambda rel: len(site.below_source(rel)), default=None)


def page_path(site: GeneratorSite, number: int) -> str:
    """`paginator.next_page_path` and the like for list page `number` (from 2), as written in
    `paginate_path`."""
    return "/" + paginate_path(site).replace(":num", str(number), 1).lstrip("/")


def page_url(site: GeneratorSite, number: int) -> str:
    """The URL of list page `number` (from 2): Jekyll writes each as a folder's index.html."""
    return "/" + page_path(site, number).strip("/") + "/"


def pagers(site: GeneratorSite, posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every list page's `paginator`, page 1 first (none when there are no posts)."""
    rel = template_page(site)
    if rel is None:
        return []
    size = per_page(site)
    posts = [post for post in posts if not post.get("hidden")]
    total = -(-len(posts) // size)
    first = site.documents[rel].url

    def path(number: int | None) -> str | None:
        if number is None:
            return None
        return first if number == 1 else page_path(site, number)

    found = []
    for number in range(1, total + 1):
        previous, following = (number - 1 or None), (number + 1 if number < total else None)
        found.append({"page": number, "per_page": size, "posts": posts[(number - 1) * size:number * size],
                      "total_posts": len(posts), "total_pages": total,
                      "previous_page": previous, "previous_page_path": path(previous),
                      "next_page": following, "next_page_path": path(following)})
    return found


def pages(view: Any) -> dict[str, str]:
    """List pages 2.. of the site's paginating index.html."""
    site = view.config.generator
    rel = template_page(site) if site is not None else None
    page = view.read.get(rel) if rel is not None else None
    if page is None or page.failed:
        return {}
    # Here, not at the top: render.py uses this module for page 1, and only Jekyll sites need Liquid.
    from pysite.jekyll.render import liquid_site

    return {page_url(site, pager["page"]).lstrip("/") + "index.html": view.render(page, paginator=pager)
            for pager in pagers(site, liquid_site(view)["posts"])[1:]}
