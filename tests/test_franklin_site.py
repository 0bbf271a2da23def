"""Whole Franklin sites built with the real CLI and Julia, compared with committed output trees,
and sites that must fail with an exact `path:line: message`.

Regenerate the expected tree after an intended change (then review the diff):

    .venv/bin/pysite julia install && PYSITE_REGENERATE=1 .venv/bin/pytest tests/test_franklin_site.py
"""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import SITES, run_pysite, write_tree

SITE = SITES / "franklin" / "site"
EXPECTED = SITES / "franklin" / "expected"
# Compared byte for byte: the pages (tag pages included) and the files the site publishes
# (not the theme's CSS).
COMPARED = (".html", ".jl", ".csv")


def tree(root):
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(root.rglob("*"))
            if path.is_file() and path.suffix in COMPARED}


@pytest.mark.julia
def test_franklin_site_builds_as_expected(tmp_path, julia_install):
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    env = {**os.environ, "PYSITE_JULIA": str(julia_install.executable)}
    result = run_pysite("build", site, env=env)
    assert result.returncode == 0, result.stderr
    assert "(warning)" not in result.stderr, result.stderr
    built = tree(site / "__site")
    if os.environ.get("PYSITE_REGENERATE"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        write_tree(EXPECTED, built)
    assert built == tree(EXPECTED)


FAILING = [
    ({"index.md": "# Hi\n\n@@box\nnever closed\n"}, "index.md:3: `@@box` is never closed"),
    ({"index.md": "a\n\n~~~\n<b>\n"}, "index.md:3: `~~~` is never closed"),
    ({"pages/a.md": "@def x = true\n\n{{if x}}\nyes\n"}, "pages/a.md:3: {{if x}} is never closed"),
    ({"index.md": "\\newcommand{\\pair}[2]{#1 #2}\n\n\\pair{a}\n"}, "index.md:3: \\pair needs 2 arguments in braces, found 1"),
    ({"config.md": "\\newcommand{\\bad}[x]{y}\n", "index.md": "hi\n"},
     "config.md:1: \\newcommand{\\bad}: [x] is not a number of arguments"),
    ({"index.md": "ok\n", "_layout/head.html": "<html>\n{{isdef title}}\n", "_layout/foot.html": "</html>\n"},
     "_layout/head.html:2: {{isdef title}} is never closed"),
]


@pytest.mark.parametrize("files,message", FAILING, ids=[m for _, m in FAILING])
def test_broken_sites_fail_with_the_line(tmp_path, files, message):
    site = write_tree(tmp_path / "site", {"config.md": "", **files})  # a config.md: a Franklin site
    result = run_pysite("build", site)
    assert result.returncode != 0
    assert f"{site}/{message}" in result.stderr or message in result.stderr, result.stderr
