"""Franklin's RSS feed: `feed.xml` (the site's `rss_file`) and `tag/NAME/feed.xml` per tag,
made from the site's `_rss/head.xml` and `_rss/item.xml` (pysite's own pair when it has none)
as Franklin makes them.

Every published page with an `rss` or `rss_description` is an item, newest `rss_pubdate`
(else `date`, else the file's date) first, with no limit. The templates are Franklin
dialect, with Franklin's RSS functions: `{{fd2rss var}}` (Markdown to HTML, links made
absolute), `{{rfc822 var}}` (a date as RSS wants it) and `{{fix_relative_links var}}`.
A feed needs `website_title`, `website_url` and `website_description`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from pathlib import Path
from typing import Any

from pysite import markdown
from pysite.blog.links import prefix_links
from pysite.config import FRANKLIN
from pysite.dialect import franklin_layout, franklin_vars
from pysite.dialect.context import as_text
from pysite.dialect.scan import Source
from pysite.dialect.templates import render_template
from pysite.errors import Diagnostic

TEMPLATES = Path(__file__).parent.parent / "theme" / "_rss"
NEEDED = ("website_title", "website_url", "website_description")
COMMENT = re.compile(r"<!--.*?-->", re.S)
# Links to a place in the page mean nothing in a feed: Franklin keeps only their text.
ANCHOR_LINK = re.compile(r"""<a\shref=["']?#[^>]*>(.*?)</a>""", re.S)
PARAGRAPH = re.compile(r"^\s*<p>(.*)</p>\s*$", re.S)


def variable(variables: dict[str, Any], name: str) -> Any:
    found, value = franklin_vars.default(name, variables)
    return variables.get(name, value if found else None)


def enabled(site: dict[str, Any], diagnostics: list[Diagnostic], config_path: Path) -> bool:
    if not variable(site, "generate_rss"):
        return False
    missing = [name for name in NEEDED if not as_text(variable(site, name)).strip()]
    if missing:
        diagnostics.append(Diagnostic(f"the RSS feed needs {', '.join(missing)}; left out", config_path, None,
                                      "warning", hint="define them in config.md, or `generate_rss = false`"))
    return not missing


def template(root: Path, name: str) -> tuple[str, Path]:
    path = root / "_rss" / name
    if not path.is_file():
        path = TEMPLATES / name
    return COMMENT.sub("", path.read_text(encoding="utf-8")), path


def files(view: Any, diagnostics: list[Diagnostic]) -> dict[str, str]:
    site = view.site
    if not enabled(site, diagnostics, view.config.path):
        return {}
    root = view.config.root
    base = as_text(variable(site, "website_url")).rstrip("/")
    name = as_text(variable(site, "rss_file")) + ".xml"
    functions = rss_functions(base)
    head_text, head_path = template(root, "head.xml")
    scope = franklin_layout.site_scope(view, "_rss/head.xml", {"fd_rss_feed_url": f"{base}/{name}"}, diagnostics)
    scope.hfuns = functions
    head = render_template(head_text, scope, Source(head_text, head_path))
    items = [item for item in (feed_item(view, page, functions, diagnostics)
                               for page in view.read.values() if not page.is_draft) if item]
    items.sort(key=lambda item: item[0], reverse=True)
    made = {name: head + "".join(text for _, _, text in items) + "</channel></rss>\n"}
    folder = as_text(site.get("tag_page_path") or franklin_vars.DEFAULTS["tag_page_path"]).strip("/")
    for tag in site.get("fd_tag_pages") or {}:
        tagged = "".join(text for _, tags, text in items if tag in tags)
        made[f"{folder}/{tag}/{name}"] = head + tagged + "</channel></rss>\n"
    return made


def feed_item(view: Any, page: Any, functions: dict, diagnostics: list[Diagnostic]) -> tuple | None:
    """(date, tags, XML) of the page's item, or None when the page is not in the feed."""
    page_view = view.views[page.source.rel]
    if not as_text(variable(page_view, "rss_description")).strip() or page.failed:
        return None
    item_text, item_path = template(view.config.root, "item.xml")
    scope = franklin_layout.render_scope(view, page, diagnostics)
    published = (as_date(page_view.get("rss_pubdate")) or as_date(page_view.get("date"))
                 or as_date(page_view.get("fd_mtime_raw")) or dt.date(1, 1, 1))
    scope.variables = {**page_view, "rss_pubdate": published, "fd_page_html": page.content,
                       "rss_title": as_text(page_view.get("rss_title")) or as_text(page_view.get("title"))}
    scope.hfuns = functions
    text = render_template(item_text, scope, Source(item_text, item_path)).replace("\n\n", "")
    return published, set(page_view.get("tags") or ()), ANCHOR_LINK.sub(r"\1", text)


def as_date(value: Any) -> dt.date | None:
    """A real date (Franklin's `Date(1)` default means none)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return value if isinstance(value, dt.date) and value.year > 1 else None


def rss_functions(base: str) -> dict:
    """Franklin's RSS hfuns, each taking its arguments and the scope of the call."""

    def fd2rss(args: list[str], scope) -> str:
        found, value = scope.lookup(args[0]) if args else (False, None)
        env = {"warnings": []}
        rendered = markdown.render(markdown.parse(as_text(value), env, FRANKLIN), env)
        paragraph = PARAGRAPH.match(rendered)
        if paragraph and "<p>" not in paragraph.group(1):
            rendered = paragraph.group(1)
        return prefix_links(rendered, base)

    def rfc822(args: list[str], scope) -> str:
        value = as_date(scope.lookup(args[0])[1]) if args else None
        if value is None:
            return ""
        return email.utils.format_datetime(dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc))

    def fix_relative_links(args: list[str], scope) -> str:
        return prefix_links(as_text(scope.lookup(args[0])[1]) if args else "", base)

    return {"fd2rss": fd2rss, "rfc822": rfc822, "fix_relative_links": fix_relative_links}
