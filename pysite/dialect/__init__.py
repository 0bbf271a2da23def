"""The Franklin dialect: commands, blocks and template calls written in a page, expanded before
Markdown is parsed, and Franklin's layout convention.

    scope = page_scope(config, rel, variables, warnings)    # the page as the dialect sees it
    markdown_text = expand(body, path, scope)                # phase 1: text -> text
    html = fill(render(...), {**handlers(scope, env, md), "output": ...})  # after cells ran
    content = resolve_late(page.content, render_scope)       # phase 2: calls needing the site

One module per construct family: scan (the scanner), commands (\\newcommand,
\\newenvironment), builtins (\\fig, \\input, \\eqref...), blocks (@@div, ~~~raw~~~,
math environments, escapes), templates ({{...}}), literate (\\literate scripts),
utils (utils.py / utils.jl functions), franklin_layout (head.html + foot.html pages).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from pysite.dialect.builtins import handlers as builtin_handlers
from pysite.dialect.commands import Definitions, site_definitions
from pysite.dialect.context import PageScope
from pysite.dialect.expand import Expander
from pysite.dialect.scan import Source
from pysite.dialect.templates import answer_deferred, render_template, resolve_late, toc_html
from pysite.dialect.utils import load_utils
from pysite.errors import Diagnostic
from pysite.placeholders import fill

__all__ = ["PageScope", "expand", "expand_html", "handlers", "page_scope", "resolve_late", "toc_html"]

# A page with none of these has nothing to expand: it is returned as it is.
MARKERS = ("\\", "{{", "@@", "~~~", "$$", "pysite-")  # the last: placeholders a page must not write


def page_scope(config, rel: str, variables: dict[str, Any], warnings: list[Diagnostic],
               bridge: Callable | None = None, site_pages: Callable | None = None) -> PageScope:
    """The dialect's view of a page being read: its variables, the site's, the site's utils
    (`bridge()` gives the Julia bridge for utils.jl, or None without Julia), the other pages'
    variables as their files define them (`site_pages()`)."""
    scope = PageScope(config.root, rel, variables, config.variables, warnings, site_pages=site_pages)
    scope.utils = load_utils(config, bridge)
    scope.definitions = site_definitions(config.body, config.path if config.body else None)
    return scope


def expand(body: str, path: Path, scope: PageScope | None = None) -> str:
    """The page's Markdown with every command, block and call answered or left as a placeholder.

    Raises ParseError (file and line) for what cannot be read: an unclosed `@@`,
    `~~~`, `$$`, `{{if}}` or brace, a command with too few braces."""
    if not any(marker in body for marker in MARKERS):
        return body
    if scope is None:
        scope = PageScope(path.parent, path.name, {}, {})
    expander = Expander(scope, scope.definitions or Definitions())
    text = expander.expand(Source(body, path), 0, len(body))
    scope.biblabels = expander.biblabels
    # Text made later (a cell's printed text, fd2html) sees the commands the page defined.
    scope.definitions = expander.definitions
    return text


def expand_html(text: str, path: Path, scope: PageScope) -> str:
    """A Franklin `.html` page with its `{{...}}` calls answered, as Franklin reads one: no
    Markdown, no commands; calls that need the site are left for `resolve_late`."""
    produced = render_template(text, scope, Source(text, path), late=True)
    return fill(produced, builtin_handlers(scope, {}, lambda markdown: markdown))


def handlers(scope: PageScope, env: dict, render_markdown: Callable[[str], str]
             ) -> dict[str, Callable[[dict[str, str]], str | None]]:
    """Handlers for the placeholders the expansion left (all but cell outputs), the hfuns
    that waited for the page's cells among them."""
    return {**builtin_handlers(scope, env, render_markdown), "hfun": lambda attrs: answer_deferred(attrs, scope)}
