"""One CLI, one truth: `serve` takes the build options that make sense for it, `--help`
summaries are whole, the docs' CLI page is written from the commands, and serve stops on
SIGTERM and on SIGINT even when started with SIGINT ignored."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys

import click
import pytest

from conftest import ROOT, run_pysite
from pysite.cli import main
from test_serve import SITE, Served


def every_command(context: click.Context):
    for name, command in context.command.commands.items():
        child = click.Context(command, info_name=name, parent=context)
        yield child
        if isinstance(command, click.Group):
            yield from every_command(child)


ROOT_CONTEXT = click.Context(main, info_name="pysite", **main.context_settings)
COMMANDS = list(every_command(ROOT_CONTEXT))


def test_serve_takes_the_build_options_that_make_sense_for_it():
    serve = {name for param in main.commands["serve"].params for name in param.opts}
    assert {"--quiet", "--verbose", "--strict", "--prepath", "--base-url", "--clean"} <= serve


@pytest.mark.parametrize("words", [[], ["julia"]])
def test_help_summaries_are_not_cut_off(words):
    result = run_pysite(*words, "--help")
    listed = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert listed and not [line for line in listed if line.rstrip().endswith("...")]


def test_the_docs_cli_page_is_written_from_the_commands(tmp_path):
    site = tmp_path / "docs"
    (site / "pages").mkdir(parents=True)
    for rel in ("config.md", "utils.py", "pages/cli.md", "_layout/page.html", "_css/docs.css"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, site / rel)
    result = run_pysite("build", site, "-q")
    assert result.returncode == 0, result.stderr
    html = (site / "__site/pages/cli/index.html").read_text()
    for context in COMMANDS:
        assert f'class="header-anchor">{context.command_path}</a>' in html, context.command_path
        for param in context.command.get_params(context):
            for opt in getattr(param, "opts", []) if isinstance(param, click.Option) else []:
                assert opt in html, (context.command_path, opt)


def test_serve_under_a_prepath_quietly_and_strictly(make_site):
    files = {**SITE, "pages/c.md": "---\ntitle: C\nlayout: page\n---\n{{nosuchcall}}\n"}
    server = Served(make_site(files), "--prepath", "project", "--quiet", "--strict", "--verbose")
    try:
        assert server.url.endswith("/project")
        status, headers, _ = server.get("/")
        assert status == 301 and headers["location"] == "/project/"
        assert "hello home" in server.text("/project/")
        assert "alpha text" in server.text("/project/pages/a/")
        status, headers, _ = server.get("/project/pages/a")
        assert status == 301 and headers["location"] == "/project/pages/a/"
        assert server.get("/pages/a/")[0] == 404
        assert any(line == "wrote pages/a/index.html" for line in server.lines)
        assert not any(line.startswith("building ") for line in server.lines)
    finally:
        assert server.stop() == 0


def test_serve_names_where_the_warnings_are_and_why_strict_fails(make_site):
    files = {**SITE, "pages/c.md": "---\ntitle: C\nlayout: page\n---\n{{nosuchcall}}\n"}
    server = Served(make_site(files), "--strict")
    try:
        (summary,) = [line for line in server.lines if line.startswith("initial build: ")]
        assert "1 warning in " in summary and "pages/c.md" in summary
        assert "(failed: --strict counts warnings as failures)" in summary
    finally:
        server.stop()


def test_editor_temporary_files_are_not_changes(make_site):
    server = Served(make_site(SITE))
    try:
        for name in ("pages/a.md~", "pages/.a.md.swp", "pages/4913", "pages/a.md___jb_tmp___"):
            (server.site / name).write_text("x")
        change = server.save("pages/b.md", "---\ntitle: Beta\nlayout: page\n---\n# Beta\n\nbeta two\n")
        assert change.group("reason") == "pages/b.md"
        assert not (server.site / "__site/pages/a.md~").exists()
    finally:
        server.stop()


@pytest.mark.parametrize("stop_with", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_even_when_started_with_sigint_ignored(make_site, stop_with):
    site = make_site(SITE)
    process = subprocess.Popen(
        [sys.executable, "-m", "pysite", "serve", str(site), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))  # as `pysite serve &` in a script
    try:
        for line in process.stdout:
            if "(Ctrl-C to stop)" in line:
                break
        process.send_signal(stop_with)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
