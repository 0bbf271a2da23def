"""Text made while a page is built, read as a page is: a cell's printed text (`\\textoutput`),
utils.jl's `fd2html`. Franklin's dialect, then Markdown, then placeholders, in the page's scope."""

from __future__ import annotations

from pysite import markdown
from pysite.config import FRANKLIN
from pysite.dialect.builtins import handlers
from pysite.dialect.commands import Definitions
from pysite.dialect.context import PageScope
from pysite.dialect.expand import Expander
from pysite.dialect.scan import Source
from pysite.placeholders import fill


def render_fragment(text: str, scope: PageScope, line: int | None = None) -> str:
    """HTML for `text`, which sees the page's variables and commands; its warnings are the page's,
    at `line` (the command that asked for it)."""
    path = scope.path
    # A fresh expander: the page's labels and definitions stay as they are.
    expander = Expander(scope, scope.definitions or Definitions())
    expanded = expander.expand(Source(text, path, line or 1, generated=line is not None), 0, len(text))
    env = {"path": path, "warnings": scope.warnings}

    def render_markdown(more: str) -> str:
        return markdown.render(markdown.parse(more, env, FRANKLIN), env)

    # Cell outputs and `<!--more-->` are the page's to answer: left for its own pass.
    later = {"output": lambda attrs: None, "more": lambda attrs: None}
    return fill(render_markdown(expanded), {**handlers(scope, env, render_markdown), **later})
