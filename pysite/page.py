"""Reading a page: its variables, its expanded and parsed text, its evaluated cells, its HTML.

`read_page` runs in the build's worker processes; when a page needs Julia (cells not in
the cache, or a variable that is a Julia expression) and this process has no bridge, it
raises `NeedsJulia` and the builder reads the page again in the main process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pysite import highlight, markdown
from pysite.blog.posts import is_draft
from pysite.blog.taxonomy import slug
from pysite.bridge import CellResult
from pysite.cells import Cell, find_cell, find_cells, may_run, render_cell, render_output
from pysite.config import COMMONMARK, FRANKLIN, SiteConfig, as_list
from pysite.dialect import expand, expand_html, franklin_layout, franklin_vars, handlers as dialect_handlers, page_scope
from pysite.dialect.builtins import script_output
from pysite.dialect.fragment import render_fragment
from pysite.discover import SourceFile
from pysite.errors import Diagnostic, ParseError, PysiteError, unexpected
from pysite.placeholders import MORE, fill
from pysite.state import file_stat
from pysite.variables import read_variables

WORDS_PER_MINUTE = 200
CONTENT_FLAGS = ("hasmath", "hascode")   # what Franklin derives from a page's content
MAX_NAME_BYTES = 255  # a file or folder name, on every common file system
UNFIT_TERM = re.compile(r"[\x00-\x1f\x7f]|(?:^|/)\.{1,2}(?:/|$)")
FIRST_PARAGRAPH = re.compile(r"<p>.*?</p>", re.DOTALL)
HEXO_MORE = '<span id="more"></span>'
DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-")  # Jekyll's posts: 2020-05-02-title.md


class NeedsJulia(Exception):
    """This page needs the Julia bridge, which only the main process holds."""


@dataclass
class Page:
    source: SourceFile
    digest: str = ""                                  # content hash of the source file
    variables: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    flavour: str = COMMONMARK                         # how its Markdown reads: SiteConfig.flavour_of
    headings: list[markdown.Heading] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    content: str = ""                                 # the rendered body, before the layout
    excerpt: str = ""
    words: int = 0
    unevaluated: bool = False                         # a cell has no lasting result (no Julia, timeout, crash)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stat: tuple[int, int] = (0, 0)                    # the source's (mtime_ns, size) when it was read
    inputs: dict[str, tuple[int, int]] = field(default_factory=dict)  # other files it read, with their stat
    ran_utils: bool = False                           # a utils.jl function ran for it (it may write files)
    fingerprint: str = ""                             # hash of everything a layout reads off this page
    blocks: dict = field(default_factory=dict)        # its highlighted code, reused when it is read again
    lists_pages: bool = False                         # it reads the page list itself (render-time calls, pagination)
    has_math: bool = False                            # its content shows math (MathML)

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    @property
    def title(self) -> str:
        return str(self.variables.get("title") or "")

    @property
    def date(self) -> dt.date | None:
        return self.variables.get("date")

    @property
    def is_draft(self) -> bool:
        """`draft: true` or a date in the future: built by `serve` and `build --drafts` only."""
        return is_draft(self.variables)

    @property
    def layout(self) -> Any:
        return self.variables.get("layout")


# What only rendering and page lists read: a stored page reads them from the state when first used.
BODY = ("variables", "lines", "headings", "content", "excerpt", "blocks")


class StoredPage(Page):
    """A page as the last build read it (`StateStore.load`): its head at once, its body when used.
    `facts` answers what the rebuild decisions ask of the body, so an unchanged page is not read."""

    def __getattr__(self, name: str) -> Any:   # only for attributes not set: the body's, once
        if name in BODY and "load" in self.__dict__:
            self.__dict__.update(self.__dict__.pop("load")())
            return self.__dict__[name]
        raise AttributeError(name)

    @property
    def is_draft(self) -> bool:
        return is_draft(self.facts) if unread(self) else super().is_draft

    @property
    def layout(self) -> Any:
        return self.facts["layout"] if unread(self) else super().layout


def unread(page: Page) -> bool:
    """Whether a stored page's body was never read (so it is as stored)."""
    return "load" in page.__dict__


def stored_parts(page: Page) -> tuple[dict, dict]:
    """(head, body) of a page, as the state keeps it."""
    body = {name: getattr(page, name) for name in BODY}
    head = {name: value for name, value in vars(page).items() if name not in BODY and name not in ("load", "facts")}
    head["facts"] = {"draft": page.variables.get("draft"), "date": page.variables.get("date"),
                     "layout": page.layout}
    return head, body


def packed(page: Page) -> tuple[bytes, bytes]:
    """A page's (head, body) pickled: as pages read by a build's workers come back, and are saved
    as they came (the state's rows), not pickled a second time."""
    head, body = stored_parts(page)
    return pickle.dumps(head), pickle.dumps(body)


def unpacked(rows: tuple[bytes, bytes]) -> Page:
    head, body = map(pickle.loads, rows)
    del head["facts"]
    page = Page.__new__(Page)
    page.__dict__.update(head, **body)
    return page


def stored_page(head: dict, load: Callable[[], dict]) -> StoredPage:
    page = StoredPage.__new__(StoredPage)
    page.__dict__.update(head, load=load)
    return page


@dataclass
class ReadContext:
    """What reading a page needs besides the page: the site, and how cells get their results."""

    config: SiteConfig
    # (page, cells) -> results by cell name; raises NeedsJulia where only the main process can help.
    results_for: Callable[[Page, list[Cell]], dict]
    # (variables, path) -> errors: Julia expressions among the variables replaced by their values
    # in place; raises NeedsJulia likewise.
    evaluate_variables: Callable[[dict[str, Any], Path], list[Diagnostic]]
    # () -> the Julia bridge for utils.jl, or None without Julia; raises NeedsJulia likewise.
    site_bridge: Callable[[], Any] | None = None
    # () -> every page's variables as its file defines them (`defined_variables`), for `pagevar`.
    site_pages: Callable[[], dict[str, dict[str, Any]]] | None = None


def read_source(source: SourceFile) -> tuple[bytes, str]:
    data = source.path.read_bytes()
    return data, hashlib.sha256(data).hexdigest()


def source_stat(source: SourceFile) -> tuple[int, int]:
    return file_stat(source.path)


def inputs_changed(page: Page) -> bool:
    """Whether a file the page read (`\\input`, `{{insert}}`...) changed since."""
    return any(file_stat(Path(path)) != stat for path, stat in page.inputs.items())


def decode(data: bytes, path: Path) -> str:
    if b"\0" in data[:8192]:
        raise ParseError("this is a binary file, not a text page", path, 1,
                         hint="move it out of the pages or give it another extension")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ParseError(f"not valid UTF-8 (byte 0x{data[error.start]:02x})", path, line,
                         hint="save the file as UTF-8") from None


def defined_variables(config: SiteConfig, sources: list[SourceFile]) -> dict[str, dict[str, Any]]:
    """Every page's variables as its file defines them, over the site's defaults, by path without
    extension: what utils.jl's `pagevar` sees while pages are still being read, as Franklin reads
    a page's definitions on demand. Julia expressions stay unevaluated; a page that cannot be
    read is left out (reading it reports why)."""
    found = {}
    for source in sources:
        try:
            text = decode(source.path.read_bytes(), source.path)
            variables = read_variables(text, source.path, config.flavour == FRANKLIN).variables
        except (OSError, PysiteError):
            continue
        found[source.rel.rsplit(".", 1)[0]] = {**config.defaults_for(source.rel), **variables}
    return found


def read_page(source: SourceFile, ctx: ReadContext, data: bytes | None = None, digest: str = "",
              blocks: dict | None = None) -> Page:
    """Read, expand, parse, evaluate and render one page's body; errors land in `diagnostics`.
    `blocks`: its highlighted code blocks when it was last read."""
    with highlight.reusing(blocks or {}) as used:
        page = read_text(source, ctx, data, digest)
    page.blocks = used
    return page


def read_text(source: SourceFile, ctx: ReadContext, data: bytes | None, digest: str) -> Page:
    stat = source_stat(source)
    page = Page(source, digest, stat=stat)
    try:
        if data is None:
            data, page.digest = read_source(source)
        text = decode(data, source.path)
        defaults = ctx.config.defaults_for(source.rel)
        page_vars = read_variables(text, source.path, ctx.config.flavour == FRANKLIN)
        page.flavour = ctx.config.flavour_of({**defaults, **page_vars.variables}, source.path,
                                             page_vars.lines.get("flavour"))
        if page.flavour == FRANKLIN and ctx.config.flavour != FRANKLIN:  # its `@def` lines count too
            page_vars = read_variables(text, source.path, True)
        page.lines = page_vars.lines
        generator = ctx.config.generator   # a Jekyll or Hexo site
        if generator is not None:
            page.variables = generator.page_variables(source.rel, page_vars.variables)
        else:
            page.variables = {**defaults, **franklin_page_variables(source, ctx.config), **page_vars.variables}
        page.diagnostics.extend(ctx.evaluate_variables(page.variables, source.path))
        if generator is not None and (source.path.suffix == ".html" or not source.out.endswith(".html")):
            from pysite.jekyll.render import read_liquid  # Liquid is loaded for Jekyll and Hexo sites only

            page.content = read_liquid(generator, ctx.config, source.rel, source.path, page.variables,
                                       page_vars.body, page.diagnostics)
            if source.path.suffix in (".scss", ".sass"):  # Jekyll's stylesheets: Liquid, then Sass
                from pysite.jekyll.sass import compile_sass

                page.content = compile_sass(generator, source.path, page.content)
        elif source.path.suffix == ".html":
            franklin = franklin_layout.applies(ctx.config, page.variables)
            page.content = render_html(page, page_vars.body, ctx) if franklin else page_vars.body
        else:
            render_body(page, page_vars.body, ctx)
    except NeedsJulia:
        raise
    except PysiteError as error:
        page.diagnostics.append(Diagnostic.from_error(error.located(source.path)))
    except Exception as error:  # noqa: BLE001 - one page that cannot be read never stops the others
        page.diagnostics.append(unexpected(error, source.path, "reading"))
    derive_variables(page)
    page.lists_pages = "<pysite-late" in page.content or bool(page.variables.get("paginate"))
    page.has_math = "<math" in page.content
    page.fingerprint = fingerprint(page)
    return page


def fingerprint(page: Page) -> str:
    return hashlib.sha256(pickle.dumps((page.digest, page.content, page.excerpt, page.variables,
                                        page.headings, page.source), protocol=5)).hexdigest()


def touched(page: Page, config: SiteConfig) -> None:
    """The page's file has new dates but the same text: what Franklin derives from its dates follows."""
    page.stat = source_stat(page.source)
    page.variables.update(franklin_page_variables(page.source, config))
    page.fingerprint = fingerprint(page)


def render_html(page: Page, body: str, ctx: ReadContext) -> str:
    """A Franklin site's `.html` page: its template calls run, as Franklin runs them."""
    warnings: list[Diagnostic] = []
    scope = page_scope(ctx.config, page.source.rel, page.variables, warnings, ctx.site_bridge, ctx.site_pages)
    content = expand_html(body, page.source.path, scope)
    page.inputs = {str(found): file_stat(found) for found in scope.inputs}
    page.ran_utils = scope.ran_utils
    page.diagnostics.extend(warnings)
    return content


def read_body(page: Page, body: str, ctx: ReadContext) -> tuple[dict, Any, list]:
    """The page's body expanded and parsed: (Markdown env, dialect scope, tokens); sets
    `hasmath` and `hascode` from what the tokens hold."""
    path = page.source.path
    env: dict[str, Any] = {"path": path, "warnings": []}
    if ctx.config.generator is not None:  # Jekyll's and Hexo's Liquid comes before the Markdown
        from pysite.jekyll.render import read_liquid

        body = read_liquid(ctx.config.generator, ctx.config, page.source.rel, path, page.variables, body,
                           env["warnings"])
        env.update(ctx.config.generator.markdown_env())
        env["excerpt_source"] = ctx.config.generator.excerpt_source(page.variables, body)
    scope = page_scope(ctx.config, page.source.rel, page.variables, env["warnings"], ctx.site_bridge, ctx.site_pages)
    if page.flavour == FRANKLIN:
        scope.cells_first = may_run(body)
        body = expand(body, path, scope)
    tokens = markdown.parse(body, env, page.flavour)
    page.variables.update(franklin_vars.content_flags(page.variables, ctx.config.variables, *content_kinds(tokens)))
    return env, scope, tokens


def render_body(page: Page, body: str, ctx: ReadContext) -> None:
    path = page.source.path
    assumed = {name: page.variables.get(name) for name in CONTENT_FLAGS}
    env, scope, tokens = read_body(page, body, ctx)
    if page.flavour == FRANKLIN and any(assumed[name] != page.variables[name] and name in body for name in assumed):
        # `{{if hasmath}}` in the body: Franklin answers it once the page's content is known,
        # so the body is read again with what the first reading found.
        env, scope, tokens = read_body(page, body, ctx)
    page.inputs = {str(found): file_stat(found) for found in scope.inputs}
    page.headings = scope.headings = markdown.headings(tokens)
    page.words = len(markdown.plain_text(tokens).split())
    page.cells = find_cells(tokens)
    # Franklin's `noeval`: the page's cells are shown as code, not run
    results = ctx.results_for(page, page.cells) if page.cells and not page.variables.get("noeval") else {}
    scope.cells_first = False   # they ran: a call met from here on (fd2html, \textoutput) is answered at once
    # Outside Franklin's flavour there is no `\output{name}`: every cell shows its output below it
    # unless the page says `showall: false`.
    showall = bool(page.variables.get("showall", page.flavour != FRANKLIN))
    env["render_cell"] = lambda token: render_cell(token.meta["cell"], results.get(token.meta["cell"].name), showall)

    def render_markdown(text: str) -> str:
        text_env = {"path": path, "warnings": []}
        return markdown.render(markdown.parse(text, text_env, page.flavour), text_env)

    def output(attrs: dict[str, str]) -> str:
        cell = find_cell(page.cells, attrs["name"])
        result = results.get(cell.name) if cell else None
        if result is None and cell is not None:   # a cell that did not run (`noeval`): nothing to show
            return ""
        if result is None:
            script = script_output(scope, attrs.get("path", attrs["name"]))
            if script is None:
                env["warnings"].append(Diagnostic(
                    f"\\output{{{attrs['name']}}}: no cell named {attrs['name']!r} on this page, nor a script "
                    "output (output/NAME.out beside the script)", path, int(attrs["line"]), "warning"))
                return ""
            result = CellResult("ok", stdout=script[0], value=script[1])
        return render_output(result, attrs["kind"],
                             markdown=lambda text: render_fragment(text, scope, int(attrs["line"])),
                             code=cell.code if cell else "")

    content = fill(markdown.render(tokens, env), {
        **dialect_handlers(scope, env, render_markdown),
        "output": output,
        "more": lambda attrs: MORE,
    })
    head, more, _ = content.partition(MORE)
    hexo = ctx.config.generator is not None and ctx.config.generator.kind == "hexo"  # jekyll.site.HEXO
    # Hexo leaves an anchor where `<!-- more -->` was, and gives a page without one no excerpt.
    page.content = content.replace(MORE, HEXO_MORE if hexo else "")
    first = FIRST_PARAGRAPH.search(page.content)
    page.excerpt = head if more else (first.group(0) if first and not hexo else "")
    if env.get("excerpt_source") is not None:  # a Jekyll post's, by Jekyll's rule
        own = {key: env[key] for key in ("path", "attribute_lists", "renderer")}
        page.excerpt = markdown.render(markdown.parse(env["excerpt_source"], own, page.flavour), own)
    if ctx.config.generator is not None and "excerpt" in page.variables:  # both take the front matter's as it is
        page.excerpt = str(page.variables["excerpt"])
    page.ran_utils = scope.ran_utils   # after the calls that waited for the cells
    page.diagnostics.extend(env["warnings"])


def franklin_page_variables(source: SourceFile, config: SiteConfig) -> dict[str, Any]:
    """`fd_rpath`, `fd_url`, `fd_mtime`... as Franklin sets them for this page."""
    try:
        stat = source.path.stat()
    except OSError:
        return {}
    return franklin_vars.page_variables(source.rel, stat.st_mtime, stat.st_ctime, config.variables)


def content_kinds(tokens: list) -> tuple[bool, bool]:
    """Whether the parsed page has math, and whether it has a code block (what Franklin's
    `hasmath` and `hascode` detect)."""
    has_math = has_code = False
    for token in tokens:
        has_code = has_code or token.type in ("fence", "code_block")
        has_math = has_math or token.type.startswith("math") or any(
            child.type.startswith("math") for child in token.children or ())
    return has_math, has_code


def derive_variables(page: Page) -> None:
    """Title from the first heading, dates as dates, tags as lists, reading time."""
    variables = page.variables
    # Jekyll and Hexo give their pages no title but their own (pysite.jekyll.discover titles posts)
    if not variables.get("title") and variables.get("collection") != "pages":
        variables["title"] = page.headings[0].text if page.headings else Path(page.source.rel).stem.replace("-", " ")
    dated = DATED_NAME.match(page.source.path.name)
    if variables.get("date") is None and dated:
        variables["date"] = dated.group(1)
    for name in ("date", "last_modified", "lastmod"):
        if name in variables:
            variables[name] = as_date(variables[name], page, name)
    if not (variables.get("last_modified") or variables.get("lastmod")):
        variables["last_modified"] = dt.date.fromtimestamp(page.stat[0] / 1e9)
    for name in ("tags", "categories"):
        variables[name] = [term for term in map(str, as_list(variables.get(name))) if publishable(page, name, term)]
    variables["reading_time"] = max(1, math.ceil(page.words / WORDS_PER_MINUTE)) if page.words else 0


def publishable(page: Page, name: str, term: str) -> bool:
    """Whether a tag or category can have its page: its name is a folder name (no control
    character, no `.` or `..` part, which would lead out of its folder), at most 255 bytes."""
    if UNFIT_TERM.search(term.strip()):
        problem = "cannot be a folder name (a control character, or a `.` or `..` part)"
    elif len(slug(term).encode()) > MAX_NAME_BYTES:
        problem = f"is longer than {MAX_NAME_BYTES} bytes, more than a folder name can be"
    else:
        return True
    page.diagnostics.append(Diagnostic(f"a name in `{name}` {problem}: {term[:40]!r}", page.source.path,
                                       page.lines.get(name), hint="rename it (it is left out meanwhile)"))
    return False


def as_date(value: Any, page: Page, name: str) -> dt.date | None:
    parsed = parse_date(value)
    if parsed is not None or value is None:
        return parsed
    text = str(value).strip()
    page.diagnostics.append(Diagnostic(f"`{name}` is not a date: {text!r}", page.source.path,
                                       page.lines.get(name), "warning", hint="write dates as 2020-06-06"))
    return None


def parse_date(value: Any, timezone: dt.tzinfo | None = None) -> dt.date | None:
    """A date or date and time written in ISO form or as `2020-06-06 10:00:00 +0100`; None if not one.
    A time without a zone is in `timezone` when one is given."""
    if value is None or isinstance(value, dt.date):
        if timezone is not None and isinstance(value, dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=timezone)
        return value
    text = str(value).strip()
    for parse in (dt.datetime.fromisoformat, lambda s: dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S %z"),
                  lambda s: dt.datetime.strptime(s, "%Y-%m-%d %H:%M")):
        try:
            parsed = parse(text)
        except ValueError:
            continue
        return parsed.date() if len(text) <= 10 else parse_date(parsed, timezone)
    return None
