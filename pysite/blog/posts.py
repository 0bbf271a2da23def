"""Which pages are posts, drafts and scheduled pages, and the date order of lists.

A post is a page with a `date` (or Franklin's `rss`/`rss_description`), other than a
folder's `index` page or `404`, inside `posts_folder` when the site sets one; a page
overrides this with `post = true/false`. A draft is a page with `draft: true` or a date
still in the future: `build` leaves it out unless `--drafts`, and feeds and the sitemap
never show one.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from typing import Any, Iterable

from pysite.config import as_list

SPECIAL = {"index", "404"}


def date_key(view: dict[str, Any]) -> tuple:
    """Sort key: dated pages by date (date-only values at midnight), undated ones first."""
    date = view.get("date")
    if isinstance(date, dt.datetime):
        return (1, date.replace(tzinfo=None))
    if isinstance(date, dt.date):
        return (1, dt.datetime(date.year, date.month, date.day))
    return (0, dt.datetime.min)


def by_date(views: Iterable[dict[str, Any]], newest_first: bool = True) -> list[dict[str, Any]]:
    """The `by_date` filter: pages newest first (or oldest first), undated ones last."""
    dated = sorted((v for v in views if date_key(v)[0]), key=date_key, reverse=newest_first)
    return dated + [v for v in views if not date_key(v)[0]]


def is_future(date: Any, now: dt.datetime | None = None) -> bool:
    """A date after now; a date without a time counts from the start of its day."""
    if not isinstance(date, dt.date):
        return False
    now = now or dt.datetime.now(dt.timezone.utc).astimezone()
    if isinstance(date, dt.datetime):
        if date.tzinfo is None:
            return date > now.replace(tzinfo=None)
        return date > now
    return date > now.date()


def is_draft(variables: dict[str, Any]) -> bool:
    return bool(variables.get("draft")) or is_future(variables.get("date"))


def is_post(view: dict[str, Any], posts_folder: Any = None) -> bool:
    if view.get("post") is not None:
        return bool(view["post"])
    source = view.get("source", "")  # a string, as pathlib's parsing costs a `serve` rebuild 4 ms a 1,000 pages
    if posixpath.splitext(posixpath.basename(source))[0] in SPECIAL:
        return False
    folders = [str(f).strip("/") + "/" for f in as_list(posts_folder)]
    if folders and not any(source.startswith(folder) for folder in folders):
        return False
    return bool(view.get("date") or view.get("rss") or view.get("rss_description"))


def select_posts(views: Iterable[dict[str, Any]], site: dict[str, Any]) -> list[dict[str, Any]]:
    """The site's posts, newest first (drafts included only when the build includes them)."""
    return by_date([v for v in views if is_post(v, site.get("posts_folder"))])


def published(views: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What feeds and the sitemap may show: no drafts, even in a `serve` preview."""
    return [v for v in views if not v.get("is_draft")]
