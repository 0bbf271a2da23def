"""Layouts: Jinja2 templates from the site's `_layout/`, then the default theme's.

A page picks its layout with the variable `layout`; templates see `page`, `site`,
`pages` (every page, newest first), `posts` (pysite/blog/posts.py), `content`, and
`paginator` on a page that sets `paginate`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import jinja2

from pysite.blog.posts import by_date
from pysite.blog.taxonomy import pages_tagged, slug
from pysite.errors import TemplateError

THEME = Path(__file__).parent / "theme"
# Jekyll's standard layout names fall back to the default layout when the site has none.
STANDARD_LAYOUTS = {"default", "page", "post"}


class Utf8Loader(jinja2.FileSystemLoader):
    """The site's templates; one that is not UTF-8 is an error at its file and line."""

    def get_source(self, environment: jinja2.Environment, template: str):
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as error:
            path = next(Path(folder) / template for folder in self.searchpath if (Path(folder) / template).is_file())
            raise TemplateError(f"not valid UTF-8 (byte 0x{error.object[error.start]:02x})", path,
                                error.object.count(b"\n", 0, error.start) + 1, hint="save the file as UTF-8") from None


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled in this process, by name, file and source (Jinja2 checks the source):
    every site's Layouts compile alike, so the theme's are compiled once, and a kept build
    process (pysite.kept_process) hands them compiled to every build it runs."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()


class Layouts:
    def __init__(self, site: Path, prepath: str):
        self.site = site
        self.prepath = prepath
        self.env = jinja2.Environment(
            # "theme/page.html" names the theme's own template, so a site's page.html can extend it.
            loader=jinja2.ChoiceLoader([Utf8Loader(site / "_layout"),
                                        jinja2.FileSystemLoader(THEME / "_layout"),
                                        jinja2.PrefixLoader({"theme": jinja2.FileSystemLoader(THEME / "_layout")})]),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=COMPILED,
            # Not a look at every template's file date on every page (~9% of rendering): a build
            # makes new Layouts when a template changed (Builder.layout_key).
            auto_reload=False,
        )
        self.env.filters.update(url=self.url, date=format_date, where=where, under=under,
                                slug=slug, by_date=by_date, tagged=pages_tagged)

    def source(self, template: str) -> str:
        return self.env.loader.get_source(self.env, template)[0]

    def url(self, path: str) -> str:
        """A site-absolute path with the site's prepath in front."""
        if not path.startswith("/") or path.startswith(self.prepath + "/") and self.prepath:
            return path
        return self.prepath + path

    def template_name(self, layout: Any) -> str:
        name = str(layout or "default").removesuffix(".html")
        return f"{name}.html"

    def names(self) -> list[str]:
        """The layouts a page can name: the site's and the theme's top-level templates."""
        return sorted({name.removesuffix(".html") for name in self.env.list_templates(extensions=["html"])
                       if "/" not in name})

    def exists(self, layout: Any) -> bool:
        try:
            self.env.get_template(self.template_name(layout))
            return True
        except jinja2.TemplateNotFound:
            return False
        except jinja2.TemplateError:
            return True  # it exists; rendering reports the error with its line

    def render(self, layout: Any, context: dict[str, Any]) -> str:
        name = self.template_name(layout)
        if str(layout or "default") in STANDARD_LAYOUTS and not self.exists(layout):
            name = "default.html"
        try:
            return self.env.get_template(name).render(context)
        except TemplateError:
            raise
        except jinja2.TemplateSyntaxError as error:
            raise TemplateError(error.message or "syntax error", error.filename or name, error.lineno,
                                source_line=source_line(error.filename, error.lineno)) from None
        except jinja2.TemplateNotFound as error:
            raise TemplateError(f"layout {error.name!r} not found in _layout/", None, None,
                                hint="add the template to _layout/ or pick another `layout`") from None
        except Exception as error:  # a template failing at run time: report its file and line
            path, line = template_frame(error)
            raise TemplateError(f"{type(error).__name__}: {error}", path or name, line) from None


def parse_template(source: str) -> jinja2.nodes.Template:
    """A template's syntax tree, for what it reads and names (pysite.site)."""
    return _parser().parse(source)


@lru_cache(maxsize=1)
def _parser() -> jinja2.Environment:
    """An environment like every site's (the analysis looks its filters up), whose loader is never used."""
    return Layouts(Path(os.devnull), "").env


def source_line(filename: str | None, lineno: int | None) -> str | None:
    if not filename or not lineno:
        return None
    try:
        return Path(filename).read_text(encoding="utf-8").splitlines()[lineno - 1]
    except (OSError, IndexError, UnicodeDecodeError):
        return None


def template_frame(error: BaseException) -> tuple[str | None, int | None]:
    """The innermost traceback frame that is a template (Jinja2 rewrites them to the .html file)."""
    found = (None, None)
    tb = error.__traceback__ or sys.exc_info()[2]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def format_date(value: Any, fmt: str | None = None) -> str:
    if not isinstance(value, dt.date):
        return "" if value is None else str(value)
    if fmt:
        return value.strftime(fmt)
    return f"{value.day} {value.strftime('%B %Y')}"


def where(pages: Iterable[Any], attribute: str, value: Any) -> list[Any]:
    """Pages whose attribute equals the value, or contains it when the attribute is a list."""
    chosen = []
    for page in pages:
        found = page.get(attribute) if isinstance(page, dict) else getattr(page, attribute, None)
        if found == value or (isinstance(found, (list, tuple)) and value in found):
            chosen.append(page)
    return chosen


def under(pages: Iterable[Any], folder: str) -> list[Any]:
    folder = folder.strip("/") + "/"
    return [page for page in pages if page["source"].startswith(folder)]
