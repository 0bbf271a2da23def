"""Julia literals in page variables: where a value ends in the text, and what it means.

`scan_value` finds the end of a value (brackets, strings, comments); `parse_julia_value`
turns a literal into a Python value (tuples and vectors -> list, `a => b` -> tuple,
Symbols -> str, `nothing` and `missing` -> None, `Date`/`DateTime` -> date/datetime)
and keeps anything else whole as a `JuliaExpr` for the build to evaluate in Julia.
`julia_literal` writes a Python value back as Julia source.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from pysite.errors import ParseError


@dataclass
class JuliaExpr:
    """A Franklin value beyond the literals read here; the build evaluates it in Julia."""

    code: str
    line: int  # 1-based line in the file


def parse_julia_value(src: str, line: int) -> Any:
    """A Julia literal as a Python value, or JuliaExpr(src, line) when it is more than a literal.

    Raises ParseError (without a path) when the code cannot be Julia: an open
    bracket or string, a stray closing bracket, a bad escape or an invalid date.
    """
    end, problem, code = scan_value(src, 0, len(src), stop_at_newline=False)
    if problem:
        raise ParseError(problem, line=line)
    try:
        return _Literal(code, line).parse()
    except _NotLiteral:
        return JuliaExpr(code.strip(), line)


# --- Julia code: finding where a value ends -----------------------------------

_SCAN_STOP = re.compile(r"[\n\"'#<()\[\]{}]")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_CHAR = re.compile(r"'(?:\\'|\\[^'\n]+|[^\\'\n])'")
_OPEN = {"(": ")", "[": "]", "{": "}"}
# Deeper than any value a page means: Julia's parser takes minutes over 5,000 nested `[`.
MAX_NESTING = 100
_CLOSE = {")": "(", "]": "[", "}": "{"}


def scan_value(text: str, pos: int, stop: int, stop_at_newline: bool = True) -> tuple[int, str | None, str]:
    """Find where the Julia value at pos ends: a newline outside brackets, strings and comments.

    Returns (end, problem, code): problem names an unclosed bracket or string, and
    code is text[pos:end] without `<!-- -->` comments (Franklin allows them after a value).
    """
    stack: list[str] = []
    pieces: list[str] = []
    piece_start = i = pos
    while (match := _SCAN_STOP.search(text, i, stop)) is not None:
        i, c = match.start(), match.group()
        if c == "\n":
            if not stack and stop_at_newline:
                break
            i += 1
        elif c == '"':
            i = _string_end(text, i, stop)
            if i < 0:
                return stop, "unterminated string", text[pos:stop]
        elif c == "'":
            prev = text[i - 1] if i > pos else " "
            char = None if (prev.isalnum() or prev in "_)]}'!.") else _CHAR.match(text, i, stop)
            i = char.end() if char else i + 1
        elif c == "#":
            if text.startswith("#=", i):
                end = text.find("=#", i + 2, stop)
                i = stop if end < 0 else end + 2
            else:
                end = text.find("\n", i, stop)
                i = stop if end < 0 else end
        elif c == "<":
            if text.startswith("<!--", i):
                end = text.find("-->", i + 4, stop)
                if end < 0:
                    return stop, "unclosed `<!--` comment", text[pos:stop]
                pieces.append(text[piece_start:i])
                piece_start = i = end + 3
            else:
                i += 1
        elif c in _OPEN:
            stack.append(c)
            if len(stack) > MAX_NESTING:
                return i, f"brackets nested more than {MAX_NESTING} deep", text[pos:i]
            i += 1
        else:
            if not stack or stack[-1] != _CLOSE[c]:
                return i, f"unexpected `{c}`", text[pos:i]
            stack.pop()
            i += 1
    else:
        i = stop
    pieces.append(text[piece_start:i])
    if stack:
        return i, f"unclosed `{stack[-1]}`", "".join(pieces)
    return i, None, "".join(pieces)


def _string_end(text: str, i: int, stop: int) -> int:
    """Index just past the string literal starting at text[i] == '"', or -1 if unterminated."""
    if text.startswith('"""', i):
        j = i + 3
        while (j := text.find('"""', j, stop)) >= 0:
            k = j
            while k > i + 3 and text[k - 1] == "\\":
                k -= 1
            if (j - k) % 2 == 0:
                return j + 3
            j += 1
        return -1
    match = _STRING.match(text, i, stop)
    return match.end() if match else -1


# --- Julia literals -----------------------------------------------------------

class _NotLiteral(Exception):
    """The code is valid-looking Julia but more than a literal."""


_SPACE = re.compile(r"(?:\s|#=.*?=#|#[^\n]*|<!--.*?-->)*", re.S)
_NUMBER = re.compile(r"0x[0-9a-fA-F](?:_?[0-9a-fA-F])*|0b[01](?:_?[01])*|0o[0-7](?:_?[0-7])*"
                     r"|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eEf][+-]?\d+)?")
_IDENT = re.compile(r"[^\W\d]\w*!*")
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|\n[ \t]*|.)|\$",
                     re.S)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
                   "e": "\x1b", "\\": "\\", '"': '"', "'": "'", "$": "$"}
_MAX_DEPTH = 64
_CONSTANTS = {"true": True, "false": False, "nothing": None, "missing": None,
              "Inf": float("inf"), "NaN": float("nan")}


class _Literal:
    """Recursive descent over one Julia value; raises _NotLiteral at anything else."""

    def __init__(self, src: str, line: int):
        self.src, self.pos, self.line, self.depth = src, 0, line, 0

    def parse(self) -> Any:
        self.skip()
        value = self.value()
        self.skip()
        if self.src.startswith(";", self.pos):
            self.pos += 1
            self.skip()
        if self.pos != len(self.src):
            raise _NotLiteral
        return value

    def skip(self) -> None:
        self.pos = _SPACE.match(self.src, self.pos).end()

    def eat(self, token: str) -> bool:
        self.skip()
        if self.src.startswith(token, self.pos):
            self.pos += len(token)
            self.skip()
            return True
        return False

    def value(self) -> Any:
        left = self.unary()
        if self.eat("=>"):
            return (left, self.value())
        return left

    def unary(self) -> Any:
        src, pos = self.src, self.pos
        if pos < len(src) and src[pos] in "+-":
            self.pos += 1
            value = self.primary()
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _NotLiteral
            return -value if src[pos] == "-" else value
        return self.primary()

    def primary(self) -> Any:
        src, pos = self.src, self.pos
        c = src[pos] if pos < len(src) else ""
        if c == '"':
            return self.string(raw=False)
        if c == "'":
            return self.char()
        if c == "[":
            self.pos += 1
            return self.items("]")
        if c == "(":
            self.pos += 1
            items, trailing_comma = self.items(")", with_comma=True)
            return items[0] if len(items) == 1 and not trailing_comma else items
        if c == ":" and (ident := _IDENT.match(src, pos + 1)):
            self.pos = ident.end()
            return ident.group()
        if number := _NUMBER.match(src, pos):
            self.pos = number.end()
            text = number.group()
            if text[:2] in ("0x", "0b", "0o"):
                return int(text, 0)
            if not any(ch in text for ch in ".eEf"):
                return int(text)
            return float(text.replace("f", "e"))
        if ident := _IDENT.match(src, pos):
            self.pos = name_end = ident.end()
            name = ident.group()
            if name == "raw" and src.startswith('"', name_end):
                return self.string(raw=True)
            if name in _CONSTANTS:
                return _CONSTANTS[name]
            if name in ("Dict", "Date", "DateTime") and src.startswith("(", name_end):
                self.pos += 1
                return self.call(name, self.items(")"))
        raise _NotLiteral

    def items(self, close: str, with_comma: bool = False) -> Any:
        """Comma-separated values up to `close` (`;` also separates vector items)."""
        self.depth += 1
        if self.depth > _MAX_DEPTH:  # leave absurd nesting to Julia rather than hit Python's recursion limit
            raise _NotLiteral
        items, comma = [], False
        while not self.eat(close):
            if items and not comma:
                raise _NotLiteral
            items.append(self.value())
            comma = self.eat(",") or (close == "]" and self.eat(";"))
        self.depth -= 1
        return (items, comma) if with_comma else items

    def call(self, name: str, args: list) -> Any:
        if name == "Dict":
            if not all(type(arg) is tuple for arg in args):
                raise _NotLiteral
            try:
                return dict(args)
            except TypeError:  # an unhashable key such as a vector
                raise _NotLiteral from None
        kind = dt.date if name == "Date" else dt.datetime
        try:
            if len(args) == 1 and isinstance(args[0], str):
                return kind.fromisoformat(args[0])
            if args and all(type(arg) is int for arg in args):
                if len(args) == 7:  # Julia's last DateTime field is milliseconds
                    args = [*args[:6], args[6] * 1000]
                return kind(*args, *[1] * (3 - len(args)))
        except (ValueError, TypeError) as error:
            raise ParseError(f"invalid {name}: {error}", line=self.line) from None
        raise _NotLiteral

    def string(self, raw: bool) -> str:
        start = self.pos
        end = _string_end(self.src, start, len(self.src))
        if end < 0:
            raise ParseError("unterminated string", line=self.line)
        self.pos = end
        if self.src.startswith('"""', start):
            body = _dedent(self.src[start + 3:end - 3])
        else:
            body = self.src[start + 1:end - 1]
        if raw:
            return re.sub(r'(\\+)"', lambda m: "\\" * (len(m.group(1)) // 2) + '"', body)
        return self.unescape(body)

    def char(self) -> str:
        match = _CHAR.match(self.src, self.pos)
        value = self.unescape(match.group()[1:-1], interpolates=False) if match else ""
        if len(value) != 1:
            raise ParseError("invalid character literal", line=self.line)
        self.pos = match.end()
        return value

    def unescape(self, body: str, interpolates: bool = True) -> str:
        def replace(match: re.Match) -> str:
            code = match.group(1)
            if code is None:  # an unescaped `$`: string interpolation, but a plain `'$'` char
                if interpolates:
                    raise _NotLiteral
                return "$"
            if code in _SIMPLE_ESCAPES:
                return _SIMPLE_ESCAPES[code]
            if code[0] == "\n":
                return ""
            if code[0] in "xuU" and len(code) > 1:
                return chr(int(code[1:], 16))
            if code[0] in "01234567":
                return chr(int(code, 8))
            raise ParseError(f"invalid escape sequence `\\{code}` in a string", line=self.line)
        return _ESCAPE.sub(replace, body)


def _dedent(body: str) -> str:
    """Julia's triple-quoted string rules: drop a newline right after the quotes, then the common indentation.

    The line holding the opening quotes neither counts nor is dedented; whitespace-only
    lines do not count, except the last one, which holds the closing quotes.
    """
    lines = body.split("\n")
    head = lines.pop(0)
    if not lines:
        return body
    widths = [indent_width(line) for line in lines[:-1] if line.strip()]
    width = min(widths + [indent_width(lines[-1])])
    rest = "\n".join(line[width:] for line in lines)
    return rest if head in ("", "\r") else f"{head}\n{rest}"


def indent_width(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def julia_literal(value: Any) -> str:
    """Julia source for a plain Python value; an expression that throws is `nothing`."""
    if isinstance(value, JuliaExpr):
        return f"(try; {value.code}\n; catch; nothing; end)"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("NaN" if value != value else ("Inf" if value > 0 else "-Inf"))
    if isinstance(value, str):
        text = str.__str__(value)   # a plain str: Markup's replace would HTML-escape
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
        return f'"{escaped}"'
    if isinstance(value, dt.datetime):
        return f"Dates.DateTime({value.year}, {value.month}, {value.day}, {value.hour}, {value.minute}, {value.second})"
    if isinstance(value, dt.date):
        return f"Dates.Date({value.year}, {value.month}, {value.day})"
    if isinstance(value, tuple):
        return "(" + "".join(julia_literal(item) + ", " for item in value) + ")"
    if isinstance(value, list):
        return "Any[" + ", ".join(julia_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{julia_literal(key)} => {julia_literal(item)}" for key, item in value.items())
        return f"Dict{{String,Any}}({pairs})"
    return julia_literal(str(value))
