"""The site as `serve` keeps it between saves: one Builder (so one Julia worker) across
rebuilds, the outputs whose page failed to build, and the gate that holds requests while
a rebuild writes the output folder.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from pysite.build import Builder, BuildReport
from pysite.errors import Diagnostic, counted, shown_path
from pysite.options import BuildOptions
from pysite.serve.reload import EVERYTHING, Reloads


class Gate:
    """Requests share the output folder; a rebuild has it alone, and requests arriving meanwhile wait."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.readers = 0
        self.building = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self.condition:
            self.condition.wait_for(lambda: not self.building)
            self.readers += 1
        try:
            yield
        finally:
            with self.condition:
                self.readers -= 1
                self.condition.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self.condition:
            self.building = True  # from here on, new requests wait for the rebuild
            self.condition.wait_for(lambda: self.readers == 0)
        try:
            yield
        finally:
            with self.condition:
                self.building = False
                self.condition.notify_all()


class LiveSite:
    def __init__(self, options: BuildOptions, echo: Callable[[str], None], quiet: bool = False,
                 verbose: bool = False):
        self.builder = Builder(options)
        self.site = self.builder.site
        self.out = options.output
        self.echo = echo
        self.strict, self.quiet, self.verbose = options.strict, quiet, verbose
        self.gate = Gate()
        self.reloads = Reloads()
        self.failed: dict[str, list[Diagnostic]] = {}   # output path -> why its page did not build
        self.site_errors: list[Diagnostic] = []          # a broken config.md: no page builds
        self.outputs: set[str] | None = None            # as of the last build, once known
        self.printed: set[str] = set()

    def close(self) -> None:
        self.reloads.close()
        self.builder.close()

    def problems(self, rel: str) -> list[Diagnostic]:
        """Why the page at this output path cannot be shown (empty when it can); call under the gate."""
        if self.site_errors and rel.endswith(".html"):
            return self.site_errors
        return self.failed.get(rel, [])

    def rebuild(self, reason: str = "", changed: set[str] | None = None, quiet_if_unchanged: bool = False
                ) -> BuildReport | None:
        """Build what changed (`changed`: the paths the watcher saw change), tell the terminal once
        (not at all, with `quiet_if_unchanged`, when nothing changed), and tell browsers what they
        show changed."""
        start = time.perf_counter()
        with self.gate.writing():
            try:
                report = self.builder.build(changed)
            except Exception as error:  # a bug of ours must not stop the server: show it, keep going
                report = None
                touched = self.absorb_crash(error)
            else:
                touched = self.absorb(report)
            # `--reeval` runs every cell once, in the first build; saves after it use the cache.
            self.builder.options.evaluation.reeval = False
        self.reloads.publish(touched)
        if not (quiet_if_unchanged and report is not None and not report.changed and not report.rendered):
            self.tell(report, reason, time.perf_counter() - start)
        return report

    def absorb(self, report: BuildReport) -> set[str]:
        if report.unchanged:
            return set()
        page_errors = {id(d) for diagnostics in report.broken.values() for d in diagnostics}
        site_errors = [d for d in report.errors if id(d) not in page_errors]
        touched = set(report.changed)
        if site_errors != self.site_errors:
            touched.add(EVERYTHING)
        self.site_errors = site_errors
        if site_errors:  # nothing was written: the pages keep their last state
            return touched
        for rel in self.failed.keys() | report.broken.keys():
            if self.failed.get(rel) != report.broken.get(rel):
                touched.add(rel)
        self.failed = dict(report.broken)
        outputs = set(self.builder.state.outputs)
        if self.outputs is not None:  # new pages, and deleted ones (their tabs show the 404 page)
            touched |= outputs ^ self.outputs
        self.outputs = outputs
        return touched

    def absorb_crash(self, error: Exception) -> set[str]:
        self.site_errors = [Diagnostic(f"internal error while building: {type(error).__name__}: {error}",
                                       hint="this is a bug in pysite; the last good output is served")]
        return {EVERYTHING}

    def tell(self, report: BuildReport | None, reason: str, seconds: float) -> None:
        """Print each problem once (not again on every rebuild while it lasts), then one summary line."""
        if report is not None and report.unchanged:
            return
        diagnostics = report.diagnostics if report is not None else self.site_errors
        texts = dict.fromkeys(d.render(Path.cwd()) for d in diagnostics)  # a broken layout fails many pages alike
        for text in texts:
            if text not in self.printed:
                self.echo(text)
        self.printed = set(texts)
        if report is None:
            return
        if self.verbose:
            for rel in sorted(report.changed):
                self.echo(f"wrote {rel}")
        if self.quiet:
            return
        counts = "".join(f", {counted(len(found), kind)} in {where(found)}"
                         for kind, found in (("error", report.errors), ("warning", report.warnings)) if found)
        what = f"{reason}: " if reason else ""
        self.echo(f"{what}{counted(report.rendered, 'page')} written, "
                  f"{counted(len(report.changed), 'output')} changed "
                  f"in {seconds * 1000:.0f} ms{counts}{report.why_failed(self.strict)}")


def where(diagnostics: list[Diagnostic]) -> str:
    """The files the diagnostics are in, as the summary line names them: `a.md, b.md and 3 more`."""
    files = sorted(dict.fromkeys(str(shown_path(d.path, Path.cwd())) if d.path else "the site" for d in diagnostics))
    return ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
