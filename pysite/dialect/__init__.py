"""The Franklin dialect: commands written in the page text, expanded before Markdown is parsed.

Expansion is a text -> text pass that leaves fenced code, inline code and HTML comments
alone. Built-ins that need the evaluated page (cell outputs, figures, the table of
contents) become placeholder elements that `pysite.placeholders` fills in after rendering.
"""

from __future__ import annotations

import re
from pathlib import Path

from pysite.placeholders import mark

# Code, comments and math are copied through untouched.
PROTECTED = re.compile(
    r"(?ms)^(?P<fence>[ ]{0,3}(?P<tick>`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}(?P=tick)[ \t]*$|\Z))"
    r"|(?P<comment><!--.*?-->)"
    r"|(?P<code>(?P<ticks>`+).+?(?P=ticks))"
)
COMMAND = re.compile(r"\\(output|show|textoutput|fig|toc|tableofcontents)\b(?:\{([^{}\n]*)\})?")


def expand(body: str, path: Path) -> str:
    out = []
    position = 0
    for match in PROTECTED.finditer(body):
        out.append(expand_text(body[position:match.start()], body, position))
        out.append(match.group(0))
        position = match.end()
    out.append(expand_text(body[position:], body, position))
    return "".join(out)


def expand_text(text: str, body: str, offset: int) -> str:
    def replace(match: re.Match) -> str:
        name, argument = match.group(1), match.group(2)
        line = body.count("\n", 0, offset + match.start()) + 1
        if name in ("toc", "tableofcontents"):
            return mark("toc", line=line)
        if argument is None:
            return match.group(0)
        if name == "fig":
            return mark("fig", src=argument, line=line)
        kind = "text" if name == "textoutput" else "output"
        return mark("output", name=argument.removeprefix("./").strip("/"), kind=kind, line=line)

    return COMMAND.sub(replace, text)
