"""The one decision "does this site read Markdown as Franklin does?", and what it changes."""

from __future__ import annotations

import pytest

from conftest import run_pysite
from pysite.config import read_config
from pysite.errors import ConfigError

FRANKLIN_MARKERS = [
    {"config.md": "@def title = \"x\"\n"},
    {"config.md": ""},
    {"_layout/head.html": "<html>\n", "_layout/foot.html": "</html>\n"},
    {"_layout/skeleton.html": "{{page_content}}\n"},
]
ORDINARY = [
    {"_config.yml": "title: x\n", "_layouts/default.html": "{{ content }}\n"},  # Jekyll
    {"_config.yml": "title: x\n", "source/_posts/a.md": "hi\n", "scaffolds/post.md": ""},  # Hexo
    {"hugo.toml": "title = 'x'\n", "content/a.md": "hi\n"},  # Hugo
    {"index.md": "# plain folder\n"},
]


@pytest.mark.parametrize("files", FRANKLIN_MARKERS)
def test_franklin_conventions_make_a_franklin_site(make_site, files):
    assert read_config(make_site(files)).flavour == "franklin"


@pytest.mark.parametrize("files", ORDINARY)
def test_other_sites_read_commonmark(make_site, files):
    assert read_config(make_site(files)).flavour == "commonmark"


def test_config_and_pages_choose_their_flavour(make_site):
    config = read_config(make_site({"config.md": '@def flavour = "commonmark"\n'}))
    assert config.flavour == "commonmark"
    assert "flavour" not in config.defaults_for("a.md")
    assert config.flavour_of({"flavour": "franklin"}) == "franklin"
    assert config.flavour_of({}) == "commonmark"


def test_an_unknown_flavour_names_the_line(make_site):
    with pytest.raises(ConfigError) as caught:
        read_config(make_site({"config.md": '\n@def flavour = "kramdown"\n'}))
    assert caught.value.line == 2 and "'franklin' or 'commonmark'" in caught.value.message


AMBIGUOUS = "+++\n\n~~~\n<b>x</b>\n~~~\n\na \\\\ b and \\[Enter\\]\n\n    indented\n"


def test_the_same_page_reads_as_each_flavour_says(make_site):
    ordinary = make_site({"index.md": AMBIGUOUS}, "ordinary")
    franklin = make_site({"index.md": "@def title = \"t\"\n" + AMBIGUOUS, "config.md": ""}, "franklin")
    chosen = make_site({"index.md": "---\nflavour: franklin\n---\n" + AMBIGUOUS.removeprefix("+++\n")}, "chosen")
    for site in (ordinary, franklin, chosen):
        result = run_pysite("build", site)
        assert result.returncode == (1 if site is franklin else 0), result.stderr
    html = (ordinary / "__site/index.html").read_text()
    assert "<p>+++</p>" in html                                     # a `+++` line is text
    assert '<code class="language-plaintext">' in html or "&lt;b&gt;x&lt;/b&gt;" in html  # `~~~` fences code
    assert "a \\ b and [Enter]" in html                             # escapes, no math
    assert "<pre" in html and "indented" in html
    assert "`+++` block is never closed" in run_pysite("build", franklin).stderr
    html = (chosen / "__site/index.html").read_text()
    assert "<b>x</b>" in html and "<br>" in html                    # Franklin's raw HTML and line break
