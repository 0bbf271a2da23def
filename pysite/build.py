"""The build, top to bottom: config, discovery, read and evaluate every page, render, write, swap.

Phase 1 reads every page (front matter, dialect, Markdown, cells) so that phase 2's
layouts see the whole site. Both phases use every core for large sites; Julia runs
only in the main process. A content-hash cache skips pages whose inputs did not change,
and a rebuild where no file changed does nothing at all.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import signal
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pysite
from pysite.errors import Diagnostic, PysiteError, counted
from pysite.options import BuildOptions
from pysite.state import CACHE_FORMAT, BuildState, StateStore, signature

if TYPE_CHECKING:
    from pysite.config import SiteConfig
    from pysite.discover import SourceFile
    from pysite.evaluate import Evaluator
    from pysite.output import Output
    from pysite.layout import Layouts
    from pysite.page import Page
    from pysite.site import SiteView

# The pipeline's modules (Markdown, Jinja2, YAML, the bridge) are imported inside the
# methods that use them: a rebuild where nothing changed must not pay for loading them.

PARALLEL_MIN_PAGES = 64
SITE_INPUTS = ("config.md", "utils.jl", "utils.py", "Manifest.toml", "Project.toml", "_config.yml")


@dataclass
class BuildReport:
    pages: int = 0
    rendered: int = 0
    seconds: float = 0.0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)   # output paths written anew
    removed: set[str] = field(default_factory=set)   # output paths whose source is gone
    broken: dict[str, list[Diagnostic]] = field(default_factory=dict)  # output path -> why its page failed
    unchanged: bool = False                           # nothing to do: no source changed

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def failed(self, strict: bool) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def why_failed(self, strict: bool) -> str:
        """What the summary lines of build and serve add when only --strict made this fail."""
        return " (failed: --strict counts warnings as failures)" if strict and self.warnings and not self.errors else ""


Progress = Callable[[str, int, int], None]

# The builder whose work forked processes share (set just before forking).
_ACTIVE: "Builder | None" = None


class Builder:
    def __init__(self, options: BuildOptions, progress: Progress | None = None):
        self.options = options
        self.site = options.site.resolve()
        self.out = options.output
        self.progress = progress
        self.store = StateStore(self.site)
        self.state: BuildState | None = BuildState() if options.clean else None  # loaded when needed
        self.evaluator: Evaluator | None = None
        self.unsaved = False
        self.generator_key = ""  # a Jekyll or Hexo site's inputs (GeneratorSite.inputs_digest)
        # Kept from one build to the next (by `serve`): what did not change is not made again.
        self.layouts: tuple[str, Layouts] | None = None
        self.view_cache: dict[str, tuple] = {}
        self.made: tuple | None = None

    def close(self) -> None:
        if self.unsaved:  # live: no signature, so the next build looks at every file again
            self.store.save(self.state, "", [])
            self.unsaved = False
        if self.evaluator is not None:
            self.evaluator.close()

    def build(self) -> BuildReport:
        start = time.perf_counter()
        report = BuildReport()
        # Live builds (`serve`) are told what changed by the watcher and save only on close.
        live_again = self.options.live and self.state is not None
        current = "" if live_again else signature(self.site, self.out, self.options.settings())
        if self.state is None and not self.options.evaluation.reeval and self.out.is_dir():
            last, diagnostics = self.store.last_build()
            if current == last:
                report.unchanged = True
                report.diagnostics = diagnostics
                return finish(report, start)
        if self.state is None:
            self.state = self.store.load()
        from pysite.config import read_config
        from pysite.check import link_warnings
        from pysite.discover import discover, strays
        from pysite.evaluate import Evaluator
        from pysite.output import Output

        try:
            if self.evaluator is None:
                self.evaluator = Evaluator(self.site, self.options.evaluation)
            config = read_config(self.site, self.evaluator.evaluate_variables)
            report.diagnostics.extend(config.diagnostics)
            config.deploy_at(self.options.base_url, self.options.prepath)
            sources = discover(self.site, self.out, config.ignore, config.generator)
        except PysiteError as error:
            report.diagnostics.append(Diagnostic.from_error(error))
            return finish(report, start)
        stray = strays(self.site, sources) if config.generator is None else []  # Jekyll, Hexo: sites
        if stray:
            report.diagnostics.append(Diagnostic(
                f"no config.md and no index.md: is this a site? Its pages are built, but its other "
                f"{counted(len(stray), 'file')} ({', '.join(s.rel for s in stray[:3])}{', ...' if len(stray) > 3 else ''}) "
                "are not published", self.site, severity="warning",
                hint="add a config.md (or an index.md) to publish them, or start a site with `pysite new DIR`"))
            sources = [s for s in sources if s not in stray]
        pages = [s for s in sources if s.kind == "page"]
        report.pages = len(pages)
        if config.generator is not None:
            report.diagnostics.extend(config.generator.notices)
        self.generator_key = config.generator.inputs_digest() if config.generator is not None else ""
        report.diagnostics.extend(Diagnostic("a link to a file outside the site: not published", s.path,
                                             severity="warning") for s in sources if s.kind == "outside")
        read = self.read_pages(config, pages)
        report.diagnostics.extend(once(d for page in read for d in page.diagnostics))
        published = [p for p in read if self.options.drafts or not p.is_draft]

        output = Output(self.out, in_place=self.options.live)
        try:
            outputs = self.write(config, published, [s for s in sources if s.kind == "file"], output, report)
            output.commit()
        except BaseException:
            output.abort()
            raise
        if self.options.link_warnings:
            written = sorted(rel for rel in report.changed if rel.endswith(".html"))
            sources = {page.source.out: page.source.path for page in published}
            report.diagnostics.extend(link_warnings(self.site, self.out, config, sources, written))
        self.state = BuildState(self.read_key(), {p.source.rel: p for p in read}, outputs)
        if self.options.live:
            self.unsaved = True
        else:
            self.store.save(self.state, current, report.diagnostics)
        return finish(report, start)

    # Phase 1 ----------------------------------------------------------------------------

    def read_key(self) -> str:
        """What every page's reading depends on besides its own text."""
        digest = hashlib.sha256(f"{CACHE_FORMAT}\0{pysite.__version__}".encode())
        for name in SITE_INPUTS:
            path = self.site / name
            if path.exists():
                digest.update(name.encode() + b"\0" + path.read_bytes())
        digest.update(self.generator_key.encode())  # a Jekyll or Hexo site's Liquid inputs
        return digest.hexdigest()

    def read_pages(self, config: SiteConfig, sources: list[SourceFile]) -> list[Page]:
        from pysite.page import (ReadContext, defined_variables, inputs_changed, read_page, read_source, source_stat,
                                 touched)

        read_key = self.read_key()
        reuse = read_key == self.state.read_key and not self.options.evaluation.reeval
        known, todo = [], []
        for source in sources:
            old = self.state.pages.get(source.rel)
            if not (reuse and old is not None and old.source == source and not old.unevaluated
                    and not inputs_changed(old)):
                todo.append((source, *read_source(source)))
            elif old.stat == source_stat(source):
                known.append(old)  # not even read: same size and modification time
            else:
                data, digest = read_source(source)
                if old.digest == digest:
                    touched(old, config)   # fd_mtime follows the file's date
                    known.append(old)
                else:
                    todo.append((source, data, digest))
        ctx = ReadContext(config, self.evaluator.results_for, self.evaluator.evaluate_variables,
                          self.evaluator.site_bridge, functools.cache(lambda: defined_variables(config, sources)))
        self.read_context = ctx
        fresh = self.map(read_in_worker, todo, "reading")
        for index, page in enumerate(fresh):
            if page is None:  # needed Julia: read again here, where the bridge lives
                source, data, digest = todo[index]
                fresh[index] = read_page(source, ctx, data, digest)
        return sorted(known + fresh, key=lambda page: page.source.rel)

    # Phase 2 ----------------------------------------------------------------------------

    def write(self, config: SiteConfig, pages: list[Page], files: list[SourceFile], output: Output,
              report: BuildReport) -> dict[str, str]:
        from pysite.layout import Layouts
        from pysite.site import SiteView

        # the site's variables and prepath reach every layout
        site_key = f"{self.read_key()}\0{config.prepath}\0{config.variables.get('url')}"
        layout_key = f"{self.layout_key()}\0{site_key}"
        if self.layouts is None or self.layouts[0] != layout_key:  # kept across `serve` rebuilds
            self.layouts = (layout_key, Layouts(self.site, config.prepath))
        view = SiteView(config, pages, self.layouts[1], self.view_cache)
        outputs: dict[str, str] = {}
        todo = []
        for page in pages:
            errors = [d for d in page.diagnostics if d.severity == "error"]
            try:
                uses_pages = view.uses_pages(page)
            except PysiteError as error:  # its layout is missing: not the page's own fault, so not cached with it
                errors.append(Diagnostic.from_error(error))
                report.diagnostics.append(errors[-1])
            if errors:
                output.keep(page.source.out)  # the last good version stays until the page is fixed
                outputs[page.source.out] = ""
                report.broken[page.source.out] = errors
                continue
            # Only the templates this page's layout is made of count (all of them when unknown).
            templates = view.templates_key(page) or layout_key
            key = page_output_key(page, f"{templates}\0{site_key}", view.digest if uses_pages else "")
            outputs[page.source.out] = key
            if self.state.outputs.get(page.source.out) == key and output.keep(page.source.out):
                continue
            todo.append(page)
        view.site_bridge = self.evaluator.site_bridge   # utils.jl calls at render time
        self.site_view, self.to_render, self.written_to = view, todo, output.tmp
        # Forked workers already hold the pages: they are sent only their positions.
        sources = {page.source.out: page.source for page in todo}
        layout_failures: list[tuple[str, Diagnostic]] = []
        for out, diagnostics in self.map(render_in_worker, range(len(todo)), "writing"):
            for diagnostic in diagnostics:
                if diagnostic.severity == "error" and diagnostic.path != sources[out].path:
                    layout_failures.append((sources[out].rel, diagnostic))
                else:
                    report.diagnostics.append(diagnostic)
            if not diagnostics or all(d.severity == "warning" for d in diagnostics):
                report.changed.add(out)
            else:  # keep the last good version, and render again next time
                output.keep(out)
                outputs[out] = ""
                report.broken[out] = [d for d in diagnostics if d.severity == "error"]
        report.diagnostics.extend(naming_pages(layout_failures))
        report.rendered = len(todo) - len({out for out in report.broken if out in sources})
        for source in files:
            stat = source.path.stat()
            key = f"{stat.st_mtime_ns}:{stat.st_size}"
            outputs[source.out] = key
            if not (self.state.outputs.get(source.out) == key and output.keep(source.out)):
                output.copy(source.path, source.out)
                report.changed.add(source.out)
        for rel, data in self.generated(view, layout_key, {s.out for s in files}, report).items():
            key = hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()
            outputs[rel] = key
            if not (self.state.outputs.get(rel) == key and output.keep(rel)):
                output.write(rel, data)
                report.changed.add(rel)
        for page in pages:
            if page.cells:
                for rel, source in self.evaluator.cache.published_files(page.source.rel):
                    output.copy(source, rel)
        report.removed = self.state.outputs.keys() - outputs.keys()
        for rel in report.removed:
            output.remove(rel)
        return outputs

    def generated(self, view: SiteView, layout_key: str, copied: set[str], report: BuildReport) -> dict:
        """Tag pages, feeds, sitemap...: made again only when a page or a layout changed what they show."""
        key = (view.digest, layout_key, frozenset(copied),
               tuple(page.fingerprint for page in view.read.values()) if view.site.get("rss_full_content") else ())
        if self.made is None or self.made[0] != key:
            from pysite.site import generated_outputs

            diagnostics: list[Diagnostic] = []
            self.made = (key, generated_outputs(view, copied, diagnostics), diagnostics)
        report.diagnostics.extend(self.made[2])
        return self.made[1]

    def layout_key(self) -> str:
        digest = hashlib.sha256()
        for folder in (self.site / "_layout", Path(pysite.__file__).parent / "theme", self.site / "_layouts",
                       self.site / "_includes"):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
                if path.is_file():
                    digest.update(str(path).encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    # Both phases --------------------------------------------------------------------------

    def map(self, function: Callable, items: list, stage: str) -> list:
        """Run a stage over items, on every core when there are enough of them."""
        global _ACTIVE
        total = len(items)
        # Layouts may call utils.jl, whose Julia lives in this process only.
        julia_layouts = stage == "writing" and (self.site / "utils.jl").is_file()
        if self.options.jobs <= 1 or total < PARALLEL_MIN_PAGES or julia_layouts:
            _ACTIVE = self
            results = []
            for item in items:
                results.append(function(item))
                self.report_progress(stage, len(results), total)
            return results
        _ACTIVE = self
        context = multiprocessing.get_context("fork")
        results = []
        with context.Pool(self.options.jobs, initializer=enter_worker) as pool:
            chunk = max(1, total // (self.options.jobs * 8))
            for result in pool.imap(function, items, chunksize=chunk):
                results.append(result)
                self.report_progress(stage, len(results), total)
        return results

    def report_progress(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)


def enter_worker() -> None:
    # Ctrl-C is the main process's to handle: it aborts the build and leaves the output as it was.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _ACTIVE.evaluator.in_main_process = False


def read_in_worker(item: tuple[SourceFile, bytes, str]) -> Page | None:
    from pysite.page import NeedsJulia, read_page

    source, data, digest = item
    try:
        return read_page(source, _ACTIVE.read_context, data, digest)
    except NeedsJulia:
        return None


def render_in_worker(index: int) -> tuple[str, list[Diagnostic]]:
    page, tmp, view = _ACTIVE.to_render[index], _ACTIVE.written_to, _ACTIVE.site_view
    warnings: list[Diagnostic] = []   # from template calls answered at render time
    try:
        html = view.render(page, warnings)
    except PysiteError as error:
        return page.source.out, warnings + [Diagnostic.from_error(error)]
    path = tmp / page.source.out
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return page.source.out, warnings


def page_output_key(page: Page, layout_key: str, site_digest: str) -> str:
    return hashlib.sha256(f"{page.fingerprint}\0{layout_key}\0{site_digest}".encode()).hexdigest()


def once(diagnostics) -> list[Diagnostic]:
    """A message that several pages share (no Julia found) is printed once, with a count."""
    kept: list[Diagnostic] = []
    first: dict[tuple[str, str], int] = {}
    others: dict[int, set] = {}
    for diagnostic in diagnostics:
        key = (diagnostic.message, diagnostic.severity)
        if key in first and diagnostic.path != kept[first[key]].path:
            others[first[key]].add(diagnostic.path)
            continue
        first.setdefault(key, len(kept))
        others.setdefault(len(kept), set())
        kept.append(diagnostic)
    for index, paths in others.items():
        if paths:
            more = len(paths)
            kept[index] = replace(kept[index], message=f"{kept[index].message} (and {counted(more, 'other page')})")
    return kept


def naming_pages(failures: list[tuple[str, Diagnostic]]) -> list[Diagnostic]:
    """A layout's error once, naming the pages it failed: `(rendering index.md and 2 other pages)`.
    The one kept is the first page's own diagnostic (serve tells page errors by identity)."""
    groups: dict[str, tuple[Diagnostic, list[str]]] = {}
    for rel, diagnostic in failures:
        groups.setdefault(repr(diagnostic), (diagnostic, []))[1].append(rel)
    for diagnostic, rels in groups.values():
        rels.sort()
        others = f" and {counted(len(rels) - 1, 'other page')}" if len(rels) > 1 else ""
        diagnostic.message = f"{diagnostic.message} (rendering {rels[0]}{others})"
    return [diagnostic for diagnostic, _ in groups.values()]


def finish(report: BuildReport, start: float) -> BuildReport:
    report.seconds = time.perf_counter() - start
    return report
