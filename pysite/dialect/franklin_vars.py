"""Franklin's own variables: the defaults every page and the site start from, the ones
Franklin derives for each page (`fd_rpath`, `fd_url`, `fd_mtime`..., `hasmath`, `hascode`)
and for the site (`fd_page_tags`, `fd_tag_pages`), and Franklin's date format.

The names and values follow Franklin's defaults list (src/utils/vars.jl). Defaults are
only looked up when neither the page nor config.md sets a name, so they never reach
the variables a Jinja2 layout sees.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable

# What a `{{fill}}`, `{{if}}` or `locvar` finds when nothing else sets the name.
DEFAULTS: dict[str, Any] = {
    # site-wide (config.md)
    "author": "THE AUTHOR", "prepath": "", "date_format": "U dd, yyyy", "tag_page_path": "tag",
    "date_days": [], "date_shortdays": [], "date_months": [], "date_shortmonths": [],
    "title_links": True, "keep_path": [], "robots_disallow": [], "generate_robots": True,
    "generate_rss": False, "website_title": "", "website_url": "", "website_description": "",
    "rss_file": "feed", "rss_full_content": False, "generate_sitemap": True,
    "content_tag": "div", "content_class": "franklin-content", "content_id": "",
    "autocode": True, "automath": True, "div_content": "",
    # per page
    "title": None, "hasmath": False, "hascode": False, "date": dt.date(1, 1, 1), "lang": "julia",
    "reflinks": True, "indented_code": False, "tags": [], "prerender": True, "slug": "",
    "mintoclevel": 1, "maxtoclevel": 10, "reeval": False, "noeval": False, "showall": False, "fd_eval": False,
    "header_anchor_class": "header-anchor",
    "rss_description": "", "rss_title": "", "rss_author": "", "rss_category": "", "rss_comments": "",
    "rss_enclosure": "", "rss_pubdate": dt.date(1, 1, 1),
    "sitemap_changefreq": "monthly", "sitemap_priority": 0.5, "sitemap_exclude": False,
    "robots_disallow_this_page": False,
    "fd_mtime_raw": dt.date(1, 1, 1), "fd_ctime": "0001-01-01", "fd_mtime": "0001-01-01",
    "fd_rpath": "", "fd_url": "", "fd_full_url": "", "fd_tag": "", "fd_page_html": "",
}

# Other names Franklin accepts for a variable (config.md's `website_descr`, a page's `rss`).
SYNONYMS = {"prepath": ("prefix", "base_path"), "website_url": ("base_url", "rss_website_url"),
            "website_title": ("rss_website_title",),
            "website_description": ("website_descr", "rss_website_descr"),
            "rss_description": ("rss", "rss_descr")}

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Julia's Dates.format codes: a run of one letter is one field, `\x` a literal x.
DATE_CODE = re.compile(r"(y+|m+|u+|U+|d+|e+|E+|H+|M+|S+|s+|p)|\\(.)|(.)", re.S)


def default(name: str, *scopes: dict[str, Any]) -> tuple[bool, Any]:
    """A name the scopes do not set: found under one of Franklin's other names for it, else
    Franklin's default (`found` is False when Franklin has no such variable either)."""
    for other in SYNONYMS.get(name, ()):
        for variables in scopes:
            if other in variables:
                return True, variables[other]
    return (True, DEFAULTS[name]) if name in DEFAULTS else (False, None)


def page_url(rel: str, keep: Iterable[str] = ()) -> str:
    """Franklin's `fd_url`: `blog/post.md` -> `/blog/post/index.html`, `index.md` -> `/index.html`,
    an `.html` page its path without the extension (`/about`); `keep_path` files keep their path."""
    if rel in keep:
        return "/" + rel
    stem, _, extension = rel.rpartition(".")
    if extension == "html":
        return "/" + stem
    if stem.rsplit("/", 1)[-1] != "index":
        stem += "/index"
    return f"/{stem}.html"


def page_variables(rel: str, mtime: float, ctime: float, site: dict[str, Any]) -> dict[str, Any]:
    """The variables Franklin sets for the page at `rel` (its source path in the site)."""
    lookup = {**DEFAULTS, **site}
    url = page_url(rel, lookup["keep_path"] or ())
    base = str(site.get("website_url") or site.get("url") or "").rstrip("/")
    modified = dt.datetime.fromtimestamp(mtime)
    return {
        "fd_rpath": rel,
        "fd_url": url,
        "fd_full_url": base + url if base else "",
        "fd_mtime_raw": modified.date(),
        "fd_mtime": format_date(modified, lookup),
        "fd_ctime": format_date(dt.datetime.fromtimestamp(ctime), lookup),
    }


def content_flags(variables: dict[str, Any], site: dict[str, Any], has_math: bool, has_code: bool) -> dict[str, bool]:
    """`hasmath` and `hascode` as Franklin sets them: true when the page says so, else (with
    `automath`/`autocode`, on by default) whether its content has math or a code block."""
    lookup = {**DEFAULTS, **site, **variables}
    return {
        "hasmath": bool(lookup["hasmath"]) or (bool(lookup["automath"]) and has_math),
        "hascode": bool(lookup["hascode"]) or (bool(lookup["autocode"]) and has_code),
    }


def site_tags(views: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, list[str]]]:
    """`fd_page_tags` (page path without extension -> its tags) and `fd_tag_pages`
    (tag -> those pages), from (source path, view) pairs in build order."""
    page_tags: dict[str, list[str]] = {}
    tag_pages: dict[str, list[str]] = {}
    for rel, view in views:
        tags = list(dict.fromkeys(str(tag) for tag in view.get("tags") or ()))
        if not tags:
            continue
        stem = rel.rsplit(".", 1)[0]
        page_tags[stem] = tags
        for tag in tags:
            tag_pages.setdefault(tag, []).append(stem)
    return {"fd_page_tags": page_tags or None, "fd_tag_pages": tag_pages or None}


def format_date(value: dt.date, variables: dict[str, Any]) -> str:
    """A date in the site's `date_format` (Julia's Dates.format codes), with the names
    of `date_months`/`date_days` when the site gives them."""
    months = list(variables.get("date_months") or MONTHS)
    days = list(variables.get("date_days") or DAYS)
    short_months = list(variables.get("date_shortmonths") or [m[:3] for m in months])
    short_days = list(variables.get("date_shortdays") or [d[:3] for d in days])
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)

    def field(match: re.Match) -> str:
        code, escaped, literal = match.groups()
        if code is None:
            return escaped if escaped is not None else literal
        width, letter = len(code), code[0]
        if letter == "y":
            text = str(moment.year).zfill(width)
            return text[-width:] if width < 4 else text
        names = {"u": short_months[moment.month - 1], "U": months[moment.month - 1],
                 "e": short_days[moment.weekday()], "E": days[moment.weekday()],
                 "p": "AM" if moment.hour < 12 else "PM"}
        if letter in names:
            return names[letter]
        number = {"m": moment.month, "d": moment.day, "H": moment.hour, "M": moment.minute,
                  "S": moment.second, "s": moment.microsecond // 1000}[letter]
        return str(number).zfill(width)

    return DATE_CODE.sub(field, str(variables.get("date_format") or DEFAULTS["date_format"]))
