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
On a page that does not read Markdown as Franklin does, only the front matter is read
(a `+++` one is TOML), and only when it is closed.

Julia values are read by `parse_julia_value`: literals become Python values
(tuples and vectors -> list, `a => b` -> tuple, Symbols -> str, `nothing` and
`missing` -> None, `Date`/`DateTime` -> date/datetime); any other value is kept
whole as one `JuliaExpr` (never nested inside a list or dict) for the build to
evaluate in Julia.
"""

from __future__ import annotations

import bisect
import itertools
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
import yaml_rs

from pysite.errors import ParseError
from pysite.julia_literal import indent_width, parse_julia_value, scan_value

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# PyYAML's resolver, for each of a transcript's thousands of scalars, looks up two lists of
# implicit types and joins them: the same lists joined once, per first character, give the same tags.
_WILDCARD = tuple(_SafeLoader.yaml_implicit_resolvers.get(None, ()))
_IMPLICIT = {first: (*found, *_WILDCARD) for first, found in _SafeLoader.yaml_implicit_resolvers.items()
             if first is not None}


class _YamlLoader(_SafeLoader):
    """libyaml's safe loader, its scalars' tags found in `_IMPLICIT`."""

    def resolve(self, kind, value, implicit):
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        if implicit[0]:   # a plain scalar, whose text says its type
            for tag, pattern in _IMPLICIT.get(value[:1], _WILDCARD):
                if pattern.match(value):
                    return tag
        return self.DEFAULT_SCALAR_TAG


@dataclass
class PageSource:
    variables: dict[str, Any]  # in definition order
    lines: dict[str, int]  # variable name -> 1-based line of its (last) definition
    body: str  # the Markdown, consumed lines blanked
    front_matter: str | None  # "yaml" | "toml" | "franklin" | None


def read_variables(text: str, path: Path, franklin: bool) -> PageSource:
    """Read a page's variables; raise ParseError with the file's line for broken input.

    `franklin`: the page reads Markdown as Franklin does (pysite.config.SiteConfig.flavour_of);
    otherwise only front matter is read, and `@def` lines and `+++` blocks further down are text,
    as is an unclosed `---` or `+++` first line (CommonMark's thematic break and paragraph)."""
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    page = PageSource({}, {}, text, None)
    # Offsets of line starts, taken before any line is blanked; only Franklin code needs them.
    offsets = [0, *itertools.accumulate(len(line) + 1 for line in lines)] if franklin and (
        "@def" in text or "+++" in text) else []
    start = 0  # first line index after the front matter
    opener = lines[0].rstrip()
    close = _closing_line(text, opener, path, required=franklin) if opener in ("---", "+++") else None
    if close is not None:
        start = close + 1
        if opener == "---":
            _read_yaml(lines, close, path, page)
        else:
            _read_top_plus_block(text, lines, offsets, close, path, page, franklin)
        lines[:close + 1] = [_blank(line) for line in lines[:close + 1]] if "\r" in text else [""] * (close + 1)
    if offsets:
        _read_franklin(text, lines, offsets, start, path, page)
    if start or page.front_matter:
        page.body = "\n".join(lines)
    return page


# --- front matter -------------------------------------------------------------

# A line closing front matter, but for trailing white space (found in the text: a transcript's
# thousand lines looked at one by one cost a third of reading its YAML).
_CLOSERS = {"---": re.compile(r"\n(?:---|\.\.\.)[^\S\n]*(?=\n|$)"), "+++": re.compile(r"\n\+\+\+[^\S\n]*(?=\n|$)")}


def _closing_line(text: str, opener: str, path: Path, required: bool) -> int | None:
    """The index of the line that closes front matter opened on the first line."""
    found = _CLOSERS[opener].search(text)
    if found is not None:
        return text.count("\n", 0, found.start()) + 1
    if not required:
        return None
    raise ParseError(f"front matter opened with `{opener}` is never closed", path, 1,
                     hint=f"Did you forget the closing `{opener}`?")


_STR, _INT, _SEQ, _MAP, _MERGE = (f"tag:yaml.org,2002:{name}" for name in ("str", "int", "seq", "map", "merge"))


def _construct(loader, node: yaml.Node, memo: dict) -> Any:
    """What the loader would construct, built directly for strings, lists and mappings.

    Front matter is mostly those (a podcast transcript is thousands of them), and the
    library's general constructor costs twice as much as parsing. Anything else, merge
    keys included, goes to the library; `memo` keeps aliases shared and cycles finite.
    """
    if node.tag == _STR:
        return node.value
    if node.tag == _INT and node.value.isascii() and node.value.isdigit() and node.value[0] != "0":
        return int(node.value)   # a plain decimal (a transcript's times), as the library reads one
    if id(node) in memo:
        return memo[id(node)]
    if node.tag == _SEQ:
        value = memo[id(node)] = []
        value.extend(_construct(loader, item, memo) for item in node.value)
    elif node.tag == _MAP and all(key.tag != _MERGE for key, _ in node.value):
        value = memo[id(node)] = {}
        for key, item in node.value:
            key = _construct(loader, key, memo)
            # Interned, a transcript's thousand `line:` keys are one string: pickled once (pages
            # go from the workers to the build, and into its state), 30% faster to load.
            value[sys.intern(key) if type(key) is str else key] = _construct(loader, item, memo)
    else:
        try:
            value = memo[id(node)] = loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as error:  # a timestamp such as 2020-01-01 25:00:00
            raise ParseError(f"invalid YAML front matter: {node.value!r} is not a valid "
                             f"{node.tag.rsplit(':', 1)[-1]} ({error})", line=node.start_mark.line + 2,
                             hint="write dates as 2020-06-06 or 2020-06-06 14:30:00") from None
    return value


def _read_yaml(lines: list[str], close: int, path: Path, page: PageSource) -> None:
    src = "\n".join(lines[1:close])
    quick = _quick_yaml(src)
    if quick is not None:
        data, key_lines = quick
    else:
        data, key_lines = _library_yaml(src, path)
    page.front_matter = "yaml"
    for key, value in data.items():
        page.variables[str(key)] = value
        page.lines[str(key)] = key_lines.get(str(key), 1)


# Where yaml-rs (YAML 1.2, in Rust) may read a document apart from PyYAML (YAML 1.1), as its text
# shows. A scalar is looked at where one may start (after a line's indent and any `- `, after `: `,
# in a flow list): one read as a number or date by either version, but a plain decimal; a 1.1
# boolean; a merge key, tag, anchor, alias, empty key or complex key; a block scalar but a plain one.
# Then: a flow list over lines, or with quotes, mappings or lists in it; flow mappings; a line of
# spaces only; tabs, NEL and Unicode line separators; a lone carriage return; characters PyYAML
# refuses. What is found costs only speed: PyYAML reads that document. Each pattern starts with one
# character, which the regular expression engine finds fast. tests/test_variables.py proves the two
# readers equal on generated documents.
_BLOCK_END = r"[ \t]*(?:$|[ \t]#|:(?:[ \t]|$))"
_FLOW_END = r"[ \t]*(?:$|[ \t]#|:(?:[ \t]|$)|[,\]])"
_AGREED = r"-?(?:0|[1-9][0-9]*)"


def _read_apart(end: str) -> str:
    return (rf"(?=[-+.0-9<=!&*%@`?:|>yYnNoO])(?:(?!{_AGREED}{end})(?:[-+]?(?:[0-9]|\.[0-9iInN])[^\s,\]#]*{end}"
            rf"|[<=!&*%@`?]|:(?:[ \t]|$)|[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}[ \t]+[0-9])"   # a timestamp
            rf"|(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF){end}"
            # a block scalar but one whose header is only a chomping sign, followed by an indented line
            rf"|[|>](?![-+]?[ \t]*(?:#[^\n]*)?\n +[^ \n]))")


_READ_APART = [re.compile(pattern, re.MULTILINE) for pattern in (
    rf"\n[ \t]*+(?:-[ \t]++)*+{_read_apart(_BLOCK_END)}",   # in "\n" + the document
    rf":[ \t]++{_read_apart(_BLOCK_END)}",
    rf"\[(?:[^\]\n]*?,)?[ \t]*(?:{_read_apart(_FLOW_END)}|[^\w\s'\"\[\]])",
    r"""\[[^\]\n'":\[]*+(?:$|['":\[])""",   # over lines, with quotes, mappings or lists in it
    r"\n +\r?(?:\n|$)")]   # a line of spaces only
_APART_CHARACTERS = "{}\t\x85\u2028\u2029"
_LONE_RETURN = re.compile(r"\r(?!\n)")
_ALLOWED_BYTES = bytes([0x09, 0x0a, 0x0d, *range(0x20, 0x7f), *range(0x80, 0x100)])
_REFUSED = re.compile(r"[^\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A line at the top level (in "\n" + the document), not a list's item: where a name is.
_TOP_LINE = re.compile(r"\n(?!-(?:[ \n]|$))([^ \n#][^\n]*)")
_TOP_KEY = re.compile(r"""(?:'([^'\n]*)'|"([^"\\\n]*)"|([^\s#'"][^\n]*?))[ \t]*:(?:[ \t]|$)""")


def _quick_yaml(src: str) -> tuple[dict, dict[str, int]] | None:
    """The front matter as PyYAML reads it, with each name's line, read by yaml-rs: five times faster on
    a podcast's transcript. None where the two may read it apart, or it holds an error (PyYAML says
    where), or the names' lines are not plain (each name at a line's start, once)."""
    text = "\n" + src
    if (any(char in src for char in _APART_CHARACTERS) or "]:" in src
            or ("\r" in src and _LONE_RETURN.search(src))
            or src.encode(errors="replace").translate(None, _ALLOWED_BYTES)   # an ASCII control character
            or (not src.isascii() and _REFUSED.search(src))
            or any(pattern.search(text) for pattern in _READ_APART)):
        return None
    try:
        data = yaml_rs.loads(src, parse_datetime=False)   # it would read quoted dates as dates
    except yaml_rs.YAMLDecodeError:   # an error, or a name given twice (which PyYAML allows)
        return None
    if not isinstance(data, dict):
        return None
    key_lines, counted, line = {}, 0, 1
    for top in _TOP_LINE.finditer(text):
        line += text.count("\n", counted, top.start() + 1)
        counted = top.start() + 1
        match = _TOP_KEY.match(top.group(1))
        if match is None:
            return None
        key_lines[next(part for part in match.groups() if part is not None)] = line
    return (data, key_lines) if list(key_lines) == [str(key) for key in data] else None


def _library_yaml(src: str, path: Path) -> tuple[dict, dict[str, int]]:
    """The front matter read by PyYAML (libyaml's parser), with each top-level name's line."""
    loader = None
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
    # A later duplicate key wins, in the lines as in the data.
    return data, {str(key.value): key.start_mark.line + 2
                  for key, _ in (node.value if data else ()) if isinstance(key, yaml.ScalarNode)}


_TOML_WHERE = re.compile(r" \(at (?:line (\d+), column \d+|end of document)\)$")
_TOML_KEY = re.compile(r"""\s*\[*\s*("[^"]*"|'[^']*'|[\w-]+)""")


def _read_top_plus_block(text: str, lines: list[str], offsets: list[int], close: int, path: Path,
                         page: PageSource, franklin: bool) -> None:
    src = "\n".join(lines[1:close])
    try:
        data = tomllib.loads(src)
    except tomllib.TOMLDecodeError as error:
        where = _TOML_WHERE.search(str(error))
        base = str(error)[:where.start()] if where else str(error)
        line = int(where.group(1)) + 1 if where and where.group(1) else close
        if not franklin:
            raise ParseError(f"invalid TOML front matter: {base}", path, line) from None
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
            if stripped.startswith(fence) and not stripped.strip(fence[0]) and indent_width(line) < 4:
                fence = ""
        elif in_comment:
            in_comment = "-->" not in line
        elif (match := _FENCE.match(line)) and not _inline_raw(line, match):
            fence = match.group(1)
        elif line.lstrip(" ").startswith("<!--") and indent_width(line) < 4:
            in_comment = "-->" not in line[line.index("<!--") + 4:]
        elif line.rstrip() == "+++" and indent_width(line) < 4:
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
    indent = indent_width(line)
    pos, pieces = offsets[i] + match.end(), []
    while True:
        end, problem, code = scan_value(text, pos, len(text))
        if problem:
            raise ParseError(f"{problem} in `@def {match.group(1)}`", path, i + 1)
        pieces.append(code)
        last = bisect.bisect_right(offsets, end) - 1
        nxt = last + 1
        if nxt < len(lines) and lines[nxt].strip() and indent_width(lines[nxt]) > indent:
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
            match = _NAME_EQ.match(lines[i], indent_width(lines[i]))
            if not match:
                raise ParseError("expected `name = value` in a `+++` block", path, i + 1,
                                 hint='Franklin `+++` blocks hold Julia assignments like `title = "My page"`.')
            end, problem, code = scan_value(text, offsets[i] + match.end(), stop)
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


def _blank(line: str) -> str:
    return "\r" if line.endswith("\r") else ""

