"""Julia cells through the whole build, with the real Julia: outputs in pages, errors,
time limits, and the cell cache (a rebuild with no cell changed starts no Julia)."""

from __future__ import annotations

import os
import re
import shutil
from html import unescape

import pytest

from conftest import run_pysite, without_julia, write_tree
from julia_fixtures import logging_julia

pytestmark = pytest.mark.julia

PAGE = """\
@def title = "Cells"

```julia:first
x = 40 + 2
println("printed ", x)
x
```

Some text between.

\\show{first}

```!
y = x + 1 # hide
[1 2; 3 4]
```

```julia
never_run()
```

```julia:quiet
z = 1;
```
\\show{quiet}

```julia:broken
function f()
    error("this cell fails")
end
f()
```
\\output{broken}

```julia:md
println("**bold** from Julia")
```
\\textoutput{md}

```julia:figure
struct Dot end
Base.show(io::IO, ::MIME"image/svg+xml", ::Dot) = print(io, "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><circle cx='5' cy='5' r='4'/></svg>")
Dot()
```
\\show{figure}

```julia:files
write(joinpath(@OUTPUT, "data.txt"), "from a cell")
```
"""


@pytest.fixture
def logged_julia(tmp_path, julia_install):
    """A julia that notes every start in a log, to see when a build starts Julia."""
    wrapper, log = logging_julia(tmp_path, julia_install)
    env = {**os.environ, "PYSITE_JULIA": str(wrapper), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return env, log


def starts(log) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_cells_in_a_page(tmp_path, logged_julia):
    env, log = logged_julia
    site = write_tree(tmp_path / "site", {"config.md": "", "pages/cells.md": PAGE})
    result = run_pysite("build", site, env=env, cwd=site)
    assert result.returncode == 0, result.stderr
    assert re.search(r"pages/cells.md:\d+: cell `broken` threw an error: this cell fails \(warning\)", result.stderr)
    html = (site / "__site/pages/cells/index.html").read_text()
    text = unescape(html)
    assert "printed 42\n42</code></pre>" in text                # \show: what it printed, then its value
    assert text.index("Some text between.") < text.index("printed 42")
    assert "y = x + 1" not in text                      # hidden line
    assert "2×2 Array{Int64,2}:\n 1  2\n 3  4" in text or "2×2 Matrix{Int64}:\n 1  2\n 3  4" in text
    assert "never_run" in text and text.count("never_run") == 1
    assert 'class="cell-error"' in html and "this cell fails" in text
    assert re.search(r"f\(\) at .*cells\.md:\d+", text), "backtrace names the page"
    assert "<strong>bold</strong> from Julia" in html
    assert '<figure class="cell-figure"><svg' in html
    published = site / "__site/assets/pages/cells/code/output/data.txt"   # Franklin's @OUTPUT: beside files.jl
    assert published.read_text() == "from a cell"
    assert result.returncode == 0
    # --strict turns the cell error into a failure
    assert run_pysite("build", site, "--strict", "--clean", env=env, cwd=site).returncode == 1


def test_cache_starts_no_julia(tmp_path, logged_julia):
    env, log = logged_julia
    page = "# Cached\n\n```!\nprintln(\"run \", 1 + 1)\n```\n"
    site = write_tree(tmp_path / "site", {"index.md": page, "config.md": "@def title = \"Cells\"\n"})  # Franklin: `@def` counts
    assert run_pysite("build", site, env=env).returncode == 0
    first = starts(log)
    assert first >= 1
    # text changed, cells unchanged: the page is rendered again from the cache
    (site / "index.md").write_text(page.replace("# Cached", "# Cached, edited"))
    assert run_pysite("build", site, env=env).returncode == 0
    assert starts(log) == first
    assert "Cached, edited" in (site / "__site/index.html").read_text()
    # a changed cell runs again
    (site / "index.md").write_text(page.replace("1 + 1", "2 + 2"))
    assert run_pysite("build", site, env=env).returncode == 0
    assert starts(log) > first
    assert "run 4" in (site / "__site/index.html").read_text()
    # --reeval forces it
    count = starts(log)
    assert run_pysite("build", site, "--reeval", env=env).returncode == 0
    assert starts(log) > count
    # and so does `reeval = true`, whenever the page is built again, its cells unchanged
    (site / "index.md").write_text("@def reeval = true\n" + page.replace("1 + 1", "2 + 2"))
    assert run_pysite("build", site, env=env).returncode == 0
    count = starts(log)
    (site / "index.md").write_text("@def reeval = true\n" + page.replace("1 + 1", "2 + 2") + "\nMore text.\n")
    assert run_pysite("build", site, env=env).returncode == 0
    assert starts(log) > count
    assert "More text." in (site / "__site/index.html").read_text()


def test_committed_cache_builds_without_julia(tmp_path, logged_julia):
    env, log = logged_julia
    site = write_tree(tmp_path / "site", {"index.md": "```!\nprintln(\"computed once\")\n```\n"})
    assert run_pysite("build", site, env=env).returncode == 0
    clone = tmp_path / "clone"
    shutil.copytree(site, clone, ignore=shutil.ignore_patterns("__site", "cache"))
    result = run_pysite("build", clone, env=without_julia(env))
    assert result.returncode == 0, result.stderr
    assert "no Julia was found" not in result.stderr
    assert "computed once" in (clone / "__site/index.html").read_text()


def test_timeout_from_page_variable_and_flag(tmp_path, logged_julia):
    env, _ = logged_julia
    site = write_tree(tmp_path / "site", {
        "config.md": "",   # a Franklin site, whose pages set variables with `@def`
        "slow.md": "@def cell_timeout = 1\n\n```!\nwhile true; global s = string(rand()); end\n```\n\n```!\nprintln(\"after\")\n```\n",
        "other.md": "```!\nprintln(\"other page works\")\n```\n",
    })
    result = run_pysite("build", site, env=env)
    assert result.returncode == 0, result.stderr
    assert re.search(r"slow.md:4: cell `cell1` timed out: the cell did not finish within 1 s", result.stderr)
    slow = (site / "__site/slow/index.html").read_text()
    assert 'class="cell-timeout"' in slow
    assert "other page works" in (site / "__site/other/index.html").read_text()
    fast = write_tree(tmp_path / "fast", {"index.md": "```!\nsleep(30)\n```\n"})
    result = run_pysite("build", fast, "--timeout", "1", env=env)
    assert "timed out: the cell did not finish within 1 s" in result.stderr


def test_julia_expression_in_a_variable(tmp_path, logged_julia):
    env, _ = logged_julia
    site = write_tree(tmp_path / "site", {
        "config.md": "",
        "_layout/default.html": "{{ page.numbers }}|{{ page.total }}",
        "index.md": "@def numbers = collect(1:3)\n@def total = sum([1, 2, 3]) * 2\n",
    })
    result = run_pysite("build", site, env=env)
    assert result.returncode == 0, result.stderr
    assert (site / "__site/index.html").read_text() == "[1, 2, 3]|12"
    broken = write_tree(tmp_path / "broken", {"config.md": "",
                                              "index.md": "# Home\n\n@def total = undefined_thing + 1\n"})
    result = run_pysite("build", broken, env=env, cwd=broken)
    assert result.returncode == 1
    assert "index.md:3:" in result.stderr and "undefined_thing" in result.stderr


def test_site_project_is_activated(tmp_path, logged_julia):
    env, _ = logged_julia
    site = write_tree(tmp_path / "site", {
        "Project.toml": 'name = "MySite"\n',
        "index.md": "```!\nprintln(basename(dirname(Base.active_project())))\n```\n",
    })
    result = run_pysite("build", site, env=env)
    assert result.returncode == 0, result.stderr
    assert "site\n</code>" in (site / "__site/index.html").read_text()


def test_a_timeout_is_not_a_result(tmp_path, logged_julia):
    env, _ = logged_julia
    site = write_tree(tmp_path / "site", {"index.md": "# Slow\n\n```!\nsleep(3); println(\"slept well\")\n```\n"})
    result = run_pysite("build", site, "--timeout", "1", env=env, cwd=site)
    assert "index.md:4: cell `cell1` timed out" in result.stderr, result.stderr
    assert 'class="cell-timeout"' in (site / "__site/index.html").read_text()
    result = run_pysite("build", site, "--timeout", "20", env=env, cwd=site)
    assert result.returncode == 0 and "timed out" not in result.stderr, result.stderr
    page = (site / "__site/index.html").read_text()
    assert "slept well" in page and "cell-timeout" not in page


def test_files_cells_write_are_pruned_with_their_page(tmp_path, logged_julia):
    env, _ = logged_julia
    cell = '```julia:data\nwrite(joinpath(@OUTPUT, "numbers.txt"), "1 2 3")\n```\n'
    site = write_tree(tmp_path / "site", {"index.md": "# Home\n", "pages/a.md": "# A\n\n" + cell})
    assert run_pysite("build", site, env=env).returncode == 0
    written = [p for p in (site / "__site").rglob("numbers.txt")]
    assert len(written) == 1 and written[0].read_text() == "1 2 3"
    assert written[0].relative_to(site / "__site").as_posix().startswith("assets/pages/a/")
    (site / "pages/a.md").write_text("# A\n\nno cell any more\n")
    assert run_pysite("build", site, env=env).returncode == 0
    assert not list((site / "__site").rglob("numbers.txt"))
