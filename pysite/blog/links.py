"""Site paths in rendered HTML: the prepath in front of `/...` links, and absolute URLs.

Layouts add the prepath with the `url` filter; links written in a page's Markdown
(`[post](/posts/a/)`, `<img src="/assets/x.png">`) get it here, once, when the page's
content is put into its layout, a list or a feed.
"""

from __future__ import annotations

import re
from typing import Any

# An href/src/poster/action attribute whose value starts with one `/` (not `//host`).
ROOTED = re.compile(r"""(\s(?:href|src|poster|action)\s*=\s*)(["'])/(?!/)""", re.IGNORECASE)


def prefix_links(html: str, prefix: str) -> str:
    """`href="/a/"` -> `href="PREFIX/a/"`, for a prepath or an absolute site URL."""
    if not prefix:
        return html
    prefix = prefix.rstrip("/")
    return ROOTED.sub(lambda m: f"{m.group(1)}{m.group(2)}{prefix}/", html)


def origin(site: dict[str, Any]) -> str:
    """The site's URL without the prepath: what goes in front of a prefixed path.

    Franklin's `website_url` may include the prepath (https://user.github.io/project/)
    or not; both give https://user.github.io.
    """
    base = str(site.get("url") or "").strip().rstrip("/")
    prepath = site.get("prepath") or ""
    if prepath and base.endswith(prepath):
        base = base[: -len(prepath)]
    return base


def absolute(site: dict[str, Any], url: str) -> str:
    """An absolute URL for a path that already has the prepath (a page view's `url`)."""
    if "://" in url:
        return url
    return origin(site) + url
