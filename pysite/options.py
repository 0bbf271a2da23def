"""The options of a build, as the command line and `serve` give them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class EvaluationOptions:
    julia: str | None = None         # --julia PATH
    transport: str = "worker"        # or "juliacall"
    timeout: float | None = None     # --timeout, seconds per cell
    output_limit: float | None = None  # --output-limit, MB of output per cell
    memory_limit: float | None = None  # --memory-limit, MB of address space per Julia worker
    keep_julia: float | None = None  # --keep-julia, seconds a worker waits for the next build (0: none)
    reeval: bool = False             # --reeval: run every cell again


@dataclass
class BuildOptions:
    site: Path
    out: Path | None = None
    clean: bool = False
    strict: bool = False
    drafts: bool = False
    jobs: int = os.cpu_count() or 1
    prepath: str | None = None       # --prepath: overrides config.md's `prepath`
    base_url: str | None = None      # --base-url: the site's URL (and prepath, from its path)
    live: bool = False               # `serve`: write in place, save the cache on close (see Builder)
    link_warnings: bool = True       # warn about links to nothing (`pysite check` reports them itself)
    evaluation: EvaluationOptions = field(default_factory=EvaluationOptions)

    @property
    def output(self) -> Path:
        return (self.out or self.site / "__site").resolve()

    def settings(self) -> str:
        """The options that change what is written (not how fast)."""
        evaluation = self.evaluation
        return (f"{self.drafts}\0{self.prepath}\0{self.base_url}\0{evaluation.julia}\0{evaluation.transport}"
                f"\0{evaluation.timeout}\0{evaluation.output_limit}\0{self.link_warnings}")
