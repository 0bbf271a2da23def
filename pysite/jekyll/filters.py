"""Jekyll's Liquid filters (beyond Liquid's standard ones): URLs, dates, Markdown, JSON,
`where_exp`, `group_by`, `slugify`, escaping, word counts and array helpers."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
from typing import Any
from urllib.parse import quote, quote_plus

from liquid.builtin.expressions import BooleanExpression, FilteredExpression
from liquid.builtin.expressions._tokenize import tokenize
from liquid.filter import with_context
from liquid.stream import TokenStream
from liquid.token import TOKEN_EXPRESSION, Token

from pysite.jekyll import toc
from pysite.jekyll.tags import relative_url


def as_datetime(value: Any, timezone: dt.tzinfo | None) -> dt.datetime | None:
    from pysite.page import parse_date

    value = parse_date(value, timezone)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=timezone)
    return None


def get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else getattr(item, key, None)


def slugify(text: Any, mode: str = "default") -> str:
    """Jekyll's `slugify`: lower case, runs of other characters as one hyphen."""
    text = str(text or "")
    if mode == "none":
        return text
    if mode == "raw":
        pattern = r"\s+"
    elif mode == "pretty":
        pattern = r"[^\w._~!$&'()+,;=@]+"
    elif mode in ("ascii", "latin"):
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() if mode == "latin" else text
        pattern = r"[^a-zA-Z0-9]+"
    else:
        pattern = r"[^\w]+|_+"
    return re.sub(pattern, "-", text).strip("-").lower()


def parsed(text: str, parse: Any, env: Any) -> Any:
    token = Token(kind=TOKEN_EXPRESSION, value=text, start_index=0, source=text)
    return parse(env, TokenStream(tokenize(text, parent_token=token)))


def items_where(items: Any, variable: str, expression: str, context: Any) -> list:
    condition = parsed(expression, BooleanExpression.parse, context.env)
    chosen = []
    for item in items or ():
        with context.extend({variable: item}):
            if condition.evaluate(context):
                chosen.append(item)
    return chosen


def group_by_exp(items: Any, variable: str, expression: str, context: Any) -> list[dict]:
    value = parsed(expression, FilteredExpression.parse, context.env)
    groups: dict[str, list] = {}
    for item in items or ():
        with context.extend({variable: item}):
            groups.setdefault(str(value.evaluate(context) or ""), []).append(item)
    return [{"name": name, "items": members, "size": len(members)} for name, members in groups.items()]


def group_by(items: Any, prop: str) -> list[dict]:
    groups: dict[Any, list] = {}
    for item in items or ():
        key = get(item, prop)
        groups.setdefault("" if key is None else key if isinstance(key, str) else str(key), []).append(item)
    return [{"name": name, "items": members, "size": len(members)} for name, members in groups.items()]


def sort(items: Any, prop: str | None = None, nils: str = "first") -> list:
    """Jekyll's `sort`: by a property, missing values first (or `"last"`)."""
    items = list(items or ())
    if prop is None:
        return sorted(items, key=sort_key)
    present = sorted((i for i in items if get(i, prop) is not None), key=lambda i: sort_key(get(i, prop)))
    missing = [i for i in items if get(i, prop) is None]
    return missing + present if nils != "last" else present + missing


def sort_key(value: Any) -> tuple:
    if isinstance(value, dt.datetime):
        return (1, value.replace(tzinfo=None).isoformat())
    if isinstance(value, dt.date):
        return (1, value.isoformat())
    if isinstance(value, (int, float)):
        return (0, value)
    return (2, str(value))


def where(items: Any, prop: str, value: Any = None) -> list:
    """Jekyll's `where`: the property equals the value, or is a list containing it."""
    chosen = []
    for item in items or ():
        found = get(item, prop)
        if (isinstance(found, (list, tuple)) and value in found) or found == value or str(found) == str(value):
            chosen.append(item)
    return chosen


def sentence(items: Any, connector: str = "and") -> str:
    items = [str(i) for i in items or ()]
    if len(items) <= 2:
        return f" {connector} ".join(items)
    return ", ".join(items[:-1]) + f", {connector} {items[-1]}"


def jsonify(value: Any) -> str:
    return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v), ensure_ascii=False)


def markdownify(text: Any, site: Any) -> str:
    """Markdown as a Jekyll or Hexo page's own (GeneratorSite.markdown_env)."""
    from pysite import markdown
    from pysite.config import COMMONMARK

    env = site.markdown_env()
    return markdown.render(markdown.parse(str(text or ""), env, COMMONMARK), env)


def filters(env: Any) -> dict[str, Any]:
    """The filters by name, for one site (its prepath, URL, time zone and Markdown)."""
    site = env.site
    zone = site.timezone

    def absolute_url(path: Any) -> str:
        return str(site.config.get("url") or "").rstrip("/") + relative_url(env.prepath, str(path or ""))

    def date_format(fmt: str):
        return lambda value: (lambda d: d.strftime(fmt) if d else "")(as_datetime(value, zone))


    return {
        "relative_url": lambda path: relative_url(env.prepath, str(path or "")),
        "absolute_url": absolute_url,
        "date_to_xmlschema": lambda v: (lambda d: d.isoformat() if d else "")(as_datetime(v, zone)),
        "date_to_rfc822": date_format("%a, %d %b %Y %H:%M:%S %z"),
        "date_to_string": date_format("%d %b %Y"),
        "date_to_long_string": date_format("%d %B %Y"),
        "markdownify": lambda text: markdownify(text, site),
        "jsonify": jsonify,
        "where_exp": with_context(lambda items, variable, expression, *, context: items_where(
            items, variable, expression, context)),
        "find_exp": with_context(lambda items, variable, expression, *, context: next(iter(items_where(
            items, variable, expression, context)), None)),
        "group_by_exp": with_context(lambda items, variable, expression, *, context: group_by_exp(
            items, variable, expression, context)),
        "group_by": group_by,
        "where": where,
        "find": lambda items, prop, value=None: next(iter(where(items, prop, value)), None),
        "sort": sort,
        "slugify": slugify,
        "xml_escape": lambda text: html.escape(str(text or ""), quote=True) if text is not None else "",
        "cgi_escape": lambda text: quote_plus(str(text or "")),
        "uri_escape": lambda text: quote(str(text or ""), safe="/:?#[]@!$&'()*+,;=%"),
        "number_of_words": lambda text, mode=None: len(str(text or "").split()),
        "array_to_sentence_string": sentence,
        "normalize_whitespace": lambda text: re.sub(r"\s+", " ", str(text or "")).strip(),
        "smartify": lambda text: str(text or ""),
        "push": lambda items, value: [*(items or ()), value],
        "pop": lambda items, n=1: list(items or ())[: -int(n) or None],
        "shift": lambda items, n=1: list(items or ())[int(n):],
        "unshift": lambda items, value: [value, *(items or ())],
        "to_integer": lambda value: int(float(value)) if value not in (None, "") else 0,
        "inspect": lambda value: repr(value),
        "sample": lambda items, n=1: list(items or ())[:int(n)] if int(n) > 1 else next(iter(items or ()), None),
        **toc.filters(site),
    }
