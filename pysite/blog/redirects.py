"""Redirect pages: a page's old URLs (`aliases`, Hugo's name, or `redirect_from`, the
Jekyll plugin's) each get a small HTML page sending the reader to the page's URL.

The redirect needs no JavaScript: a meta refresh, a canonical link, and a plain link.
"""

from __future__ import annotations

import html
from pathlib import PurePosixPath
from typing import Any

from pysite.blog.links import absolute
from pysite.config import as_list
from pysite.output import leaves

ALIAS_VARIABLES = ("aliases", "redirect_from")


def redirect_page(site: dict[str, Any], url: str) -> str:
    """The HTML of a page that redirects to `url` (a path with the prepath, or a full URL)."""
    target = html.escape(url)
    canonical = html.escape(absolute(site, url))
    return ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>Redirecting to {target}</title>\n"
            f"<link rel=\"canonical\" href=\"{canonical}\">\n"
            "<meta name=\"robots\" content=\"noindex\">\n"
            f"<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n"
            f"</head>\n<body>\n<p>This page has moved to <a href=\"{target}\">{target}</a>.</p>\n"
            "</body>\n</html>\n")


def output_of(alias: str) -> str | None:
    """`/old/url/` and `/old/url` -> `old/url/index.html`; `/old.html` stays a file."""
    path = str(alias).strip().split("#")[0].split("?")[0].strip("/")
    if not path or "://" in str(alias):
        return None
    rel = path if PurePosixPath(path).suffix in (".html", ".htm") else f"{path}/index.html"
    return None if leaves(rel) else rel


def aliases(view: dict[str, Any]) -> list[str]:
    return [str(a) for name in ALIAS_VARIABLES for a in as_list(view.get(name))]


def pages(view: Any) -> dict[str, str]:
    made = {}
    for page_view in view.pages:
        for alias in aliases(page_view):
            rel = output_of(alias)
            if rel is not None:
                made[rel] = redirect_page(view.site, page_view["url"])
    return made
