"""The public Python API: a Julia worker you own, and pysite's Markdown rendered to HTML.

    from pysite.api import Julia, render_markdown

    with Julia() as julia:                                  # julia=, PYSITE_JULIA, PATH
        results = julia.evaluate(["x = 1 + 1", "x * 3"])    # one fresh module, in order
        page = render_markdown("```!\\nprintln(1)\\n```", julia=julia)
        page.html, page.diagnostics                          # diagnostics as data

Both go through the same evaluation policy as `pysite build` (cell cache, timeouts,
restarts), and a `Julia` may be shared between threads: it runs one page at a time.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from pysite.bridge import CellResult
from pysite.cells import Cell, not_evaluated
from pysite.config import FRANKLIN, SiteConfig
from pysite.discover import SourceFile, page_output
from pysite.errors import Diagnostic
from pysite.evaluate import Evaluator, evaluate_variables
from pysite.options import EvaluationOptions
from pysite.page import Page, ReadContext, read_page

__all__ = ["CellResult", "Diagnostic", "Julia", "Rendered", "render_markdown"]


class Julia:
    """A Julia worker and its cell cache, started on first use and ended by `close()`.

    `julia` is the executable (else `PYSITE_JULIA`, then `julia` on PATH); `root` is the
    folder whose `.pysite/cells/` caches results and whose Project.toml cells see;
    `timeout` is seconds per cell; `cache=False` runs every cell again each time."""

    def __init__(self, julia: str | None = None, *, root: str | Path = ".", timeout: float | None = None,
                 cache: bool = True):
        self.root = Path(root).resolve()
        options = EvaluationOptions(julia=julia, timeout=timeout, reeval=not cache)
        self._evaluator = Evaluator(self.root, options)
        self._lock = threading.RLock()

    @property
    def available(self) -> bool:
        """Whether a Julia was found; without one, cells come back "not-evaluated"."""
        return self._evaluator.install is not None

    @property
    def version(self) -> str | None:
        return self._evaluator.version

    def evaluate(self, cells: Sequence[str], path: str = "page.md", lines: Sequence[int] | None = None
                 ) -> list[CellResult]:
        """Run `cells` in order in one fresh module and return their results, one per cell.

        `path` names the page in errors and in the cache; `lines` are the cells' first lines
        in it (by default the cells are numbered as if written one after the other)."""
        page = virtual_page(self.root, path)
        if lines is None:
            lines = [1 + sum(code.count("\n") + 1 for code in cells[:index]) for index in range(len(cells))]
        found = [Cell(f"cell{index}", code, line, inline=True)
                 for index, (code, line) in enumerate(zip(cells, lines), 1)]
        with self._lock:
            results = self._evaluator.results_for(page, found)
        return [results[cell.name] for cell in found]

    def context(self, config: SiteConfig) -> ReadContext:
        """How a page read for `config` gets its cells evaluated: through this worker, one page at a time."""
        evaluator, lock = self._evaluator, self._lock

        def locked(function):
            def call(*args):
                with lock:
                    return function(*args)
            return call

        return ReadContext(config, locked(evaluator.results_for), locked(evaluator.evaluate_variables),
                           locked(evaluator.site_bridge))

    def close(self) -> None:
        with self._lock:
            self._evaluator.close()

    def __enter__(self) -> "Julia":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class Rendered:
    html: str                                      # the body, without any layout
    variables: dict = field(default_factory=dict)  # the page's variables (`@def`, front matter)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    root: Path | None = None                       # the folder paths in messages are relative to

    @property
    def messages(self) -> list[str]:
        """Each diagnostic as `path:line: message`, its path relative to `root`."""
        return [diagnostic.render(self.root) for diagnostic in self.diagnostics]

    @property
    def failed(self) -> bool:
        return any(diagnostic.severity == "error" for diagnostic in self.diagnostics)


def render_markdown(text: str, *, julia: Julia | None = None, path: str = "page.md",
                    root: str | Path | None = None) -> Rendered:
    """`text` (pysite's Markdown with the Franklin dialect) as HTML; its cells run through `julia`.

    Without `julia`, cells are shown with their code and not evaluated. Relative paths in
    the text (`\\input`, `\\fig`) are read from `root` (`julia.root`, else the working folder)."""
    folder = Path(root).resolve() if root is not None else (julia.root if julia else Path.cwd().resolve())
    config = SiteConfig(root=folder, flavour=FRANKLIN)
    context = julia.context(config) if julia is not None else without_julia(config)
    data = text.encode("utf-8")
    page = read_page(virtual_page(folder, path).source, context, data, hashlib.sha256(data).hexdigest())
    return Rendered(page.content, page.variables, page.diagnostics, folder)


def without_julia(config: SiteConfig) -> ReadContext:
    """Cells shown with their code only; a Julia-expression variable is an error at its line."""
    def no_julia(variables, path):
        return evaluate_variables(variables, path, None, "pass julia=Julia() to render_markdown")

    return ReadContext(config, lambda page, cells: not_evaluated(cells), no_julia, lambda: None)


def virtual_page(root: Path, path: str) -> Page:
    rel = Path(path).as_posix().lstrip("/")
    return Page(SourceFile(root / rel, rel, "page", page_output(rel)))
