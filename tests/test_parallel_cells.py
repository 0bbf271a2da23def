"""Cells of different pages in parallel (`-j`), with the real Julia: one worker per build
process, each page's cells all in one of them and in order, outputs never mixed between
pages, errors at their page's line; kept between builds, each process keeps its own worker.

Each page's first cell waits until two workers have started a page (a rendezvous in a folder),
so the tests know both ran pages, whatever the machine's load."""

from __future__ import annotations

import re

import pytest

from conftest import run_pysite, write_tree
from test_julia_kept import kept_env, starts  # noqa: F401 - the fixture

pytestmark = pytest.mark.julia

PAGE = """# Page {n}

```julia:a
x = {n}
println("a ", getpid())
mkpath("{seen}"); touch(joinpath("{seen}", string(getpid())))
t = time(); while length(readdir("{seen}")) < 2 && time() - t < 60; sleep(0.05); end
```
\\output{{a}}

```julia:b
{b}
```
\\output{{b}}
"""
PAGES = 6


def cell_site(root, seen, failing: int | None = None):
    pages = {f"pages/p{n}.md": PAGE.format(n=n, seen=seen, b='error("boom {n}")'.format(n=n) if n == failing
                                            else 'println("page {n}: x is ", x, " in ", getpid())'.format(n=n))
             for n in range(PAGES)}
    return write_tree(root, {"config.md": "", "index.md": "# Home\n", **pages})


def pids(site) -> dict[int, tuple[str, str]]:
    """Page number -> (pid of its first cell, what its second printed)."""
    found = {}
    for n in range(PAGES):
        html = (site / f"__site/pages/p{n}/index.html").read_text()
        first = re.search(r"\ba (\d+)", html).group(1)
        second = re.search(r"page (\d+): x is (\d+) in (\d+)", html)
        found[n] = (first, second.groups() if second else None)
    return found


def test_pages_run_side_by_side_each_in_one_worker_in_order(tmp_path):
    site = cell_site(tmp_path / "site", tmp_path / "seen")
    result = run_pysite("build", site, "-j2")
    assert result.returncode == 0, result.stderr
    workers = set()
    for n, (first, (page, x, second)) in pids(site).items():
        assert (page, x) == (str(n), str(n))  # its own output, its own variable
        assert first == second                # both cells in one worker, the second after the first
        workers.add(first)
    assert len(workers) == 2, workers


def test_a_cell_error_is_at_its_page_and_line_when_pages_run_side_by_side(tmp_path):
    site = cell_site(tmp_path / "site", tmp_path / "seen", failing=3)
    result = run_pysite("build", site, "-j2", "--strict")
    assert result.returncode == 1
    line = PAGE.splitlines().index("{b}") + 1
    assert re.search(rf"pages/p3\.md:{line}: cell `b` threw an error: boom 3", result.stderr), result.stderr
    assert "boom" not in result.stderr.replace("boom 3", "")  # no other page's error, no other page's name
    assert "boom 3" in (site / "__site/pages/p3/index.html").read_text()
    for n in (0, 1, 2, 4, 5):
        assert f"page {n}: x is {n}" in (site / f"__site/pages/p{n}/index.html").read_text()


def test_each_build_process_keeps_its_own_worker_for_the_next_build(tmp_path, kept_env):
    env, log, _ = kept_env
    site = cell_site(tmp_path / "site", tmp_path / "seen")
    assert run_pysite("build", site, "-j2", env=env).returncode == 0
    first = {cell for cell, _ in pids(site).values()}
    started = starts(log)
    (tmp_path / "seen").rename(tmp_path / "seen-before")  # the next build meets again
    result = run_pysite("build", site, "-j2", "--reeval", env=env)
    assert result.returncode == 0, result.stderr
    assert {cell for cell, _ in pids(site).values()} == first and len(first) == 2
    assert starts(log) == started  # no new Julia
    assert "stopped 2 Julia workers" in run_pysite("julia", "stop", env=env).stdout
