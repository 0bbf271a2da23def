"""hexo-generator-archive's pages: every post under `archive_dir/`, and by year and month
(`news/2019/`, `news/2019/11/`), newest first, each post whole, in pysite's theme."""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

from pysite.jekyll.site import HEXO


def enabled(site: Any) -> bool:
    """A Hexo site whose package.json installs hexo-generator-archive (as `hexo init` does)."""
    if site is None or site.kind != HEXO:
        return False
    try:
        package = json.loads((site.root / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(package, dict) and "hexo-generator-archive" in (package.get("dependencies") or {})


def pages(view: Any) -> dict[str, str]:
    site = view.config.generator
    if not enabled(site):
        return {}
    folder = str(site.config.get("archive_dir") or "archives").strip("/")
    posts = [post for post in view.posts if isinstance(post.get("date"), dt.date)]
    groups: dict[str, tuple[str, list]] = {folder: ("Archives", posts)}
    for post in posts:
        date = post["date"]
        groups.setdefault(f"{folder}/{date.year:04d}", (f"Archives: {date.year}", []))[1].append(post)
        groups.setdefault(f"{folder}/{date.year:04d}/{date.month:02d}",
                          (f"Archives: {date.strftime('%B %Y')}", []))[1].append(post)
    made = {}
    for path, (title, members) in groups.items():
        body = "\n".join(article(view, post) for post in members)
        page = {"title": title, "url": view.layouts.url(f"/{path}/"), "source": ""}
        made[f"{path}/index.html"] = view.render_layout("default", page, body)
    return made


def article(view: Any, post: dict[str, Any]) -> str:
    content = view.read[post["source"]].content
    date = post["date"]
    return (f'<article class="post archive-post"><header><h2><a href="{html.escape(post["url"])}">'
            f'{html.escape(str(post.get("title") or ""))}</a></h2>'
            f'<time datetime="{date:%Y-%m-%d}">{date:%Y-%m-%d}</time></header>\n{content}\n</article>')
