"""Franklin's blocks: `@@class ... @@` divs, `~~~ raw HTML ~~~`, math environments, escapes.

Each function takes the expander, the source and the offset of the construct and
returns (Markdown, offset after the construct).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from pysite.dialect.scan import RESERVED, Source, at_line_start
from pysite.dialect.templates import render_template
from pysite.placeholders import DIV_END, div_start

if TYPE_CHECKING:
    from pysite.dialect.expand import Expander

DIV_OPEN = re.compile(r"@@([A-Za-z_][\w\-]*(?:,[A-Za-z_][\w\-]*)*)")
MATH_ENVIRONMENTS = {"equation", "align", "eqnarray", "gather", "multline", "alignat", "flalign"}
ESCAPES = {"{": "&#123;", "}": "&#125;", "$": "\\$"}


def div(ex: Expander, source: Source, pos: int, end: int, divs: list[tuple[str, int, bool]]) -> tuple[str, int]:
    """`@@a,b` opens `<div class="a b">`, a bare `@@` closes the innermost; the content stays Markdown.

    A div is a block wherever it opens, as in Franklin (its MD_CLOSEP: inserting one closes the
    paragraph it is in): its tags become one-line HTML blocks (pysite.placeholders.div_start),
    on lines of their own, the content between them Markdown. Only in the text of a command
    used within a line does it stay in that line's paragraph, as Franklin inserts a command's
    output there whole."""
    text = source.text
    if not text.startswith("@@", pos):
        return "@", pos + 1
    opened = DIV_OPEN.match(text, pos)
    if opened:
        block = not source.generated or source.starts_line
        divs.append((opened.group(1), pos, block))
        classes, after = " ".join(opened.group(1).split(",")), opened.end()
        if not block:
            return ex.raw(f'<div class="{html.escape(classes)}">'), after
        mark = div_start(classes)
    elif text.startswith("@@@", pos):
        return "@@@", pos + 3
    elif not divs:
        raise source.error("`@@` closes no open div", pos, hint="open a div with `@@classname` first")
    else:
        _, _, block = divs.pop()
        mark, after = DIV_END, pos + 2
        if not block:
            return ex.raw("</div>"), after
    before = "" if at_line_start(source, pos) else "\n"
    rest_of_line = text[after:end].split("\n", 1)[0]
    return before + mark + ("\n" if rest_of_line.strip() else ""), after


def raw(ex: Expander, source: Source, pos: int, end: int) -> tuple[str, int]:
    """`~~~ ... ~~~`: HTML copied as it is, except `{{...}}` calls, which Franklin answers there too."""
    close = source.text.find("~~~", pos + 3, end)
    if close < 0:
        raise source.error("`~~~` is never closed", pos, hint="end the raw HTML with `~~~`")
    reserved = RESERVED.search(source.text, pos + 3, close)
    if reserved:
        ex.refuse_placeholder(source, reserved.start())
    content = render_template(source.text, ex.scope, source, True, pos + 3, close)
    after = close + 3
    lines = source.text.count("\n", pos, after)
    # Keep the page's line count when the block ends its line, so later lines keep their numbers.
    pad = "\n" * lines if after >= end or source.text[after] == "\n" else ""
    return ex.raw(content) + pad, after


def escape(ex: Expander, source: Source, pos: int, end: int) -> tuple[str, int]:
    """`\\\\` is a line break, `\\{` `\\}` `\\$` literal characters; other `\\x` are Markdown's."""
    char = source.text[pos + 1] if pos + 1 < end else ""
    if char == "\\":
        return ex.raw("<br>"), pos + 2
    if char in ESCAPES:
        return ESCAPES[char], pos + 2
    return "\\" + char, pos + 2


def math_environment(ex: Expander, source: Source, pos: int, end: int, name: str, body_start: int
                     ) -> tuple[str, int] | None:
    """`\\begin{equation}...\\end{equation}` (align, their starred forms...) written in the text:
    display math, numbered by markdown.py; None when `name` is not a math environment."""
    if name.rstrip("*") not in MATH_ENVIRONMENTS:
        return None
    closing = f"\\end{{{name}}}"
    close = source.text.find(closing, body_start, end)
    if close < 0:
        raise source.error(f"\\begin{{{name}}} is never closed", pos, hint=f"end it with {closing}")
    after = close + len(closing)
    return "$$" + ex.expand_math(source, pos, after) + "$$", after
