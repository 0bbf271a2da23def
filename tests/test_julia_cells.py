"""Julia cells with the real Julia: they behave as in the REPL, stay in their page, and
fail small. Each test asserts what the page shows and what the next page shows."""

from __future__ import annotations

import os
import re
import signal
import struct
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

import pytest

from conftest import run_pysite, write_tree
from julia_fixtures import run_cells
from pysite.errors import JuliaError

pytestmark = pytest.mark.julia


def next_page_is_clean(bridge, tmp_path) -> None:
    (r,) = run_cells(bridge, tmp_path / "next", 'println("next"); (pwd(), get(ENV, "PYSITE_LEAK", "none"), repr(Int8(1)))',
                     path="pages/next.md")
    assert r.status == "ok" and r.stdout == "next\n", r
    assert r.value == '(".", "none", "1")'


# Behave as in the REPL and Franklin ------------------------------------------------------

def test_soft_scope_at_the_top_level(worker_bridge, tmp_path):
    (r,) = run_cells(worker_bridge, tmp_path, "s = 0\nfor i in 1:10\n    s += i\nend\ns")
    assert r.status == "ok" and r.value == "55"
    (other,) = run_cells(worker_bridge, tmp_path, "s", path="pages/other.md")
    assert other.status == "error" and "UndefVarError" in other.error


def test_a_show_that_throws_falls_back_with_a_warning(worker_bridge, tmp_path):
    (r,) = run_cells(worker_bridge, tmp_path, 'struct Fig end\n'
                     'Base.showable(::MIME"image/svg+xml", ::Fig) = true\n'
                     'Base.show(::IO, ::MIME"image/svg+xml", ::Fig) = error("no svg today")\n'
                     'Base.show(io::IO, ::MIME"text/html", ::Fig) = print(io, "<b>fig</b>")\n'
                     'Fig()')
    assert r.status == "ok"
    assert r.rich == ("text/html", b"<b>fig</b>")
    assert "Warning: show(io, MIME\"image/svg+xml\"()" in r.stdout and "no svg today" in r.stdout
    next_page_is_clean(worker_bridge, tmp_path)


def test_the_error_line_is_the_line_that_failed(worker_bridge, tmp_path):
    ok, inner = run_cells(worker_bridge, tmp_path, 'x = 1\ny = 2\nerror("boom")\nz = 3',
                          'g() = error("inner")\n\ng()', first_line=10)
    assert ok.status == "error" and ok.line == 12
    assert inner.status == "error" and inner.line == 16  # inside g (line 16), not where g was called (18)
    syntax, = run_cells(worker_bridge, tmp_path, "a = 1\nb = (2 +\n\nc = ]", first_line=4)
    assert syntax.status == "error" and syntax.line == 5


def test_no_absolute_path_of_the_build_machine_is_published(tmp_path):
    site = write_tree(tmp_path / "site", {
        "config.md": "",
        "pages/julia.md": '```!\n@warn "careful"\nprintln(pwd())\nprintln(@OUTPUT)\nprintln(homedir())\n```\n\n'
                          '```!\nf() = error("failed in " * abspath("pages"))\nf()\n```\n\n'
                          '```!\ninclude("missing.jl")\n```\n',
    })
    result = run_pysite("build", site, cwd=site)
    html = unescape((site / "__site/pages/julia/index.html").read_text())
    assert "Warning: careful" in html and "pages/julia.md:2" in html
    assert "failed in pages" in html and "f() at pages/julia.md:9" in html
    for absolute in (str(site), str(tmp_path), str(Path.home())):
        assert absolute not in html
    assert str(site) not in result.stderr.replace(f"{site}/__site", "")


# Stay in the page ------------------------------------------------------------------------

def test_cwd_env_and_base_methods_do_not_reach_the_next_page(worker_bridge, tmp_path):
    (r,) = run_cells(worker_bridge, tmp_path, 'cd("/")\nENV["PYSITE_LEAK"] = "leaked"\n'
                     'Base.show(io::IO, x::Int8) = print(io, "HACKED")\nrepr(Int8(1))')
    assert r.status == "ok" and r.value == '"HACKED"'
    next_page_is_clean(worker_bridge, tmp_path)


def test_tasks_timers_and_processes_do_not_reach_the_next_page(worker_bridge, tmp_path):
    (r,) = run_cells(worker_bridge, tmp_path,
                     '@async while true; println("tick"); sleep(0.05); end\n'
                     'Threads.@spawn while true; println("tock"); yield(); end\n'
                     'Timer(_ -> exit(3), 1.5)\n'
                     'run(`sleep 6171`; wait = false)\n'
                     'run(`setsid sleep 6172`; wait = false)\n'
                     'run(`sh -c "sleep 6173 &"`)\n'
                     '1')
    assert r.status == "ok"
    time.sleep(0.2)
    (later,) = run_cells(worker_bridge, tmp_path / "next", 'sleep(2); println("done")', path="pages/next.md")
    assert later.status == "ok" and later.stdout == "done\n"  # no tick, no tock, no exit(3)
    assert not sleeping(6171, 6172, 6173)
    next_page_is_clean(worker_bridge, tmp_path)


def processes(wanted) -> list[int]:
    """Pids of the running processes whose argument list (as bytes) `wanted` accepts."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            args = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted(args):
            found.append(int(entry))
    return found


def sleeping(*seconds: int) -> list[int]:
    """Pids of `sleep N` processes for these N."""
    numbers = {str(s).encode() for s in seconds}
    return processes(lambda args: len(args) > 1 and args[0].endswith(b"sleep") and args[1] in numbers)


def test_a_forged_reply_is_refused(worker_bridge, tmp_path):
    forged = [b"cell", b"0123456789abcdef", b"ok", b"0", b"", b"\x01FORGED", b"", b"", b"", b"", b"0"]
    frame = b"PYS\x02" + struct.pack("<I", len(forged)) + b"".join(struct.pack("<I", len(f)) + f for f in forged)
    code = f"io = Base.fdio(parse(Int, ARGS[4])); write(io, {julia_bytes(frame)}); flush(io)"
    before, cell, after = run_cells(worker_bridge, tmp_path, "x = 1", code, "x + 1")
    assert cell.status == "crashed" and "reply channel" in cell.error
    assert after.status == "ok" and after.value == "2"
    (later,) = run_cells(worker_bridge, tmp_path, "40 + 2", path="pages/next.md")
    assert later.value == "42"


def julia_bytes(data: bytes) -> str:
    return "UInt8[" + ", ".join(str(b) for b in data) + "]"


def test_protocol_versions_must_agree(julia_install, monkeypatch):
    from pysite.bridge import worker
    monkeypatch.setattr(worker, "PROTOCOL_VERSION", "0")
    bridge = worker.WorkerBridge(julia_install)
    try:
        with pytest.raises(JuliaError, match="protocol"):
            bridge.julia_version
    finally:
        bridge.close()


# Fail small ------------------------------------------------------------------------------

def test_output_is_cut_at_the_limit(worker_bridge, tmp_path):
    big, value, small = run_cells(worker_bridge, tmp_path, 'print("x"^3_000_000)', '"y"^3_000_000', 'print("fine")',
                                  output=1 << 20)
    assert big.status == "ok" and len(big.stdout) < (1 << 20) + 500
    assert big.stdout.startswith("xxx") and "output cut here: the cell wrote 2.86 MB" in big.stdout
    assert len(value.value) < (1 << 20) + 500 and "output cut here" in value.value
    assert small.stdout == "fine"


def test_output_limit_from_page_variable_and_flag(tmp_path):
    site = write_tree(tmp_path / "site", {
        "config.md": "",
        "big.md": '@def cell_output_limit = 0.1\n\n```!\nprint("x"^300_000)\n```\n',
        "flag.md": '```!\nprint("z"^300_000)\n```\n',
    })
    result = run_pysite("build", site, "--output-limit", "0.2")
    assert result.returncode == 0, result.stderr
    big = (site / "__site/big/index.html").read_text()
    assert "more than the limit of 0.1 MB" in big and len(big) < 200_000
    assert "more than the limit of 0.2 MB" in (site / "__site/flag/index.html").read_text()


def test_a_stack_overflow_shows_a_few_frames(worker_bridge, tmp_path):
    (r,) = run_cells(worker_bridge, tmp_path, "f(x) = f(x + 1)\nf(1)")
    assert r.status == "error" and "StackOverflowError" in r.error
    assert re.search(r"\[\.\.\. \d+ frames omitted\]", r.backtrace)
    assert len(r.backtrace) < 3000
    next_page_is_clean(worker_bridge, tmp_path)


def test_memory_has_a_limit(worker_bridge, tmp_path):
    grow, after = run_cells(worker_bridge, tmp_path, "a = []\nwhile true\n    push!(a, zeros(10^7))\nend", "1 + 1",
                            memory=2 << 30)
    assert grow.status == "error" and "OutOfMemoryError" in grow.error and "limit of 2048 MB" in grow.error
    assert after.value == "2"
    next_page_is_clean(worker_bridge, tmp_path)


def test_utils_work_after_a_restart_and_values_honour_the_timeout(worker_bridge, tmp_path):
    worker_bridge.load_utils('hfun_hello() = "hello"', "utils.jl")
    (crash,) = run_cells(worker_bridge, tmp_path, "exit(4)")
    assert crash.status == "crashed"
    assert worker_bridge.call("hfun_hello", []) == "hello"
    start = time.monotonic()
    with pytest.raises(JuliaError, match="within 1 s"):
        worker_bridge.eval_value("sleep(30)", "index.md", 2, timeout=1)
    assert time.monotonic() - start < 25
    assert worker_bridge.eval_value("1 + 1", "index.md", 2) == 2
    assert worker_bridge.call("hfun_hello", []) == "hello"


def test_later_cells_after_a_crash_and_utils_on_the_next_page(tmp_path):
    site = write_tree(tmp_path / "site", {
        "config.md": "",
        "utils.jl": 'hfun_hello() = "hello from utils"\n',
        "a.md": "```!\nx = 20\n```\n\n```!\nexit(3)\n```\n\n```!\nx + 22\n```\n\n{{hello}}\n",
        "b.md": "{{hello}}\n",
    })
    result = run_pysite("build", site, "-j", "1")
    assert re.search(r"a.md:6: cell `cell2` crashed Julia", result.stderr), result.stderr
    a = unescape((site / "__site/a/index.html").read_text())
    assert "42" in a and "hello from utils" in a and "no Julia" not in a
    assert "hello from utils" in (site / "__site/b/index.html").read_text()


@pytest.mark.parametrize("value", ["-4", "0", '"soon"'])
def test_a_limit_that_is_not_a_positive_number_is_an_error_at_its_line(tmp_path, value):
    site = write_tree(tmp_path / "site", {
        "config.md": "",
        "index.md": f"@def title = \"t\"\n@def cell_timeout = {value}\n\n```!\n1 + 1\n```\n",
        "other.md": "```!\n2 + 2\n```\n",
    })
    result = run_pysite("build", site)
    assert result.returncode != 0
    assert re.search(r"index.md:2: `cell_timeout` must be a positive number of seconds", result.stderr)
    assert "Traceback" not in result.stderr
    assert "4" in (site / "__site/other/index.html").read_text()


# No worker outlives pysite ---------------------------------------------------------------

def workers_for(site: Path) -> list[int]:
    """Pids of Julia workers (and their watchdogs) started for `site`."""
    return processes(lambda args: str(site).encode() in args
                     and any(a.endswith((b"worker.jl", b"watchdog.py")) for a in args))


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_no_worker_outlives_a_killed_pysite(tmp_path, how):
    site = write_tree(tmp_path / "site", {
        "index.md": '```!\ntouch("started")\nrun(`sleep 6174`; wait = false)\nwhile true end\n```\n'})
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "pysite", "build", str(site)], env={**os.environ, "TMPDIR": str(tmp)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (site / "started").exists():
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.1)
    assert workers_for(site)
    process.send_signal(how)
    process.wait(timeout=30)
    deadline = time.monotonic() + 15
    while (workers_for(site) or sleeping(6174)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not workers_for(site) and not sleeping(6174)
    assert list(tmp.iterdir()) == []  # no capture file left
