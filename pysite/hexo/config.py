"""Hexo's URLs: a post's from `permalink` (`:year/:month/:day/:title/`, `:name`, `:category`...),
its slug from the file name read through `new_post_name`; a page's from its path under `source/`.
"""

from __future__ import annotations

import os
import re
from typing import Any

from pysite.jekyll import permalink
from pysite.jekyll.site import GeneratorSite

NAME_PARTS = {"year": r"(?P<year>\d{4})", "month": r"(?P<month>\d{2})", "i_month": r"(?P<i_month>\d{1,2})",
              "day": r"(?P<day>\d{2})", "i_day": r"(?P<i_day>\d{1,2})", "title": r"(?P<title>.+)"}


def post_slug(site: GeneratorSite, path_in_posts: str) -> str:
    """The `:title` of a post: its path under `_posts/` without extension, less what
    `new_post_name` (`:year-:month-:day-:title.md`) puts around the title."""
    stem = os.path.splitext(path_in_posts)[0]
    pattern = os.path.splitext(str(site.config.get("new_post_name") or ":title.md"))[0]
    regex = "".join(NAME_PARTS.get(part[1:], re.escape(part)) if part.startswith(":") else re.escape(part)
                    for part in re.split(r"(:[a-z_]+)", pattern) if part)
    folder, name = os.path.split(stem)
    match = re.fullmatch(regex, name)
    title = match["title"] if match and "title" in match.groupdict() else name
    return f"{folder}/{title}" if folder else title


def hexo_url(site: GeneratorSite, rel: str, type_: str, values: dict[str, Any]) -> str:
    inner = site.below_source(rel)
    chosen = values.get("permalink")
    if type_ not in ("posts", "drafts"):
        if chosen:
            return permalink.fill(str(chosen), {})
        stem = os.path.splitext(inner)[0]
        return "/" + (stem[: -len("index")] if stem == "index" or stem.endswith("/index") else stem + ".html")
    slug = str(values["slug"])
    categories = values.get("categories") or []
    name = os.path.basename(slug)
    placeholders = {
        **permalink.date_values(values.get("date")),
        "title": slug, "name": name, "post_title": slug, "id": str(values.get("id") or ""),
        "category": "/".join(str(c) for c in categories) or str(site.config.get("default_category") or "uncategorized"),
    }
    template = str(chosen or site.config.get("permalink") or ":year/:month/:day/:title/")
    return permalink.fill(template, placeholders)
