"""The MkDocs plugin: `plugins: [pysite]` evaluates a page's Julia cells and shows their output.

```julia:name``` fences run and show where the page says `\\output{name}`; ```!``` fences show
their output right below. Each page's cells share one fresh module, results are cached in
`.pysite/cells/` beside mkdocs.yml, and under `mkdocs serve` one worker stays warm across
rebuilds. A cell that throws is a warning, so `mkdocs build --strict` fails on it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin

from pysite import markdown
from pysite.api import Julia
from pysite.cells import find_cells, render_cell, render_output, request_code
from pysite.config import COMMONMARK
from pysite.highlight import stylesheet

log = logging.getLogger("mkdocs.plugins.pysite")

OUTPUT_CALL = re.compile(r"\\(output|show|textoutput)\{([^{}]*)\}")
CSS_NAME = "assets/pysite-cells.css"
CELL_CSS = """\
.pysite-cell pre { overflow-x: auto; }
.cell-output { opacity: .9; }
.cell-error, .cell-timeout, .cell-not-evaluated { border-left: 4px solid #c33; padding: .2em .8em; }
.cell-figure { text-align: center; }
.cell-figure img, .cell-figure svg { max-width: 100%; height: auto; }
"""


class PluginConfig(Config):
    julia = config_options.Optional(config_options.Type(str))   # the Julia executable
    timeout = config_options.Type((int, float), default=60)      # seconds per cell
    cache = config_options.Type(bool, default=True)             # reuse results of unchanged cells


class PysitePlugin(BasePlugin[PluginConfig]):
    # on_startup makes MkDocs keep this instance (and its warm worker) across `mkdocs serve` rebuilds.
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.julia: Julia | None = None

    def on_config(self, config):
        root = Path(config.config_file_path).resolve().parent
        if getattr(self, "julia", None) is None or self.julia.root != root:
            self.julia = Julia(self.config.julia, root=root, timeout=self.config.timeout, cache=self.config.cache)
        config.extra_css.append(CSS_NAME)
        return config

    def on_page_markdown(self, text: str, page, config, files) -> str:
        return evaluate_cells(text, page.file.src_uri, self.julia)

    def on_post_build(self, config) -> None:
        css = Path(config.site_dir) / CSS_NAME
        css.parent.mkdir(parents=True, exist_ok=True)
        css.write_text(CELL_CSS + stylesheet(), encoding="utf-8")

    def on_shutdown(self) -> None:
        if getattr(self, "julia", None) is not None:
            self.julia.close()


def evaluate_cells(text: str, path: str, julia: Julia) -> str:
    """The page's Markdown with each cell fence and `\\output{name}` replaced by HTML blocks."""
    tokens = markdown.parse(text, {"path": Path(path), "warnings": []}, COMMONMARK)  # MkDocs pages
    fences = [token for token in tokens if token.type == "fence"]
    cells = find_cells(fences)
    if not cells:
        return text
    results = dict(zip((cell.name for cell in cells), julia.evaluate([request_code(cell) for cell in cells], path, [cell.line for cell in cells])))
    for cell in cells:
        result = results[cell.name]
        if result.status not in ("ok", "not-evaluated"):
            first = (result.error or result.status).strip().splitlines()[0]
            log.warning(f"{path}:{cell.line}: cell `{cell.name}` {result.status}: {first}")
    lines = text.splitlines(keepends=True)
    for token in reversed(fences):  # from the end, so earlier line numbers stay right
        if "cell" in token.meta:
            cell = token.meta["cell"]
            start, end = token.map
            lines[start:end] = [block(render_cell(cell, results[cell.name]))]
    body = "".join(lines)

    def output(match: re.Match) -> str:
        name = match.group(2).strip().removeprefix("./")
        if name not in results:
            log.warning(f"{path}: \\{match.group(1)}{{{name}}}: no cell named {name!r} on this page")
            return match.group(0)
        kind = {"textoutput": "text", "show": "show"}.get(match.group(1), "output")
        return block(render_output(results[name], kind, code=next(c.code for c in cells if c.name == name)))

    return OUTPUT_CALL.sub(output, body)


def block(html: str) -> str:
    """HTML that Python-Markdown passes through as it is: one element, blank lines around it."""
    return f'\n<div class="pysite-cell" markdown="0">\n{html.strip()}\n</div>\n\n'
