"""The bridge contract, run against each transport with a real Julia."""

from __future__ import annotations

import datetime
import json
import os
import time

import pytest

from julia_fixtures import run_cells
from pysite.bridge import CellResult, julia_version
from pysite.errors import JuliaError

pytestmark = pytest.mark.julia


def one(bridge, tmp_path, code: str, **kw) -> CellResult:
    (result,) = run_cells(bridge, tmp_path, code, **kw)
    return result


def test_printed_output_is_captured_in_order(bridge, tmp_path):
    r = one(bridge, tmp_path, 'x = 41\nprintln("hello")\n@show x\nprintln(stderr, "to stderr")\nx + 1')
    assert r.status == "ok"
    assert r.stdout == "hello\nx = 41\nto stderr\n"
    assert r.value == "42"


def test_a_later_page_output_is_clean(bridge, tmp_path):
    for page in ("pages/a.md", "pages/b.md"):
        (r,) = run_cells(bridge, tmp_path / page, 'println("page output")\nccall(:printf, Cint, (Cstring,), "c\\n");',
                         path=page)
        assert r.stdout == "page output\nc\n"


def test_warnings_and_c_output_are_captured(bridge, tmp_path):
    r = one(bridge, tmp_path, '@warn "careful"\nccall(:printf, Cint, (Cstring,), "from C\\n");')
    assert "Warning: careful" in r.stdout
    assert "from C\n" in r.stdout
    assert r.value is None


@pytest.mark.parametrize("code, value", [
    ("1 + 1;", None),
    ("1 + 1; # a comment", None),
    ('s = "#;"', '"#;"'),
    ("nothing", None),
    ("[1 2; 3 4]", "2×2 Array{Int64,2}:\n 1  2\n 3  4"),
])
def test_value_display_and_semicolon(bridge, tmp_path, code, value):
    r = one(bridge, tmp_path, code)
    assert r.status == "ok"
    if code.startswith("[1 2"):  # Julia >= 1.6 prints Matrix{Int64}
        assert r.value is not None and r.value.endswith(" 1  2\n 3  4")
    else:
        assert r.value == value


RICH = '''
struct Pic end
Base.show(io::IO, ::MIME"image/svg+xml", ::Pic) = print(io, "<svg></svg>")
struct Png end
Base.show(io::IO, ::MIME"image/png", ::Png) = write(io, UInt8[0x89, 0x50, 0x4e, 0x47, 0x00, 0xff])
'''


def test_rich_values_and_display_calls(bridge, tmp_path):
    defs, svg, png, html, shown = run_cells(
        bridge, tmp_path, RICH + "nothing", "Pic()", "Png()", 'HTML("<b>hi</b>")',
        'display(Pic()); display(Png()); display("plain"); 7')
    assert defs.status == "ok", defs.error
    assert svg.rich == ("image/svg+xml", b"<svg></svg>") and svg.value == "Pic()"
    assert png.rich == ("image/png", b"\x89PNG\x00\xff")
    assert html.rich == ("text/html", b"<b>hi</b>")
    assert shown.displays == [("image/svg+xml", b"<svg></svg>"), ("image/png", b"\x89PNG\x00\xff")]
    assert shown.stdout == '"plain"\n' and shown.value == "7"


def test_module_shared_by_cells_isolated_between_pages(bridge, tmp_path):
    a, b = run_cells(bridge, tmp_path, "secret = 5\nf(x) = 2x", "f(secret)")
    assert b.value == "10"
    (c,) = run_cells(bridge, tmp_path, "isdefined(@__MODULE__, :secret)", path="pages/other.md")
    assert c.value == "false"


def test_error_then_rest_of_page_runs(bridge, tmp_path):
    code = 'g() = error("boom")\n\ng()'
    err, after = run_cells(bridge, tmp_path, code, 'println("still here")', first_line=10)
    assert err.status == "error" and err.error == "boom"
    assert "g() at pages/post.md:10" in err.backtrace
    assert "top-level scope at pages/post.md:12" in err.backtrace
    assert "PysiteBridge" not in err.backtrace and "worker.jl" not in err.backtrace
    assert after.status == "ok" and after.stdout == "still here\n"


def test_parse_error_has_md_line(bridge, tmp_path):
    r = one(bridge, tmp_path, "x = 1\ny = foo bar", first_line=20)
    assert r.status == "error"
    assert "pages/post.md:21" in r.error


def test_large_binary_and_protocol_looking_output(bridge, tmp_path):
    big, odd = run_cells(bridge, tmp_path, 'print("x"^1_000_000)',
                         'write(stdout, UInt8[0x00, 0xff, 0x04, 0x00, 0x00, 0x00]); print("cell\\x00ok")')
    assert big.status == "ok" and len(big.stdout) == 1_000_000
    assert odd.status == "ok" and odd.stdout.endswith("cell\x00ok")


def test_output_folder(bridge, tmp_path):
    r = one(bridge, tmp_path, 'write(joinpath(@OUTPUT, "a.svg"), "<svg/>");')
    assert r.status == "ok", r.error
    assert (tmp_path / "cell0" / "a.svg").read_text() == "<svg/>"


def test_eval_value(bridge):
    assert bridge.eval_value('"title"', "index.md", 2) == "title"
    assert bridge.eval_value("1:3", "index.md", 2) == [1, 2, 3]
    assert bridge.eval_value("(:a, 'b', 1.5, true, nothing)", "index.md", 2) == ["a", "b", 1.5, True, None]
    assert bridge.eval_value('Dict("k" => [1, 2])', "index.md", 2) == {"k": [1, 2]}
    assert bridge.eval_value("Date(2021, 3, 4)", "index.md", 2) == datetime.date(2021, 3, 4)
    assert bridge.eval_value("DateTime(2021, 3, 4, 5, 6)", "index.md", 2) == datetime.datetime(2021, 3, 4, 5, 6)
    assert bridge.eval_value("2 // 4", "index.md", 2) == 0.5
    assert bridge.eval_value("v\"1.2\"", "index.md", 2) == "1.2.0"


@pytest.mark.parametrize("code, message", [("undefined_thing", "undefined_thing"), ("1 +", "syntax")])
def test_eval_value_errors(bridge, code, message):
    with pytest.raises(JuliaError) as info:
        bridge.eval_value(code, "index.md", 7)
    assert message in info.value.message
    assert str(info.value).startswith("index.md:7: ")


def test_timeout_then_next_page_works(worker_bridge, tmp_path):
    assert worker_bridge.julia_version  # started
    start = time.monotonic()
    before, slow, rest = run_cells(worker_bridge, tmp_path, "x = 1", "sleep(30)", "x + 1", timeout=1.0)
    assert slow.status == "timeout" and "1 s" in slow.error
    assert rest.status == "ok" and rest.value == "2"  # in a fresh worker, after `x = 1` ran again
    assert time.monotonic() - start < 25  # not the 30 s of the sleep
    (r,) = run_cells(worker_bridge, tmp_path, "1 + 2")
    assert r.value == "3"


@pytest.mark.parametrize("code, how", [("exit()", "exited"), ("unsafe_load(Ptr{Int}(0))", "SIGSEGV")])
def test_crash_then_next_page_works(worker_bridge, tmp_path, code, how):
    ok, crash, rest = run_cells(worker_bridge, tmp_path, "x = 1", code, "x + 1")
    assert ok.value == "1"
    assert crash.status == "crashed" and how in crash.error
    assert rest.status == "ok" and rest.value == "2"
    (r,) = run_cells(worker_bridge, tmp_path, "3")
    assert r.status == "ok" and r.value == "3"


def test_close_leaves_no_process(julia_install, tmp_path):
    from pysite.bridge import open_bridge
    b = open_bridge(julia_install)
    assert b.julia_version
    pids = b._worker.process.pid, b._worker.pid
    b.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_version_is_cached(julia_install, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = julia_version(julia_install)
    assert first.count(".") == 2
    (entry,) = (tmp_path / "pysite" / "julia-versions").iterdir()
    entry.write_text("9.9.9")  # a cache hit must not start Julia
    assert julia_version(julia_install) == "9.9.9"


def test_result_json_round_trip():
    r = CellResult("ok", "out", "1", ("image/png", b"\x89PNG"), [("image/svg+xml", b"<svg/>")], seconds=0.5)
    assert CellResult.from_json(r.to_json()) == r
    assert CellResult.from_json(json.dumps(r.to_json())) == r


def test_site_utils(bridge):
    bridge.load_utils('hfun_hello(args) = "hello " * join(args, ",")\nhfun_now() = "now"', "utils.jl")
    assert bridge.call("hfun_hello", ["a", "b"]) == "hello a,b"
    assert bridge.call("hfun_now", []) == "now"
    with pytest.raises(JuliaError):
        bridge.call("hfun_missing", [])
