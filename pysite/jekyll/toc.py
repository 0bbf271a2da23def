"""jekyll-toc's filters: `toc` (the list of the content's headings, then the content with an
anchor in each heading), `toc_only` and `inject_anchors`. Each does something only on a page
whose front matter says `toc: true`; `toc:` in _config.yml sets min_level, max_level,
list_class, sublist_class, item_class, item_prefix and no_toc_class.
"""

from __future__ import annotations

import html
import re
from typing import Any

DEFAULTS = {"min_level": 1, "max_level": 6, "list_class": "section-nav", "sublist_class": "",
            "item_class": "toc-entry", "item_prefix": "toc-", "no_toc_class": "no_toc"}
HEADING = re.compile(r"<h([1-6])((?:\s[^>]*)?)>(.*?)</h\1\s*>", re.DOTALL | re.IGNORECASE)
ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
CLASS = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")
PUNCTUATION = re.compile(r"[^\w\- ]")


def options(site: Any) -> dict[str, Any]:
    found = site.config.get("toc")
    return {**DEFAULTS, **(found if isinstance(found, dict) else {})}


def entries(content: str, settings: dict[str, Any]) -> list[dict[str, Any]]:
    """The headings the list shows: their level, id (the heading's own, else made from its text,
    `-1`, `-2` added to ones met again), text, and where their content starts."""
    levels = range(int(settings["min_level"]), int(settings["max_level"]) + 1)
    seen: dict[str, int] = {}
    found = []
    for match in HEADING.finditer(content):
        level, attributes = int(match[1]), match[2]
        classes = CLASS.search(attributes)
        if level not in levels or (classes and settings["no_toc_class"] in next(g for g in classes.groups() if g is not None).split()):
            continue
        text = html.unescape(re.sub(r"<[^>]+>", "", match[3]))
        own = ID.search(attributes)
        ident = next(g for g in own.groups() if g is not None) if own else PUNCTUATION.sub("", text.lower()).replace(" ", "-")
        count = seen.get(ident, 0)
        seen[ident] = count + 1
        found.append({"level": level, "id": ident if count == 0 else f"{ident}-{count}", "text": html.escape(text),
                      "tag": f"h{level}", "start": match.start(3)})
    return found


def build_list(found: list[dict[str, Any]], settings: dict[str, Any]) -> str:
    """Nested lists: each heading under the nearest one before it of a higher level."""
    if not found:
        return ""
    top = min(entry["level"] for entry in found)
    sublist = f' class="{settings["sublist_class"]}"' if settings["sublist_class"] else ""
    items, index = [], 0
    while index < len(found):
        entry = found[index]
        nested = []
        index += 1
        while index < len(found) and found[index]["level"] > top:
            nested.append(found[index])
            index += 1
        if entry["level"] > top:  # deeper headings before the first top one
            items.append(build_list([entry, *nested], settings))
            continue
        item = (f'<li class="{settings["item_class"]} {settings["item_prefix"]}{entry["tag"]}">'
                f'<a href="#{entry["id"]}">{entry["text"]}</a>')
        if nested:
            item += f"\n<ul{sublist}>\n{build_list(nested, settings)}</ul>\n"
        items.append(item + "</li>\n")
    return "".join(items)


def toc_only(content: str, site: Any) -> str:
    settings = options(site)
    return f'<ul id="toc" class="{settings["list_class"]}">\n{build_list(entries(content, settings), settings)}</ul>'


def inject_anchors(content: str, site: Any) -> str:
    parts, last = [], 0
    for entry in entries(content, options(site)):
        parts += [content[last:entry["start"]],
                  f'<a class="anchor" href="#{entry["id"]}" aria-hidden="true"><span class="octicon octicon-link">'
                  "</span></a>"]
        last = entry["start"]
    return "".join(parts) + content[last:]


def filters(site: Any) -> dict[str, Any]:
    def only_with_toc(function):
        def run(content: Any, *, context: Any) -> Any:
            page = context.resolve("page")
            if not hasattr(page, "get") or page.get("toc") is not True:
                return content
            return function(str(content or ""), site)
        run.with_context = True
        return run

    return {"toc": only_with_toc(lambda content, site: toc_only(content, site) + inject_anchors(content, site)),
            "toc_only": only_with_toc(toc_only), "inject_anchors": only_with_toc(inject_anchors)}
