"""The native fast path (pysite.native_markdown) against markdown-it-py, the definition: wherever
the fast path takes a page, its tokens, its HTML and its warnings are markdown-it-py's. Checked
on every fixture, every CommonMark and GFM spec example, the seed pages and generated pages, in
both flavours.

Tokens are compared on every field pysite or the renderer reads. Set aside: the text of an
inline token (the source its children were parsed from; no rule reads it after parsing), the
end line of lists, items and quotes (markdown-it-py counts the blank lines after them; nothing
reads it), empty text tokens (what markdown-it-py leaves of a used emphasis marker), and
markdown-it-py's own parse state in env (`references`, `footnotes`).
"""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from markdown_it.utils import read_fixture_file

from conftest import seeds, shared
from pysite import markdown, native_markdown
from pysite.config import COMMONMARK, FLAVOURS, FRANKLIN
from pysite.variables import read_variables

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*/*.md"))
EXAMPLE = re.compile(r"^`{32} example( \w+)?\n(.*?)^\.\n(.*?)^`{32}$", re.M | re.S)
PARSE_STATE = ("references", "footnotes")


def projection(token) -> tuple:
    lines = token.map
    if lines and token.type in ("bullet_list_open", "ordered_list_open", "list_item_open", "blockquote_open"):
        lines = lines[:1]
    return (token.type, token.tag, token.nesting, token.attrs, lines, token.level, token.markup, token.info,
            token.meta, token.block, token.hidden, "" if token.type == "inline" else token.content,
            [projection(child) for child in token.children or () if child.type != "text" or child.content])


# How a parse is told to read Jekyll's and Hexo's pages (GeneratorSite.markdown_env).
GENERATORS = [{"attribute_lists": True, "renderer": "kramdown"}, {"attribute_lists": True, "renderer": "marked"}]


def same_either_way(body: str, flavour: str, generator: dict | None = None) -> bool:
    """Whether the fast path took `body`; when it did, assert it read it as markdown-it-py does."""
    python_env = {"path": Path("page.md"), "warnings": [], "equations": {}, "flavour": flavour, **(generator or {})}
    native_env = dict(python_env, warnings=[], equations={})
    md = markdown._PARSERS[flavour]
    native = native_markdown.tokens(markdown._NATIVE[flavour], md, body, native_env, flavour == FRANKLIN)
    if native is None:
        return False
    python = md.parse(body, python_env)
    assert [projection(t) for t in native] == [projection(t) for t in python]
    assert markdown.render(native, native_env) == markdown.render(python, python_env)
    assert markdown.headings(native) == markdown.headings(python)
    assert markdown.plain_text(native) == markdown.plain_text(python)
    for env in (python_env, native_env):
        for key in PARSE_STATE:
            env.pop(key, None)
    assert native_env == python_env
    return True


def spec_examples() -> list[str]:
    folder = shared("spec")
    return [match.group(2).replace("→", "\t") for name in ("commonmark-0.31.2.txt", "gfm-0.29.txt")
            for match in EXAMPLE.finditer((folder / name).read_text(encoding="utf-8"))]


def test_the_fast_path_is_on_for_every_flavour():
    # Off means pysite's markdown-it has a rule native_markdown.KNOWN_RULES does not list: add it
    # there, with the characters that start it to UNSAFE_SOURCE, UNSAFE_LINE or UNSAFE_TEXT, and run this file.
    assert all(markdown._NATIVE[flavour] is not None for flavour in FLAVOURS)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_fixtures(path, flavour):
    for _, _, src, _ in read_fixture_file(path):
        same_either_way(src, flavour)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_spec_examples(flavour):
    taken = sum(same_either_way(example, flavour) for example in spec_examples())
    assert taken > 400   # most examples are plain CommonMark, which the fast path reads


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda env: env["renderer"])
def test_jekyll_and_hexo_pages(generator):
    # Their pages read as CommonMark, with kramdown's or marked's markup written by core and render rules.
    for path in FIXTURES:
        for _, _, src, _ in read_fixture_file(path):
            same_either_way(src, COMMONMARK, generator)
    assert sum(same_either_way(example, COMMONMARK, generator) for example in spec_examples()) > 400


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_seed_pages(flavour):
    for path in sorted(seeds().iterdir()):
        same_either_way(read_variables(path.read_text(encoding="utf-8"), path, True).body, flavour)


def test_footnotes_are_read_natively():
    bodies = ["Text[^1] and more[^note], again[^1].\n\n[^1]: the first\n\n[^note]: the second\n",
              "[^a]: defined first\n\nthen used[^a]\n", "a[^1]\n\n[^1]: p1\n\n    p2\n\nafter\n",
              "a[^x]\n\n[^x]: a note[^y]\n\n[^y]: nested\n\ntext\n"]
    for body in bodies:
        assert same_either_way(body, COMMONMARK)
    assert same_either_way(bodies[0], FRANKLIN) and same_either_way(bodies[1], FRANKLIN)


def test_ordinary_prose_is_read_natively():
    body = ("# A title\n\nSome *text* with `code`, a [link](https://example.com) and <https://example.org>.\n\n"
            "* one\n* two\n\n> quoted\n\n```julia\nx = 1\n```\n\n<!-- a comment -->\n")
    assert all(same_either_way(body, flavour) for flavour in FLAVOURS)


@pytest.mark.parametrize("body", ["| a | b |\n|---|---|\n| 1 | 2 |\n", "$x$\n", "a\\[x\\]\n", "a^[inline note]\n",
                                  "a[^1]\n[^1]: right after the paragraph\n", "a\n\n[^1]: referenced nowhere\n",
                                  "> a[^1]\n>\n> [^1]: in a quote\n",
                                  "- [ ] task\n", "term\n: definition\n", "~~gone~~\n", "see www.example.com\n",
                                  "mail a@b.org\n", "a -- b\n", "line  \nbreak\n", "```\nnever closed\n",
                                  "a <!-- inline --> comment\n", "*€*x\n", "a\n    indented\n"])
def test_what_python_rules_read_is_left_to_markdown_it_py(body):
    franklin_env = {"path": Path("page.md"), "flavour": FRANKLIN}
    assert native_markdown.tokens(markdown._NATIVE[FRANKLIN], markdown._PARSERS[FRANKLIN], body,
                                  franklin_env, True) is None


@pytest.mark.parametrize("body", ["> " * 30 + "a\n", "> " * 200 + "a\n", "- " * 50 + "a\n",
                                  "".join("  " * i + "- x\n" for i in range(30)), "[" * 40 + "a" + "]" * 40 + "(u)\n",
                                  "*" * 40 + "a" + "*" * 40 + "\n", "[a " * 25 + "]" * 25 + "(u)\n"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_deep_nesting(body, flavour):
    # markdown-it-py stops at maxNesting, markdown-it-pyrs does not: such pages are not taken.
    same_either_way(body, flavour)


def checked_before_parsing(body: str, flavour: str) -> bool:
    """Whether `body` is checked before the native parse; when it is, assert that is the same check
    as after it (the page's source outside code, which is what is checked, is the whole page)."""
    md = markdown._PARSERS[flavour]
    if native_markdown._may_hold_code(body, md):
        return False
    tree = native_markdown._Tree(body, md, flavour == FRANKLIN, md.options["maxNesting"] // 2)
    try:
        tree.block(markdown._NATIVE[flavour].tree(body), 0)
    except native_markdown.NotNative:
        return True
    assert tree.outside_code() == body
    return True


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_check_before_parsing_sees_what_the_tree_would(flavour):
    bodies = [src for path in FIXTURES for _, _, src, _ in read_fixture_file(path)] + spec_examples()
    assert sum(checked_before_parsing(body, flavour) for body in bodies) > 300


def guessed_code_rightly(body: str, flavour: str) -> None:
    """On a page that may hold code, the check before parsing guesses which lines are code: a wrong
    guess would cost the page the fast path (never its output). Assert it costs this page nothing."""
    md, native = markdown._PARSERS[flavour], markdown._NATIVE[flavour]

    def taken():
        env = {"path": Path("page.md"), "flavour": flavour}
        return native_markdown.tokens(native, md, body, env, flavour == FRANKLIN) is not None

    guessed = taken()
    with mock.patch.object(native_markdown, "_blank_code", lambda body, md: ""):   # no check before parsing
        assert taken() == guessed


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_check_before_parsing_turns_away_no_page_the_fast_path_takes(flavour):
    bodies = [src for path in FIXTURES for _, _, src, _ in read_fixture_file(path)] + spec_examples() + [
        "- ```\n  a | b\n  ```\n", "> ```\n> $x$\n> ```\n", "```\n[^1]: x\n```\n", "~~~~\na\n~~~\n|\n~~~~\n"]
    for body in bodies:
        guessed_code_rightly(body, flavour)


class Counting:
    """A native parser that counts the pages it parses."""

    def __init__(self, native):
        self.native, self.parsed = native, 0

    def tree(self, body):
        self.parsed += 1
        return self.native.tree(body)


def test_a_page_left_to_markdown_it_py_is_parsed_once():
    native = Counting(markdown._NATIVE[FRANKLIN])
    body = "Some text [^1].\n[^1]: a note right under it\n"
    env = {"path": Path("page.md"), "flavour": FRANKLIN}
    assert native_markdown.tokens(native, markdown._PARSERS[FRANKLIN], body, env, True) is None
    assert native.parsed == 0
    # With a fence, the check needs the tree: `^` inside code does not count.
    body = "Some text.\n\n```julia\nx^2\n```\n"
    assert native_markdown.tokens(native, markdown._PARSERS[FRANKLIN], body, env, True) is not None
    assert native.parsed == 1


def test_kramdown_attribute_lists_are_left_to_markdown_it_py():
    env = {"path": Path("page.md"), "flavour": COMMONMARK, **GENERATORS[0]}
    body = "A paragraph.\n{: .note}\n"
    assert native_markdown.tokens(markdown._NATIVE[COMMONMARK], markdown._PARSERS[COMMONMARK], body, env, False) is None


# --- generated pages ---------------------------------------------------------------------

STARTS = ["", "", "", "# ", "## ", "### ", "> ", "> > > > > > > > > > > ", "- ", "* ", "+ ", "1. ", "2) ", "  ", "   ",
          "    ", "\t", "```",
          "```julia", "```julia:ex", "```!", "~~~", "---", "***", "___", "===", "<div>", "</div>", "<!-- c -->",
          "[ref]: /url", "[ref]: <a b> 'title'", ": ", "| ", "[^1]: ", "[^a]: ", "[^1]:"]
WORDS = ["word", "words here", "*em*", "**strong**", "_u_", "__uu__", "***x***", "*", "_", "`code`", "``a`b``",
         "`", "[link](/u)", "[l](<a b> 'T')", "[ref]", "[ref][]", "![img](i.png)", "![a *b*](i.png \"t\")",
         "<https://x.org/a?b>", "<a@b.c>", "&amp;", "&copy;", "&#35;", "&nope;", "\\*", "\\[", "\\", "--", "-",
         "é", "€", "*€*", "ü*", "<span>", "</span>", "<!-- c -->", "$x$", "$$", "|", "~~s~~", "[^1]", "[^a]", "[^1](/u)", "[^a][ref]", "[^1]:", "^[n]", "^",
         "www.x.org", "a@b", "http://x", ":", "::", "#", "[ ]", "[x]", "{:.c}", "<", ">", "'", "\"", "(", ")"]
# What the fast path takes: CommonMark's own constructs, so that most generated pages test it.
PLAIN = [word for word in WORDS if not any(mark in word for mark in "$|~^@<:[\\") and "www" not in word] + [
    "[link](/u)", "[l](<a b> 'T')", "![img](i.png)", "<https://x.org/a?b>", "\\*", "&amp;", "&#35;", "[^1]", "[^a]"]
PLAIN_STARTS = [start for start in STARTS if not start.startswith(("```", "~~~", ":", "|", "[", "\t"))] + [
    "```\ncode\n```\n", "```julia\nx = 1\n```\n", "```julia:ex\nprintln(1)\n```\n", "  ```\n  a\n  ```\n",
    "\n[^1]: ", "\n[^a]: "]


def page(starts: list[str], words: list[str]):
    line = st.builds(lambda start, words, end: start + " ".join(words) + end, st.sampled_from(starts),
                     st.lists(st.sampled_from(words), max_size=6), st.sampled_from(["", "", " ", "  ", "\\"]))
    return st.lists(line, max_size=14).map("\n".join)


PAGE = st.one_of(page(STARTS, WORDS), page(PLAIN_STARTS, PLAIN))


@settings(max_examples=400, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(PAGE, st.sampled_from(FLAVOURS), st.sampled_from([None, *GENERATORS]))
def test_generated_pages(body, flavour, generator):
    same_either_way(body, flavour, generator if flavour == COMMONMARK else None)
    checked_before_parsing(body, flavour)
    guessed_code_rightly(body, flavour)


LABELS = st.sampled_from(["1", "2", "a", "note", "A"])
# Footnote pages: blocks apart, definitions of the labels referenced (or not), which may nest, run
# on over lazy or indented lines, stand first or after their references.
NOTE_BLOCK = st.one_of(
    st.lists(st.one_of(st.sampled_from(PLAIN), LABELS.map(lambda label: f"[^{label}]")), min_size=1, max_size=6).map(" ".join),
    st.builds(lambda label, words, more: f"[^{label}]:{words}{more}", LABELS,
              st.sampled_from(["", " a note", "a note", " a note[^1]", " *em* [^a] `c`", "  - item"]),
              st.sampled_from(["", "\nlazy line", "\n    indented more", "\n\n    a second paragraph", "\n> quote"])),
    st.sampled_from(PLAIN_STARTS).map(lambda start: start + "text"))
REFERENCES = "See[^1], [^2] [^a][^note] and [^A]."
NOTES = st.lists(NOTE_BLOCK, max_size=8).map("\n\n".join)
# ... and as many pages whose every label is referenced, before or after (the native path takes only those)
NOTE_PAGE = st.one_of(NOTES, NOTES.map(lambda page: f"{page}\n\n{REFERENCES}"),
                      NOTES.map(lambda page: f"{REFERENCES}\n\n{page}"))


@settings(max_examples=400, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(NOTE_PAGE, st.sampled_from(FLAVOURS))
def test_generated_footnote_pages(body, flavour):
    same_either_way(body, flavour)


def test_generated_footnote_pages_are_often_read_natively():
    assert taken_natively(NOTE_PAGE, lambda body: "]:" in body) >= 20   # with a definition


def taken_natively(pages, counted=lambda body: True) -> int:
    """How many of 200 pages drawn from `pages`, of those `counted`, the fast path takes."""
    taken = 0

    @settings(max_examples=200, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(pages)
    def count(body):
        nonlocal taken
        taken += counted(body) and same_either_way(body, COMMONMARK)

    count()
    return taken


def test_generated_pages_are_often_read_natively():
    # The generator is only a test of the fast path if many of its pages take it.
    assert taken_natively(PAGE) >= 20
