"""The command line: parses flags and calls one function per command."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import click

import pysite
from pysite import kept_process, resident
from pysite.errors import counted, shown_path


def echo_diagnostics(diagnostics) -> None:
    """Paths relative to the working folder when inside it, so editors can open them."""
    for diagnostic in diagnostics:
        click.echo(diagnostic.render(Path.cwd()), err=True)


POSITIVE = click.FloatRange(min=0, min_open=True)


def output_options(function):
    """The options of `build` that `serve` shares: one definition, so the two never drift apart."""
    options = [
        click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: SITE/__site)."),
        click.option("--clean", is_flag=True, help="Ignore the build cache and build every page again."),
        click.option("--strict", is_flag=True, help="Treat warnings (cell errors, missing Julia, bad math) as failures."),
        click.option("-q", "--quiet", is_flag=True, help="Print only problems."),
        click.option("-v", "--verbose", is_flag=True, help="Also list the files written."),
        click.option("-j", "--jobs", type=int, default=os.cpu_count() or 1, show_default="one per core", help="Processes used for large sites, and Julia workers for the pages whose cells run (one each)."),
        click.option("--prepath", metavar="PATH", help="Serve the site under this path (`project` for https://you.github.io/project/); overrides config.md."),
        click.option("--base-url", metavar="URL", help="The site's public URL, for feeds and the sitemap; its path is the prepath unless --prepath says otherwise."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def evaluation_options(function):
    options = [
        click.option("--julia", "julia", metavar="PATH", help="Julia executable (default: $PYSITE_JULIA, then julia on PATH, then the one `pysite julia install` provisioned, then juliapkg)."),
        click.option("--transport", type=click.Choice(["worker", "juliacall"]), default="worker", show_default=True,
                     help="How to reach Julia: a worker subprocess, or juliacall in this process (experimental, "
                          "needs Julia >= 1.10: no timeouts, memory limit, restarts or page isolation, and "
                          "`exit()` in a cell ends pysite)."),
        click.option("--timeout", type=POSITIVE, metavar="SECONDS", help="Time limit per Julia cell (default 60; page variable `cell_timeout`)."),
        click.option("--output-limit", type=POSITIVE, metavar="MB", help="Output kept per Julia cell, the rest cut with a note (default 1; page variable `cell_output_limit`)."),
        click.option("--memory-limit", type=POSITIVE, metavar="MB", help="Memory per Julia worker (default: half the machine's; page variable `cell_memory_limit`)."),
        click.option("--keep-julia", type=click.FloatRange(min=0), metavar="SECONDS",
                     help="How long the Julia worker waits for the next build, so its cells start at once "
                          "(default 300, or $PYSITE_KEEP_JULIA; 0: not at all; `pysite julia stop` ends it)."),
        click.option("--reeval", is_flag=True, help="Run every Julia cell again instead of using cached outputs."),
        click.option("--debug", is_flag=True, help="Show Python tracebacks for internal errors."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(pysite.__version__, prog_name="pysite")
def main() -> None:
    """pysite: build static sites from Markdown pages with Julia code cells evaluated at build time."""
    # A build makes millions of small objects that live to its end (YAML nodes, tokens, the
    # unpickled state): collecting every 700 allocations, Python's default, cost ~12% of a
    # cold build's CPU and half of loading the state. Still collected, 100 times less often.
    gc.set_threshold(70_000, 50, 100)


@main.command(short_help="Build the site into SITE/__site.")
@click.argument("site", default=".", type=click.Path(file_okay=False, path_type=Path))
@output_options
@click.option("--drafts", is_flag=True, help="Include pages with `draft: true` or a date in the future.")
@click.option("--keep-build", type=click.FloatRange(min=0), metavar="SECONDS",
              help="How long a build process, with everything a build needs loaded, waits for the next "
                   "build, so that it starts at once (default 300, or $PYSITE_KEEP_BUILD; 0: not at all; "
                   "`pysite julia stop` ends it).")
@evaluation_options
def build(site: Path, out: Path | None, clean: bool, strict: bool, quiet: bool, verbose: bool, jobs: int,
          prepath: str | None, base_url: str | None, julia: str | None, transport: str, timeout: float | None, output_limit: float | None,
          memory_limit: float | None, keep_julia: float | None, reeval: bool, drafts: bool, keep_build: float | None,
          debug: bool) -> None:
    """Build the site in SITE (default: the current folder) into SITE/__site.

    Exits with status 1 when a page failed (every other page is still built), or with
    --strict when there was any warning.
    """
    from pysite.build import Builder
    from pysite.options import BuildOptions, EvaluationOptions

    if not site.is_dir():
        raise click.UsageError(f"{site}: no such folder")
    options = BuildOptions(site=site, out=out, clean=clean, strict=strict, drafts=drafts, jobs=jobs,
                           prepath=prepath, base_url=base_url, evaluation=EvaluationOptions(julia=julia, transport=transport, timeout=timeout, reeval=reeval,
                                                        output_limit=output_limit, memory_limit=memory_limit,
                                                        keep_julia=keep_julia))
    builder = Builder(options, progress=None if quiet else progress_line())
    try:
        report = builder.build()
        clear_progress()
        echo_diagnostics(report.diagnostics)
        if verbose:
            for rel in sorted(report.changed):
                click.echo(f"wrote {rel}", err=True)
            if kept_process.kept_pid is not None:
                click.echo(f"built by the kept build process {kept_process.kept_pid} (with --keep-build 0, by the command itself)", err=True)
        if not quiet:
            click.echo(summary(report, options.output, strict), err=True)
        code = 1 if report.failed(strict) else 0
        kept_process.finished(code, builder.site)  # in a kept build process, the command ends here
    except KeyboardInterrupt:
        click.echo("\ninterrupted: the previous output is left as it was", err=True)
        sys.exit(130)
    except Exception as error:
        internal_error(error, debug)
    finally:
        builder.close()  # saves the state
    resident.start(resident.idle_time([]) if keep_build is None else keep_build)
    sys.exit(code)


def summary(report, out: Path, strict: bool) -> str:
    why = report.why_failed(strict)
    if report.unchanged:
        return f"nothing changed since the last build{why} -> {shown_path(out, Path.cwd())}"
    removed = f", {counted(len(report.removed), 'output')} removed" if report.removed else ""
    what = f"{counted(report.pages, 'page')} ({report.rendered} written{removed})"
    counts = f"{counted(len(report.errors), 'error')}, {counted(len(report.warnings), 'warning')}"
    return f"built {what} in {report.seconds:.2f} s, {counts}{why} -> {shown_path(out, Path.cwd())}"


def internal_error(error: BaseException, debug: bool) -> None:
    if debug:
        import traceback  # here: every command would pay for importing it

        traceback.print_exc()
    else:
        click.echo(f"internal error: {type(error).__name__}: {error} (run with --debug for the traceback)", err=True)
    sys.exit(2)


_progress_shown = False


def progress_line():
    """A one-line progress display on a terminal, for builds of many pages."""
    if not sys.stderr.isatty():
        return None

    def show(stage: str, done: int, total: int) -> None:
        global _progress_shown
        if total >= 50 and (done % 25 == 0 or done == total):
            _progress_shown = True
            click.echo(f"\r{stage} {done}/{total}", nl=False, err=True)
    return show


def clear_progress() -> None:
    if _progress_shown:
        click.echo("\r\033[K", nl=False, err=True)


@main.command(short_help="Create a new site from the default skeleton.")
@click.argument("directory", type=click.Path(path_type=Path))
def new(directory: Path) -> None:
    """Create a new site in DIRECTORY from the default skeleton."""
    from pysite.new import create_site

    try:
        create_site(directory)
    except FileExistsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"created {directory}: run `pysite serve {directory}` and open http://127.0.0.1:8000/")


@main.command(short_help="Build the site, then report broken links and #anchors.")
@click.argument("site", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: SITE/__site).")
@click.option("--no-build", is_flag=True, help="Check the output as it is instead of building first.")
@click.option("--external", is_flag=True, help="Also request every http(s) link (HEAD, then GET).")
@click.option("--timeout", type=float, default=5.0, show_default=True, metavar="SECONDS", help="Time limit per external request.")
@click.option("--prepath", metavar="PATH", help="As `build --prepath`.")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for internal errors.")
def check(site: Path, out: Path | None, no_build: bool, external: bool, timeout: float, prepath: str | None,
          debug: bool) -> None:
    """Build SITE and report broken internal links and missing #anchors as `path:line: message`.

    Exits with status 1 when anything is broken.
    """
    from pysite.check import CheckOptions, check_site

    if not site.is_dir():
        raise click.UsageError(f"{site}: no such folder")
    try:
        report = check_site(CheckOptions(site=site, out=out, build=not no_build, external=external,
                                         timeout=timeout, prepath=prepath))
    except Exception as error:
        internal_error(error, debug)
    echo_diagnostics(report.diagnostics)
    problems = len(report.errors)
    click.echo(f"checked {report.links} links on {report.pages} pages: "
               f"{counted(problems, 'problem') if problems else 'no problems'}", err=True)
    sys.exit(1 if report.failed else 0)


@main.command(short_help="Serve the site, rebuild on every save, reload the browser.")
@click.argument("site", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface; cells run code on this machine).")
@click.option("--port", type=int, default=8000, show_default=True, help="Port; when it is taken, the next free one (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in the web browser.")
@output_options
@evaluation_options
def serve(site: Path, host: str, port: int, open_browser: bool, out: Path | None, clean: bool, strict: bool,
          quiet: bool, verbose: bool, jobs: int, prepath: str | None, base_url: str | None, julia: str | None,
          transport: str, timeout: float | None, output_limit: float | None, memory_limit: float | None,
          keep_julia: float | None, reeval: bool, debug: bool) -> None:
    """Build SITE, serve it on http://HOST:PORT/, rebuild on every save and reload the browser.

    Drafts are always shown, and the site is served at the root unless --prepath is given;
    --reeval runs every cell again in the first build only.
    Pages that fail to build show their error in the browser.
    """
    from pysite.options import BuildOptions, EvaluationOptions
    from pysite.serve import ServeOptions, serve as run

    if not site.is_dir():
        raise click.UsageError(f"{site}: no such folder")
    options = BuildOptions(site=site, out=out, clean=clean, strict=strict, jobs=jobs, prepath=prepath,
                           base_url=base_url, evaluation=EvaluationOptions(
                               julia=julia, transport=transport, timeout=timeout, reeval=reeval,
                               output_limit=output_limit, memory_limit=memory_limit, keep_julia=keep_julia))
    try:
        run(ServeOptions(options, host=host, port=port, open_browser=open_browser, quiet=quiet, verbose=verbose))
    except OSError as error:
        raise click.ClickException(f"cannot serve on {host}:{port}: {error.strerror or error}") from None
    except Exception as error:
        internal_error(error, debug)


@main.group(invoke_without_command=True, short_help="Show the Julia cells run in, and what is missing.")
@click.option("--site", default=".", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="The site whose cells are meant (its Project.toml, if any, is the project they see).")
@click.option("--julia", "julia", metavar="PATH", help="As `build --julia`.")
@click.pass_context
def julia(context: click.Context, site: Path, julia: str | None) -> None:
    """Show the Julia that cells run in and why, its version, its project, and what is missing.

    Exits with status 1 when something is missing; `pysite julia install` provisions a Julia.
    """
    if context.invoked_subcommand is not None:
        return
    from pysite.bridge.report import julia_report

    report = julia_report(site, julia)
    for what, value in report.lines:
        click.echo(f"{what:<9} {value}")
    for problem in report.missing:
        click.echo(f"missing   {problem}", err=True)
    if not report.missing:
        click.echo("missing   nothing: pages with Julia cells are evaluated when the site builds")
    sys.exit(1 if report.missing else 0)


@julia.command("stop", short_help="End the Julia workers and the build process kept between builds.")
def julia_stop() -> None:
    """End the Julia workers that builds left waiting for the next build (see `build --keep-julia`),
    and the kept build process (`build --keep-build`)."""
    from pysite.bridge import kept

    workers, builds = kept.stop_all()
    click.echo(f"stopped {counted(workers, 'Julia worker')} and {counted(builds, 'kept build process', 'kept build processes')}")


@julia.command("install", short_help="Provision a Julia for cells (Debian's Julia 1.5.3).")
@click.option("--prefix", type=click.Path(file_okay=False, path_type=Path),
              help="Where to unpack Julia (default: $PYSITE_JULIA_PREFIX, else ~/.cache/pysite/julia-1.5.3).")
def julia_install(prefix: Path | None) -> None:
    """Provision a Julia for cells: Debian's Julia 1.5.3 unpacked into a private folder.

    Needs a Debian or Ubuntu machine (apt-get, dpkg) and changes nothing in the system
    except installing a few missing libraries as root. Does nothing when a working `julia`
    is on PATH or already installed. The last line printed is the julia executable.
    """
    from pysite.bridge.provision import default_prefix, provision
    from pysite.errors import PysiteError

    try:
        executable = provision(prefix or default_prefix())
    except PysiteError as error:
        raise click.ClickException(f"{error.message}; {error.hint}") from None
    if prefix is not None and prefix != default_prefix():
        click.echo(f"pysite looks only in the default prefix: set PYSITE_JULIA={executable}", err=True)
    click.echo(executable)
