"""Permalinks: the URL of a Jekyll or Hexo document from its placeholders, and the file it is written to.

Jekyll's placeholders (`:categories`, `:year`, `:month`, `:day`, `:title`, `:slug`, `:path`,
`:basename`, `:output_ext`, `:collection`...) and its named styles (`date`, `pretty`,
`ordinal`, `none`); Hexo's (`:year`, `:i_month`, `:title`, `:name`, `:category`...).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
PLACEHOLDER = re.compile(r":([a-z_]+)")


def jekyll_style(value: Any) -> str:
    """The site's `permalink`: a style name or a template (default `date`)."""
    text = str(value or "date")
    return JEKYLL_STYLES.get(text, text)


def page_template(site_permalink: Any) -> str:
    """Jekyll's pages: `/:path/:basename:output_ext`, or `/:path/:basename/` when posts' URLs end in `/`."""
    return "/:path/:basename/" if jekyll_style(site_permalink).endswith("/") else "/:path/:basename:output_ext"


def date_values(date: dt.date | None) -> dict[str, str]:
    if date is None:
        return {}
    moment = date if isinstance(date, dt.datetime) else dt.datetime(date.year, date.month, date.day)
    return {
        "year": f"{moment.year:04d}", "short_year": f"{moment.year % 100:02d}",
        "month": f"{moment.month:02d}", "i_month": str(moment.month),
        "short_month": moment.strftime("%b"), "long_month": moment.strftime("%B"),
        "day": f"{moment.day:02d}", "i_day": str(moment.day), "y_day": moment.strftime("%j"),
        "hour": f"{moment.hour:02d}", "minute": f"{moment.minute:02d}", "second": f"{moment.second:02d}",
        "week": moment.strftime("%V"), "short_day": moment.strftime("%a"), "long_day": moment.strftime("%A"),
    }


def fill(template: str, values: dict[str, str]) -> str:
    """The template with its placeholders replaced (unknown ones kept), slashes tidied."""
    url = PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), template)
    return re.sub(r"/{2,}", "/", "/" + url.lstrip("/"))


def output_file(url: str, output_ext: str) -> str:
    """Where a URL is written, as Jekyll does: `/a/` -> a/index.html, `/a` -> a.html."""
    path = url.lstrip("/")
    if not path or path.endswith("/"):
        path += "index"
    if output_ext and not path.endswith(output_ext):
        path += output_ext
    return path
