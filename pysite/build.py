"""The build, top to bottom: config, discovery, read and evaluate every page, render, write, swap.

Phase 1 reads every page (front matter, dialect, Markdown, cells) so that phase 2's
layouts see the whole site. Both phases use every core for large sites. The pages whose
cells must run are read last, on one process per core, each with its own Julia worker
(a page's cells all run, in order, in one of them). A content-hash cache skips pages whose
inputs did not change, and a rebuild where no file changed does nothing at all.
"""

from __future__ import annotations

import functools
import hashlib
import os
import signal
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pysite
from pysite.errors import Diagnostic, PysiteError, counted, unexpected
from pysite.options import BuildOptions
from pysite.state import BuildState, StateStore, code_digest, file_stat, output_signature, signature, stale, stat_pair

if TYPE_CHECKING:
    from pysite.check import Parsed
    from pysite.config import SiteConfig
    from pysite.discover import SourceFile
    from pysite.evaluate import Evaluator
    from pysite.output import Output
    from pysite.layout import Layouts
    from pysite.page import Page, ReadContext
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
    links: dict[str, Parsed] = field(default_factory=dict)  # output path written -> ids and links of its body
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

class Builder:
    def __init__(self, options: BuildOptions, progress: Progress | None = None):
        self.options = options
        self.site = options.site.resolve()
        self.out = options.output
        self.progress = progress
        self.store = StateStore(self.site)
        self.state: BuildState | None = BuildState() if options.clean else None  # loaded when needed
        self.evaluator: Evaluator | None = None
        # What `close` saves: the last build's signature (None live: the next build looks at every
        # file again) and the problems it reported.
        self.unsaved: tuple[tuple | None, list[Diagnostic]] | None = None
        self.generator_key = ""  # a Jekyll or Hexo site's inputs (GeneratorSite.inputs_digest)
        # Kept from one build to the next (by `serve`): what did not change is not made again.
        self.layouts: tuple[str, Layouts] | None = None
        self.view_cache: dict[str, tuple] = {}
        self.packed: dict[str, tuple[bytes, bytes]] = {}  # the pages this build read, as the state's rows
        # Set by `serve` once its HTTP and watcher threads run: from then on no process is forked from
        # this one, which could inherit a lock one of them held, and hang.
        self.threads = False
        self.made: tuple | None = None  # this build's generated files: (key, {output rel: key}, diagnostics)
        # `serve`: the paths changed since the last finished build (None: unknown, look at every file),
        # and the last discovery with the paths its files have (symbolic links left out: their
        # targets change under other names).
        self.pending: set[str] | None = None
        self.found: tuple[list[SourceFile], list[Diagnostic], set[str]] | None = None

    def close(self) -> None:
        self.save()
        if self.evaluator is not None:
            self.evaluator.close()

    def save(self) -> None:
        """Save what the last build knew: when the builder closes (or before its next build), not at
        the end of `build`, so that a command has reported its build by then, and in a kept build
        process has ended already (pysite.resident). The store's lock, taken as `build` ends, makes
        any next build wait for it."""
        if self.unsaved is not None:
            self.store.save(self.state, *self.unsaved)
            self.unsaved = None

    def build(self, changed: set[str] | None = None) -> BuildReport:
        """Build what changed; `changed`: the paths `serve`'s watcher saw change since the last build."""
        if not self.options.live:
            self.save()
        start = time.perf_counter()
        report = BuildReport()
        # Live builds (`serve`) are told what changed by the watcher and save only on close.
        live_again = self.options.live and self.state is not None
        self.pending = self.pending | changed if live_again and changed is not None and self.pending is not None else None
        hint = None if self.pending is None else set(self.pending)  # pages not in it are not even looked at
        current = "" if live_again else signature(self.site, self.out, self.options.settings())
        if self.state is None and not self.options.evaluation.reeval and self.out.is_dir():
            last, diagnostics = self.store.last_build()
            if last is not None and last[0] == current and last[2] == output_signature(
                    (rel, file_stat(self.out / rel)) for rel in last[1]):
                report.unchanged = True
                report.diagnostics = diagnostics
                return finish(report, start)
        if self.state is None:  # live, it is all read now: the stored state is forgotten below
            self.state = self.store.load(lazy=not self.options.live)
        from pysite.config import read_config
        from pysite.check import link_warnings
        from pysite.discover import strays
        from pysite.evaluate import Evaluator
        from pysite.output import Output, refuse_unsafe

        try:
            refuse_unsafe(self.site, self.out, self.written_before)
            if self.evaluator is None:
                self.evaluator = Evaluator(self.site, self.options.evaluation)
            config = read_config(self.site, self.evaluator.evaluate_variables)
            report.diagnostics.extend(config.diagnostics)
            config.deploy_at(self.options.base_url, self.options.prepath)
            sources, problems = self.discover(config, hint)
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
        report.diagnostics.extend(problems)
        pages = [s for s in sources if s.kind == "page"]
        report.pages = len(pages)
        if config.generator is not None:
            report.diagnostics.extend(config.generator.notices)
        self.generator_key = config.generator.inputs_digest() if config.generator is not None else ""
        report.diagnostics.extend(Diagnostic("a link to a file outside the site: not published", s.path,
                                             severity="warning") for s in sources if s.kind == "outside")
        read = self.read_pages(config, pages, None if hint is None else {
            s.rel for s in pages if str(s.path) not in hint and str(s.path) in self.found[2]})
        report.diagnostics.extend(once(d for page in read for d in page.diagnostics))
        published = [p for p in read if self.options.drafts or not p.is_draft]

        if self.options.live and self.unsaved is None:
            self.store.forget()  # writing in place from here: a killed serve must leave no state that lies
        try:
            output = Output(self.out, in_place=self.options.live)
        except PysiteError as error:
            report.diagnostics.append(Diagnostic.from_error(error))
            return finish(report, start)
        try:
            outputs = self.write(config, published, [s for s in sources if s.kind == "file"], output, report)
            output.commit(outputs, len(report.changed))
        except PysiteError as error:  # the output folder cannot be written: the previous one stays
            output.abort()
            report.diagnostics.append(Diagnostic.from_error(error))
            return finish(report, start)
        except BaseException:
            output.abort()
            raise
        if self.options.link_warnings:
            sources = {page.source.out: page.source.path for page in published}
            written = {out: (sources[out], links) for out, links in report.links.items()}
            report.diagnostics.extend(link_warnings(self.site, self.out, config, written, set(outputs)))
        listed = {p.source.rel: self.view_cache[p.source.rel][::2] for p in published if p.source.rel in self.view_cache}
        self.state = BuildState(self.read_key(), {p.source.rel: p for p in read}, self.record(outputs, report.changed),
                                str(self.out), listed, self.made, packed=self.packed)
        if self.options.live:
            self.unsaved = (None, [])
            self.pending = set()
        else:
            written = sorted(self.state.outputs)
            stats = output_signature((rel, self.state.outputs[rel][1]) for rel in written)
            self.unsaved = ((current, written, stats), report.diagnostics)
            self.store.hold()
        return finish(report, start)

    def written_before(self) -> set[str]:
        """The files the last build wrote into this output folder."""
        state = self.store.load()
        return set(state.outputs) if state.out == str(self.out) else set()

    # Phase 1 ----------------------------------------------------------------------------

    def read_key(self) -> str:
        """What every page's reading depends on besides its own text."""
        digest = hashlib.sha256(code_digest().encode())
        for name in SITE_INPUTS:
            path = self.site / name
            if path.is_file():
                digest.update(name.encode() + b"\0" + path.read_bytes())
        digest.update(self.generator_key.encode())  # a Jekyll or Hexo site's Liquid inputs
        return digest.hexdigest()

    def discover(self, config: SiteConfig, changed: set[str] | None) -> tuple[list[SourceFile], list[Diagnostic]]:
        """The site's files: the last build's when every changed path is one of theirs and still a file
        (an edit, not a new, deleted or renamed file)."""
        from pysite.discover import discover

        if changed is not None and self.found is not None and all(
                path in self.found[2] and os.path.isfile(path) for path in changed):
            return self.found[0], self.found[1]
        sources, problems = discover(self.site, self.out, config.ignore, config.generator)
        if self.options.live:  # what the next build's hint is checked against (a stat a file: not for one build)
            self.found = (sources, problems, {str(s.path) for s in sources if not os.path.islink(s.path)})
        return sources, problems

    def read_pages(self, config: SiteConfig, sources: list[SourceFile], unchanged: set[str] | None = None
                   ) -> list[Page]:
        """Every page as read, reading again only what changed (`unchanged`: the pages known to be as
        they were, not looked at)."""
        from pysite.page import Page, ReadContext, defined_variables, inputs_changed, read_source, source_stat, touched, unpacked

        def readable(source: SourceFile) -> tuple[bytes | None, str]:
            try:
                return read_source(source)
            except OSError:  # reading the page again reports why, as that page's error
                return None, ""

        read_key = self.read_key()
        reuse = read_key == self.state.read_key and not self.options.evaluation.reeval
        known, todo = [], []
        for source in sources:
            old = self.state.pages.get(source.rel)
            if not (reuse and old is not None and old.source == source and not old.unevaluated
                    and not inputs_changed(old)):
                # read where it is read: on every core, not here and sent to it
                todo.append((source, None, "", old.blocks if old is not None else None))
            elif (unchanged is not None and source.rel in unchanged) or old.stat == source_stat(source):
                known.append(old)  # not even read: same size and modification time
            else:
                data, digest = readable(source)
                if old.digest == digest:
                    touched(old, config)   # fd_mtime follows the file's date
                    known.append(old)
                else:
                    todo.append((source, data, digest, old.blocks))
        ctx = ReadContext(config, self.evaluator.results_for, self.evaluator.evaluate_variables,
                          self.evaluator.site_bridge, functools.cache(lambda: defined_variables(config, sources)))
        # Pages that need Julia are put off (NeedsJulia), to run side by side, when there are cores for it.
        self.evaluator.julia_here = not self.julia_in_parallel()

        def opened(rows: tuple[bytes, bytes] | None) -> tuple[tuple[bytes, bytes], Page] | None:
            return None if rows is None else (rows, unpacked(rows))   # as it comes, while the others are read

        try:
            fresh = self.map(read_in_worker, ctx, todo, "reading", each=opened)
        finally:
            self.evaluator.julia_here = True
        needs = [index for index, found in enumerate(fresh) if found is None]
        for index, found in zip(needs, self.map(read_in_worker, ctx, [todo[i] for i in needs], "evaluating",
                                                each=opened)):
            fresh[index] = found
        self.packed = {page.source.rel: rows for rows, page in fresh}
        return sorted(known + [page for _, page in fresh], key=lambda page: page.source.rel)

    def julia_in_parallel(self) -> bool:
        """Whether pages that run cells are read on several processes, each with its own Julia worker."""
        return self.options.jobs > 1 and not self.options.live and self.options.evaluation.transport == "worker"

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
        for rel, (key, listed) in self.state.listed.items():  # what the last build's views listed
            self.view_cache.setdefault(rel, (key, None, listed))
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
            if self.kept(page.source.out, key, output):
                continue
            todo.append(page)
        view.site_bridge = self.evaluator.site_bridge   # utils.jl calls at render time
        if any(view.uses_pages(page) for page in todo):
            view.list_pages()  # here, once, not in each worker
        # Forked workers already hold the pages: they are sent only their positions.
        job = RenderJob(view, todo, output, self.options.link_warnings)
        sources = {page.source.out: page.source for page in todo}
        layout_failures: list[tuple[str, Diagnostic]] = []
        # Tag pages, feeds...: made here while the workers render the pages (self.made).
        for out, diagnostics, links in self.map(render_in_worker, job, range(len(todo)), "writing", meanwhile=lambda:
                                                self.generate(view, layout_key, {s.out for s in files}, output, report)):
            if links is not None:
                report.links[out] = links
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
            key = copy_key(source.path)
            outputs[source.out] = key
            if not self.kept(source.out, key, output):
                output.copy(source.path, source.out)
                report.changed.add(source.out)
        outputs.update(self.made[1])
        report.diagnostics.extend(self.made[2])
        for page in pages:  # files the page's cells wrote into @OUTPUT, and its utils.jl functions
            made = page.cells or page.ran_utils
            for rel, source in self.evaluator.cache.published_files(page.source.rel) if made else ():
                key = copy_key(source)
                outputs[rel] = key
                if not self.kept(rel, key, output):
                    output.copy(source, rel)
                    report.changed.add(rel)
        report.removed = self.state.outputs.keys() - outputs.keys()
        for rel in report.removed:
            output.remove(rel)
        return outputs

    def kept(self, rel: str, key: str, output: Output) -> bool:
        """Whether the output made from `key` is right as it is, and is carried over (in place, where
        it is already: `stale` has just seen it there)."""
        # A string path: pathlib's joining, once per output, was a tenth of a `serve` rebuild.
        try:
            current = os.stat(os.path.join(self.out, rel))
        except OSError:
            current = None
        return not stale(self.state.outputs.get(rel), key, stat_pair(current)) and (
            output.in_place or output.keep(rel, current))

    def record(self, outputs: dict[str, str], changed: set[str]) -> dict[str, tuple[str, tuple[int, int]]]:
        """Each output's key with the file as it is now on disk (after the swap). An output kept
        with the same key is the file `kept` has just looked at: its stat is not taken again
        (a stat per output was a fifth of a `serve` rebuild on 1,000 pages)."""
        old = self.state.outputs
        return {rel: (key, old[rel][1] if key and rel not in changed and rel in old and old[rel][0] == key
                      else file_stat(self.out / rel)) for rel, key in outputs.items()}

    def generate(self, view: SiteView, layout_key: str, copied: set[str], output: Output, report: BuildReport) -> None:
        """Tag pages, feeds, sitemap...: made again only when a page or a layout changed what they show
        (or one of them is not on disk as it was made). What was made goes to `self.made`: (key,
        {output: digest}, diagnostics)."""
        from pysite.site import generated_key, generated_outputs

        key = f"{generated_key(view, copied)}\0{layout_key}"
        made = self.state.made
        if made is None or made[0] != key or not all(self.kept(rel, digest, output)
                                                     for rel, digest in made[1].items()):
            diagnostics: list[Diagnostic] = []
            files = generated_outputs(view, copied, diagnostics)
            made = (key, {rel: hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()
                          for rel, data in files.items()}, diagnostics)
            for rel, data in files.items():
                if not self.kept(rel, made[1][rel], output):
                    output.write(rel, data)
                    report.changed.add(rel)
        self.made = made

    def layout_key(self) -> str:
        digest = hashlib.sha256()
        for folder in (self.site / "_layout", Path(pysite.__file__).parent / "theme", self.site / "_layouts",
                       self.site / "_includes"):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
                if path.is_file():
                    digest.update(str(path).encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    # Both phases --------------------------------------------------------------------------

    def map(self, function: Callable, context, items, stage: str, each: Callable = lambda result: result,
            meanwhile: Callable[[], None] = lambda: None) -> list:
        """Run a stage, `function(context, item)`, over items, on every core when there are enough:
        `each(result)` of each, in this process as it comes, and `meanwhile()` here while the workers
        work (after them when there are none)."""
        total = len(items)
        # Layouts may call utils.jl, whose Julia lives in this process only.
        julia_layouts = stage == "writing" and (self.site / "utils.jl").is_file()
        # "evaluating": pages that run Julia cells, each a second or more; worth a process from two on.
        evaluating = stage == "evaluating" and self.julia_in_parallel()
        if not evaluating and (self.options.jobs <= 1 or total < PARALLEL_MIN_PAGES or julia_layouts
                               or self.threads) or total < 2:
            results = []
            for item in items:
                results.append(each(function(context, item)))
                self.report_progress(stage, len(results), total)
            meanwhile()
            return results
        results = []
        # Forked, the workers inherit the context as it is now: given to the initializer, never pickled.
        import multiprocessing  # here: most rebuilds run on one process

        forking = multiprocessing.get_context("fork")
        processes = min(self.options.jobs, total)
        slots = forking.Value("i", 0)  # each evaluating process keeps its own Julia worker between builds
        with forking.Pool(processes, initializer=enter_worker,
                          initargs=(self.evaluator, context, slots if evaluating else None)) as pool:
            chunk = 1 if evaluating else max(1, total // (self.options.jobs * 8))
            found = pool.imap(functools.partial(in_worker, function), items, chunksize=chunk)
            meanwhile()
            for result in found:
                results.append(each(result))
                self.report_progress(stage, len(results), total)
        return results

    def report_progress(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)


@dataclass
class RenderJob:
    view: SiteView
    pages: list[Page]   # the pages to render
    output: Output      # where their HTML is written
    links: bool         # read the ids and links of each page's body too (for the build's link warnings)


# In a worker process: the stage's context, as the pool's initializer was given it.
_worker_context = None


def enter_worker(evaluator: Evaluator, context, slots) -> None:
    """A forked worker: it runs Julia (its own worker, in the next free slot) only when given `slots`."""
    global _worker_context
    # Ctrl-C is the main process's to handle: it aborts the build and leaves the output as it was.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The pool ends its workers with SIGTERM, which `serve` turns into KeyboardInterrupt for itself.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if slots is None:
        evaluator.forked(julia_here=False)
    else:
        with slots.get_lock():
            evaluator.forked(julia_here=True, slot=slots.value)
            slots.value += 1
        try:
            evaluator.open()  # its Julia warms up now, beside the others, not when its first page comes
        except PysiteError:  # reading the page reports it
            pass
    _worker_context = context


def in_worker(function: Callable, item):
    return function(_worker_context, item)


def read_in_worker(ctx: ReadContext, item: tuple[SourceFile, bytes, str, dict | None]) -> tuple[bytes, bytes] | None:
    """A page read, as the state's rows (pysite.page.packed): None when it needs Julia here."""
    from pysite.page import NeedsJulia, packed, read_page

    source, data, digest, blocks = item
    try:
        return packed(read_page(source, ctx, data, digest, blocks))
    except NeedsJulia:
        return None


def render_in_worker(job: RenderJob, index: int) -> tuple[str, list[Diagnostic], Parsed | None]:
    from pysite.check import parse_text
    from pysite.output import output_path

    page, view = job.pages[index], job.view
    warnings: list[Diagnostic] = []   # from template calls answered at render time
    try:
        output_path(job.output.tmp, page.source.out)  # a path out of the output folder fails the page
        html = view.render(page, warnings)
    except PysiteError as error:
        return page.source.out, warnings + [Diagnostic.from_error(error.located(page.source.path))], None
    except Exception as error:  # noqa: BLE001 - one page that cannot be rendered never stops the others
        return page.source.out, warnings + [unexpected(error, page.source.path, "rendering")], None
    job.output.write(page.source.out, html)
    # Parsed here, on every core: in the main process this was ~7% of a cold build.
    return page.source.out, warnings, parse_text(view.published_body(page)) if job.links else None


def copy_key(path: Path) -> str:
    """The key of an output copied from `path` (a site file, or a file a cell wrote): its stat."""
    return ":".join(map(str, file_stat(path)))


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
