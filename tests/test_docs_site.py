"""The documentation site builds with the real Julia and shows every capability live:
\\fig, \\input, \\tableinput, \\literate, utils.jl and utils.py, tags, pagination, feeds."""

from __future__ import annotations

import os
import re
import shutil

import feedparser
import pytest

from conftest import ROOT, run_pysite

pytestmark = pytest.mark.julia
NOT_THE_SITE = shutil.ignore_patterns(".git", ".venv", "tests", "benchmarks", "pysite", "julia", "__site",
                                      ".pysite", "*.egg-info", "dev", "pyproject.toml")
# pages/julia.md shows what a failing cell looks like, on purpose.
SHOWN_ON_PURPOSE = re.compile(r"^pages/julia\.md:\d+: cell `\w+` threw an error: .*\(warning\)$")


@pytest.fixture(scope="module")
def docs(tmp_path_factory, julia_install):
    site = tmp_path_factory.mktemp("docs") / "site"
    shutil.copytree(ROOT, site, ignore=NOT_THE_SITE)
    env = {**os.environ, "PYSITE_JULIA": str(julia_install.executable)}
    result = run_pysite("build", site, cwd=site, env=env)
    assert result.returncode == 0, result.stderr
    problems = [line for line in result.stderr.splitlines()[:-1] if not SHOWN_ON_PURPOSE.match(line)]
    assert problems == []
    return site / "__site"


def text(out, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def test_fig_shows_the_figure_a_cell_drew(docs):
    html = text(docs, "posts/2026-11-02-figures/index.html")
    (src,) = re.findall(r'<img src="([^"]+collatz\.svg)"', html)
    assert (docs / src.lstrip("/")).read_text().startswith("<svg")
    assert "the longest of them takes 21 steps" in html


def test_tableinput_shows_a_site_file_and_a_file_a_cell_wrote(docs):
    html = text(docs, "posts/2026-11-03-tables/index.html")
    # the documentation is a Franklin site: its tables are Julia's Markdown's
    assert '<th align="right">builder</th>' in html and '<td align="right">Franklin.jl</td>' in html
    assert '<th align="right">2ⁿ</th>' in html and '<td align="right">64</td>' in html


def test_literate_runs_the_script_as_cells(docs):
    html = text(docs, "posts/2026-11-04-literate/index.html")
    assert "A sieve of Eratosthenes" in html
    assert "[2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59]" in html
    assert "up to 10^5: 9592 primes" in html


def test_input_and_the_sites_julia_and_python_functions(docs, julia_install):
    html = text(docs, "posts/2026-11-05-input-and-utils/index.html")
    assert 'class="language-julia"' in html and "Grüß Gott" in html
    assert "Grüß Gott 9 letters" in html          # the same file, run by a cell
    assert "takes 111 steps to reach 1" in html     # {{collatz 27}}, by utils.jl
    assert re.search(r"ran Julia \d+\.\d+\.\d+", html)  # {{julia_version}}
    assert "<h2 id=\"pysite_serve\">" in text(docs, "pages/cli/index.html")  # \cli, by utils.py


def test_tags_pagination_and_feeds(docs):
    assert "Tag: julia" in text(docs, "tags/julia/index.html")
    first, second = text(docs, "posts/index.html"), text(docs, "posts/page/2/index.html")
    assert first.count('class="post-link"') == 2 and 'rel="next"' in first
    assert second.count('class="post-link"') == 2 and "Page 2 of 2" in second
    feed = feedparser.parse(text(docs, "feed.xml"))
    assert {entry.title for entry in feed.entries} >= {"Literate scripts: \\literate", "Tables from files: \\tableinput"}
    assert "Quick start" in text(docs, "index.html")  # in the navigation
