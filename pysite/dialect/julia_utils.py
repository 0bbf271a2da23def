"""utils.jl through the Julia bridge: loaded once per build into the bridge's site module.

A one-line prelude goes in front of the file's first line (so its line numbers stay
right): `locvar`/`globvar`/`pagevar` over dictionaries this module sends as Julia
literal source, `@delay`, and a small `Franklin` stand-in so `using Franklin` and
`Franklin.content(com.braces[1])` work without Franklin installed. Errors come back
as text with the frames that are in utils.jl.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from pathlib import Path
from typing import Any

from pysite.dialect.context import PageScope
from pysite.errors import JuliaError, ParseError

PRELUDE = " ".join("""
module Franklin; struct LxCom; name::String; braces::Vector{String}; end; content(x) = string(x); stent(x) = string(x); end;
using .Franklin: LxCom, content;
const __PYSITE = Dict{String,Any}("vars" => Dict{String,Any}(), "site" => Dict{String,Any}(),
  "pages" => Dict{String,Any}(), "delayed" => Set{String}());
globvar(name, default=nothing) = get(__PYSITE["site"], string(name), default);
locvar(name, default=nothing) = get(__PYSITE["vars"], string(name), globvar(name, default));
__pysite_stem(p) = (s = strip(string(p), '/'); for x in (".md", ".html"); endswith(s, x) && (s = s[1:end-length(x)]); end; isempty(s) ? "index" : s);
pagevar(page, name, default=nothing) = get(get(__PYSITE["pages"], __pysite_stem(page), Dict{String,Any}()), string(name), default);
macro delay(ex); sig = ex.args[1]; while sig isa Expr && sig.head in (:where, :(::)); sig = sig.args[1]; end;
  push!(__PYSITE["delayed"], string(sig.args[1])); esc(ex); end;
__pysite_set(key, src) = isempty(src) || (__PYSITE[key] = Core.eval(@__MODULE__, Meta.parse(src)));
__pysite_names(a) = join([string(n) for n in names(@__MODULE__, all=true) if occursin(r"^(hfun|lx)_", string(n))], " ") * "|" * join(collect(__PYSITE["delayed"]), " ");
__pysite_pages(a) = (__pysite_set("pages", a[1]); "");
__pysite_call(a) = try; __pysite_set("vars", a[2]); __pysite_set("site", a[3]); f = getfield(@__MODULE__, Symbol(a[1]));
  r = startswith(a[1], "lx_") ? f(LxCom(a[1][4:end], a[4:end]), nothing) : (length(a) > 3 ? f(a[4:end]) : f());
  "ok\\0" * string(r); catch err;
  "error\\0" * sprint(showerror, err) * "\\0" * join([string(fr) for fr in stacktrace(catch_backtrace()) if occursin("utils.jl", string(fr.file)) && !startswith(string(fr.func), "__pysite")], "\\n"); end;
""".split("\n")).strip()
USING_FRANKLIN = re.compile(r"^(\s*)(using|import)\s+Franklin\b", re.M)


class JuliaUtils:
    """The functions of a site's utils.jl, called through `bridge.call`."""

    def __init__(self, bridge, path: Path):
        self.bridge = bridge
        self.path = path
        code = USING_FRANKLIN.sub(lambda m: f"{m.group(1)}{m.group(2)} .Franklin", path.read_text(encoding="utf-8"))
        try:
            bridge.load_utils(PRELUDE + " " + code, str(path))
            names, _, delayed = bridge.call("__pysite_names", ["-"], str(path), 1).partition("|")
        except JuliaError as error:
            raise ParseError(f"utils.jl failed to load: {error.message}", path, error.line or 1) from None
        self.names = set(names.split())
        self.delayed_names = set(delayed.split())
        self.sent = {"vars": "", "site": "", "pages": ""}

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
        if scope.view is not None:
            self.send("pages", lambda: julia_literal({stem: simple(view) for stem, view in scope.view.by_stem().items()}))
        variables = self.changed("vars", julia_literal(simple(scope.variables)))
        site = self.changed("site", julia_literal(simple(scope.site)))
        try:
            answer = self.bridge.call("__pysite_call", [function, variables, site, *args], str(scope.path), line)
        except JuliaError as error:
            scope.warn(f"{function} (utils.jl): {error.message}", line)
            return ""
        status, _, rest = answer.partition("\0")
        if status == "ok":
            return rest
        message, _, backtrace = rest.partition("\0")
        scope.warn(f"{function} (utils.jl) threw: {message}\n{backtrace}".rstrip(), line)
        return ""

    def changed(self, key: str, source: str) -> str:
        """The source to send, or "" when Julia holds it already."""
        digest = hashlib.sha256(source.encode()).hexdigest()
        if self.sent[key] == digest:
            return ""
        self.sent[key] = digest
        return source

    def send(self, key: str, make_source) -> None:
        source = make_source()
        source = self.changed(key, source)
        if source:
            self.bridge.call("__pysite_pages", [source], str(self.path), 1)


def simple(variables: dict[str, Any]) -> dict[str, Any]:
    """The variables Julia can be given: plain values, not objects the build keeps."""
    return {key: value for key, value in variables.items() if is_plain(value)}


def is_plain(value: Any) -> bool:
    if value is None or isinstance(value, (str, bool, int, float, dt.date)):
        return True
    if isinstance(value, (list, tuple)):
        return all(is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and is_plain(item) for key, item in value.items())
    return False


def julia_literal(value: Any) -> str:
    """Julia source for a plain Python value."""
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
