"""Julia code cells: found in fence tokens, evaluated through the bridge, cached on disk, rendered.

```julia:name``` runs and shows its output where the page says `\\output{name}`;
```!``` runs and shows its output right below; a plain ```julia``` is only highlighted.
Outputs are cached per page in `SITE/.pysite/cells/`, keyed by the page's cell code.
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

HIDE_LINE = re.compile(r"#\s*hide\s*$")
HIDE_ALL = re.compile(r"^\s*#\s*hideall\s*$", re.MULTILINE)
CACHE_FORMAT = 1


@dataclass
class Cell:
    name: str          # "ex/one" for ```julia:./ex/one```, "cell3" for the third ```!```
    code: str          # the code as written (it runs with its hidden lines)
    line: int          # 1-based line of the first code line in the page
    inline: bool       # ```!```: output right below the code

    @property
    def shown_code(self) -> str:
        if HIDE_ALL.search(self.code):
            return ""
        return "".join(line for line in self.code.splitlines(keepends=True) if not HIDE_LINE.search(line))


def cell_info(info: str) -> tuple[str | None, bool] | None:
    """(name, inline) for a fence info string that marks a cell, None for plain code."""
    info = info.strip()
    if info.startswith("!"):
        return None, True
    if info.startswith("julia:"):
        name = info[len("julia:"):].strip()
        name = name[2:] if name.startswith("./") else name
        return name.strip("/") or None, False
    return None


def find_cells(tokens) -> list[Cell]:
    cells = []
    for token in tokens:
        if token.type != "fence":
            continue
        marked = cell_info(token.info)
        if marked is None:
            continue
        name, inline = marked
        cell = Cell(name or f"cell{len(cells) + 1}", token.content, token.map[0] + 2, inline)
        token.meta["cell"] = cell
        cells.append(cell)
    return cells


def cells_key(rel: str, cells: list[Cell], manifest_digest: str) -> str:
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{rel}\0{manifest_digest}".encode())
    for cell in cells:
        digest.update(f"\0{cell.name}\0{cell.code}".encode())
    return digest.hexdigest()


class CellCache:
    """One entry per page: the key of its cells, the Julia version, the results, the @OUTPUT files.

    The folder holds only JSON and the files cells wrote, so it can be committed: a site
    whose outputs were computed once builds where no Julia is installed.
    """

    def __init__(self, folder: Path):
        self.folder = folder

    def page_folder(self, rel: str) -> Path:
        return self.folder / rel.rsplit(".", 1)[0]

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

    def prepare(self, rel: str) -> Path:
        """An empty folder for a page's fresh run (old @OUTPUT files go with the old results)."""
        folder = self.page_folder(rel)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def published_files(self, rel: str) -> list[tuple[str, Path]]:
        """Files cells of a page wrote into @OUTPUT, with where they are published."""
        folder = self.page_folder(rel)
        if not folder.is_dir():
            return []
        return [(f"{output_folder(rel)}/{path.relative_to(folder).as_posix()}", path)
                for path in sorted(folder.rglob("*")) if path.is_file() and path.name != "cells.json"]

    def store(self, rel: str, key: str, julia_version: str, results: dict[str, CellResult]) -> None:
        folder = self.page_folder(rel)
        folder.mkdir(parents=True, exist_ok=True)
        entry = {"key": key, "julia_version": julia_version,
                 "results": {name: result.to_json() for name, result in results.items()}}
        tmp = folder / "cells.json.tmp"
        tmp.write_text(json.dumps(entry, indent=1), encoding="utf-8")
        tmp.replace(folder / "cells.json")


def output_folder(rel: str) -> str:
    """Where a page's cell files are published: `assets/pages/a/output` for `pages/a.md`."""
    return f"assets/{rel.rsplit('.', 1)[0]}/output"


def requests_for(cells: list[Cell], folder: Path) -> list[CellRequest]:
    return [CellRequest(code=cell.code, line=cell.line, output_dir=folder / cell.name) for cell in cells]


def not_evaluated(cells: list[Cell]) -> dict[str, CellResult]:
    return {cell.name: CellResult(status="not-evaluated") for cell in cells}


# Rendering --------------------------------------------------------------------------------

def render_cell(cell: Cell, result: CellResult | None) -> str:
    """The fence of a cell: its shown code, and for ```!``` its output below."""
    shown = cell.shown_code
    code = highlight(shown, "julia") if shown.strip() else ""
    if cell.inline:
        return code + render_output(result, "output")
    return code


def render_output(result: CellResult | None, kind: str, markdown=None) -> str:
    """What `\\output`, `\\show` (kind "output") or `\\textoutput` (kind "text") shows."""
    if result is None:
        return ""
    parts = []
    if result.status == "not-evaluated":
        return '<div class="cell-not-evaluated">This cell was not evaluated: no Julia was found.</div>\n'
    if kind == "text" and markdown is not None:
        parts.append(markdown(result.stdout))
    else:
        text = result.stdout
        if result.status == "ok" and result.value is not None and result.rich is None:
            text = f"{text}{'' if not text or text.endswith(chr(10)) else chr(10)}{result.value}"
        if text:
            parts.append(f'<pre class="cell-output"><code>{html.escape(text)}</code></pre>\n')
    for mime, data in result.displays + ([result.rich] if result.rich else []):
        parts.append(rich_html(mime, data))
    if result.status in ("error", "crashed"):
        body = result.error or ("error" if result.status == "error" else "Julia crashed while running this cell.")
        if result.backtrace:
            body = f"{body}\n{result.backtrace}"
        parts.append(f'<div class="cell-error"><pre><code>{html.escape(body)}</code></pre></div>\n')
    elif result.status == "timeout":
        parts.append(f'<div class="cell-timeout">{html.escape(result.error or "This cell timed out.")}</div>\n')
    return "".join(parts)


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
