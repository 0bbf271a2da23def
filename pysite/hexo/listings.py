"""The list pages of Hexo's generator plugins, in pysite's theme: hexo-generator-index's home
(`index_generator.path`) and hexo-generator-archive's `archive_dir/` with its year and month
pages, each paginated as hexo-pagination does: `per_page` posts a page (0: all on one),
page 1 at the list's URL, page N at `URL/pagination_dir/N/`. A plugin works when the site's
package.json installs it, as `hexo init` does.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

from pysite.blog.paginate import Paginator
from pysite.jekyll.site import HEXO

DEFAULT_PER_PAGE = 10   # Hexo's own default `per_page`


def installed(site: Any, plugin: str) -> bool:
    if site is None or site.kind != HEXO:
        return False
    try:
        package = json.loads((site.root / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(package, dict) and plugin in (package.get("dependencies") or {})


def settings(site: Any, name: str) -> dict[str, Any]:
    found = site.config.get(name)
    return found if isinstance(found, dict) else {}


def count(value: Any, default: int) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def paginated(view: Any, base: str, posts: list, per_page: int, folder: str) -> list[tuple[str, Paginator]]:
    """(output file, paginator) of each page of one list at `base` (a folder, "" for the home)."""
    base = base.strip("/") + "/" if base.strip("/") else ""
    size = per_page or max(1, len(posts))
    total = max(1, -(-len(posts) // size))
    paths = [base] + [f"{base}{folder}/{number}/" for number in range(2, total + 1)]
    urls = [view.layouts.url("/" + path) for path in paths]
    return [(f"{paths[n - 1]}index.html", Paginator(posts[(n - 1) * size:n * size], n, urls, len(posts), size))
            for n in range(1, total + 1)]


def pages(view: Any) -> dict[str, str]:
    site = view.config.generator
    made: dict[str, str] = {}
    if installed(site, "hexo-generator-index"):
        made.update(index_pages(view, site))
    if installed(site, "hexo-generator-archive") and view.posts:
        made.update(archive_pages(view, site))
    return made


def index_pages(view: Any, site: Any) -> dict[str, str]:
    """The home: posts newest first, `sticky` ones (highest first) before the rest, `hidden` ones left out."""
    options = settings(site, "index_generator")
    per_page = count(options.get("per_page", site.config.get("per_page", DEFAULT_PER_PAGE)), DEFAULT_PER_PAGE)
    folder = str(options.get("pagination_dir") or site.config.get("pagination_dir") or "page").strip("/")
    posts = sorted((post for post in view.posts if not post.get("hidden")),
                   key=lambda post: -count(post.get("sticky"), 0))   # stable: newest first within each
    made = {}
    for path, paginator in paginated(view, str(options.get("path") or ""), posts, per_page, folder):
        page = {"title": view.site.get("title") or "", "url": paginator.url, "source": ""}
        made[path] = view.render_layout("index", page, "", paginator=paginator)
    return made


def archive_pages(view: Any, site: Any) -> dict[str, str]:
    """Every post under `archive_dir/`, then by year and by month (unless `yearly` or `monthly` is
    false), newest first, each post whole."""
    options = settings(site, "archive_generator")
    if site.config.get("archive") == 1:
        default = 0
    else:
        default = count(site.config.get("per_page", DEFAULT_PER_PAGE), DEFAULT_PER_PAGE)
    per_page = count(options.get("per_page", default), default)
    folder = str(site.config.get("pagination_dir") or "page").strip("/")
    archive = str(site.config.get("archive_dir") or "archives").strip("/")
    posts = [post for post in view.posts if isinstance(post.get("date"), dt.date)]
    groups: dict[str, tuple[str, list]] = {archive: ("Archives", posts)}
    for post in posts if options.get("yearly", True) else ():
        date = post["date"]
        groups.setdefault(f"{archive}/{date.year:04d}", (f"Archives: {date.year}", []))[1].append(post)
        if options.get("monthly", True):
            groups.setdefault(f"{archive}/{date.year:04d}/{date.month:02d}",
                              (f"Archives: {date.strftime('%B %Y')}", []))[1].append(post)
    made = {}
    for base, (title, members) in groups.items():
        for path, paginator in paginated(view, base, members, per_page, folder):
            body = "\n".join(article(view, post) for post in paginator.items)
            body += view.layouts.render("partials/pagination", {"paginator": paginator})
            page = {"title": title, "url": paginator.url, "source": ""}
            made[path] = view.render_layout("default", page, body)
    return made


def article(view: Any, post: dict[str, Any]) -> str:
    content = view.read[post["source"]].content
    date = post["date"]
    return (f'<article class="post archive-post"><header><h2><a href="{html.escape(post["url"])}">'
            f'{html.escape(str(post.get("title") or ""))}</a></h2>'
            f'<time datetime="{date:%Y-%m-%d}">{date:%Y-%m-%d}</time></header>\n{content}\n</article>')
