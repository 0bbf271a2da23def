"""utils.jl through the Julia bridge: loaded once per build into the bridge's site module,
over Franklin's API (julia/franklin_api.jl), which this module feeds.

Before a call it sends, as Julia literal source and only when they changed, the page's
variables, the site's and every page's (for `pagevar`: at read time as the pages' files
define them, at render time as read). `fd2html` markers in a result are rendered here,
through pysite's own Markdown and dialect. Errors come back as text with the frames
that are in utils.jl.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

from pysite.cells import CellCache
from pysite.dialect.context import PageScope
from pysite.errors import JuliaError, ParseError
from pysite.julia_literal import JuliaExpr, julia_literal

USING_FRANKLIN = re.compile(r"^(\s*)(using|import)\s+Franklin\b", re.M)


class JuliaUtils:
    """The functions of a site's utils.jl, called through `bridge.call`."""

    def __init__(self, bridge, path: Path):
        self.bridge = bridge
        self.path = path
        code = USING_FRANKLIN.sub(lambda m: f"{m.group(1)}{m.group(2)} .Franklin", path.read_text(encoding="utf-8"))
        try:
            bridge.load_utils(code, str(path))
            names, _, delayed = bridge.call("__pysite_names", ["-"], str(path), 1).partition("|")
        except JuliaError as error:
            raise ParseError(f"utils.jl failed to load: {error.message}", path, error.line or 1) from None
        self.names = set(names.split())
        self.delayed_names = set(delayed.split())
        self.sent = {"vars": "", "site": "", "pages": ""}
        self.sent_values: dict[str, dict] = {}
        self.restarts = getattr(bridge, "restarts", 0)

    def has(self, kind: str, name: str) -> bool:
        return f"{kind}_{name}" in self.names

    def delayed(self, kind: str, name: str) -> bool:
        return f"{kind}_{name}" in self.delayed_names

    def variable(self, name: str) -> tuple[bool, Any]:
        return False, None

    def call_hfun(self, name: str, params: list[str], scope: PageScope, line: int | None) -> str:
        return self.run(f"hfun_{name}", params, scope, line)

    def call_lx(self, name: str, braces: list[str], scope: PageScope, line: int | None) -> str:
        return self.run(f"lx_{name}", braces, scope, line)

    def run(self, function: str, args: list[str], scope: PageScope, line: int | None) -> str:
        self.forget_sent_if_restarted()
        pages = scope.view.by_stem() if scope.view is not None else scope.site_pages() if scope.site_pages else {}
        self.send("pages", pages, lambda: julia_literal({stem: simple(view) for stem, view in pages.items()}))
        variables = self.changed("vars", julia_literal(simple(scope.variables)))
        site = self.changed("site", julia_literal(simple(scope.site)))
        # Franklin's `path(:site)`: the page's part of the output, which holds its cells' files and
        # is published with the page (what a function writes there too).
        paths = [str(scope.root), str(CellCache.of_site(scope.root).published_folder(scope.rel))]
        scope.ran_utils = True
        try:
            answer = self.bridge.call("__pysite_call", [function, variables, site, *paths, *args], str(scope.path),
                                      line)
        except JuliaError as error:
            scope.warn(f"{function} (utils.jl): {error.message}", line)
            return ""
        status, _, rest = answer.partition("\0")
        if status == "ok":
            return FD2HTML.sub(lambda match: fd2html(match, scope), rest)
        message, _, backtrace = rest.partition("\0")
        scope.warn(f"{function} (utils.jl) threw: {message}\n{backtrace}".rstrip(), line)
        return ""

    def forget_sent_if_restarted(self) -> None:
        """A fresh Julia worker (after a crash, or a page it could not undo) holds nothing sent before."""
        restarts = getattr(self.bridge, "restarts", 0)
        if restarts != self.restarts:
            self.restarts = restarts
            self.sent = dict.fromkeys(self.sent, "")
            self.sent_values = {}

    def changed(self, key: str, source: str) -> str:
        """The source to send, or "" when Julia holds it already."""
        digest = hashlib.sha256(source.encode()).hexdigest()
        if self.sent[key] == digest:
            return ""
        self.sent[key] = digest
        return source

    def send(self, key: str, value: dict, make_source) -> None:
        """Send a dictionary that is costly to write out, unless it is the very one sent last."""
        if self.sent_values.get(key) is value:
            return
        self.sent_values[key] = value
        source = self.changed(key, make_source())
        if source:
            self.bridge.call("__pysite_set", [key, source], str(self.path), 1)


FD2HTML = re.compile(r"<!--pysite-fd2html (nop|p) ([A-Za-z0-9+/=]*)-->")


def fd2html(match: re.Match, scope: PageScope) -> str:
    """What `Franklin.fd2html(text; nop)` makes of its text: HTML, without the enclosing `<p>` with `nop`."""
    from pysite.dialect.fragment import render_fragment
    html = render_fragment(base64.b64decode(match.group(2)).decode("utf-8"), scope)
    if match.group(1) == "nop" and html.startswith("<p>") and html.rstrip("\n").endswith("</p>"):
        html = html.rstrip("\n")[3:-4]
    return html


def simple(variables: dict[str, Any]) -> dict[str, Any]:
    """The variables Julia can be given: plain values, not objects the build keeps."""
    return {key: value for key, value in variables.items() if is_plain(value)}


def is_plain(value: Any) -> bool:
    if value is None or isinstance(value, (str, bool, int, float, dt.date, JuliaExpr)):
        return True
    if isinstance(value, (list, tuple)):
        return all(is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and is_plain(item) for key, item in value.items())
    return False
