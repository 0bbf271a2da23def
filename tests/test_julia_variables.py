"""Page and site variables whose values are Julia expressions: evaluated by the real Julia,
in the build's environment, before anything reads them; never shown as Python objects."""

from __future__ import annotations

import os

import pytest

from conftest import run_pysite, without_julia, write_tree

pytestmark = pytest.mark.julia

CONFIG = """\
+++
website_title = "Expressions"
website_url = get(ENV, "SITE_URL_FOR_TEST", "https://example.org/" * "docs")
prepath = get(ENV, "PREPATH_FOR_TEST", "data-" * "parallelism")
+++
"""

SITE = {
    "config.md": CONFIG,
    "_layout/default.html": '<a href="{{ site.prepath }}/">{{ site.title }}</a> {{ site.url }}\n{{ content }}',
    "index.md": '@def answer = 6 * 7\n@def title = uppercase("home")\n\n{{fill answer}} {{fill title}}\n\n[About](/about/)\n',
    "about.md": "# About\n",
}


def env_with(**names) -> dict:
    return {**os.environ, **names}


def test_config_expressions_see_the_build_environment(tmp_path, julia_install):
    site = write_tree(tmp_path / "site", SITE)
    result = run_pysite("build", site, env=env_with(PREPATH_FOR_TEST="from-env"))
    assert result.returncode == 0, result.stderr
    html = (site / "__site/index.html").read_text()
    assert '<a href="/from-env/">Expressions</a> https://example.org/docs' in html
    assert "42 HOME" in html
    assert 'href="/from-env/about/"' in html
    assert "JuliaExpr" not in html


def test_config_expression_default(tmp_path, julia_install):
    site = write_tree(tmp_path / "site", SITE)
    env = {k: v for k, v in os.environ.items() if k not in ("PREPATH_FOR_TEST", "SITE_URL_FOR_TEST")}
    result = run_pysite("build", site, env=env)
    assert result.returncode == 0, result.stderr
    assert 'href="/data-parallelism/about/"' in (site / "__site/index.html").read_text()


def test_without_julia_each_expression_is_an_error_naming_it(tmp_path):
    site = write_tree(tmp_path / "site", SITE)
    result = run_pysite("build", site, cwd=site, env=without_julia())
    assert result.returncode == 1
    assert "config.md:4: `prepath = get(ENV, \"PREPATH_FOR_TEST\", \"data-\" * \"parallelism\")` is a Julia " \
           "expression and no Julia was found" in result.stderr
    assert "config.md:3: `website_url = " in result.stderr
    assert "index.md:1: `answer = 6 * 7` is a Julia expression" in result.stderr
    assert "Traceback" not in result.stderr
    about = site / "__site/about/index.html"   # a page without expressions is still built
    assert about.exists() and "JuliaExpr" not in about.read_text()


def test_an_expression_that_throws_names_its_variable(tmp_path, julia_install):
    site = write_tree(tmp_path / "site", {**SITE, "about.md": "# About\n\n@def broken = no_such_function(1)\n"})
    result = run_pysite("build", site, cwd=site)
    assert result.returncode == 1
    assert "about.md:3: `broken = no_such_function(1)` failed in Julia: UndefVarError" in result.stderr
    assert "42 HOME" in (site / "__site/index.html").read_text()
