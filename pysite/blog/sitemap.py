"""`sitemap.xml` (every published page, tag page and tag index, with `<lastmod>`) and a
`robots.txt` pointing at it, unless the site has its own robots.txt.

`generate_sitemap = false` (Franklin's name) turns both off. Page variables:
`sitemap_exclude = true` or `sitemap = false` leave a page out; `sitemap_priority` and
`sitemap_changefreq` set its `<priority>` and `<changefreq>`.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import PurePosixPath
from typing import Any

from pysite.blog.links import absolute
from pysite.blog.posts import published

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def enabled(site: dict[str, Any]) -> bool:
    return site.get("generate_sitemap", True) not in (False, "false", 0)


def listed(view: dict[str, Any]) -> bool:
    if view.get("sitemap_exclude") or view.get("sitemap") is False:
        return False
    return PurePosixPath(view.get("source", "")).stem != "404"


def lastmod(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


def newest(pages: list[dict[str, Any]]) -> str | None:
    return max((lastmod(p.get("date")) or "" for p in pages), default="") or None


def sitemap(view: Any, terms_listed: bool = True) -> str:
    """`terms_listed`: the tag and category pages too (a Franklin site has no such pages)."""
    site = view.site
    root = ET.Element("urlset", {"xmlns": NS})
    entries = [(v["url"], lastmod(v.get("last_modified") or v.get("date")), v)
               for v in published(view.pages) if listed(v)]
    for taxonomy in ("tags", "categories") if terms_listed else ():
        terms = site[taxonomy]
        if terms:
            entries.append((view.layouts.url(f"/{taxonomy}/"), newest([p for t in terms for p in t.pages]), {}))
            entries.extend((term.url, newest(term.pages), {}) for term in terms)
    for url, modified, page_view in sorted(entries, key=lambda entry: entry[0]):
        item = ET.SubElement(root, "url")
        ET.SubElement(item, "loc").text = absolute(site, url)
        if modified:
            ET.SubElement(item, "lastmod").text = modified
        if page_view.get("sitemap_changefreq"):
            ET.SubElement(item, "changefreq").text = str(page_view["sitemap_changefreq"])
        if page_view.get("sitemap_priority") is not None:
            ET.SubElement(item, "priority").text = str(page_view["sitemap_priority"])
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def robots(view: Any) -> str:
    return f"User-agent: *\nDisallow:\n\nSitemap: {absolute(view.site, view.layouts.url('/sitemap.xml'))}\n"


def files(view: Any, copied: set[str], terms_listed: bool = True) -> dict[str, str]:
    if not enabled(view.site):
        return {}
    made = {"sitemap.xml": sitemap(view, terms_listed)}
    if "robots.txt" not in copied:
        made["robots.txt"] = robots(view)
    return made
