"""Placeholder elements: what the dialect leaves in the text for things known only after evaluation.

`<pysite-output name=.. kind=.. line=..>` becomes a cell's output, `<pysite-fig src=..>` a
figure a cell wrote, `<pysite-toc>` the table of contents, `<pysite-more>` the end of the
excerpt (an HTML comment `<!-- more -->`, which Markdown rendering turns into it, so one
inside code stays code). Rendering Markdown passes them
through as raw HTML; `fill` replaces them in the page's HTML.

A block `@@div` becomes a one-line declaration, `<!pysite-div class="..">` and
`<!pysite-div-end>`: Markdown reads such a line as an HTML block of its own, one that
needs no blank lines around it, so the page keeps its line numbers.
"""

from __future__ import annotations

import html
import re
from typing import Callable

PLACEHOLDER = re.compile(  # a paragraph opened by a list item stays, as Franklin keeps `<li><p>`
    r"(?P<open>(?<!<li>)<p>)?<pysite-(?P<kind>[a-z]+)(?P<attrs>(?: [a-z]+=\"[^\"]*\")*)></pysite-(?P=kind)>(?P<close>\n?</p>)?"
)
ATTRIBUTE = re.compile(r' ([a-z]+)="([^"]*)"')
DIV_MARK = re.compile(r'<!pysite-div( class="[^"]*")>|<!pysite-div-end>')
# A div holding no other: the innermost, replaced first.
INNER_DIV = re.compile(r'<!pysite-div( class="[^"]*")>\n?((?:(?!<!pysite-div).)*?)<!pysite-div-end>', re.DOTALL)
ONE_PARAGRAPH = re.compile(r"<p>((?:(?!</?p>).)*)</p>", re.DOTALL)
DIV_END = "<!pysite-div-end>"
RAW = re.compile(r'<pysite-raw html="([^"]*)"></pysite-raw>')
MORE_COMMENT = re.compile(r"<!--\s*more\s*-->")
MORE = "<pysite-more></pysite-more>"
# Marks the text of a command at both ends: a paragraph of that text alone loses its `<p>`.
ALONE = "<pysite-alone></pysite-alone>"
ALONE_PARAGRAPH = re.compile(r"<p>" + ALONE + r"((?:(?!</?p>).)*?)" + ALONE + r"\n?</p>", re.DOTALL)


def div_start(classes: str) -> str:
    return f'<!pysite-div class="{html.escape(classes, quote=True)}">'


def mark(element: str, **attributes) -> str:
    # Newlines escaped too: a placeholder stays on one line, so Markdown never splits it.
    attrs = "".join(f' {key}="{html.escape(str(value), quote=True).replace(chr(10), "&#10;")}"'
                    for key, value in attributes.items())
    return f"<pysite-{element}{attrs}></pysite-{element}>"


def raw_html(text: str) -> str:
    """`text` with each raw-HTML placeholder replaced by the HTML it stands for."""
    return RAW.sub(lambda match: html.unescape(match.group(1)), text)


def fill(page_html: str, handlers: dict[str, Callable[[dict[str, str]], str]]) -> str:
    """Replace each placeholder by its handler's HTML; a placeholder alone in a paragraph replaces it.
    A kind without a handler here, or a handler returning None, leaves its placeholder for a later pass."""

    def replace(match: re.Match) -> str:
        handler = handlers.get(match.group("kind"))
        if handler is None:
            return match.group(0)
        attrs = {key: html.unescape(value) for key, value in ATTRIBUTE.findall(match.group("attrs"))}
        produced = handler(attrs)
        if produced is None:
            return match.group(0)
        if match.group("open") and match.group("close"):
            return produced
        return (match.group("open") or "") + produced + (match.group("close") or "")

    if "<pysite-" not in page_html and "<!pysite-div" not in page_html:
        return page_html   # most pages: each pattern below needs one of these, and scanning for it costs
    page_html = ALONE_PARAGRAPH.sub(r"\1", divs(page_html)).replace(ALONE, "")
    return PLACEHOLDER.sub(replace, page_html)


def divs(page_html: str) -> str:
    """Each `@@div`'s marks as its `<div>`, its content as Franklin's `simplify_ps` leaves it:
    without the space around it, and one paragraph alone without its `<p>`."""

    def replace(match: re.Match) -> str:
        content = match.group(2).strip()
        paragraph = ONE_PARAGRAPH.fullmatch(content)
        return f"<div{match.group(1)}>{paragraph.group(1) if paragraph else content}</div>"

    count = 1
    while count and "<!pysite-div" in page_html:
        page_html, count = INNER_DIV.subn(replace, page_html)
    # Marks Markdown separated (one in a list item, its end outside) still make their tags.
    return DIV_MARK.sub(lambda match: f"<div{match.group(1)}>" if match.group(1) else "</div>", page_html)
