"""The public Python API (pysite.api), through its public names only, with a real Julia."""

from __future__ import annotations

import threading

import pytest

from pysite.api import Julia, render_markdown

pytestmark = pytest.mark.julia


@pytest.fixture(scope="module")
def julia(tmp_path_factory, julia_install):
    with Julia(str(julia_install.executable), root=tmp_path_factory.mktemp("api"), cache=False) as worker:
        yield worker


def test_cells_share_one_fresh_module_in_order(julia):
    printed, value, quiet = julia.evaluate(['x = 2\nprintln("x is ", x)', "x * 21", "y = x;"])
    assert (printed.status, printed.stdout, printed.value) == ("ok", "x is 2\n", None)
    assert value.value == "42"
    assert quiet.value is None
    again = julia.evaluate(["@isdefined(x)"])   # the next page starts from a fresh module
    assert again[0].value == "false"


def test_error_has_message_line_and_trimmed_backtrace(julia):
    ok, failed = julia.evaluate(["a = 1", "b = 2\nerror(\"boom\")"], path="notes/page.md", lines=[10, 20])
    assert ok.status == "ok" and failed.status == "error"
    assert "boom" in failed.error
    assert "page.md:21" in failed.backtrace
    assert "PysiteBridge" not in failed.backtrace and "/julia/" not in failed.backtrace


def test_rich_values_and_files_written(julia, tmp_path):
    svg, = julia.evaluate(['struct Pic end\nBase.show(io::IO, ::MIME"image/svg+xml", ::Pic) = print(io, "<svg></svg>")\nPic()'])
    assert svg.rich == ("image/svg+xml", b"<svg></svg>")


def test_timeout_then_the_worker_restarts(julia_install, tmp_path):
    with Julia(str(julia_install.executable), root=tmp_path, timeout=2, cache=False) as worker:
        slow, after = worker.evaluate(["while true; sleep(0.01); end", "1 + 1"])
        assert slow.status == "timeout"
        assert after.status == "ok" and after.value == "2"  # in a fresh worker
        assert worker.evaluate(["1 + 1"])[0].value == "2"


def test_cache_reuses_results_of_unchanged_cells(julia_install, tmp_path):
    with Julia(str(julia_install.executable), root=tmp_path) as worker:
        first = worker.evaluate(["rand()"], path="p.md")[0].value
        assert worker.evaluate(["rand()"], path="p.md")[0].value == first
    assert (tmp_path / ".pysite" / "cells").is_dir()


def test_safe_from_several_threads(julia):
    results: dict[int, str] = {}

    def run(n: int) -> None:
        results[n] = julia.evaluate([f"v = {n}", "v * 2"], path=f"t{n}.md")[1].value

    threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: str(n * 2) for n in range(6)}


def test_render_markdown_with_cells_and_dialect(julia):
    text = ("@def title = \"Notes\"\n\\newcommand{\\R}{\\mathbb R}\n\n# Hello\n\n"
            "```julia:sq\nprintln(3^2)\n```\n\n\\output{sq}\n\n```!\n1 + 1\n```\n")
    page = render_markdown(text, julia=julia, path="notes.md")
    assert page.variables["title"] == "Notes"
    assert "<h1" in page.html and "Hello" in page.html
    assert "9" in page.html and "2" in page.html
    assert page.diagnostics == [] and not page.failed


def test_render_markdown_reports_diagnostics_as_data(julia):
    page = render_markdown("ok\n\n```!\nerror(\"bad\")\n```\n\n\\output{nope}\n", julia=julia, path="d.md")
    messages = page.messages
    assert any(message.startswith("d.md:4: cell") and "bad" in message for message in messages), messages
    assert any(message.startswith("d.md:7:") and "nope" in message for message in messages), messages


def test_render_markdown_without_julia_shows_code_only():
    page = render_markdown("```!\nprintln(\"hi\")\n```\n", path="x.md")
    assert "println" in page.html and "not evaluated" in page.html
