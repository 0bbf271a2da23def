"""Evaluation policy: when a page's cells come from the cache, when they run, and on which Julia.

The Julia worker starts only when a page actually needs it, so a rebuild with no cell
changed starts no Julia at all. Cell errors are warnings (the page shows them);
`--strict` makes them fail the build.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any, Callable

from pysite import bridge as julia
from pysite.bridge import kept
from pysite.cells import Cell, CellCache, cells_key, franklin_files, not_evaluated, requests_for
from pysite.config import FRANKLIN
from pysite.errors import Diagnostic, JuliaError
from pysite.options import EvaluationOptions
from pysite.page import NeedsJulia, Page
from pysite.dialect.julia_utils import simple
from pysite.julia_literal import JuliaExpr, julia_literal

DEFAULT_TIMEOUT = 60.0
DEFAULT_OUTPUT_MB = 1.0
# Page variables that set a limit of the page's cells: (the option it overrides, unit).
LIMIT_VARIABLES = {"cell_timeout": ("timeout", "seconds"), "cell_output_limit": ("output_limit", "MB"),
                   "cell_memory_limit": ("memory_limit", "MB")}
TRANSIENT = ("timeout", "crashed", "not-evaluated")  # what a cell gave, but not what its code gives
FRANKLIN_API = re.compile(r"\b(?:locvar|globvar)\b")   # a cell reading its page's variables, as in Franklin


class Evaluator:
    def __init__(self, site: Path, options: EvaluationOptions):
        self.site = site
        self.options = options
        self.cache = CellCache.of_site(site)
        self.install = julia.find_julia(options.julia)
        self.version = julia.julia_version(self.install) if self.install else None
        manifest = site / "Manifest.toml"
        self.manifest_digest = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.exists() else ""
        self.julia_here = True   # False in a build process that must leave Julia to others (NeedsJulia)
        self.slot = 0            # which of the site's kept workers this process uses
        self.bridge: julia.Bridge | None = None

    def open(self) -> julia.Bridge | None:
        if self.bridge is None and self.install is not None:
            self.bridge = julia.open_bridge(self.install, self.options.transport, project=julia.site_project(self.site),
                                            root=self.site, keep=keep_julia(self.options), slot=self.slot)
        return self.bridge

    def forked(self, julia_here: bool, slot: int = 0) -> None:
        """In a forked build process: the parent's bridge is not this process's to use (nor to close);
        with `julia_here`, this process opens its own in `slot` when a page needs one."""
        self.bridge, self.julia_here, self.slot = None, julia_here, slot

    def close(self) -> None:
        if self.bridge is not None:
            self.bridge.close()
            self.bridge = None

    def results_for(self, page: Page, cells: list[Cell]) -> dict[str, julia.CellResult]:
        rel = page.source.rel
        key = cells_key(rel, cells, self.manifest_digest)
        limits = self.limits(page)  # checked even when the cache answers
        results = None
        if not (self.options.reeval or page.variables.get("reeval")):
            results = self.cache.load(rel, key, self.version)
        if results is None or not durable(results):  # caches of older versions may hold timeouts
            results = self.run(page, cells, key, limits)
        report_cell_problems(page, cells, results)
        return results

    def run(self, page: Page, cells: list[Cell], key: str, limits: julia.Limits) -> dict[str, julia.CellResult]:
        if self.install is None:
            self.report_missing_julia(page)
            return not_evaluated(cells)
        if not self.julia_here:
            raise NeedsJulia
        self.cache.prepare(page.source.rel)
        franklin = page.flavour == FRANKLIN
        requests = requests_for(cells, self.cache, page.source.rel, franklin)
        if franklin and any(FRANKLIN_API.search(cell.code) for cell in cells):
            send_cell_variables(self.open(), page)
        answers = self.open().run_page(page.source.rel, requests, limits)
        results = {cell.name: result for cell, result in zip(cells, answers)}
        if not durable(results):
            page.unevaluated = True  # a timeout or a crash is not a result: run again next build
        else:
            self.cache.store(page.source.rel, key, self.version, results)
            if page.flavour == FRANKLIN:
                self.cache.write_files(page.source.rel, franklin_files(page.source.rel, cells, results))
        return results

    def site_bridge(self) -> julia.Bridge | None:
        """The bridge for the site's utils.jl functions; None without Julia."""
        if self.install is None:
            return None
        if not self.julia_here:
            raise NeedsJulia
        return self.open()

    def evaluate_variables(self, variables: dict[str, Any], path: Path) -> list[Diagnostic]:
        """`evaluate_variables` through this evaluator's Julia."""
        if not any(isinstance(value, JuliaExpr) for value in variables.values()):
            return []
        if not self.julia_here and self.install is not None:
            raise NeedsJulia
        timeout = self.options.timeout or DEFAULT_TIMEOUT
        evaluate = (lambda code, line: self.open().eval_value(code, str(path), line, timeout)) if self.install else None
        return evaluate_variables(variables, path, evaluate, julia.INSTALL_HINT)

    def limits(self, page: Page) -> julia.Limits:
        """The limits of a page's cells: its page variables, else the flags, else the defaults. A
        variable that is not a positive number is an error at its line (the default applies)."""
        values = {"timeout": self.options.timeout or DEFAULT_TIMEOUT,
                  "output_limit": self.options.output_limit or DEFAULT_OUTPUT_MB,
                  "memory_limit": self.options.memory_limit}
        for name, (option, unit) in LIMIT_VARIABLES.items():
            value = page.variables.get(name)
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                values[option] = float(value)
            else:
                page.diagnostics.append(Diagnostic(
                    f"`{name}` must be a positive number of {unit}, not {value!r}", page.source.path,
                    page.lines.get(name), hint=f"for example `@def {name} = 10`"))
        memory = values["memory_limit"]
        return julia.Limits(timeout=values["timeout"], output=int(values["output_limit"] * 2**20),
                            memory=int(memory * 2**20) if memory else None)

    def report_missing_julia(self, page: Page) -> None:
        page.unevaluated = True
        page.diagnostics.append(Diagnostic(
            "pages with Julia cells are shown with their code but not evaluated: no Julia was found",
            page.source.path, page.cells[0].line if page.cells else None, "warning", hint=julia.INSTALL_HINT))


def send_cell_variables(bridge: julia.Bridge, page: Page) -> None:
    """Give the page's cells Franklin's `locvar` and `globvar` of this page (julia/franklin.jl):
    its variables, and as the site's those the page does not set itself."""
    site = {name: value for name, value in page.variables.items() if name not in page.lines}
    code = (f"Main.PysiteBridge.Franklin.CELL_VARIABLES[] = ({julia_literal(simple(page.variables))}, "
            f"{julia_literal(simple(site))}); nothing")
    try:
        bridge.eval_value(code, str(page.source.path), page.cells[0].line if page.cells else 1)
    except JuliaError:  # a value Julia cannot take: the cells see no variables, and say so when they ask
        pass


def durable(results: dict[str, julia.CellResult]) -> bool:
    """Whether these are what the cells' code gives, so worth keeping: not a timeout, a crash, no Julia."""
    return not any(result.status in TRANSIENT for result in results.values())


def report_cell_problems(page: Page, cells: list[Cell], results: dict[str, julia.CellResult]) -> None:
    for cell in cells:
        result = results.get(cell.name)
        if result is None or result.status in ("ok", "not-evaluated"):
            continue
        lines = (result.error or "").strip().splitlines()
        message = lines[0] if lines else result.status
        page.diagnostics.append(Diagnostic(f"cell `{cell.name}` {describe(result.status)}: {message}",
                                           page.source.path, result.line or cell.line, "warning"))


def evaluate_variables(variables: dict[str, Any], path: Path, evaluate: Callable[[str, int], Any] | None,
                       no_julia_hint: str) -> list[Diagnostic]:
    """Replace each variable that is a Julia expression by its value, `evaluate(code, line)` (Julia
    in the build's environment). One that cannot be evaluated (no Julia, or Julia threw) becomes
    `nothing` and an error naming it, so no expression reaches a page."""
    problems = []
    for name, value in variables.items():
        if not isinstance(value, JuliaExpr):
            continue
        variables[name] = None
        shown = f"`{name} = {one_line(value.code)}`"
        if evaluate is None:
            problems.append(Diagnostic(f"{shown} is a Julia expression and no Julia was found to evaluate it",
                                       path, value.line, hint=no_julia_hint))
            continue
        try:
            variables[name] = evaluate(value.code, value.line)
        except JuliaError as error:
            message = error.message.strip().splitlines()[0] if error.message.strip() else "error"
            problems.append(Diagnostic(f"{shown} failed in Julia: {message}", path, value.line,
                                       hint="the value of a variable is Julia code, run when the site is built"))
    return problems


def keep_julia(options: EvaluationOptions) -> float:
    """Seconds the worker waits for the next build: the flag, else PYSITE_KEEP_JULIA, else the default."""
    if options.keep_julia is not None:
        return options.keep_julia
    try:
        return float(os.environ.get("PYSITE_KEEP_JULIA", kept.DEFAULT_IDLE))
    except ValueError:
        return kept.DEFAULT_IDLE


def one_line(code: str, width: int = 60) -> str:
    """A Julia expression, shortened to one line for a message."""
    text = " ".join(code.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def describe(status: str) -> str:
    return {"error": "threw an error", "timeout": "timed out", "crashed": "crashed Julia"}.get(status, status)
