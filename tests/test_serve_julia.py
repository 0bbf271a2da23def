"""`pysite serve` with the real Julia: one worker across rebuilds, cells run again only when
their code changed, cell failures shown and survived, no worker left after Ctrl-C."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from test_serve import SITE, Served, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.julia


@pytest.fixture(autouse=True)
def julia(julia_install):
    """Fails, never skips, without a Julia: ./dev test provisions one."""


def cell_page(code: str, prose: str = "prose", variables: str = "") -> str:
    return f"---\ntitle: Cell\n{variables}---\n# Cell\n\n{prose}\n\n```julia:ex\n{code}\n```\n\n\\output{{ex}}\n"


def output_of(server: Served, path: str) -> str:
    found = re.search(r'<pre class="cell-output"><code[^>]*>(.*?)</code>', server.text(path), re.DOTALL)
    return found.group(1) if found else ""


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def test_only_changed_cells_run_again(served):  # noqa: F811
    server = served({**SITE, "pages/c.md": cell_page("println(time_ns())"),
                     "pages/d.md": cell_page("println(time_ns())")})
    first_c, first_d = output_of(server, "/pages/c/"), output_of(server, "/pages/d/")
    assert first_c.strip().isdigit() and first_d.strip().isdigit()

    server.save("pages/c.md", cell_page("println(time_ns())", prose="other prose"))
    assert "other prose" in server.text("/pages/c/") and output_of(server, "/pages/c/") == first_c

    server.save("pages/c.md", cell_page("println(time_ns()) # changed", prose="other prose"))
    assert output_of(server, "/pages/c/") != first_c
    assert output_of(server, "/pages/d/") == first_d


def test_cell_error_timeout_and_crash_show_and_the_next_save_works(served):  # noqa: F811
    server = served({**SITE, "pages/c.md": cell_page('println("answer: ", 6 * 7)')})
    assert "answer: 42" in output_of(server, "/pages/c/")

    server.save("pages/c.md", cell_page('error("boom")'))
    assert 'class="cell-error"' in server.text("/pages/c/") and "boom" in server.text("/pages/c/")
    assert any(re.search(r"pages/c\.md:\d+: cell `ex` threw an error: boom", line) for line in server.lines)

    server.save("pages/c.md", cell_page("sleep(30)", variables="cell_timeout: 1\n"))
    assert 'class="cell-timeout"' in server.text("/pages/c/")
    assert any("timed out" in line for line in server.lines)

    server.save("pages/c.md", cell_page("ccall(:abort, Cvoid, ())"))
    assert "cell-error" in server.text("/pages/c/")
    assert any("crashed Julia" in line for line in server.lines)

    server.save("pages/c.md", cell_page('println("answer: ", 6 * 9)'))
    assert "answer: 54" in output_of(server, "/pages/c/")


def test_ctrl_c_stops_the_julia_worker(served):  # noqa: F811
    server = served({**SITE, "pages/c.md": cell_page("println(1)")})
    server.save("pages/c.md", cell_page("println(2)"))
    workers = children(server.process.pid)
    assert workers, "the Julia worker should be running"
    assert server.stop() == 0 and server.lines[-1] == "stopped"
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
