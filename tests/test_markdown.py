"""Markdown rendering: fixture cases per construct, then the API around them."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from pysite import markdown
from pysite.highlight import highlight, lexer_for, stylesheet

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"      # ordinary sites: CommonMark and GFM
FRANKLIN_FIXTURES = Path(__file__).parent / "fixtures" / "franklin"  # Markdown as Franklin reads it
CASES = [
    pytest.param(src, expected, flavour, id=f"{folder.name}/{path.stem}-{line}-{title}")
    for folder, flavour in ((FIXTURES, "commonmark"), (FRANKLIN_FIXTURES, "franklin"))
    for path in sorted(folder.glob("*.md"))
    for line, title, src, expected in read_fixture_file(path)
]


def to_html(src: str, env: dict | None = None, flavour: str = "commonmark") -> str:
    env = {} if env is None else env
    return markdown.render(markdown.parse(src, env, flavour), env)


@pytest.mark.parametrize("src,expected,flavour", CASES)
def test_fixture(src, expected, flavour):
    assert to_html(src, flavour=flavour) == expected


def test_every_construct_has_a_fixture_file():
    names = {path.stem for path in FIXTURES.glob("*.md")}
    assert names >= {"tables", "strikethrough", "footnotes", "tasklists", "deflists", "anchors",
                     "autolinks", "math", "comments", "code"}


# --- headings and plain text ---------------------------------------------------

def test_headings_have_ids_text_and_lines():
    tokens = markdown.parse("# Intro\n\ntext\n\n## Setup `pkg`\n\n## Setup `pkg`\n", {}, "commonmark")
    assert markdown.headings(tokens) == [
        markdown.Heading(1, "intro", "Intro", 1),
        markdown.Heading(2, "setup-pkg", "Setup pkg", 5),
        markdown.Heading(2, "setup-pkg-1", "Setup pkg", 7),
    ]


def test_heading_text_keeps_math_source_and_drops_the_permalink():
    (heading,) = markdown.headings(markdown.parse("## The $\\alpha$ term\n", {}, "franklin"))
    assert heading.text == "The \\alpha term"
    assert "#" not in heading.text


def test_plain_text_keeps_prose_and_code_drops_html_and_math():
    src = "# Title\n\nSome *bold* [link](x) and $x^2$.\n\n<div>raw</div>\n\n```julia\nf(x)\n```\n"
    assert markdown.plain_text(markdown.parse(src, {}, "franklin")) == "Title\n\nSome bold link and .\n\nf(x)"


# --- warnings ----------------------------------------------------------------

def test_bad_math_warns_with_the_line_and_does_not_raise():
    env = {"path": Path("pages/post.md")}
    html = to_html("ok\n\nline $x^$ here\nand $\\frac{a$ too\n\n$$\n\\left( x\n$$\n", env)
    assert '<span class="math-error">x^</span>' in html
    assert '<pre class="math-error">\\left( x</pre>' in html
    assert [(w.path, w.line, w.severity) for w in env["warnings"]] == [
        (Path("pages/post.md"), 3, "warning"),
        (Path("pages/post.md"), 4, "warning"),
        (Path("pages/post.md"), 6, "warning"),
    ]
    assert "cannot render math" in env["warnings"][0].message


def test_unknown_command_is_a_math_error_naming_it():
    env = {}
    html = to_html("$\\alpah + 1$", env)
    assert '<span class="math-error">\\alpah + 1</span>' in html
    assert "\\alpah" in env["warnings"][0].message


def test_math_error_source_is_escaped():
    assert to_html("$<b>^$") == '<p><span class="math-error">&lt;b&gt;^</span></p>\n'


def test_duplicate_equation_label_warns_and_keeps_the_first():
    env = {}
    html = to_html("$$a \\label{x}$$\n\n$$b \\label{x}$$\n", env)
    assert env["equations"] == {"x": 1}
    assert html.count('id="x"') == 1
    assert env["warnings"][0].line == 3


def test_unclosed_comment_warns():
    env = {}
    assert to_html("text\n\n<!-- never closed\n\nmore\n", env) == "<p>text</p>\n<!-- never closed\n\nmore\n"
    assert env["warnings"][0].line == 3


def test_labels_are_collected_for_eqref():
    env = {}
    to_html("$$x \\label{a}$$\n\n$$\\begin{equation} y \\end{equation}$$\n\n$$z \\label{b}$$\n", env)
    assert env["equations"] == {"a": 1, "b": 3}


# --- Julia cells ----------------------------------------------------------------

@pytest.mark.parametrize("info", ["julia:ex1", "julia:./code/ex2", "!", "!ex3"])
def test_cells_are_delegated_to_the_cell_renderer(info):
    seen = []

    def render_cell(token):
        seen.append(token.info)
        return f"<cell>{markdown.render_fence(token)}</cell>"

    html = to_html(f"```{info}\nx = 1\n```\n", {"render_cell": render_cell})
    assert seen == [info]
    assert html.startswith('<cell><pre class="highlight"><code class="language-julia">')


@pytest.mark.parametrize("info", ["julia", "python", "julia-repl", ""])
def test_other_fences_are_not_cells(info):
    html = to_html(f"```{info}\nx = 1\n```\n", {"render_cell": pytest.fail})
    assert html.startswith('<pre class="highlight">')


# --- highlighting -----------------------------------------------------------------

def test_lexer_lookups_are_cached_including_misses():
    assert lexer_for("julia") is lexer_for("julia")
    assert lexer_for("no-such-language") is None
    assert lexer_for("jldoctest") is lexer_for("julia-repl")


def test_highlight_escapes_unknown_languages():
    assert highlight("<&>", "zzz") == '<pre class="highlight"><code class="language-zzz">&lt;&amp;&gt;</code></pre>\n'


def test_stylesheet_has_scoped_light_and_dark_rules():
    css = stylesheet()
    assert ".highlight .k {" in css
    assert '[data-theme="dark"] .highlight .k {' in css
    assert "@media (prefers-color-scheme: dark)" in css
    assert ':root:not([data-theme="light"]) .highlight .k {' in css
    rules = [line for line in css.splitlines() if "{" in line and not line.startswith("@media")]
    assert all(".highlight" in line for line in rules)  # nothing leaks onto other <pre>s


@pytest.mark.parametrize("flavour,severity", [("commonmark", "warning"), ("franklin", "error")])
def test_an_unclosed_fence_is_reported_at_its_opening_line(flavour, severity):
    env = {"path": Path("pages/post.md")}
    html = to_html("text\n\n> ```python\n> x = 1\n\nafter\n\n```julia:ex\ny = 2\n\nmore\n", env, flavour)
    assert "more" in html
    assert [(w.line, w.severity, w.message) for w in env["warnings"]] == [
        (3, severity, "the code fence opened here (```python) is never closed: the rest of the block is code"),
        (8, severity, "the code fence opened here (```julia:ex) is never closed: the rest of the page is code"),
    ]
    assert env["warnings"][0].hint == "close it with a line ```"


def test_a_closed_fence_is_not_reported():
    env = {}
    to_html("```\n```\n\n~~~~ julia\nx\n~~~~~\n\n- ```\n  a\n  ```\n", env)
    assert env["warnings"] == []
