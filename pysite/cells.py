"""Julia code cells: found in fence tokens, evaluated through the bridge, cached on disk, rendered.

```julia:name``` runs and shows its output where the page says `\\output{name}`;
```!``` runs and shows its output right below; a plain ```julia``` is only highlighted.
Outputs are cached per page in `SITE/.pysite/cells/`, keyed by the page's cell code.
On a Franklin page each cell's files are written as Franklin writes them (`franklin_files`)
and published with the files cells wrote to @OUTPUT.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from pysite.bridge import CellRequest, CellResult
from pysite.highlight import highlight
from pysite.julia_literal import julia_literal

# Franklin's rule: `# hide` anywhere in a line hides the line, `# hideall` the whole code.
HIDE = re.compile(r"#\s*hide(all)?", re.IGNORECASE)
CACHE_FORMAT = 1
# Franklin's REPL-mode fences, by their info string: each runs, shown as a REPL session.
REPL_MODES = {">": "repl", "]": "pkg", ";": "shell", "?": "help"}
# The first line of the script Franklin writes for a cell (src/Franklin.jl, MESSAGE_FILE_GEN_FMD).
SCRIPT_HEADER = "# This file was generated, do not modify it. # hide\n"
# What follows a fence's backticks when it opens a cell (pysite.markdown.is_cell).
CELL_INFO = re.compile(r"`*[ \t]*(?:julia:|[!>\];?])")
PUBLISHED = ".files"  # in a page's cache folder: files published at their own path (`franklin_files`)


@dataclass
class Cell:
    name: str          # "ex/one" for ```julia:./ex/one```, "cell3" for the third ```!```
    code: str          # the code as written (it runs with its hidden lines)
    line: int          # 1-based line of the first code line in the page
    inline: bool       # ```!``` and the REPL modes: output right below the code
    mode: str = ""     # "repl", "pkg", "shell", "help" for the REPL-mode fences
    rpath: str = ""    # Franklin's name for its files: "./ex/one" as written, "_ceval_2" for the second ```!```

    @property
    def shown_code(self) -> str:
        return shown_code(self.code)


def shown_code(code: str) -> str:
    """Code as a page shows it: without its hidden lines."""
    lines = []
    for line in code.splitlines(keepends=True):
        hidden = HIDE.search(line)
        if hidden and hidden.group(1):
            return ""
        if not hidden:
            lines.append(line)
    return "".join(lines)


def may_run(body: str) -> bool:
    """Whether a page may hold cells: a fence line that opens one, or a Literate script (whose
    chunks are cells). False means surely none; cheap, as every Franklin page asks."""
    if "\\literate" in body:
        return True
    found = body.find("```")
    while found >= 0:
        line = body.rfind("\n", 0, found) + 1
        if not body[line:found].strip(" \t") and CELL_INFO.match(body, found + 3):
            return True
        found = body.find("```", found + 3)
    return False


def cell_info(info: str) -> tuple[str | None, bool, str]:
    """(name, inline, mode) for the info string of a fence that is a cell (pysite.markdown.is_cell)."""
    info = info.strip()
    if info.startswith("julia:"):
        name = info[len("julia:"):].strip()
        name = name[2:] if name.startswith("./") else name
        return name.strip("/") or None, False, ""
    return None, True, REPL_MODES.get(info[0], "")


def find_cells(tokens) -> list[Cell]:
    cells = []
    inline_count = 0
    for token in tokens:
        if token.type != "fence" or not token.meta.get("is_cell"):  # marked when parsed
            continue
        name, inline, mode = cell_info(token.info)
        inline_count += inline
        rpath = token.info.strip()[len("julia:"):].strip() if name else f"_ceval_{inline_count}"
        cell = Cell(name or f"cell{len(cells) + 1}", token.content, token.map[0] + 2, inline, mode, rpath)
        token.meta["cell"] = cell
        cells.append(cell)
    return cells


def find_cell(cells: list[Cell], name: str) -> Cell | None:
    """The cell `\\output{name}` means: named so, or so but for Franklin's optional `.jl`."""
    wanted = name.removesuffix(".jl")
    return next((cell for cell in cells if cell.name.removesuffix(".jl") == wanted), None)


def cells_key(rel: str, cells: list[Cell], manifest_digest: str) -> str:
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{rel}\0{manifest_digest}".encode())
    for cell in cells:
        digest.update(f"\0{cell.name}\0{cell.code}".encode())
        if cell.mode:
            digest.update(f"\0{cell.mode}".encode())
    return digest.hexdigest()


class CellCache:
    """One entry per page: the key of its cells, the Julia version, the results, the @OUTPUT files.

    The folder holds only JSON and the files cells wrote, so it can be committed: a site
    whose outputs were computed once builds where no Julia is installed.
    """

    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def of_site(cls, root: Path) -> CellCache:
        return cls(root / ".pysite" / "cells")

    def page_folder(self, rel: str) -> Path:
        return self.folder / rel.rsplit(".", 1)[0]

    def published_folder(self, rel: str) -> Path:
        """The page's files published at their own path (`write_files`): its part of the output."""
        return self.page_folder(rel) / PUBLISHED

    def load(self, rel: str, key: str, julia_version: str | None) -> dict[str, CellResult] | None:
        """Cached results when the code is unchanged and (if a Julia is known) the version matches."""
        try:
            entry = json.loads((self.page_folder(rel) / "cells.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if entry.get("key") != key:
            return None
        if julia_version is not None and entry.get("julia_version") != julia_version:
            return None
        return {name: CellResult.from_json(data) for name, data in entry["results"].items()}

    def prepare(self, rel: str) -> None:
        """An empty folder for a page's fresh run (old @OUTPUT files go with the old results)."""
        folder = self.page_folder(rel)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def published_files(self, rel: str) -> list[tuple[str, Path]]:
        """Files cells of a page wrote into @OUTPUT and those `write_files` wrote, with where they
        are published."""
        folder = self.page_folder(rel)
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.rglob("*")):
            inside = path.relative_to(folder).as_posix()
            if path.is_file() and path.name != "cells.json":
                own = inside.startswith(PUBLISHED + "/")
                found.append((inside[len(PUBLISHED) + 1:] if own else f"{output_folder(rel)}/{inside}", path))
        return found

    def write_files(self, rel: str, files: dict[str, str]) -> None:
        """Files to publish at their own path (relative to the output) with the page's cell results."""
        for published, text in files.items():
            path = self.published_folder(rel) / published
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def store(self, rel: str, key: str, julia_version: str, results: dict[str, CellResult]) -> None:
        folder = self.page_folder(rel)
        folder.mkdir(parents=True, exist_ok=True)
        entry = {"key": key, "julia_version": julia_version,
                 "results": {name: result.to_json() for name, result in results.items()}}
        tmp = folder / "cells.json.tmp"
        tmp.write_text(json.dumps(entry, indent=1), encoding="utf-8")
        tmp.replace(folder / "cells.json")


def franklin_script(rel: str, cell: Cell) -> str:
    """Where Franklin writes a cell's script, by its path in the output (`parse_rpath`): `ex` and
    `./ex` in the page's assets (`ex` under `code/`), `/a/ex` from the site's root. Its
    `output/` folder beside it is the cell's `@OUTPUT`."""
    rpath = cell.rpath if cell.rpath.startswith(("/", "./")) else "./code/" + cell.rpath
    if rpath.startswith("/"):
        script = rpath[1:].replace("_assets/", "assets/", 1) if rpath.startswith("/_assets/") else rpath[1:]
    else:
        script = f"assets/{rel.rsplit('.', 1)[0]}/{rpath[2:]}"
    return script if script.endswith(".jl") else script + ".jl"


def franklin_files(rel: str, cells: list[Cell], results: dict[str, CellResult]) -> dict[str, str]:
    """The files Franklin writes for a page's cells (src/eval/codeblock.jl `resolve_code_block`),
    by their path in the output: the script `NAME.jl` (`franklin_script`), what it printed
    `output/NAME.out` and its value as text `output/NAME.res` ("nothing" when it shows none).
    A REPL-mode cell has only its script: Franklin's `.out` holds what its last statement
    printed, which a session's transcript does not keep apart."""
    files = {}
    for cell in cells:
        result = results.get(cell.name)
        if result is None:
            continue
        script = franklin_script(rel, cell)
        folder, _, name = script.rpartition("/")
        name = name.removesuffix(".jl")
        files[script] = SCRIPT_HEADER + cell.code.strip()
        if cell.mode:
            continue
        printed = result.stdout + (f"{result.error}\n" if result.status == "error" and result.error else "")
        files[f"{folder}/output/{name}.out"] = printed
        files[f"{folder}/output/{name}.res"] = "nothing" if result.value is None else result.value
    return files


def output_folder(rel: str) -> str:
    """Where a page's cell files are published: `assets/pages/a/output` for `pages/a.md`."""
    return f"assets/{rel.rsplit('.', 1)[0]}/output"


def requests_for(cells: list[Cell], cache: CellCache, rel: str, franklin: bool) -> list[CellRequest]:
    """The page's cells as requests, each with its `@OUTPUT`: on a Franklin page Franklin's (the
    `output/` folder beside the cell's script, among the files published at their own path),
    else a folder of its own in the page's cache folder."""
    def output_dir(cell: Cell) -> Path:
        if franklin:
            return cache.published_folder(rel) / franklin_script(rel, cell).rpartition("/")[0] / "output"
        return cache.page_folder(rel) / cell.name
    return [CellRequest(code=request_code(cell), line=cell.line, output_dir=output_dir(cell)) for cell in cells]


def request_code(cell: Cell) -> str:
    """The code Julia runs for a cell: a REPL-mode cell runs as a session (julia/repl.jl)."""
    if not cell.mode:
        return cell.code
    return (f"Main.PysiteBridge.repl_session(@__MODULE__, {julia_literal(cell.mode)}, {julia_literal(cell.code)}, "
            f"@__FILE__, {cell.line});")


def not_evaluated(cells: list[Cell]) -> dict[str, CellResult]:
    return {cell.name: CellResult(status="not-evaluated") for cell in cells}


# Rendering --------------------------------------------------------------------------------

def render_cell(cell: Cell, result: CellResult | None, showall: bool = False) -> str:
    """The fence of a cell: its shown code, and below it for ```!``` (for every cell with
    `@def showall = true`) what `\\show` shows; for a REPL-mode fence, its session."""
    if cell.mode:
        return render_session(cell, result)
    shown = cell.shown_code
    code = highlight(shown, "julia") if shown.strip() else ""
    if cell.inline or showall:
        return code + render_output(result, "show", code=cell.code)
    return code


def render_session(cell: Cell, result: CellResult | None) -> str:
    """A REPL-mode fence as Franklin shows it: the session; help mode's documentation as HTML."""
    if result is None or result.status != "ok":
        return highlight(cell.code, "julia") + render_output(result, "output")
    if cell.mode == "help":
        prompt = highlight(f"help?> {cell.code.strip()}\n", "julia-repl")
        return f'{prompt}<div class="julia-help">\n{result.stdout}</div>\n'
    return highlight(result.stdout, "julia-repl")


def render_output(result: CellResult | None, kind: str, markdown=None, code: str = "") -> str:
    """What Franklin's commands show of a cell: `\\output` (kind "output") what it printed,
    `\\show` ("show") that and its value (`code` tells when its last line is a `@show`, whose
    value Franklin leaves out), `\\textoutput` ("text") what it printed, read as Markdown.
    Displays, errors and time-outs follow."""
    if result is None:
        return ""
    parts = []
    if result.status == "not-evaluated":
        why = result.error or "This cell was not evaluated: no Julia was found."
        return f'<div class="cell-not-evaluated">{html.escape(why)}</div>\n'
    shows_value = kind == "show" and result.status == "ok" and not ends_in_show(code)
    if kind == "text" and markdown is not None:
        parts.append(markdown(result.stdout))
    else:
        text = result.stdout
        if shows_value and result.value is not None and result.rich is None:
            text = f"{text}{'' if not text or text.endswith(chr(10)) else chr(10)}{result.value}"
        if text:
            parts.append(f'<pre class="cell-output"><code class="plaintext code-output">{html.escape(text)}</code></pre>\n')
    for mime, data in result.displays + ([result.rich] if result.rich and shows_value else []):
        parts.append(rich_html(mime, data))
    if result.status in ("error", "crashed"):
        body = result.error or ("error" if result.status == "error" else "Julia crashed while running this cell.")
        if result.backtrace:
            body = f"{body}\n{result.backtrace}"
        parts.append(f'<div class="cell-error"><pre><code>{html.escape(body)}</code></pre></div>\n')
    elif result.status == "timeout":
        parts.append(f'<div class="cell-timeout">{html.escape(result.error or "This cell timed out.")}</div>\n')
    return "".join(parts)


def ends_in_show(code: str) -> bool:
    """Whether the code's last statement is a `@show` (Franklin then shows no value)."""
    lines = [line.strip() for line in code.splitlines() if line.strip() and not line.strip().startswith("#")]
    return bool(lines) and lines[-1].startswith("@show")


def rich_html(mime: str, data: bytes) -> str:
    if mime == "image/svg+xml":
        svg = data.decode("utf-8", "replace")
        svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)
        return f'<figure class="cell-figure">{svg}</figure>\n'
    if mime == "image/png":
        encoded = base64.b64encode(data).decode("ascii")
        return f'<figure class="cell-figure"><img src="data:image/png;base64,{encoded}" alt="figure"></figure>\n'
    if mime == "text/html":
        return data.decode("utf-8", "replace") + "\n"
    return f'<pre class="cell-output"><code>{html.escape(data.decode("utf-8", "replace"))}</code></pre>\n'
