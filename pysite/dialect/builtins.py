"""Franklin's built-in commands: outputs, figures, file inputs, tables, references, citations, style.

Each takes the expander, the source and offset (for lines) and its brace arguments,
and returns Markdown. What is known only after the page is parsed or its cells ran
(figures cells wrote, equation numbers, citations defined further down, tables
from cell output) becomes a placeholder that `handlers` fills.

Paths follow Franklin: `/assets/x` is the site's `_assets/x`; a relative path starts
from the page's assets folder `/assets/<page>/`; cell files are found under
`/assets/<page>/output/<cell>/`.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pysite.cells import CellCache, shown_code
from pysite.dialect.context import PageScope
from pysite.dialect.literate import literate_markdown
from pysite.dialect.scan import Source
from pysite.dialect.templates import toc_html, toc_levels
from pysite.highlight import highlight
from pysite.math import label_id
from pysite.placeholders import fill, mark

if TYPE_CHECKING:
    from pysite.dialect.expand import Expander

IMAGE_EXTENSIONS = (".png", ".jpeg", ".jpg", ".svg", ".gif", ".webp")
LANGUAGE_EXTENSIONS = {"julia": ".jl", "python": ".py", "r": ".r", "markdown": ".md", "md": ".md",
                       "html": ".html", "javascript": ".js", "bash": ".sh", "plaintext": ".txt", "toml": ".toml"}
INPUT_NOT_FOUND = "Couldn't find a file when trying to resolve an input request with relative path: `{}`."
# Languages whose comments start with `#`: `# hide` hides a line of them.
HASH_COMMENTS = ("julia", "python", "r", "bash", "toml")
# `/assets/...` addresses come from these source folders.
PUBLISHED = {"assets": "_assets", "css": "_css", "libs": "_libs"}


# --- paths ---------------------------------------------------------------------

def address(scope: PageScope, rpath: str) -> str:
    """The site address of a path written in a command."""
    rpath = rpath.strip()
    if rpath.startswith(("/", "http://", "https://")):
        return rpath
    return f"/assets/{scope.stem}/{rpath.removeprefix('./')}"


def source_of(root: Path, site_address: str) -> Path:
    """The source file that a site address is published from."""
    first, _, rest = site_address.strip("/").partition("/")
    if first in PUBLISHED and not (root / first / rest).exists():
        return root / PUBLISHED[first] / rest
    return root / first / rest


def find_file(scope: PageScope, rpath: str, extensions: tuple[str, ...] = ("",),
              folders: tuple[str, ...] = ("",)) -> tuple[str, Path] | None:
    """(address, file) of the first candidate that exists: each folder under the path's
    place, each extension when the path has none."""
    base = address(scope, rpath)
    head, _, name = base.rpartition("/")
    has_extension = "." in name
    for folder in folders:
        for extension in ("",) if has_extension else extensions:
            candidate = f"{head}/{folder}{name}{extension}"
            path = scope.input(source_of(scope.root, candidate))
            if path is not None:
                return candidate, path
    return None


def cell_file(scope: PageScope, rpath: str, extensions: tuple[str, ...]) -> str | None:
    """The address of a file a cell of this page wrote to @OUTPUT that matches `rpath`."""
    wanted = rpath.strip().removeprefix("./").strip("/")
    name = wanted.rsplit("/", 1)[-1]
    for rel, _ in CellCache.of_site(scope.root).published_files(scope.rel):
        for extension in extensions:
            if rel.endswith("/" + wanted + extension) or rel.rsplit("/", 1)[-1] == name + extension:
                return "/" + rel
    return None


# --- commands --------------------------------------------------------------------

def output(kind: str):
    def command(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
        name = args[0].strip().removeprefix("./").strip("/")
        return mark("output", name=name, path=args[0].strip(), kind=kind, line=source.line_at(offset))
    return command


def script_output(scope: PageScope, rpath: str) -> tuple[str, str | None] | None:
    """(what it printed, its value as text or None) of a script run before the build, read
    as Franklin reads them: `output/NAME.out` and `output/NAME.res` beside the script, which
    `/path` finds from the site's folder, `./path` from the page's assets (or their `code/`),
    and `path` from the page's assets or `/assets/`."""
    rpath = rpath.strip()
    script = rpath.removeprefix("./").removesuffix(".jl")
    if rpath.startswith("/"):
        candidates = [scope.root / script.lstrip("/")]
    else:
        page_assets = scope.root / "_assets" / scope.stem
        candidates = [page_assets / "code" / script, page_assets / script]
        candidates += [] if rpath.startswith("./") else [scope.root / "_assets" / script]
    for candidate in candidates:
        out = scope.input(candidate.parent / "output" / (candidate.name + ".out"))
        if out is not None:
            res = scope.input(candidate.parent / "output" / (candidate.name + ".res"))
            value = res.read_text(encoding="utf-8") if res is not None else None
            return out.read_text(encoding="utf-8"), None if value == "nothing" else value
    return None


def fig(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
    return mark("fig", src=args[0].strip(), alt="", line=source.line_at(offset))


def figalt(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
    return mark("fig", src=args[1].strip(), alt=args[0].strip(), line=source.line_at(offset))


def toc(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
    low, high = toc_levels(ex.scope, [])
    return mark("toc", min=low, max=high)


def input_file(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
    """`\\input{lang}{path}`: a file's code, highlighted (`plaintext`: as it is); and Franklin's
    other forms: `{code:lang}` the same, `{output}` (or `{output:plain}`) what the script or
    cell printed, as `\\output`, `{plot}` (or `{plot:id}`) the image it wrote (`pathid.*`)."""
    lang = args[0].strip().lower()
    kind, _, qualifier = lang.partition(":")
    if kind == "plot":
        return mark("fig", src=args[1].strip() + qualifier, alt="", line=source.line_at(offset))
    if kind == "output":
        return output("output")(ex, source, offset, args[1:])
    lang = qualifier if kind == "code" and qualifier else lang
    found = find_file(ex.scope, args[1], (LANGUAGE_EXTENSIONS.get(lang, ""),), ("", "code/"))
    if found is None:
        return missing(ex, source, offset, f"\\input{{{args[0]}}}{{{args[1]}}}: no file {address(ex.scope, args[1])}",
                       INPUT_NOT_FOUND.format(args[1].strip()))
    code = found[1].read_text(encoding="utf-8")
    if lang in HASH_COMMENTS:  # Franklin hides `# hide` lines of languages it knows, as in cells
        code = shown_code(code)
    return ex.raw(highlight(code, None if lang == "plaintext" else lang))


def textinput(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
    """`\\textinput{path}`: a file's text, read as part of the page."""
    found = find_file(ex.scope, args[0], (".md", ""))
    if found is None:
        return missing(ex, source, offset, f"\\textinput{{{args[0]}}}: no file {address(ex.scope, args[0])}",
                       INPUT_NOT_FOUND.format(args[0].strip()))
    return ex.reexpand(found[1].read_text(encoding="utf-8"), source, offset)


def tableinput(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
    return mark("table", header=args[0].strip(), src=args[1].strip(), line=source.line_at(offset))


def literate(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
    """`\\literate{path}`: a Julia script whose comments are Markdown and whose code runs as cells."""
    found = find_file(ex.scope, args[0], (".jl",), ("", "_literate/"))
    if found is None and not args[0].startswith("/"):
        found = find_file(ex.scope, "/_literate/" + args[0].strip(), (".jl",))
    if found is None:
        return missing(ex, source, offset, f"\\literate{{{args[0]}}}: no script {address(ex.scope, args[0])}",
                       f"Literate file matching '{args[0].strip()}' not found.")
    text = literate_markdown(found[1].read_text(encoding="utf-8"), ex.next_literate_name)
    return ex.reexpand(text, source, offset)


def style(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
    """`\\style{css}{text}`: the text (Markdown and commands) in a styled span, as Franklin's."""
    text = ex.reexpand(args[1], source, offset)
    return ex.raw(f'<span style="{html.escape(args[0].strip())}">') + text + ex.raw("</span>")


def underline(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
    return ex.raw(f'<span style="text-decoration:underline">{args[0]}</span>')


def label(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
    return ex.raw(f'<a id="{html.escape(label_id(args[0]))}"></a>')


def biblabel(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
    ex.biblabels[label_id(args[0])] = args[1].strip()
    return ex.raw(f'<a id="{html.escape(label_id(args[0]))}" class="anchor"></a>')


# Where a display equation opens: `\nonumber` goes right after it, inside the math.
_DISPLAY_OPEN = re.compile(r"\$\$|\\\[|\\begin\{[A-Za-z]+\*?\}")


def nonumber(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
    """`\\nonumber{$$...$$}`: Franklin's way to leave a display equation unnumbered."""
    return ex.reexpand(_DISPLAY_OPEN.sub(lambda m: m.group(0) + "\\nonumber ", args[0], count=1), source, offset)


def reference(kind: str):
    def command(ex: Expander, source: Source, offset: int, args: list[str]) -> str:
        return mark("ref", kind=kind, ids=args[0], line=source.line_at(offset))
    return command


def missing(ex: Expander, source: Source, offset: int, message: str, shown: str) -> str:
    """A warning for the build, and Franklin's red message (`shown`) for the page."""
    ex.scope.warn(message, source.line_at(offset))
    return ex.raw(inline_error(shown))


def inline_error(message: str) -> str:
    """What Franklin writes into a page where a command cannot do its work."""
    return '<p><span style="color:red;">// ' + html.escape(message, quote=False) + ' //</span></p>'


Builtin = Callable[["Expander", Source, int, list[str]], str]
BUILTINS: dict[str, tuple[int, Builtin]] = {
    "output": (1, output("output")), "show": (1, output("show")), "codeoutput": (1, output("output")),
    "textoutput": (1, output("text")),
    "fig": (1, fig), "figalt": (2, figalt),
    "toc": (0, toc), "tableofcontents": (0, toc),
    "input": (2, input_file), "textinput": (1, textinput), "tableinput": (2, tableinput),
    "literate": (1, literate),
    "style": (2, style), "underline": (1, underline),
    "label": (1, label), "biblabel": (2, biblabel), "nonumber": (1, nonumber),
    "eqref": (1, reference("eqref")), "cite": (1, reference("cite")), "citet": (1, reference("citet")),
    "citep": (1, reference("citep")), "reflink": (1, reference("reflink")),
}


# --- placeholders filled after the page is parsed and its cells ran ----------------

def handlers(scope: PageScope, env: dict, render_markdown: Callable[[str], str]) -> dict[str, Callable[[dict[str, str]], str]]:
    """Placeholder handlers for `pysite.placeholders.fill`: everything the dialect left but cell outputs."""

    def figure(attrs: dict[str, str]) -> str:
        src, alt = attrs["src"], attrs.get("alt", "")
        extensions = IMAGE_EXTENSIONS if "." not in src.rsplit("/", 1)[-1] else ("",)
        # Where Franklin looks: beside the page's assets, in their output/, and in code/ (its cells' folder).
        found = find_file(scope, src, extensions, ("", "output/", "code/", "code/output/"))
        located = found[0] if found else cell_file(scope, src, extensions)
        if located is None:
            scope.warn(f"\\fig{{{src}}}: no image {address(scope, src)} (nor one a cell of this page wrote)",
                       int(attrs.get("line") or 0) or None)
            return inline_error(f"Image matching '{src}' not found.")
        return f'<img src="{html.escape(located)}" alt="{html.escape(alt)}">'

    def table(attrs: dict[str, str]) -> str:
        src = attrs["src"]
        found = find_file(scope, src, ("",), ("", "output/"))
        path = found[1] if found else None
        if path is None:
            located = cell_file(scope, src, ("",))
            path = next((p for rel, p in CellCache.of_site(scope.root).published_files(scope.rel)
                         if located and "/" + rel == located), None)
        if path is None:
            scope.warn(f"\\tableinput: no table {address(scope, src)}", int(attrs.get("line") or 0) or None)
            return inline_error(f"Table matching '{address(scope, src)}' not found.")
        return render_markdown(csv_table(path.read_text(encoding="utf-8"), attrs.get("header", "")))

    def ref(attrs: dict[str, str]) -> str:
        kind = attrs["kind"]
        names = [label_id(name) for name in attrs["ids"].split(",") if name.strip()]
        links = []
        for name in names:
            text = env.get("equations", {}).get(name) if kind == "eqref" else scope.biblabels.get(name)
            if text is None and kind == "reflink":
                text = name
            if text is None:
                scope.warn(f"\\{kind}{{{name}}}: no {'equation' if kind == 'eqref' else 'reference'} "
                           f"labelled {name!r} on this page", int(attrs.get("line") or 0) or None)
                links.append("<b>??</b>")
                continue
            links.append(f'<a href="#{html.escape(name)}">{html.escape(str(text))}</a>')
        inner = ", ".join(links)
        if kind in ("eqref", "citep"):
            inner = f"({inner})"
        css = {"eqref": "eqref", "reflink": "reflink"}.get(kind, "bibref")
        return f'<span class="{css}">{inner}</span>'

    def raw(attrs: dict[str, str]) -> str:
        # Raw HTML may hold placeholders itself (calls in a `~~~` block, an inserted file).
        return fill(attrs["html"], found) if "<pysite-" in attrs["html"] else attrs["html"]

    found = {
        "raw": raw,
        "fig": figure,
        "table": table,
        "ref": ref,
        "toc": lambda attrs: toc_html(scope.headings, int(attrs.get("min", 1)), int(attrs.get("max", 10))),
        "late": lambda attrs: None,   # answered at render time (templates.resolve_late)
    }
    return found


def csv_table(text: str, header: str) -> str:
    """A CSV file as a Markdown table; `header` ("a,b") replaces a first row of names."""
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    names = [name.strip() for name in header.split(",")] if header.strip() else (rows.pop(0) if rows else [])
    lines = ["| " + " | ".join(names) + " |", "|" + " --- |" * len(names)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
