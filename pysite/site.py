"""The whole site as layouts see it: page views, the page list, and the files made from them.

A page's view is a dict of its variables plus what the build derives (url, toc, excerpt,
reading time). `SiteView.digest` changes when any page's listed facts change, so only
layouts that show the page list are rendered again when another page changes.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import re
from functools import lru_cache
from typing import Any

from jinja2 import meta, nodes
from markupsafe import Markup

from pysite import blog
from pysite.blog.links import prefix_links
from pysite.blog.paginate import context as pagination
from pysite.blog.posts import date_key, select_posts
from pysite.blog.taxonomy import TAXONOMIES, collect
from pysite.config import SiteConfig
from pysite.dialect import franklin_layout, franklin_vars, resolve_late
from pysite.errors import Diagnostic, TemplateError, did_you_mean
from pysite.highlight import stylesheet
from pysite.layout import STANDARD_LAYOUTS, THEME, Layouts, parse_template
from pysite.math import FONT_FILES, with_math_font
from pysite.page import Page

LISTED = ("url", "title", "date", "description", "tags", "categories", "excerpt", "reading_time", "is_draft",
          "aliases", "redirect_from", "paginate", "paginate_size", "post", "rss", "rss_description")
# Context names (and `site.NAME`) that hold the page list: layouts reading them are rendered
# again when any page's listed facts change.
LIST_NAMES = {"pages", "posts", "paginator", "tags", "categories"}
FULL_DOCUMENT = re.compile(r"^\s*(<!doctype|<html)", re.IGNORECASE)


class SiteView:
    def __init__(self, config: SiteConfig, pages: list[Page], layouts: Layouts,
                 view_cache: dict[str, tuple] | None = None):
        self.config = config
        self.layouts = layouts
        # rel -> (page fingerprint and prepath, its view or None, digest of its LISTED facts), kept by
        # `serve`, and the digests by the build's state
        self.view_cache = {} if view_cache is None else view_cache
        self.layout_uses: dict[str, bool] = {}  # layout variable -> whether its templates read the page list
        self.layout_templates: dict[str, str | None] = {}  # layout variable -> templates_key
        self.site = {**config.variables, "prepath": config.prepath}
        self.site.setdefault("title", "")
        self.site.setdefault("lang", "en")
        self.read = {page.source.rel: page for page in pages}
        self.page_outputs = {page.source.out for page in pages}
        # Made of each page's own digest, in path order: pickling every page's facts anew was a tenth
        # of a `serve` rebuild on 1,000 pages, and a page's view needs its whole body.
        self.digest = hashlib.sha256("".join(self.listed(page) for page in pages).encode()).hexdigest()
        self.listing = False

    @functools.cached_property
    def views(self) -> dict[str, dict[str, Any]]:
        return {rel: self.view_of(page) for rel, page in self.read.items()}

    @functools.cached_property
    def pages(self) -> list[dict[str, Any]]:
        return sorted(self.views.values(), key=date_key, reverse=True)

    @functools.cached_property
    def shows_math(self) -> bool:
        """Whether a page shows math: then the math font is published."""
        return any(page.has_math for page in self.read.values())

    @functools.cached_property
    def posts(self) -> list[dict[str, Any]]:
        return select_posts(self.pages, self.site)

    def list_pages(self) -> None:
        """The page list in `site` (pages, posts, tags...): made when something that reads it renders."""
        if self.listing:
            return
        self.listing = True
        self.site.update(pages=self.pages, posts=self.posts)
        self.site.update(franklin_vars.site_tags(self.views.items()))
        for taxonomy in TAXONOMIES:
            self.site[taxonomy] = collect(self.pages, taxonomy, self.config.prepath)

    def listed(self, page: Page) -> str:
        cached = self.view_cache.get(page.source.rel)
        if cached is not None and cached[0] == (page.fingerprint, self.config.prepath):
            return cached[2]
        self.view_of(page)
        return self.view_cache[page.source.rel][2]

    def view_of(self, page: Page) -> dict[str, Any]:
        key = (page.fingerprint, self.config.prepath)
        cached = self.view_cache.get(page.source.rel)
        if cached is not None and cached[0] == key and cached[1] is not None:
            return cached[1]
        variables = page.variables
        view = dict(variables)
        view.update(
            url=self.layouts.url(page.source.url),
            source=page.source.rel,
            toc=page.headings,
            toc_enabled=bool(variables.get("toc")),
            excerpt=Markup(prefix_links(page.excerpt, self.config.prepath)),
            last_modified=variables.get("last_modified") or variables.get("lastmod"),
            is_draft=page.is_draft,
        )
        listed = hashlib.sha256(pickle.dumps([view.get(name) for name in LISTED])).hexdigest()
        self.view_cache[page.source.rel] = (key, view, listed)
        return view

    def templates_key(self, page: Page) -> str | None:
        """A hash of the templates the page's layout is made of (None: any template may count)."""
        choice = str(page.layout or "")
        if self.config.generator is not None:
            return None  # Liquid layouts: any template may count
        if choice not in self.layout_templates:  # once per layout asked for, as layout_uses
            franklin = franklin_layout.applies(self.config, {"layout": page.layout})
            self.layout_templates[choice] = None if franklin else templates_key(
                self.layouts, f"{self.layout_name(page)}.html", frozenset())
        return self.layout_templates[choice]

    def uses_pages(self, page: Page) -> bool:
        # Franklin layouts and deferred {{...}} calls may read any page: rendered again on any change.
        if page.lists_pages or self.config.generator is not None:
            return True
        # The answer depends only on the layout asked for: worked out once per build, not per page
        # (template lookups and parses cost ~0.1 ms a page: 100 ms a rebuild on a 1,000-page site).
        choice = str(page.layout or "")
        if choice not in self.layout_uses:
            self.layout_uses[choice] = (franklin_layout.applies(self.config, {"layout": page.layout})
                                        or uses_pages(self.layouts, self.layout_name(page)))
        return self.layout_uses[choice]

    def find_page(self, ref: str) -> dict[str, Any] | None:
        """A page's view by the path Franklin's `pagevar` takes: "pages/a", "/pages/a/", "pages/a.md"."""
        stem = ref.strip().strip("/").removesuffix(".md").removesuffix(".html") or "index"
        return self.by_stem().get(stem) or self.by_stem().get(stem + "/index")

    def by_stem(self) -> dict[str, dict[str, Any]]:
        """Page views by source path without extension: "pages/a", "index"."""
        if not hasattr(self, "_by_stem"):
            self._by_stem = {rel.rsplit(".", 1)[0]: view for rel, view in self.views.items()}
        return self._by_stem

    def layout_name(self, page: Page) -> str:
        name = str(page.layout or "default")
        if name in STANDARD_LAYOUTS and not self.layouts.exists(name):
            return "default"
        if not self.layouts.exists(name):
            raise TemplateError(f"layout {name!r} not found: no _layout/{name}.html", page.source.path,
                                page.lines.get("layout"), hint=did_you_mean(
                                    name, self.layouts.names(), "add the template to _layout/"))
        return name

    def render(self, page: Page, warnings: list[Diagnostic] | None = None, paginator: Any = None,
               part: int = 1) -> str:
        """The page's HTML document; render-time warnings (Franklin calls) go to `warnings`.

        `paginator` renders page N of a paginated list (its URL is `paginator.url`); `part`
        page N of a Franklin `{{paginate}}` list."""
        return with_math_font(self.render_document(page, warnings, paginator, part), self.config.prepath)

    def render_document(self, page: Page, warnings: list[Diagnostic] | None, paginator: Any, part: int) -> str:
        if self.uses_pages(page):
            self.list_pages()
        scope = franklin_layout.render_scope(self, page, [] if warnings is None else warnings)
        scope.part = part
        content = resolve_late(page.content, scope)
        if franklin_layout.applies(self.config, page.variables):
            if page.source.path.suffix == ".html":   # as Franklin: never put in head and foot
                return prefix_links(content, self.config.prepath)
            return prefix_links(franklin_layout.render_page(scope, content), self.config.prepath)
        if self.config.generator is not None:
            from pysite.jekyll.render import write_page  # Liquid is loaded for Jekyll and Hexo sites only

            return write_page(self, page, content, scope.warnings, paginator)
        if page.source.path.suffix == ".html" and FULL_DOCUMENT.match(content):
            return content
        view = self.view_of(page)
        if paginator is not None:
            return self.render_layout(self.layout_name(page), {**view, "url": paginator.url}, content,
                                      paginator=paginator)
        return self.render_layout(self.layout_name(page), view, content, **pagination(self, view))

    def published_body(self, page: Page) -> str:
        """The page's body with its links as `render` publishes them: with the prepath in front,
        except on Jekyll and Hexo sites, whose pages write their own."""
        return page.content if self.config.generator is not None else prefix_links(page.content, self.config.prepath)

    def render_layout(self, layout: str, view: dict[str, Any], content: str = "", **extra: Any) -> str:
        """A layout with the site's context; links in `content` get the prepath here, once."""
        # The page list only for layouts that read it (`uses_pages`): building it reads every page.
        lists = {"pages": self.pages, "posts": self.posts} if self.listing else {}
        context = {"page": view, "site": self.site, **lists,
                   "content": Markup(prefix_links(content, self.config.prepath)), **extra}
        return self.layouts.render(layout, context)


def uses_pages(layouts: Layouts, name: str) -> bool:
    return _uses_pages(layouts, f"{name}.html", frozenset())


@lru_cache(maxsize=None)
def _uses_pages(layouts: Layouts, template: str, seen: frozenset) -> bool:
    """Whether a template, its parents or its includes read the page list."""
    try:
        reads, references = template_facts(layouts.source(template))
    except Exception:  # missing or broken: rendering reports it; assume the worst meanwhile
        return True
    if reads:
        return True
    seen = seen | {template}
    return any(ref is None or ref not in seen and _uses_pages(layouts, ref, seen)  # None: chosen at render time
               for ref in references)


@lru_cache(maxsize=None)
def templates_key(layouts: Layouts, template: str, seen: frozenset) -> str | None:
    """A hash of a template's source and of every template it extends, includes or imports;
    None when one of them is chosen at render time (`{% include name %}`)."""
    try:
        source = layouts.source(template)
        _, references = template_facts(source)
    except Exception:  # missing or broken: rendering reports it
        return None
    digest = hashlib.sha256(f"{template}\0{source}".encode())
    seen = seen | {template}
    for ref in references:
        if ref is None:
            return None
        if ref not in seen:
            key = templates_key(layouts, ref, seen)
            if key is None:
                return None
            digest.update(key.encode())
    return digest.hexdigest()


@lru_cache(maxsize=256)
def template_facts(source: str) -> tuple[bool, tuple[str | None, ...]]:
    """Whether a template's source reads the page list itself, and the templates it extends,
    includes or imports (None: one chosen at render time). Worked out once per source text, so
    a kept build process (pysite.kept_process) knows the theme's already."""
    ast = parse_template(source)
    names = meta.find_undeclared_variables(ast)
    reads = bool(names & LIST_NAMES) or any(isinstance(node.node, nodes.Name) and node.node.name == "site"
                                            and node.attr in LIST_NAMES for node in ast.find_all(nodes.Getattr))
    return reads, tuple(meta.find_referenced_templates(ast))


def generated_key(view: SiteView, copied: set[str]) -> str:
    """What the generated files are made from: the listed facts of every page (the view's digest),
    the pages that read the page list themselves (paginated ones render in parts), every page where
    they read more than listed facts (feeds, the sitemap, Franklin's and Liquid's templates), and
    whether a page shows math (the math font is published then)."""
    every = blog.reads_every_page(view) or bool(view.site.get("rss_full_content"))
    pages = [page.fingerprint for page in view.read.values() if every or page.lists_pages]
    return hashlib.sha256(pickle.dumps((view.digest, sorted(copied), pages, view.shows_math))).hexdigest()


def generated_outputs(view: SiteView, copied: set[str],
                      diagnostics: list[Diagnostic] | None = None) -> dict[str, str | bytes]:
    """Files the build makes: the theme's stylesheets unless the site has its own, and the
    blog's tag pages, paginated lists, redirects, feeds, sitemap and robots.txt."""
    view.list_pages()
    generated: dict[str, str | bytes] = dict(blog.outputs(view, copied, [] if diagnostics is None else diagnostics))
    if "css/code.css" not in copied:
        generated["css/code.css"] = stylesheet()
    theme = sorted((THEME / "_css").glob("*"))
    if view.shows_math:
        theme += [THEME / "_fonts" / name for name in FONT_FILES]
    for path in theme:
        rel = f"css/{path.name}"
        if rel not in copied:
            generated[rel] = path.read_bytes()
    return generated
