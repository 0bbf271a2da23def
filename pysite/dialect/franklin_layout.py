"""Franklin's layout convention, next to pysite's Jinja2 layouts.

A Franklin site has `_layout/head.html`, `page_foot.html` and `foot.html` (HTML with
`{{...}}` calls), and a page is `head + <div class="franklin-content">content
page_foot</div> + foot`; the wrapper comes from the site variables `content_tag`,
`content_class`, `content_id` (an empty `content_tag` leaves it out). A site may
instead have `_layout/skeleton.html` with `{{page_content}}` where the page goes.

Which pages: a page that sets no `layout`, in a site whose `_layout/` has
`skeleton.html`, or `head.html` and no Jinja `default.html`. A page naming a
`layout` gets that Jinja2 template, so both kinds can live in one site.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pysite.dialect.context import PageScope, as_text
from pysite.dialect.scan import Source
from pysite.dialect.templates import render_template
from pysite.dialect.utils import load_utils
from pysite.errors import Diagnostic

if TYPE_CHECKING:
    from pysite.config import SiteConfig


def applies(config: SiteConfig, variables: dict[str, Any]) -> bool:
    """Whether a page with these variables is assembled the Franklin way (`config`: the site's SiteConfig)."""
    if variables.get("layout"):
        return False
    has = config.site_file_stat
    return bool(has("_layout/skeleton.html") or (has("_layout/head.html") and not has("_layout/default.html")))


def render_scope(view, page, warnings: list[Diagnostic]) -> PageScope:
    """The page as render-time calls see it: its view, the site, every other page."""
    root = view.config.root
    return PageScope(root, page.source.rel, view.view_of(page), view.site, warnings,
                     utils=load_utils(view.config, getattr(view, "site_bridge", None)), view=view, headings=page.headings)


def site_scope(view, rel: str, variables: dict[str, Any], warnings: list[Diagnostic]) -> PageScope:
    """What a file the build makes (a tag page, a feed) sees: its own variables and the site."""
    root = view.config.root
    return PageScope(root, rel, variables, view.site, warnings,
                     utils=load_utils(view.config, getattr(view, "site_bridge", None)), view=view)


def render_page(scope: PageScope, content: str) -> str:
    """The whole HTML document of a page from the site's Franklin layout files."""
    layout = scope.root / "_layout"
    skeleton = layout / "skeleton.html"
    if skeleton.is_file():
        scope.extra["page_content"] = content
        return render_file(skeleton, scope)
    tag = as_text(scope.site.get("content_tag", "div"))
    body = content + render_file(layout / "page_foot.html", scope)
    if tag:
        css = as_text(scope.site.get("div_content") or scope.site.get("content_class", "franklin-content"))
        ident = as_text(scope.site.get("content_id", ""))
        attributes = (f' class="{css}"' if css else "") + (f' id="{ident}"' if ident else "")
        body = f"<{tag}{attributes}>\n{body}</{tag}>\n"
    return render_file(layout / "head.html", scope) + body + render_file(layout / "foot.html", scope)


def render_file(path: Path, scope: PageScope) -> str:
    if not path.is_file():
        return ""
    text = path.read_text(encoding="utf-8")
    return render_template(text, scope, Source(text, path))

