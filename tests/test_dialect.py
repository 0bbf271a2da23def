"""The Franklin dialect: fixture cases per construct (page content after the whole page
pipeline), then errors with their lines, the scanner's fast path and template engine details."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from pysite.cells import not_evaluated
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
    ctx = ReadContext(read_config(root), lambda page, cells: not_evaluated(cells), lambda expr, page: None)
    return read_page(SourceFile(path, rel, "page", rel[:-3] + "/index.html"), ctx)


@pytest.mark.parametrize("src,expected", CASES)
def test_fixture(site, src, expected):
    page = read(site, src)
    assert [d for d in page.diagnostics if d.severity == "error"] == []
    assert page.content == expected
