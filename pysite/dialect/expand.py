"""The expander: one left-to-right walk over a page that copies code, comments and
math through and answers commands, blocks and template calls as it meets them.

Text a command produces is expanded again (so commands may use commands), with a
depth limit that names a command which expands into itself, and a limit on expansions
per page: commands that each use another twice grow exponentially without ever recursing.
"""

from __future__ import annotations

import re

from pysite.dialect import blocks
from pysite.dialect.builtins import BUILTINS
from pysite.dialect.commands import Command, Definitions, expect, read_definition, substitute
from pysite.dialect.context import PageScope
from pysite.dialect.scan import (NAME, RESERVED, SPECIAL, Source, alone_on_line, at_line_start, closing,
                                 code_span_end, comment_end, fence_end, inline_math_end, read_braces)
from pysite.dialect.templates import CALL, OPENERS, parse_call, process
from pysite.errors import did_you_mean
from pysite.placeholders import ALONE, PLACEHOLDER, mark

MAX_DEPTH = 64
MAX_EXPANSIONS = 200_000   # about a second; 22 commands that each use the next twice make 4 million
MAX_UTILS_BRACES = 9
# Text that starts a Markdown block: a command making it is a block, not words in a paragraph.
LINK_TARGET = ("](", "]( ", "](<")   # what a link's address follows
BLOCK_START = re.compile(r"#|\$\$|\\\[|[|>]|[*+-]\s|\d+[.)]\s|```|~~~|<!|(?:-{3,}|\*{3,}|_{3,})\s*$")


class Expander:
    def __init__(self, scope: PageScope, definitions: Definitions):
        self.scope = scope
        self.definitions = definitions.copy()
        self.biblabels: dict[str, str] = {}
        self.depth = 0
        self.expansions = 0
        self.literate_count = 0

    def next_literate_name(self) -> str:
        self.literate_count += 1
        return f"literate-{self.literate_count}"

    # --- text ----------------------------------------------------------------------

    def expand(self, source: Source, pos: int, end: int) -> str:
        text = source.text
        out: list[str] = []
        divs: list[tuple[str, int, bool]] = []
        while True:
            match = SPECIAL.search(text, pos, end)
            if match is None:
                out.append(text[pos:end])
                break
            start = match.start()
            out.append(text[pos:start])
            produced, pos = self.construct(source, start, end, divs)
            out.append(produced)
        if divs:
            name, offset, _ = divs[-1]
            raise source.error(f"`@@{name}` is never closed", offset, hint="close the div with a line `@@`")
        return "".join(out)

    def construct(self, source: Source, pos: int, end: int, divs: list) -> tuple[str, int]:
        text = source.text
        char = text[pos]
        if char == "~" and not text.startswith("~~~", pos):
            return char, pos + 1  # a lone `~` is text: ~/.bashrc, ~15,000, /~user/
        if char == "`" or char == "~":
            if at_line_start(source, pos):
                after = fence_end(text, pos, end)
                if after is not None:
                    return text[pos:after], after
            if char == "~":
                return blocks.raw(self, source, pos, end)
            after = code_span_end(text, pos, end)
            return text[pos:after], after
        if char == "@":
            return blocks.div(self, source, pos, end, divs)
        if char == "$":
            return self.dollar_math(source, pos, end)
        if char == "{":
            match = CALL.match(text, pos, end) if text.startswith("{{", pos) else None
            if match is None:
                return char, pos + 1
            waiting = self.scope.cells_first
            # In a link's address or a tag's attributes the text is Markdown's or HTML's to read: a
            # call there is answered now, not after the cells.
            self.scope.cells_first = waiting and not (text.endswith(LINK_TARGET, 0, pos)
                                                      or text.rfind("<", 0, pos) > text.rfind(">", 0, pos))
            try:
                produced, after = process(source, match, end, self.scope, lambda a, b: self.expand(source, a, b),
                                          late=True)
            finally:
                self.scope.cells_first = waiting
            if not alone_on_line(source, pos, after):
                return produced, after   # within a line a call's output is text: a word, a link's address
            if parse_call(match).name in OPENERS:
                # Franklin answers `{{if}}`/`{{for}}` after Markdown, so their lines are never blank
                # lines: an empty placeholder stands at each end, and the paragraph goes on.
                return self.raw("") + produced + self.raw(""), after
            # Franklin inserts a call's output as HTML, not Markdown, and one alone in its paragraph
            # without the paragraph (pysite.placeholders.fill).
            return produced if not produced or PLACEHOLDER.fullmatch(produced) else self.raw(produced), after
        if char == "<":
            if text.startswith("<!--", pos):
                after = comment_end(text, pos, end)
                return text[pos:after], after
            if RESERVED.match(text, pos):
                self.refuse_placeholder(source, pos)
            return char, pos + 1
        # a backslash
        name = NAME.match(text, pos + 1, end)
        if name is None:
            if text.startswith("\\[", pos):
                close = closing(text, "\\]", pos + 2, end)
                if close > 0:
                    return "\\[" + self.expand_math(source, pos + 2, close) + "\\]", close + 2
            return blocks.escape(self, source, pos, end)
        return self.command(source, pos, name.group(0), name.end(), end)

    def dollar_math(self, source: Source, pos: int, end: int) -> tuple[str, int]:
        text = source.text
        if text.startswith("$$", pos):
            close = closing(text, "$$", pos + 2, end)
            if close < 0:  # Franklin stops here too: the rest of the page is not math
                raise source.error("display math `$$` is never closed", pos, hint="close it with `$$`")
            return "$$" + self.expand_math(source, pos + 2, close) + "$$", close + 2
        close = inline_math_end(text, pos, end)
        if close is None:
            return "$", pos + 1
        return "$" + self.expand_math(source, pos + 1, close) + "$", close + 1

    # --- commands --------------------------------------------------------------------

    def command(self, source: Source, pos: int, name: str, after: int, end: int) -> tuple[str, int]:
        text = source.text
        if name in ("newcommand", "newenvironment"):
            definition, after = read_definition(source, name, after, end)
            if isinstance(definition, Command):
                self.definitions.commands[definition.name] = definition
            else:
                self.definitions.environments[definition.name] = definition
            return "\n" * text.count("\n", pos, after), after
        if name == "begin":
            return self.environment(source, pos, after, end)
        user = self.definitions.commands.get(name)
        if user is not None:
            arguments, after = expect(source, name, pos, after, end, user.arity)
            return self.inserted(self.reexpand(substitute(user.body, arguments), source, pos), source, pos,
                                 after), after
        if name in BUILTINS:
            arity, builtin = BUILTINS[name]
            arguments, after = expect(source, name, pos, after, end, arity)
            return builtin(self, source, pos, arguments), after
        utils = self.scope.utils
        if utils is not None and utils.has("lx", name):
            arguments, after = read_braces(source, after, end, MAX_UTILS_BRACES)
            produced = utils.call_lx(name, arguments, self.scope, source.line_at(pos))
            return self.inserted(self.reexpand(produced, source, pos), source, pos, after), after
        known = ["newcommand", "newenvironment", "begin", *BUILTINS, *self.definitions.commands]
        self.scope.warn(f"unknown command \\{name}: shown as written", source.line_at(pos), hint=did_you_mean(
            f"\\{name}", [f"\\{command}" for command in known],
            "define it with \\newcommand (on the page or in config.md), or write \\\\ for a backslash"))
        return "\\" + name, after

    def inserted(self, produced: str, source: Source, pos: int, after: int) -> str:
        """A command's text as Franklin inserts it: when the command is alone on its line and its
        text one line of inline Markdown, alone in its paragraph it has no `<p>` (as Franklin
        strips the `<p>` of a command's converted text, pysite.placeholders.ALONE)."""
        line = produced.strip()
        if not line or "\n" in line or BLOCK_START.match(line) or not alone_on_line(source, pos, after):
            return produced
        return ALONE + line + ALONE

    def environment(self, source: Source, pos: int, after: int, end: int) -> tuple[str, int]:
        (name,), body_start = expect(source, "begin", pos, after, end, 1)
        name = name.strip()
        math = blocks.math_environment(self, source, pos, end, name, body_start)
        if math is not None:
            return math
        environment = self.definitions.environments.get(name)
        if environment is None:
            self.scope.warn(f"unknown environment {name!r}: shown as written", source.line_at(pos),
                            hint="define it with \\newenvironment")
            return source.text[pos:body_start], body_start
        arguments, body_start = expect(source, f"begin{{{name}}}", pos, body_start, end, environment.arity)
        close = self.environment_end(source, name, pos, body_start, end)
        body = source.text[body_start:close]
        produced = substitute(environment.pre, arguments) + body + substitute(environment.post, arguments)
        return self.reexpand(produced, source, pos), close + len(f"\\end{{{name}}}")

    def environment_end(self, source: Source, name: str, pos: int, start: int, end: int) -> int:
        """Where the `\\end{name}` matching a `\\begin{name}` starts (same-name nesting counted)."""
        opening, ending = f"\\begin{{{name}}}", f"\\end{{{name}}}"
        depth, search = 1, start
        while True:
            close = source.text.find(ending, search, end)
            if close < 0:
                raise source.error(f"\\begin{{{name}}} is never closed", pos, hint=f"end it with {ending}")
            depth += source.text.count(opening, search, close) - 1
            if depth == 0:
                return close
            search = close + len(ending)

    def reexpand(self, text: str, source: Source, pos: int) -> str:
        """Expand text a command produced; its lines are the command's line."""
        self.depth += 1
        try:
            self.check_limits(source, pos)
            generated = Source(text, source.path, source.line_at(pos), generated=True,
                               starts_line=at_line_start(source, pos))
            return self.expand(generated, 0, len(text))
        finally:
            self.depth -= 1

    def check_limits(self, source: Source, pos: int) -> None:
        self.expansions += 1
        if self.depth > MAX_DEPTH:
            raise source.error("a command expands into itself without end", pos,
                               hint="check the \\newcommand definitions this line uses")
        if self.expansions > MAX_EXPANSIONS:
            raise source.error(f"commands expand more than {MAX_EXPANSIONS:,} times on this page: stopped", pos,
                               hint="a command that uses another several times, in a chain, doubles the text "
                                    "at each step; check the \\newcommand definitions this line uses")

    # --- math: only user commands apply --------------------------------------------------

    def expand_math(self, source: Source, pos: int, end: int) -> str:
        text = source.text
        out = []
        while True:
            found = text.find("\\", pos, end)
            if found < 0:
                out.append(text[pos:end])
                return "".join(out)
            out.append(text[pos:found])
            name = NAME.match(text, found + 1, end)
            user = self.definitions.commands.get(name.group(0)) if name else None
            if user is None:
                after = name.end() if name else min(found + 2, end)
                out.append(text[found:after])
                pos = after
                continue
            arguments, pos = expect(source, user.name, found, name.end(), end, user.arity)
            produced = substitute(user.body, arguments)
            self.depth += 1
            try:
                self.check_limits(source, found)
                generated = Source(produced, source.path, source.line_at(found), generated=True)
                out.append(self.expand_math(generated, 0, len(produced)))
            finally:
                self.depth -= 1

    def raw(self, html: str) -> str:
        """HTML that Markdown must leave alone."""
        return mark("raw", html=html)

    def refuse_placeholder(self, source: Source, pos: int) -> None:
        """The page's own text writes one of pysite's placeholders, which would be answered as ours."""
        if not source.generated:
            raise source.error("`<pysite-...>` elements are pysite's own placeholders: a page cannot write them",
                               pos, hint="write `&lt;pysite-` to show the text, or put it in `code`")
