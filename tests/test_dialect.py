"""The Franklin dialect: fixture cases per construct (page content after the whole page
pipeline), then errors with their lines, the scanner's fast path and template engine details."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from pysite.cells import may_run, not_evaluated
from pysite.config import read_config
from pysite.discover import SourceFile
from pysite.page import ReadContext, read_page

FIXTURES = Path(__file__).parent / "fixtures" / "dialect"
CASES = [
    pytest.param(src, expected, id=f"{path.stem}-{line}-{title}")
    for path in sorted(FIXTURES.glob("*.md"))
    for line, title, src, expected in read_fixture_file(path)
]
# Site files every fixture page can use: config.md commands, assets, utils.py.
SITE = {
    "config.md": "@def author = \"Ada\"\n@def mintoclevel = 2\n\\newcommand{\\R}{\\mathbb R}\n"
                 "\\newcommand{\\site}[1]{**site #1**}\n",
    "_assets/pages/page/plot.png": b"\x89PNG",
    "_assets/logo.svg": "<svg/>",
    "_assets/pages/page/code/ex1.jl": "x = 1\n",
    "_assets/pages/page/notes.md": "Some *notes* with \\site{cmd}.\n",
    "_assets/pages/page/table.csv": "a,b\n1,2\n3,4\n",
    "_literate/script.jl": "# # A title\n# Some text.\nx = 1 + 1\n# More text.\ny = x * 2\n",
    "other.md": "@def title = \"Other page\"\n",
    "utils.py": "def hfun_greet(params):\n    return 'Hello ' + ' '.join(params) + ' from ' + locvar('author')\n\n"
                "def hfun_boom(params):\n    raise ValueError('kaboom')\n\n"
                "def lx_shout(com, _):\n    return com.braces[0].upper()\n\n"
                "@delay\ndef hfun_later():\n    return pagevar('other', 'title')\n",
}


def write(root: Path, files: dict) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("dialect")
    write(root, SITE)
    return root


def read(root: Path, text: str, rel: str = "pages/page.md"):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    ctx = ReadContext(read_config(root), lambda page, cells: not_evaluated(cells), lambda variables, path: [])
    return read_page(SourceFile(path, rel, "page", rel[:-3] + "/index.html"), ctx)


@pytest.mark.parametrize("src,expected", CASES)
def test_fixture(site, src, expected):
    page = read(site, src)
    assert [d for d in page.diagnostics if d.severity == "error"] == []
    assert page.content == expected


# --- errors: fatal ones fail the page with file:line, the rest are warnings ----------------

ERRORS = [
    ("text\n\n@@note\nnever closed\n", 3, "`@@note` is never closed"),
    ("a\n@@\n", 2, "`@@` closes no open div"),
    ("one\ntwo ~~~<b>\n", 2, "`~~~` is never closed"),
    ("\n{{if author}}\nyes\n", 2, "{{if author}} is never closed"),
    ("{{end}}\n", 1, "{{end}} without an opening {{if ...}}"),
    ("x\n\\newcommand{\\two}[2]{#1#2}\n\\two{a}\n", 3, "\\two needs 2 arguments in braces, found 1"),
    ("\\fig\n", 1, "\\fig needs 1 argument in braces, found 0"),
    ("\n\n\\style{a}{b\n", 3, "a '{' is never closed"),
    ("\\newcommand{\\loop}{\\loop}\n\\loop\n", 2, "a command expands into itself without end"),
    ("\\begin{equation}\nx\n", 1, "\\begin{equation} is never closed"),
    ("a\n\n```julia:ex\nx = 1\n\nmore\n", 3,
     "the code fence opened here (```julia:ex) is never closed: the rest of the page is code"),
    ("a\n\n$$\nx = 1\n\nmore\n", 3, "display math `$$` is never closed"),
]


@pytest.mark.parametrize("src,line,message", ERRORS, ids=[e[2] for e in ERRORS])
def test_fatal_errors_name_the_line(site, src, line, message):
    page = read(site, src)
    errors = [d for d in page.diagnostics if d.severity == "error"]
    assert [(d.path, d.line, d.message) for d in errors] == [(site / "pages/page.md", line, message)]


WARNINGS = [
    ("ok\n\n\\nosuch{x}\n", 3, "unknown command \\nosuch: shown as written", "<p>ok</p>\n<p>\\nosuch{x}</p>\n"),
    ("a {{nosuch a}} b\n", 1, "unknown template call {{nosuch a}}", "<p>a  b</p>\n"),
    ("x\n{{boom}}\n", 2, "hfun_boom (utils.py) raised ValueError: kaboom", "<p>x</p>\n"),
    ("\\fig{missing}\n", 1, "\\fig{missing}: no image /assets/pages/page/missing", None),
    ("See \\eqref{nowhere}.\n", 1, "\\eqref{nowhere}: no equation labelled 'nowhere' on this page",
     '<p>See <span class="eqref">(<b>??</b>)</span>.</p>\n'),
]


@pytest.mark.parametrize("src,line,message,content", WARNINGS, ids=[w[2][:40] for w in WARNINGS])
def test_warnings_name_the_line_and_the_page_is_built(site, src, line, message, content):
    page = read(site, src)
    assert not page.failed
    assert [(d.line, d.severity) for d in page.diagnostics] == [(line, "warning")]
    assert page.diagnostics[0].message.startswith(message)
    if content is not None:
        assert page.content == content


def test_hfun_error_has_its_backtrace(site):
    (warning,) = read(site, "{{boom}}\n").diagnostics
    assert "utils.py" in warning.message and "hfun_boom" in warning.message and "raise ValueError" in warning.message


def test_lines_after_multiline_constructs_stay_right(site):
    src = "\\newcommand{\\x}{\n  X\n}\n~~~\n<b>\n</b>\n~~~\n\n$\\alpah$\n"
    (warning,) = read(site, src).diagnostics
    assert warning.line == 9


def test_lines_after_divs_stay_right(site):
    src = "@@note\nIn a div.\n@@outer\n@@inner,wide\n\n- a list\n@@\n@@\n@@\n\n$\\alpah$\n"
    page = read(site, src)
    (warning,) = page.diagnostics
    assert warning.line == 11
    assert ('<div class="note"><p>In a div.</p>\n<div class="outer"><div class="inner wide">'
            '<ul>\n<li><p>a list</p>\n</li>\n</ul></div></div></div>\n') in page.content


# --- the scanner ---------------------------------------------------------------------

def test_text_without_markers_is_returned_as_is():
    from pysite.dialect import expand
    text = "# Title\n\nPlain *text*, $x$ and `code` { } @ ~~ but none of the markers.\n" * 100
    assert expand(text, Path("p.md")) is text


# --- Franklin's page variables -----------------------------------------------------------

@pytest.mark.parametrize("variables,expected", [
    ({}, "March 05, 2024"),
    ({"date_format": "e, d u yy HH:MM"}, "Tue, 5 Mar 24 14:07"),
    ({"date_format": "yyyy-mm-dd \\at E"}, "2024-03-05 at Tuesday"),
    ({"date_months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                      "octobre", "novembre", "décembre"], "date_format": "d U (u)"}, "5 mars (mar)"),
])
def test_dates_in_the_sites_date_format(variables, expected):
    import datetime as dt
    from pysite.dialect.franklin_vars import format_date
    assert format_date(dt.datetime(2024, 3, 5, 14, 7), variables) == expected


def test_content_flags_as_franklin_sets_them(site):
    page = read(site, "Some $x$ math.\n", rel="pages/flags.md")
    assert page.variables["hasmath"] is True and page.variables["hascode"] is False
    page = read(site, "```julia\nx = 1\n```\n", rel="pages/flags.md")
    assert page.variables["hasmath"] is False and page.variables["hascode"] is True
    page = read(site, "@def hasmath = true\nNo math.\n", rel="pages/flags.md")
    assert page.variables["hasmath"] is True


def test_page_paths_and_times_as_franklin_sets_them():
    from pysite.dialect.franklin_vars import page_variables
    noon = 1709640000   # 2024-03-05 12:00 UTC
    found = page_variables("blog/post.md", noon, noon, {"website_url": "https://a.org/site/"})
    assert found["fd_url"] == "/blog/post/index.html"
    assert found["fd_full_url"] == "https://a.org/site/blog/post/index.html"
    assert found["fd_mtime"] == found["fd_ctime"] == "March 05, 2024"
    assert page_variables("index.md", noon, noon, {})["fd_url"] == "/index.html"
    assert page_variables("about.html", noon, noon, {})["fd_url"] == "/about"


@pytest.mark.parametrize("body,cells", [
    ("```julia:ex\n1\n```\n", True), ("  ```! \nx\n```\n", True), ("```>\n1\n```\n", True),
    ("\\literate{/_literate/a.jl}\n", True), ("````julia:ex\n1\n````\n", True),
    ("```julia\n1\n```\n", False), ("text ```julia:ex``` inline\n", False), ("no fence\n", False),
])
def test_may_run_tells_pages_that_surely_have_no_cells(body, cells):
    """A page's hfuns wait for its cells only where it may have some (pysite.cells.may_run)."""
    assert may_run(body) is cells
