"""The scanner: where code, comments, math and brace groups start and end in a page's text.

Every function takes the full text and an offset and answers in offsets, so the
expander walks a page once, left to right, and reports 1-based lines of the .md.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

from pysite.errors import ParseError

# What can start a construct: everything else is copied through in one slice.
SPECIAL = re.compile(r"[\\`$~@{<]")
NAME = re.compile(r"[A-Za-z]+")
FENCE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})([^\n]*)")
# `~~~` followed by a word on its line is a code fence; a bare `~~~` is Franklin's raw HTML.
TILDE_FENCE_INFO = re.compile(r"[ \t]*[A-Za-z{.]")
SPACES = re.compile(r"[ \t]*")
RESERVED = re.compile(r"<!?/?pysite-", re.IGNORECASE)  # the placeholders' names (pysite.placeholders)


@dataclass
class Source:
    """A text being expanded: a page's body, or text a command produced.

    Generated text has no lines of its own: every offset in it reports the line
    of the command that produced it.
    """

    text: str
    path: Path | None
    line: int = 1                 # line of text[0] in the .md file
    generated: bool = False
    starts_line: bool = True      # generated text: whether the command producing it began its line
    _newlines: list[int] | None = field(default=None, repr=False)

    def line_at(self, offset: int) -> int:
        if self.generated:
            return self.line
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return self.line + bisect_left(self._newlines, offset)

    def error(self, message: str, offset: int, hint: str | None = None) -> ParseError:
        return ParseError(message, self.path, self.line_at(offset), hint=hint)


def at_line_start(source: Source, pos: int) -> bool:
    """Whether only up to 3 spaces precede `pos` on its line (of the page, for generated text)."""
    text = source.text
    start = text.rfind("\n", 0, pos) + 1
    if start == 0 and not source.starts_line:
        return False
    return pos - start <= 3 and not text[start:pos].strip(" ")


def alone_on_line(source: Source, start: int, end: int) -> bool:
    """Whether text[start:end] begins its line and only spaces follow it there."""
    rest = source.text[end:].split("\n", 1)[0]
    return at_line_start(source, start) and not rest.strip(" \t")


def fence_end(text: str, pos: int, end: int) -> int | None:
    """The offset after the fenced code block starting at `pos`, or None if none starts there."""
    line_start = text.rfind("\n", 0, pos) + 1
    match = FENCE.match(text, line_start)
    if not match or match.start(1) != pos:
        return None
    ticks = match.group(1)
    if ticks[0] == "`" and "`" in match.group(2):
        return None
    if ticks[0] == "~" and not TILDE_FENCE_INFO.match(match.group(2)):
        return None
    closing = re.compile(rf"^[ ]{{0,3}}{re.escape(ticks[0])}{{{len(ticks)},}}[ \t]*$", re.M)
    found = closing.search(text, match.end() + 1, end)
    return found.end() if found else end


def code_span_end(text: str, pos: int, end: int) -> int:
    """After the inline code starting at `pos`; a run of backticks with no match is just text."""
    run_end = pos
    while run_end < end and text[run_end] == "`":
        run_end += 1
    ticks = text[pos:run_end]
    search = run_end
    while True:
        close = text.find(ticks, search, end)
        if close < 0:
            return run_end
        after = close + len(ticks)
        if after < end and text[after] == "`":  # a longer run does not close a shorter one
            while after < end and text[after] == "`":
                after += 1
            search = after
            continue
        return after


def comment_end(text: str, pos: int, end: int) -> int:
    close = text.find("-->", pos + 4, end)
    return end if close < 0 else close + 3


def inline_math_end(text: str, pos: int, end: int) -> int | None:
    """The closing `$` of inline math opened at `pos`, as markdown.py's dollarmath reads it:
    no space after the opening `$`, none before the closing one, no digit after it."""
    if pos + 1 >= end or text[pos + 1] in " \t\n":
        return None
    close = pos + 1
    while True:
        close = text.find("$", close, end)
        if close < 0:
            return None
        if text[close - 1] == "\\":
            close += 1
            continue
        if text[close - 1] not in " \t\n" and not (close + 1 < end and text[close + 1].isdigit()):
            return close
        close += 1


def closing(text: str, marker: str, pos: int, end: int) -> int:
    """The next unescaped `marker` from `pos`, or -1."""
    while True:
        found = text.find(marker, pos, end)
        if found <= 0 or text[found - 1] != "\\":
            return found
        pos = found + 1


def brace_end(source: Source, open_pos: int, end: int) -> int:
    """The offset of the `}` closing the `{` at `open_pos` (escaped braces do not count)."""
    text = source.text
    depth = 0
    pos = open_pos
    while pos < end:
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    raise source.error("a '{' is never closed", open_pos, hint="add the matching '}'")


def read_braces(source: Source, pos: int, end: int, count: int) -> tuple[list[str], int]:
    """Up to `count` brace groups at `pos` (spaces between them allowed): their contents and the offset after."""
    groups = []
    text = source.text
    while len(groups) < count:
        start = SPACES.match(text, pos, end).end() if groups else pos
        if start >= end or text[start] != "{":
            break
        close = brace_end(source, start, end)
        groups.append(text[start + 1:close])
        pos = close + 1
    return groups, pos


def read_optional(text: str, pos: int, end: int) -> tuple[str | None, int]:
    """An optional `[n]` argument at `pos`."""
    if pos < end and text[pos] == "[":
        close = text.find("]", pos, end)
        if close > 0:
            return text[pos + 1:close], close + 1
    return None, pos
