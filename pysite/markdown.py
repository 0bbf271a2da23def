"""Markdown to HTML: pysite's markdown-it configuration and its render rules.

Owns the parser (CommonMark plus tables, strikethrough, footnotes, task lists,
definition lists, GFM bare-URL autolinks, heading anchors, math), the token -> HTML rules that differ
from markdown-it's (math as MathML, code through Pygments, Julia cells handed to
`env["render_cell"]`, HTML comments dropped but `<!-- more -->`, which marks the excerpt's end), and what the rest of pysite reads
off the tokens: headings and plain text.

Two flavours (pysite.config.FLAVOURS, chosen by SiteConfig.flavour_of): `franklin` reads
Markdown as Franklin.jl does (no indented code blocks, `\\[...\\]` display math, Franklin's
heading ids and anchors, and as Julia's Markdown no strikethrough, task lists or definition
lists); `commonmark` as the CommonMark spec and GFM do. `parse` and
`render` are the only entry points, so one flavour's parser can be swapped on its own.
`parse` has a page read by markdown-it-pyrs instead when the page holds only what that reads
as markdown-it-py does (pysite.native_markdown): the same tokens, several times faster.

`env` is one parse's state. Read: `path`, `render_cell`, `attribute_lists` (kramdown's `{: ...}`),
`renderer` (whose markup a Jekyll or Hexo page is written in).
Written: `flavour`, `warnings` (Diagnostic list), `equations` (label -> number),
`equation_count`, and markdown-it's own keys (`references`, `footnotes`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.rules_block import StateBlock, fence
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from mdit_py_plugins.utils import is_code_block

from pysite import native_markdown
from pysite.autolink import autolink_plugin
from pysite.config import FLAVOURS, FRANKLIN
from pysite.errors import Diagnostic
from pysite.franklin_markdown import franklin_plugin
from pysite.placeholders import MORE, MORE_COMMENT
from pysite.highlight import highlight
from pysite.jekyll.attributes import attributes_plugin
from pysite.jekyll.markup import markup_plugin
from pysite.math import MathError, numbering, render_math


@dataclass
class Heading:
    """One heading of a page, for tables of contents and link checks."""

    level: int
    id: str    # the anchor id, unique within the page
    text: str  # plain text of the heading
    line: int  # 1-based source line


def parse(body: str, env: dict, flavour: str) -> list[Token]:
    """Tokens for `body` read in `flavour`; fills env["warnings"] and env["equations"]."""
    env.setdefault("warnings", [])
    env.setdefault("equations", {})
    env["flavour"] = flavour
    md = _PARSERS[flavour]
    found = native_markdown.tokens(_NATIVE[flavour], md, body, env, flavour == FRANKLIN)
    return found if found is not None else md.parse(body, env)


def render(tokens: list[Token], env: dict) -> str:
    """HTML for tokens from `parse` (same env: it names the flavour; math errors add warnings)."""
    env.setdefault("warnings", [])
    md = _PARSERS[env["flavour"]]
    return md.renderer.render(tokens, md.options, env)


def headings(tokens: Sequence[Token]) -> list[Heading]:
    """Every heading in document order, with the id `parse` gave it."""
    return [
        Heading(int(token.tag[1:]), token.attrGet("id") or "", _inline_text(tokens[i + 1]),
                token.meta.get("line", 0))
        for i, token in enumerate(tokens) if token.type == "heading_open"
    ]


def plain_text(tokens: Sequence[Token]) -> str:
    """The words a reader sees, for reading time, excerpts and search.

    Prose and code (inline and blocks: code is read too, and searched for) are
    kept, one block per paragraph; raw HTML, math and footnote markers are
    left out, as they are markup rather than words.
    """
    blocks = []
    for token in tokens:
        if token.type == "inline":
            blocks.append(_inline_text(token, math=False))
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
    return "\n\n".join(block for block in blocks if block)


def is_cell(info: str, flavour: str) -> bool:
    """Whether a fence's info string marks a Julia cell: `julia:NAME`, `!`, and on Franklin
    pages Franklin's REPL modes `>` (Julia), `]` (Pkg), `;` (shell), `?` (help)."""
    info = info.strip()
    return info.startswith(("julia:", "!")) or (flavour == FRANKLIN and info.startswith((">", "]", ";", "?")))


def mark_cells(state: StateCore) -> None:
    """Note on each fence whether it is a cell (an unclosed one is not: it ran on to the end)."""
    for token in state.tokens:
        if token.type == "fence":
            token.meta["is_cell"] = not token.meta.get("unclosed") and is_cell(token.info, state.env["flavour"])


def render_fence(token: Token) -> str:
    """A fence as highlighted code; a cell's code is highlighted as Julia."""
    return highlight(token.content, "julia" if token.meta.get("is_cell") else fence_language(token.info))


def fence_language(info: str) -> str | None:
    """The language of a fence: its info string's first word, with Pandoc's
    `{.lang}` and R Markdown's `{lang}` braces removed, and a Franklin cell's name
    (`python:./scripts/a`, which only Julia's cells run) after a `:`."""
    words = unescapeAll(info).split(maxsplit=1)
    return (words[0].strip("{}").lstrip(".").partition(":")[0] or None) if words else None


def warn(env: dict, message: str, line: int | None, hint: str | None = None, severity: str = "warning") -> None:
    """Record a warning (or an error) at a 0-based source line of this parse."""
    if line is not None:
        line += 1
    env.setdefault("warnings", []).append(Diagnostic(message, env.get("path"), line, severity=severity, hint=hint))


def _inline_text(token: Token, math: bool = True) -> str:
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline") or (math and child.type.startswith("math")):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def _slugify(title: str) -> str:
    # GitHub's rule: lower case, spaces to '-', punctuation dropped.
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-") or "section"


# --- math: `\[...\]` (dollarmath does `$`), numbering, MathML -----------------

def math_bracket_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Display math `\\[ ... \\]` starting a block, the `\\]` ending a line."""
    if is_code_block(state, start):
        return False
    begin = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith("\\[", begin):
        return False
    lines = []
    for line in range(start, end):
        text = state.src[begin + 2 if line == start else state.bMarks[line]:state.eMarks[line]].rstrip()
        if text.endswith("\\]"):
            lines.append(text[:-2])
            break
        lines.append(text)
    else:
        return False
    if not silent:
        token = state.push("math_block", "math", 0)
        token.block, token.content, token.markup = True, "\n".join(lines), "\\["
        token.map = [start, line + 1]
        state.line = line + 1
    return True


def math_bracket_inline(state: StateInline, silent: bool) -> bool:
    """Display math `\\[ ... \\]` inside a paragraph."""
    if not state.src.startswith("\\[", state.pos):
        return False
    close = state.src.find("\\]", state.pos + 2)
    if close < 0 or not state.src[state.pos + 2:close].strip():
        return False
    if not silent:
        token = state.push("math_inline_double", "math", 0)
        token.content, token.markup = state.src[state.pos + 2:close], "\\["
    state.pos = close + 2
    return True


def number_equations(state: StateCore) -> None:
    """Number display equations in page order, note each math token's line
    (inline tokens have no map) and each heading's line."""
    env = state.env
    for token in state.tokens:
        if token.type == "heading_open":
            token.meta["line"] = token.map[0] + 1
        elif token.type == "math_block":
            token.meta["line"] = token.map[0]
            _number(token, env)
        elif token.type == "inline" and token.children:
            line = token.map[0] if token.map else None
            for child in token.children:
                if child.type.startswith("math"):
                    child.meta["line"] = line
                    if child.type == "math_inline_double":
                        _number(child, env)
                if line is not None:
                    line += 1 if child.type in ("softbreak", "hardbreak") else child.content.count("\n")


def _number(token: Token, env: dict) -> None:
    found = numbering(token.content, env.get("flavour") == FRANKLIN)
    if not found.numbered:
        return
    env["equation_count"] = token.meta["number"] = env.get("equation_count", 0) + 1
    if found.label is None:
        return
    equations = env.setdefault("equations", {})
    if found.label in equations:
        warn(env, f"equation label '{found.label}' is used twice; links go to the first", token.meta["line"])
        return
    equations[found.label] = token.meta["number"]
    token.meta["id"] = found.label


def _math_html(token: Token, env: dict, display: bool, tag: str) -> str:
    try:
        mathml = render_math(token.content.strip(), display)
    except MathError as error:
        warn(env, f"cannot render math: {error}", token.meta.get("line"))
        kind = "pre" if tag == "div" else "span"
        return f'<{kind} class="math-error">{escapeHtml(token.content.strip())}</{kind}>'
    if not display:
        return mathml
    # Franklin's markup: the stylesheet numbers every .katex-display outside a .nonumber
    # (franklin.css and pysite.css alike), so the numbers \eqref links show are the seen ones.
    anchor = f'<a id="{escapeHtml(token.meta["id"])}" class="anchor"></a>' if "id" in token.meta else ""
    equation = f'<span class="katex-display">{mathml}</span>'
    return anchor + (equation if "number" in token.meta else f'<{tag} class="nonumber">{equation}</{tag}>')


def _render_math_inline(self, tokens, idx, options, env) -> str:
    return _math_html(tokens[idx], env, False, "span")


def _render_math_inline_double(self, tokens, idx, options, env) -> str:
    return _math_html(tokens[idx], env, True, "span")


def _render_math_block(self, tokens, idx, options, env) -> str:
    return _math_html(tokens[idx], env, True, "div") + "\n"


def math_plugin(md: MarkdownIt, brackets: bool) -> None:
    """Equation numbers and MathML on top of dollarmath's `$` parsing; `\\[...\\]` too with `brackets`
    (CommonMark reads `\\[` as an escaped bracket)."""
    if brackets:
        md.block.ruler.before("fence", "math_bracket_block", math_bracket_block)
        md.inline.ruler.before("escape", "math_bracket_inline", math_bracket_inline)
    md.core.ruler.push("number_equations", number_equations)
    md.add_render_rule("math_inline", _render_math_inline)
    md.add_render_rule("math_inline_double", _render_math_inline_double)
    md.add_render_rule("math_block", _render_math_block)


# --- code, headings, comments ------------------------------------------------

def fence_reporting_end(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's fence rule, plus a report at the opening line of a fence never closed
    (it runs to the end of the page or its container): an error on a Franklin page, as
    Franklin has it; a warning elsewhere, as CommonMark allows it. Its cell is not run."""
    if silent or not fence(state, start, end, False):
        return silent and fence(state, start, end, True)
    token = state.tokens[-1]
    last = state.line - 1
    text = state.src[state.bMarks[last] + state.tShift[last]:state.eMarks[last]].rstrip()
    marker = token.markup
    if last > start and text.startswith(marker) and not text.strip(marker[0]) and not state.is_code_block(last):
        return True
    token.meta["unclosed"] = True
    franklin = state.env.get("flavour") == FRANKLIN
    warn(state.env, f"the code fence opened here ({marker}{token.info}) is never closed: the rest of the "
         f"{'page' if state.level == 0 else 'block'} is code", start, hint=f"close it with a line {marker}",
         severity="error" if franklin else "warning")
    return True

def _render_fence(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if "render_cell" in env and token.meta.get("is_cell"):
        return env["render_cell"](token)
    return render_fence(token)


def _render_code_block(self, tokens, idx, options, env) -> str:
    return highlight(tokens[idx].content, None)


def _render_heading_close(self, tokens, idx, options, env) -> str:
    # The permalink is added here, not as tokens, so headings() and plain_text() never see it.
    ident = tokens[idx - 2].attrGet("id")
    link = f' <a class="anchor" href="#{escapeHtml(ident)}" aria-label="Permalink">#</a>' if ident else ""
    return f"{link}</{tokens[idx].tag}>\n"


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SCRIPT = re.compile(r"<(script|style)\b", re.IGNORECASE)


def _render_html_block(self, tokens, idx, options, env) -> str:
    html = tokens[idx].content
    if "<!--" not in html or _SCRIPT.search(html):  # `<!--` in a script is code, not a comment
        return html
    html = _COMMENT.sub(lambda match: MORE if MORE_COMMENT.fullmatch(match.group(0)) else "", html)
    if "<!--" in html:
        warn(env, "HTML comment '<!--' is never closed: the rest of the page is hidden", tokens[idx].map[0])
    return html if html.strip() else ""


def _render_html_inline(self, tokens, idx, options, env) -> str:
    html = tokens[idx].content
    if html.startswith("<!--"):
        return MORE if MORE_COMMENT.fullmatch(html) else ""
    return html


def build_parser(flavour: str) -> MarkdownIt:
    """pysite's markdown-it for one flavour: built once per process, reused for every page."""
    md = MarkdownIt("commonmark").enable("table")
    if flavour == FRANKLIN:
        md.disable("code")  # Franklin has no indented code blocks: indentation is only layout
    else:  # Julia's Markdown, which Franklin reads pages with, has none of these
        md.enable("strikethrough").use(deflist_plugin).use(tasklists_plugin)
    md.use(footnote_plugin, inline=flavour != FRANKLIN)  # Franklin has no inline `^[...]` notes
    # Bare URLs as GitHub links them (`https://...`, `www....`, emails): ~10% of
    # parse time, where linkify-it costs ~30% and links `README.md` (a TLD).
    md.use(autolink_plugin)
    # allow_digits=False keeps prices as text: "$5 and $10".
    md.use(dollarmath_plugin, allow_labels=False, allow_digits=False, double_inline=True)
    md.use(math_plugin, brackets=flavour == FRANKLIN)
    md.block.ruler.at("fence", fence_reporting_end, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.core.ruler.push("mark_cells", mark_cells)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_code_block)
    if flavour == FRANKLIN:
        md.use(franklin_plugin)
    else:
        md.use(anchors_plugin, min_level=1, max_level=6, slug_func=_slugify)
        md.add_render_rule("heading_close", _render_heading_close)
    md.use(attributes_plugin)  # kramdown's `{: .class}`, on when env["attribute_lists"] (Jekyll, Hexo)
    md.add_render_rule("html_block", _render_html_block)
    md.add_render_rule("html_inline", _render_html_inline)
    md.use(markup_plugin)  # kramdown's or marked's markup, on when env["renderer"] (Jekyll, Hexo)
    return md


_PARSERS = {flavour: build_parser(flavour) for flavour in FLAVOURS}
# Each flavour's native stand-in, for the pages it reads as markdown-it-py does (pysite.native_markdown).
_NATIVE = {flavour: native_markdown.native_parser(md) for flavour, md in _PARSERS.items()}
