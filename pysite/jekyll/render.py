"""What a Jekyll or Hexo page goes through besides pysite's Markdown: Liquid in its text when it
is read (with the site as discovery knows it), and its layouts when it is written (with every
page's content). A layout the site lacks (a gem, remote or npm theme's) is pysite theme's.
"""

from __future__ import annotations

import re
from typing import Any

from pysite.errors import Diagnostic
from pysite.jekyll import paginate
from pysite.jekyll.liquid import Liquid, is_layout, page_object, render_content, render_layouts, site_object
from pysite.jekyll.site import HEXO, GeneratorSite
from pysite.variables import read_variables

# What Hexo keeps away from its tags: fenced code (at any indentation, in quotes and list items,
# as its backtick_code_block filter finds it) and HTML comments; inline code is not kept. An
# empty `{% %}` or `{{ }}` is no tag to Hexo: it stays as written.
HEXO_PROTECTED = re.compile(r"^([ \t]*(?:>[ \t]*){0,3}(?:[-*+]|\d+\.)?[ \t]*)(`{3,}|~{3,})[^\n]*\n.*?^[ \t>]*\2[ \t]*$"
                            r"|<!--.*?-->|\{%-?\s*-?%\}|\{\{\s*\}\}", re.DOTALL | re.MULTILINE)
PROTECTED = "\x00pysite-code-{}\x00"


def liquid(site: GeneratorSite, prepath: str) -> Liquid:
    """The site's Liquid environment, made once per process."""
    env = site.cache.get("liquid")
    if env is None or env.prepath != prepath:
        env = site.cache["liquid"] = Liquid(site, prepath)
    return env


def listing(site: GeneratorSite, variables: dict[str, Any]) -> dict[str, Any]:
    """`site` while pages are read: every document's variables, no content yet."""
    found = site.cache.get("listing")
    if found is None:
        pages = [page_object(site, rel, document.variables) for rel, document in site.documents.items()]
        found = site.cache["listing"] = site_object(site, variables, pages)
    return found


def read_liquid(site: GeneratorSite, config: Any, rel: str, path: Any, variables: dict[str, Any], body: str,
                warnings: list[Diagnostic]) -> str:
    """A page's text with its Liquid done. Hexo, unlike Jekyll, leaves code and comments alone."""
    env = liquid(site, config.prepath)
    env.protected = []
    if site.kind == HEXO:
        def keep(match: re.Match) -> str:
            env.protected.append(match.group(0))
            return PROTECTED.format(len(env.protected) - 1)

        body = HEXO_PROTECTED.sub(keep, body)
    everything = listing(site, config.variables)
    pager = next(iter(paginate.pagers(site, everything["posts"])), None) if rel == paginate.template_page(site) else None
    text = render_content(env, body, path, page_object(site, rel, variables), everything, warnings, pager)
    return restore(env, text)


def restore(env: Liquid, text: str) -> str:
    """The code and comments Hexo keeps from its tags, back in place (also in a tag's body,
    before its Markdown)."""
    for index, code in enumerate(env.protected):
        text = text.replace(PROTECTED.format(index), code)
    return text


def liquid_site(view: Any) -> dict[str, Any]:
    """`site` while pages are written: every page with its content, made once per build."""
    site: GeneratorSite = view.config.generator
    if id(view) != site.cache.get("view"):
        pages = [page_object(site, rel, p.variables, p.content, p.excerpt) for rel, p in view.read.items()]
        site.cache.update(view=id(view), site=site_object(site, view.config.variables, pages))
    return site.cache["site"]


def write_page(view: Any, page: Any, content: str, warnings: list[Diagnostic],
               paginator: dict[str, Any] | None = None) -> str:
    """The page's document: its `_layouts/` chain, then pysite's theme for a layout the site lacks.
    `paginator` renders list page 2.. of jekyll-paginate's index.html, at its own URL."""
    site: GeneratorSite = view.config.generator
    env = liquid(site, view.config.prepath)
    everything = liquid_site(view)
    variables = page.variables
    page_data = page_object(site, page.source.rel, variables, content, page.excerpt)
    pager = None
    if page.source.rel == paginate.template_page(site):
        # Its Liquid again, now that posts have their content, once per list page with its paginator
        pager = paginator or next(iter(paginate.pagers(site, everything["posts"])), None)
        if paginator is not None:
            page_data["url"] = paginate.page_url(site, pager["page"])
        body = read_variables(page.source.path.read_text(encoding="utf-8"), page.source.path, False).body
        content = render_content(env, body, page.source.path, page_data, everything, warnings, pager)
        page_data.update(content=content, output=content)
    data = {"page": page_data, "site": everything, "paginator": pager}
    chosen = variables.get("layout")
    if chosen is None and not page.source.out.endswith(".html"):
        return content   # feeds, JSON and scripts with front matter: their Liquid only
    if chosen is not None and not is_layout(chosen):
        return content
    html, missing = render_layouts(env, chosen, content, data, warnings) if chosen else (content, "")
    if missing is None:
        return html
    # pysite's theme: its template of that name, else its post or page layout
    name = missing if missing and view.layouts.exists(missing) else ("post" if variables.get("post") else "page")
    return view.render_layout(name if view.layouts.exists(name) else "default", view.views[page.source.rel], html)
