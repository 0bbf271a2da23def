"""Franklin's template calls `{{...}}`: fill, conditionals, loops, insert, toc, taglist, redirect, hfuns.

The same engine runs over a page's Markdown while it is expanded (phase 1) and over
Franklin layout files and leftover calls at render time (phase 2). Calls that need
the whole site (`{{fill var other/page}}`, `{{taglist}}`, `@delay`ed hfuns) cannot
be answered in phase 1: they are left as `<pysite-late>` placeholders that
`resolve_late` answers when the page is rendered.
"""

from __future__ import annotations

import fnmatch
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pysite.dialect.context import PageScope, as_text
from pysite.dialect.scan import Source
from pysite.errors import ParseError, did_you_mean
from pysite.placeholders import fill, mark

CALL = re.compile(r"\{\{([^{}]*)\}\}")
SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)
FOR = re.compile(r"for\s+(\(.*?\)|\S+)\s+in\s+(\S+)\s*$", re.S)
# Each condition Franklin accepts, by the test it makes (`i(s|f)n(ot)?def` and the like).
CONDITIONS = {"if": "if", "ispage": "page", "isnotpage": "notpage",
              **{f"i{s}{n}{kind}": ("not" if n else "") + kind
                 for s in "sf" for n in ("", "n", "not") for kind in ("def", "empty")}}
OPENERS = set(CONDITIONS) | {"for"}
MAX_NESTING = 64  # blocks inside blocks: far more than a page means, far less than Python's stack
NEEDS_SITE = {"taglist", "paginate"}
SIMPLE_CALLS = {"fill", "insert", "toc", "redirect", *NEEDS_SITE}
DEFAULT_PER_PAGE = 10

RenderRange = Callable[[int, int], str]


@dataclass
class Call:
    name: str
    args: list[str]
    inner: str        # as written between the braces
    start: int
    end: int

    @property
    def written(self) -> str:
        return "{{" + self.inner + "}}"


def parse_call(match: re.Match) -> Call:
    inner = match.group(1)
    words = inner.split()
    if len(words) > 1 and words[0].lower() == "else" and words[1].lower() == "if":   # {{else if x}}
        words = ["elseif", *words[2:]]
    name = words[0].lower() if words else ""
    return Call(name, words[1:], inner, match.start(), match.end())


def process(source: Source, match: re.Match, end: int, scope: PageScope, render_range: RenderRange,
            late: bool) -> tuple[str, int]:
    """The output of the call at `match` (a whole block for an opener) and the offset after it.

    `render_range(a, b)` produces the output of source.text[a:b] (a branch, a loop body);
    `late` is True while expanding a page, when calls that need the site are deferred."""
    call = parse_call(match)
    if call.name in OPENERS:
        if scope.nesting >= MAX_NESTING:
            raise source.error(f"{call.written}: blocks nested more than {MAX_NESTING} deep", call.start,
                               hint="an {{if}} or {{for}} inside this many others is a mistake; close some with {{end}}")
        branches, after = find_block(source, call, end)
        scope.nesting += 1
        try:
            if call.name == "for":
                return loop(source, call, branches, scope, render_range), after
            for branch, body_start, body_end in branches:
                if branch.name == "else" or holds(source, branch, scope):
                    return render_range(body_start, body_end), after
            return "", after
        finally:
            scope.nesting -= 1
    if call.name in ("elseif", "else", "end"):
        raise source.error(f"{call.written} without an opening {{{{if ...}}}}", call.start,
                           hint="open the block with {{if var}}, {{isdef var}}, {{ispage path}} or {{for x in xs}}")
    return answer(source, call, scope, late), call.end


def find_block(source: Source, opener: Call, end: int) -> tuple[list[tuple[Call, int, int]], int]:
    """The branches of the block `opener` starts (call, body start, body end) and the offset after `{{end}}`."""
    depth = 1
    branches = []
    current, body_start = opener, opener.end
    seen_else = False
    for match in CALL.finditer(source.text, opener.end, end):
        call = parse_call(match)
        if call.name in OPENERS:
            depth += 1
        elif call.name == "end":
            depth -= 1
            if depth == 0:
                branches.append((current, body_start, call.start))
                return branches, call.end
        elif depth == 1 and call.name in ("elseif", "else"):
            if seen_else:
                raise source.error(f"{call.written} after {{{{else}}}}", call.start)
            seen_else = call.name == "else"
            branches.append((current, body_start, call.start))
            current, body_start = call, call.end
    raise source.error(f"{opener.written} is never closed", opener.start, hint="close the block with {{end}}")


def holds(source: Source, call: Call, scope: PageScope) -> bool:
    test = CONDITIONS.get(call.name, "if")   # {{elseif x}} tests as {{if x}}
    if not call.args:
        raise source.error(f"{call.written} needs a variable name", call.start)
    if test in ("page", "notpage"):
        inside = any(page_matches(scope.stem, pattern) for pattern in call.args)
        return inside == (test == "page")
    found, value = scope.lookup(call.args[0])
    if test in ("def", "notdef"):
        return (found and value is not None) == (test == "def")
    if test in ("empty", "notempty"):
        empty = not found or value is None or value == "" or (hasattr(value, "__len__") and len(value) == 0)
        return empty == (test == "empty")
    if not found:
        scope.warn(f"{call.written}: no variable {call.args[0]!r}; taken as false", source.line_at(call.start))
        return False
    return bool(value)


def page_matches(stem: str, pattern: str) -> bool:
    """Whether a page ("pages/a", "index") is one `{{ispage}}` names ("/pages/*", "pages/a/", "index.html")."""
    pattern = pattern.strip().strip("/")
    for suffix in (".html", ".md"):
        pattern = pattern.removesuffix(suffix)
    pattern = pattern.removesuffix("/index") if pattern != "index" else pattern
    pattern = pattern or "index"
    page = stem.removesuffix("/index") if stem != "index" else stem
    return fnmatch.fnmatchcase(page, pattern)


def loop(source: Source, call: Call, branches, scope: PageScope, render_range: RenderRange) -> str:
    parsed = FOR.match(call.inner.strip())
    if not parsed:
        raise source.error(f"{call.written}: write {{{{for x in xs}}}} or {{{{for (a, b) in xs}}}}", call.start)
    names = [name.strip() for name in parsed.group(1).strip("()").split(",") if name.strip()]
    found, items = scope.lookup(parsed.group(2))
    if not found:
        scope.warn(f"{call.written}: no variable {parsed.group(2)!r} to loop over", source.line_at(call.start))
        return ""
    _, body_start, body_end = branches[0]
    if isinstance(items, dict):
        items = list(items.items())
    elif items is not None and not hasattr(items, "__iter__"):
        raise source.error(f"{call.written}: {parsed.group(2)!r} is {type(items).__name__} {items!r}, not a list "
                           "to loop over", call.start, hint="loop over a list or a tuple: `@def xs = [1, 2, 3]`")
    out = []
    for item in items or ():
        if len(names) == 1:
            bound = {names[0]: item}
        else:
            values = list(item) if isinstance(item, (list, tuple)) else [item]
            if len(values) != len(names):
                raise source.error(f"{call.written}: an item has {len(values)} values, not {len(names)}", call.start)
            bound = dict(zip(names, values))
        scope.loops.append(bound)
        try:
            out.append(render_range(body_start, body_end))
        finally:
            scope.loops.pop()
    return "".join(out)


def answer(source: Source, call: Call, scope: PageScope, late: bool) -> str:
    """The text of a simple call; while expanding a page, a placeholder for those that need the site."""
    name, args = call.name, call.args
    line = source.line_at(call.start)
    utils = scope.utils
    if utils is not None and utils.has("hfun", name):
        if late and utils.delayed("hfun", name):
            return defer(call, scope, line)
        if late and scope.cells_first:   # as in Franklin, the page's hfuns run after its cells
            return defer(call, scope, line, "hfun")
        return utils.call_hfun(name, args, scope, line)
    if name in scope.hfuns:
        return scope.hfuns[name](args, scope)
    if name == "fill":
        if len(args) == 2:
            if late:
                return defer(call, scope, line)
            page = args[1]
            if any(page in loop for loop in scope.loops):  # {{for p in posts}}{{fill title p}}{{end}}
                page = as_text(scope.lookup(page)[1])
            found, value = scope.page_variable(page, args[0])
            if not found:
                scope.warn(f"{call.written}: no page {page!r} with a variable {args[0]!r}", line)
            return as_text(value)
        if len(args) != 1:
            raise source.error(f"{call.written}: fill takes a variable name and optionally a page", call.start)
        return fill_variable(call, args[0], scope, line)
    if name == "insert":
        return insert(source, call, scope, late)
    if name == "toc":
        low, high = toc_levels(scope, args)
        return mark("toc", min=low, max=high) if late else toc_html(scope.headings, low, high)
    if name in NEEDS_SITE:
        if late:
            return defer(call, scope, line)
        return taglist(scope) if name == "taglist" else paginate(source, call, scope)
    if name == "redirect":
        return redirect(source, call, scope)
    if name in scope.extra and not args:
        return scope.extra[name]
    if not args and scope.lookup(name)[0]:
        return fill_variable(call, name, scope, line)
    scope.warn(f"unknown template call {call.written}: no such variable, built-in or hfun_{name} in utils",
               line, hint=did_you_mean(name, [*scope.names(), *SIMPLE_CALLS, *OPENERS],
                                       "define the variable, or the function in utils"))
    return ""   # as Franklin: the call is left out


def fill_variable(call: Call, name: str, scope: PageScope, line: int) -> str:
    found, value = scope.lookup(name)
    if not found:
        scope.warn(f"{call.written}: no variable {name!r}", line)
    return as_text(value)


def defer(call: Call, scope: PageScope, line: int, kind: str = "late") -> str:
    """A placeholder answered later: `late` at render time, `hfun` once the page's cells ran
    (`answer_deferred`); loop variables are written in now."""
    words = [call.name] + [as_text(scope.lookup(arg)[1]) if any(arg in loop for loop in scope.loops) else arg
                           for arg in call.args]
    return mark(kind, call=" ".join(words), line=line)


def answer_deferred(attrs: dict[str, str], scope: PageScope) -> str:
    """The text of a call `defer` left."""
    text = "{{" + attrs["call"] + "}}"
    source = Source(text, scope.path, int(attrs.get("line") or 1), generated=True)
    return answer(source, parse_call(CALL.match(text)), scope, late=False)


def resolve_late(content: str, scope: PageScope) -> str:
    """Answer the calls a page's expansion deferred, now that the site is known."""
    if "<pysite-late" not in content:
        return content
    return fill(content, {"late": lambda attrs: answer_deferred(attrs, scope)})


def render_template(text: str, scope: PageScope, source: Source | None = None, late: bool = False,
                    start: int = 0, end: int | None = None) -> str:
    """A layout file (or any HTML, or text[start:end]) with every call answered
    (`late`: those needing the site deferred)."""
    source = source or Source(text, scope.path)
    # As Franklin's HTML reader: a `<script>` element is copied as it is, `{{...}}` and all.
    scripts = [match.span() for match in SCRIPT.finditer(source.text)] if "<script" in source.text.lower() else []

    def render_range(start: int, end: int) -> str:
        out, pos = [], start
        while True:
            match = CALL.search(source.text, pos, end)
            if match is None:
                out.append(source.text[pos:end])
                return "".join(out)
            script = next((span for span in scripts if span[0] <= match.start() < span[1]), None)
            if script is not None:
                out.append(source.text[pos:min(script[1], end)])
                pos = min(script[1], end)
                continue
            out.append(source.text[pos:match.start()])
            produced, pos = process(source, match, end, scope, render_range, late)
            out.append(produced)

    return render_range(start, len(source.text) if end is None else end)


def insert(source: Source, call: Call, scope: PageScope, late: bool) -> str:
    if len(call.args) != 1:
        raise source.error(f"{call.written}: insert takes one file", call.start)
    rel = call.args[0].strip("/")
    for candidate in (scope.root / "_layout" / rel, scope.root / rel):
        candidate = scope.input(candidate)
        if candidate is not None:
            if candidate in scope.inserting:
                chain = " -> ".join(path.name for path in [*scope.inserting, candidate])
                raise source.error(f"{call.written}: these files insert each other without end: {chain}",
                                   call.start, hint="one of them must stop inserting the other")
            scope.inserting.append(candidate)
            try:
                text = read_text(candidate)
                produced = render_template(text, scope, Source(text, candidate), late)
            finally:
                scope.inserting.pop()
            return mark("raw", html=produced) if late else produced
    scope.warn(f"{call.written}: no file _layout/{rel} or {rel}", source.line_at(call.start))
    return ""


def read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(f"not valid UTF-8 (byte 0x{data[error.start]:02x})", path,
                         data.count(b"\n", 0, error.start) + 1, hint="save the file as UTF-8") from None


def toc_levels(scope: PageScope, args: list[str]) -> tuple[int, int]:
    values = args if len(args) == 2 else [scope.lookup("mintoclevel")[1], scope.lookup("maxtoclevel")[1]]
    try:
        return int(values[0] if values[0] is not None else 1), int(values[1] if values[1] is not None else 10)
    except (TypeError, ValueError):
        return 1, 10


def toc_html(headings: list, low: int = 1, high: int = 10) -> str:
    """Nested lists of the page's headings between two levels, as Franklin writes them."""
    chosen = [h for h in headings if low <= h.level <= high]
    if not chosen:
        return ""
    base = min(h.level for h in chosen) - 1
    parts, level = [], base
    for heading in chosen:
        if heading.level <= level:
            parts.append("</li>" + "</ol></li>" * (level - heading.level) + "<li>")
        else:
            parts.append("<ol><li>" * (heading.level - level))
        parts.append(f'<a href="#{html.escape(heading.id)}">{html.escape(heading.text)}</a>')
        level = heading.level
    parts.append("</li></ol>" * (level - base))
    return f'<div class="franklin-toc">{"".join(parts)}</div>'


def taglist(scope: PageScope) -> str:
    """`{{taglist}}` on a tag page: the pages with the tag `fd_tag`, newest first, as Franklin lists them."""
    tag = as_text(scope.lookup("fd_tag")[1])
    tagged = set((scope.site.get("fd_tag_pages") or {}).get(tag, ()))
    stems = [view["source"].rsplit(".", 1)[0] for view in scope.view.pages]   # the site's pages, newest first
    items = "".join(f'<li><a href="{page_address(stem)}">{as_text(view.get("title")) or "/" + stem + "/"}</a></li>'
                    for stem, view in zip(stems, scope.view.pages) if stem in tagged)
    return f"<ul>{items}</ul>"


def page_address(stem: str) -> str:
    """Franklin's `get_url`: the address of the page at a source path without extension
    (`blog/a` -> `/blog/a/`, `index` -> `/`)."""
    stem = stem.removesuffix("index").strip("/")
    return f"/{stem}/" if stem else "/"


def paginate(source: Source, call: Call, scope: PageScope) -> str:
    """`{{paginate items n}}`: the items (strings of HTML) of the list page being rendered,
    `n` (a number or a variable) to a page; see `paginate_count`."""
    items, per_page = paginate_arguments(source, call, scope)
    start = (scope.part - 1) * per_page
    return "".join(as_text(item) for item in items[start:start + per_page])


def paginate_arguments(source: Source, call: Call, scope: PageScope) -> tuple[list, int]:
    if len(call.args) != 2:
        raise source.error(f"{call.written}: paginate takes a variable holding the items and a number per page",
                           call.start, hint="for example {{paginate items 10}}")
    line = source.line_at(call.start)
    found, items = scope.lookup(call.args[0])
    if not found or not isinstance(items, (list, tuple)):
        scope.warn(f"{call.written}: no page variable {call.args[0]!r} holding a list of items; left out", line)
        return [], DEFAULT_PER_PAGE
    found, per_page = scope.lookup(call.args[1])
    try:
        per_page = int(per_page if found else call.args[1])
    except (TypeError, ValueError):
        per_page = 0
    if per_page <= 0:
        scope.warn(f"{call.written}: {call.args[1]!r} is not a positive number of items per page; "
                   f"{DEFAULT_PER_PAGE} it is", line)
        per_page = DEFAULT_PER_PAGE
    return list(items), per_page


def paginate_count(content: str, scope: PageScope) -> int:
    """How many list pages a page's `{{paginate}}` makes (0: it has none)."""
    match = re.search(r'<pysite-late call="(paginate [^"]*)" line="(\d+)"', content)
    if match is None:
        return 0
    text = "{{" + html.unescape(match.group(1)) + "}}"
    source = Source(text, scope.path, int(match.group(2)), generated=True)
    items, per_page = paginate_arguments(source, parse_call(CALL.match(text)), scope)
    return max(1, -(-len(items) // per_page))


def redirect(source: Source, call: Call, scope: PageScope) -> str:
    """`{{redirect /old/path.html}}`: the build writes a page there that sends readers here."""
    if len(call.args) != 1:
        raise source.error(f"{call.written}: redirect takes one address", call.start)
    # Two lists of the page's old addresses would have to be merged by guessing: one only.
    known = scope.variables.get("redirect_from")
    if known is not None and known is not scope.redirects:
        raise source.error(f"{call.written}: this page also sets `redirect_from`", call.start,
                           hint="list every old address in `redirect_from`, or use only {{redirect}} calls")
    scope.redirects.append(call.args[0])
    scope.variables["redirect_from"] = scope.redirects
    return ""
