"""Page variables: front matter, Franklin `@def` lines and `+++` blocks, and Julia literals.

`read_variables` turns a page's text into its variables plus a body in which every
consumed line is blanked, so line N of the body is line N of the file.

Where variables come from, in file order (a later definition wins):
- YAML between `---` lines at the very top (closed by `---` or `...`).
- A `+++` block at the very top: Hugo TOML when `tomllib` accepts it, otherwise a
  Franklin block. Rule: TOML first, Franklin second. Julia-only syntax
  (`Date(...)`, `nothing`, `=>`, `1:3`, tuples, `:sym`, `raw"..."`) is never valid
  TOML, so such blocks fall through to Franklin; a block valid in both reads the
  same either way except for strings with `$` (TOML keeps them as text, Julia
  would interpolate). When both readings fail, the TOML error is reported, with
  the Franklin error as its hint.
- `+++` blocks anywhere else (at a line start, outside code) are always Franklin:
  `name = value` statements in Julia syntax; `using`/`import` lines are skipped.
- `@def name = value` lines outside fenced code and HTML comments. A value runs on
  while brackets or strings are open, and over following lines indented more
  than the `@def`.

Julia values are read by `parse_julia_value`: literals become Python values
(tuples and vectors -> list, `a => b` -> tuple, Symbols -> str, `nothing` and
`missing` -> None, `Date`/`DateTime` -> date/datetime); any other value is kept
whole as one `JuliaExpr` (never nested inside a list or dict) for the build to
evaluate in Julia.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pysite.errors import ParseError

_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class JuliaExpr:
    """A Franklin value beyond the literals read here; the build evaluates it in Julia."""

    code: str
    line: int  # 1-based line in the file


@dataclass
class PageSource:
    variables: dict[str, Any]  # in definition order
    lines: dict[str, int]  # variable name -> 1-based line of its (last) definition
    body: str  # the Markdown, consumed lines blanked
    front_matter: str | None  # "yaml" | "toml" | "franklin" | None


def read_variables(text: str, path: Path) -> PageSource:
    """Read a page's variables; raise ParseError with the file's line for broken input."""
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    page = PageSource({}, {}, text, None)
    # Offsets of line starts, taken before any line is blanked; only Franklin code needs them.
    franklin = "@def" in text or "+++" in text
    offsets = [0, *itertools.accumulate(len(line) + 1 for line in lines)] if franklin else []
    start = 0  # first line index after the front matter
    opener = lines[0].rstrip()
    if opener in ("---", "+++"):
        close = _closing_line(lines, opener, path)
        start = close + 1
        if opener == "---":
            _read_yaml(lines, close, path, page)
        else:
            _read_top_plus_block(text, lines, offsets, close, path, page)
        for i in range(close + 1):
            lines[i] = _blank(lines[i])
    if franklin:
        _read_franklin(text, lines, offsets, start, path, page)
    if start or page.front_matter:
        page.body = "\n".join(lines)
    return page


def parse_julia_value(src: str, line: int) -> Any:
    """A Julia literal as a Python value, or JuliaExpr(src, line) when it is more than a literal.

    Raises ParseError (without a path) when the code cannot be Julia: an open
    bracket or string, a stray closing bracket, a bad escape or an invalid date.
    """
    end, problem, code = _scan_value(src, 0, len(src), stop_at_newline=False)
    if problem:
        raise ParseError(problem, line=line)
    try:
        return _Literal(code, line).parse()
    except _NotLiteral:
        return JuliaExpr(code.strip(), line)


# --- front matter -------------------------------------------------------------

def _closing_line(lines: list[str], opener: str, path: Path) -> int:
    closers = ("---", "...") if opener == "---" else ("+++",)
    for i in range(1, len(lines)):
        if lines[i].rstrip() in closers:
            return i
    raise ParseError(f"front matter opened with `{opener}` is never closed", path, 1,
                     hint=f"Did you forget the closing `{opener}`?")


_STR, _SEQ, _MAP, _MERGE = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map", "merge"))


def _construct(loader, node: yaml.Node, memo: dict) -> Any:
    """What the loader would construct, built directly for strings, lists and mappings.

    Front matter is mostly those (a podcast transcript is thousands of them), and the
    library's general constructor costs twice as much as parsing. Anything else, merge
    keys included, goes to the library; `memo` keeps aliases shared and cycles finite.
    """
    if node.tag == _STR:
        return node.value
    if id(node) in memo:
        return memo[id(node)]
    if node.tag == _SEQ:
        value = memo[id(node)] = []
        value.extend(_construct(loader, item, memo) for item in node.value)
    elif node.tag == _MAP and all(key.tag != _MERGE for key, _ in node.value):
        value = memo[id(node)] = {}
        for key, item in node.value:
            value[_construct(loader, key, memo)] = _construct(loader, item, memo)
    else:
        value = memo[id(node)] = loader.construct_object(node, deep=True)
    return value


def _read_yaml(lines: list[str], close: int, path: Path, page: PageSource) -> None:
    src, loader = "\n".join(lines[1:close]), None
    try:
        loader = _YamlLoader(src)
        node = loader.get_single_node()
        data = _construct(loader, node, {}) if node is not None else {}
    except TypeError as error:  # a mapping or list used as a key
        raise ParseError(f"invalid YAML front matter: {error}", path, 1) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        hint = None
        if error.context and error.context_mark:
            hint = f"{error.context} (line {error.context_mark.line + 2})"
        raise ParseError(f"invalid YAML front matter: {error.problem}", path,
                         mark.line + 2 if mark else 1, hint=hint) from None
    except yaml.reader.ReaderError as error:  # a control character, before any parsing
        char = error.character if isinstance(error.character, int) else ord(error.character)
        raise ParseError(f"invalid YAML front matter: {error.reason} (#x{char:04x})", path,
                         src.count("\n", 0, error.position) + 2) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise ParseError(f"front matter must be `name: value` lines, found {kind}", path,
                         node.start_mark.line + 2,
                         hint="Front matter maps names to values, e.g. `title: My page`.")
    page.front_matter = "yaml"
    # A later duplicate key wins, in the lines as in the data.
    key_lines = {key.value: key.start_mark.line + 2
                 for key, _ in (node.value if data else ()) if isinstance(key, yaml.ScalarNode)}
    for key, value in data.items():
        page.variables[str(key)] = value
        page.lines[str(key)] = key_lines.get(str(key), 1)


_TOML_WHERE = re.compile(r" \(at (?:line (\d+), column \d+|end of document)\)$")
_TOML_KEY = re.compile(r"""\s*\[*\s*("[^"]*"|'[^']*'|[\w-]+)""")


def _read_top_plus_block(text: str, lines: list[str], offsets: list[int], close: int, path: Path,
                         page: PageSource) -> None:
    src = "\n".join(lines[1:close])
    try:
        data = tomllib.loads(src)
    except tomllib.TOMLDecodeError as error:
        where = _TOML_WHERE.search(str(error))
        base = str(error)[:where.start()] if where else str(error)
        line = int(where.group(1)) + 1 if where and where.group(1) else close
        try:
            _read_franklin_block(text, lines, offsets, 1, close, path, page)
        except ParseError as franklin_error:
            raise ParseError(f"invalid TOML front matter: {base}", path, line,
                             hint=f"Read as a Franklin block it fails too: {franklin_error}") from None
        page.front_matter = "franklin"
        return
    page.front_matter = "toml"
    in_tables = False
    for i in range(1, close):  # the line of each top-level key, or of its table header
        line = lines[i].lstrip()
        in_tables = in_tables or line.startswith("[")
        match = _TOML_KEY.match(line)
        if match and (line.startswith("[") or not in_tables):
            page.lines.setdefault(match.group(1).strip("\"'"), i + 1)
    for key, value in data.items():
        page.variables[key] = value
        page.lines.setdefault(key, 1)


# --- Franklin: `@def` lines and `+++` blocks ----------------------------------

_DEF = re.compile(r" {0,3}@def(?![\w!])[ \t]*")
_NAME_EQ = re.compile(r"(?:const[ \t]+)?([^\W\d]\w*!*)[ \t]*=(?![=>])")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def _read_franklin(text: str, lines: list[str], offsets: list[int], start: int, path: Path,
                   page: PageSource) -> None:
    fence = ""  # the open fence's marker
    in_comment = False
    i = start
    while i < len(lines):
        line = lines[i]
        if fence:
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]) and _indent(line) < 4:
                fence = ""
        elif in_comment:
            in_comment = "-->" not in line
        elif (match := _FENCE.match(line)) and not _inline_raw(line, match):
            fence = match.group(1)
        elif line.lstrip(" ").startswith("<!--") and _indent(line) < 4:
            in_comment = "-->" not in line[line.index("<!--") + 4:]
        elif line.rstrip() == "+++" and _indent(line) < 4:
            close = next((j for j in range(i + 1, len(lines)) if lines[j].rstrip() == "+++"), None)
            if close is None:
                raise ParseError("`+++` block is never closed", path, i + 1,
                                 hint="Did you forget the closing `+++`?")
            _read_franklin_block(text, lines, offsets, i + 1, close, path, page)
            page.front_matter = page.front_matter or "franklin"
            for j in range(i, close + 1):
                lines[j] = _blank(lines[j])
            i = close
        elif match := _DEF.match(line):
            i = _read_def(text, lines, offsets, i, match.end(), path, page)
            page.front_matter = page.front_matter or "franklin"
        i += 1


def _inline_raw(line: str, match: re.Match) -> bool:
    """`~~~<br>~~~` on one line is Franklin raw HTML; a backtick in a ``` info string is no fence."""
    rest = line[match.end():]
    return match.group(1)[0] in rest


def _read_def(text: str, lines: list[str], offsets: list[int], i: int, after: int, path: Path,
              page: PageSource) -> int:
    """Read the `@def` on line index i; return the index of its last line."""
    line = lines[i]
    match = _NAME_EQ.match(line, after)
    if not match:
        raise ParseError("`@def` needs `name = value`", path, i + 1,
                         hint='For example `@def title = "My page"`.')
    indent = _indent(line)
    pos, pieces = offsets[i] + match.end(), []
    while True:
        end, problem, code = _scan_value(text, pos, len(text))
        if problem:
            raise ParseError(f"{problem} in `@def {match.group(1)}`", path, i + 1)
        pieces.append(code)
        last = bisect.bisect_right(offsets, end) - 1
        nxt = last + 1
        if nxt < len(lines) and lines[nxt].strip() and _indent(lines[nxt]) > indent:
            pos = offsets[nxt]
        else:
            break
    _define(page, match.group(1), "\n".join(pieces), i + 1, path)
    for j in range(i, last + 1):
        lines[j] = _blank(lines[j])
    return last


def _read_franklin_block(text: str, lines: list[str], offsets: list[int], first: int, close: int,
                         path: Path, page: PageSource) -> None:
    """Read the Julia assignments on lines [first, close) of a `+++` block."""
    stop = offsets[close]
    i = first
    while i < close:
        stripped = lines[i].strip()
        if stripped.startswith("#="):
            while i < close and "=#" not in lines[i]:
                i += 1
        elif stripped and not stripped.startswith(("#", "using ", "import ")):
            match = _NAME_EQ.match(lines[i], _indent(lines[i]))
            if not match:
                raise ParseError("expected `name = value` in a `+++` block", path, i + 1,
                                 hint='Franklin `+++` blocks hold Julia assignments like `title = "My page"`.')
            end, problem, code = _scan_value(text, offsets[i] + match.end(), stop)
            if problem:
                raise ParseError(f"{problem} in the value of `{match.group(1)}`", path, i + 1)
            _define(page, match.group(1), code, i + 1, path)
            i = bisect.bisect_right(offsets, end) - 1
        i += 1


def _define(page: PageSource, name: str, code: str, line: int, path: Path) -> None:
    if not code.strip():
        raise ParseError(f"`{name}` has no value", path, line)
    try:
        page.variables[name] = parse_julia_value(code, line)
    except ParseError as error:
        raise error.located(path) from None
    page.lines[name] = line


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _blank(line: str) -> str:
    return "\r" if line.endswith("\r") else ""


# --- Julia code: finding where a value ends -----------------------------------

_SCAN_STOP = re.compile(r"[\n\"'#<()\[\]{}]")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_CHAR = re.compile(r"'(?:\\'|\\[^'\n]+|[^\\'\n])'")
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {")": "(", "]": "[", "}": "{"}


def _scan_value(text: str, pos: int, stop: int, stop_at_newline: bool = True) -> tuple[int, str | None, str]:
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
    widths = [_indent(line) for line in lines[:-1] if line.strip()]
    width = min(widths + [_indent(lines[-1])])
    rest = "\n".join(line[width:] for line in lines)
    return rest if head in ("", "\r") else f"{head}\n{rest}"
