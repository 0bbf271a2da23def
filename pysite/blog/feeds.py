"""Feeds of the site's posts: RSS 2.0 at `feed.xml` and Atom at `atom.xml`.

Site variables (Franklin's names work through config.md's aliases): `title`, `url`,
`description`, `author`; `generate_rss = false` turns feeds off; `rss_full_content = true`
puts whole posts in the feeds instead of their description or excerpt; `feed_limit`
(default 20) caps the entries; `tag_feeds = true` adds `tags/NAME/feed.xml` and
`atom.xml` for every tag. Page variables `rss_description` or Franklin's `rss` (text)
give an entry's description, `rss_title` its title, `rss_pubdate` its date.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import xml.etree.ElementTree as ET
from typing import Any

from pysite.blog.links import absolute, origin, prefix_links
from pysite.blog.posts import published

ATOM = "http://www.w3.org/2005/Atom"
DEFAULT_LIMIT = 20
ET.register_namespace("atom", ATOM)


def enabled(site: dict[str, Any]) -> bool:
    return site.get("generate_rss", True) not in (False, "false", 0)


def as_datetime(value: Any) -> dt.datetime | None:
    """Dates as aware datetimes: a date alone is midnight UTC, a naive time is UTC."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    return None


def entry_date(view: dict[str, Any]) -> dt.datetime:
    return (as_datetime(view.get("rss_pubdate")) or as_datetime(view.get("date"))
            or dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))


def summary(view: Any, page_view: dict[str, Any]) -> str:
    """The entry's text (HTML): its rss/description or its excerpt, else (or when
    `rss_full_content` asks) the whole post."""
    site = view.site
    if not site.get("rss_full_content"):
        for name in ("rss_description", "rss", "description"):
            text = page_view.get(name)
            if isinstance(text, str) and text.strip():
                return text
        if page_view.get("excerpt"):
            return prefix_links(str(page_view["excerpt"]), origin(site))
    page = view.read.get(page_view["source"])  # a Hexo post without `<!-- more -->` has no excerpt
    return prefix_links(page.content, origin(site) + (site.get("prepath") or "")) if page is not None else ""


def entries(view: Any, posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    try:
        limit = int(view.site.get("feed_limit", DEFAULT_LIMIT))
    except (TypeError, ValueError):
        limit = DEFAULT_LIMIT
    posts = sorted(published(posts), key=entry_date, reverse=True)
    return posts[:limit] if limit > 0 else posts


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def rss(view: Any, posts: list[dict[str, Any]], title: str, self_url: str) -> str:
    site = view.site
    root = ET.Element("rss", {"version": "2.0"})
    channel = sub(root, "channel")
    sub(channel, "title", title)
    sub(channel, "link", absolute(site, view.layouts.url("/")))
    sub(channel, "description", str(site.get("description") or title))
    sub(channel, "language", str(site.get("lang") or "en"))
    sub(channel, "generator", "pysite")
    sub(channel, f"{{{ATOM}}}link", href=self_url, rel="self", type="application/rss+xml")
    items = entries(view, posts)
    if items:
        sub(channel, "lastBuildDate", email.utils.format_datetime(entry_date(items[0])))
    for post in items:
        item = sub(channel, "item")
        link = absolute(site, post["url"])
        sub(item, "title", str(post.get("rss_title") or post.get("title") or link))
        sub(item, "link", link)
        sub(item, "guid", link, isPermaLink="true")
        sub(item, "pubDate", email.utils.format_datetime(entry_date(post)))
        author = post.get("rss_author") or post.get("author")
        if author and "@" in str(author):  # RSS wants an email address here
            sub(item, "author", str(author))
        for term in [*post.get("categories", ()), *post.get("tags", ())]:
            sub(item, "category", str(term))
        sub(item, "description", summary(view, post))
    return serialize(root)


def atom(view: Any, posts: list[dict[str, Any]], title: str, self_url: str) -> str:
    site = view.site
    home = absolute(site, view.layouts.url("/"))
    root = ET.Element(f"{{{ATOM}}}feed")
    sub(root, f"{{{ATOM}}}title", title)
    if site.get("description"):
        sub(root, f"{{{ATOM}}}subtitle", str(site["description"]))
    sub(root, f"{{{ATOM}}}link", href=home)
    sub(root, f"{{{ATOM}}}link", href=self_url, rel="self", type="application/atom+xml")
    sub(root, f"{{{ATOM}}}id", self_url)
    items = entries(view, posts)
    updated = max((entry_updated(p) for p in items), default=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))
    sub(root, f"{{{ATOM}}}updated", updated.isoformat())
    author = sub(root, f"{{{ATOM}}}author")
    sub(author, f"{{{ATOM}}}name", str(site.get("author") or site.get("title") or home))
    sub(root, f"{{{ATOM}}}generator", "pysite")
    full = bool(site.get("rss_full_content"))
    for post in items:
        entry = sub(root, f"{{{ATOM}}}entry")
        link = absolute(site, post["url"])
        sub(entry, f"{{{ATOM}}}title", str(post.get("rss_title") or post.get("title") or link))
        sub(entry, f"{{{ATOM}}}link", href=link, rel="alternate")
        sub(entry, f"{{{ATOM}}}id", link)
        sub(entry, f"{{{ATOM}}}published", entry_date(post).isoformat())
        sub(entry, f"{{{ATOM}}}updated", entry_updated(post).isoformat())
        if post.get("author"):
            sub(sub(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name", str(post["author"]))
        for term in [*post.get("categories", ()), *post.get("tags", ())]:
            sub(entry, f"{{{ATOM}}}category", term=str(term))
        sub(entry, f"{{{ATOM}}}content" if full else f"{{{ATOM}}}summary", summary(view, post), type="html")
    return serialize(root)


def entry_updated(view: dict[str, Any]) -> dt.datetime:
    """An author's `lastmod`/`last_modified` when later than the date (not the file's mtime)."""
    published_at = entry_date(view)
    changed = as_datetime(view.get("lastmod"))
    return max(published_at, changed) if changed else published_at


def serialize(root: ET.Element) -> str:
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def files(view: Any) -> dict[str, str]:
    site = view.site
    if not enabled(site):
        return {}
    title = str(site.get("title") or "")
    made = {}

    def add(folder: str, posts: list[dict[str, Any]], feed_title: str) -> None:
        made[f"{folder}feed.xml"] = rss(view, posts, feed_title, absolute(site, view.layouts.url(f"/{folder}feed.xml")))
        made[f"{folder}atom.xml"] = atom(view, posts, feed_title, absolute(site, view.layouts.url(f"/{folder}atom.xml")))

    add("", view.posts, title)
    if site.get("tag_feeds"):
        is_post = {id(p) for p in view.posts}
        for term in site["tags"]:
            posts = [p for p in term.pages if id(p) in is_post]
            if posts:
                add(f"tags/{term.slug}/", posts, f"{title} · {term.name}" if title else term.name)
    return made
