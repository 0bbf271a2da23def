"""Tags and categories: the URL slug of a term, the terms of a site, and their pages.

`/tags/NAME/` and `/categories/NAME/` list the pages of one term with the `tag` layout;
`/tags/` and `/categories/` list every term with its count with the `taxonomy` layout.
Both layouts come from the site's `_layout/` when it has them, else from the theme.

A Franklin site's tags are Franklin's instead: every tag gets `/tag/NAME/` (the folder is
the site variable `tag_page_path`) from its Franklin `_layout/tag.html`, with `fd_tag` set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from pysite.blog.links import prefix_links
from pysite.dialect import franklin_layout, franklin_vars
from pysite.dialect.context import as_text
from pysite.dialect.scan import Source
from pysite.dialect.templates import render_template
from pysite.errors import Diagnostic

TAXONOMIES = {"tags": "Tags", "categories": "Categories"}
# Characters that would break a path segment or a URL: spaces, separators, quotes.
UNSAFE = re.compile(r"""[\s/\\?#%&"'<>|:*]+""")


def slug(name: Any) -> str:
    """A term's path segment: `Machine Learning` -> `Machine-Learning` (case is kept)."""
    return UNSAFE.sub("-", str(name).strip()).strip("-") or "-"


def term_path(taxonomy: str, name: Any) -> str:
    """The site path of a term's page, without the prepath: `/tags/julia/`."""
    return f"/{taxonomy}/{slug(name)}/"


@dataclass
class Term:
    taxonomy: str                   # "tags" or "categories"
    name: str                       # as first written on a page
    url: str                        # with the prepath
    pages: list[dict[str, Any]] = field(default_factory=list)   # newest first

    @property
    def slug(self) -> str:
        return slug(self.name)

    @property
    def count(self) -> int:
        return len(self.pages)


def pages_tagged(views: Iterable[dict[str, Any]], name: Any, taxonomy: str = "tags") -> list[dict[str, Any]]:
    """The pages with a term (compared by slug, so `Julia Lang` matches `Julia-Lang`), in the given order."""
    wanted = slug(name)
    return [v for v in views if any(slug(term) == wanted for term in v.get(taxonomy) or ())]


def collect(views: Iterable[dict[str, Any]], taxonomy: str, prepath: str) -> list[Term]:
    """Every term of a taxonomy with its pages, sorted by name (case-insensitive)."""
    terms: dict[str, Term] = {}
    for view in views:
        for name in dict.fromkeys(slug(t) for t in view.get(taxonomy) or ()):
            written = next(t for t in view[taxonomy] if slug(t) == name)
            term = terms.setdefault(name, Term(taxonomy, written, prepath + term_path(taxonomy, written)))
            term.pages.append(view)
    return sorted(terms.values(), key=lambda t: (t.name.lower(), t.name))


def pages(view: Any) -> dict[str, str]:
    """The term pages and the term indexes of both taxonomies."""
    made = {}
    for taxonomy, title in TAXONOMIES.items():
        terms = view.site[taxonomy]
        if not terms:
            continue
        index = {"title": title, "url": view.layouts.url(f"/{taxonomy}/"), "source": ""}
        made[f"{taxonomy}/index.html"] = view.render_layout("taxonomy", index, taxonomy=taxonomy, terms=terms)
        for term in terms:
            heading = ("Category" if taxonomy == "categories" else "Tag") + f": {term.name}"
            page = {"title": heading, "url": term.url, "source": ""}
            made[f"{taxonomy}/{term.slug}/index.html"] = view.render_layout(
                "tag", page, tag=term.name, tagged=term.pages, taxonomy=taxonomy, term=term)
    return made


# What Franklin writes when a site has tags but no `_layout/tag.html`.
DEFAULT_TAG_LAYOUT = """<!doctype html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Tag: {{fill fd_tag}}</title>
</head>
<body>
  <div class="{{div_content}} tagpage">
    {{taglist}}
  </div>
</body>
</html>
"""


def franklin_pages(view: Any, warnings: list[Diagnostic]) -> dict[str, str]:
    """Every tag's page, rendered from `_layout/tag.html` with `fd_tag` set, by output path."""
    root = view.config.root
    layout = root / "_layout" / "tag.html"
    text = layout.read_text(encoding="utf-8") if layout.is_file() else DEFAULT_TAG_LAYOUT
    folder = as_text(view.site.get("tag_page_path") or franklin_vars.DEFAULTS["tag_page_path"]).strip("/")
    made = {}
    for tag in view.site.get("fd_tag_pages") or {}:
        rel = f"{folder}/{tag}/index.html"
        variables = {"fd_tag": tag, "fd_rpath": rel, "fd_url": "/" + rel}
        scope = franklin_layout.site_scope(view, rel, variables, warnings)
        made[rel] = prefix_links(render_template(text, scope, Source(text, layout)), view.config.prepath)
    return made
