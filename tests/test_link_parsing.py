"""The ids and links of a page's HTML (pysite.check.parse_text): read without HTMLParser when the
HTML is plain (`plain_start_tags`), they are what HTMLParser finds, on the fixtures' HTML, the
corpus' published pages and generated HTML; HTML that is not plain is left to HTMLParser."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from markdown_it.utils import read_fixture_file

from conftest import shared
from pysite.check import LinkParser, parse_text, plain_start_tags

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*/*.md"))


def by_html_parser(text: str):
    parser = LinkParser()
    parser.feed(text)
    parser.close()
    return parser.found


def test_fixtures_html():
    for path in FIXTURES:
        for _, _, _, expected in read_fixture_file(path):
            assert parse_text(expected) == by_html_parser(expected)


def test_corpus_pages():
    pages = sorted(shared("corpus").rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="replace")
        assert parse_text(text) == by_html_parser(text), page


@pytest.mark.parametrize("text", ["<p>a <!-- <a href='x'> --></p>", "<script>var a = '<a href=\"x\">';</script>",
                                  "<a href=x <b>", "a < b", "<a href='x'\r>", "<my-tag id=x>", "<a href=>",
                                  "<!DOCTYPE html><p id=x>", "<TITLE><a href=y></TITLE>", "<a href=\"x\"/ >"])
def test_what_is_not_plain_is_left_to_html_parser(text):
    assert plain_start_tags(text) is None
    assert parse_text(text) == by_html_parser(text)


def test_plain_html_is_read_without_html_parser():
    text = '<h2 id="a-b">T <a href="#a-b" class="anchor">#</a></h2>\n<p><img src="i.png" alt="x &amp; y"/></p>'
    assert plain_start_tags(text) == [("h2", [("id", "a-b")]), ("a", [("href", "#a-b"), ("class", "anchor")]),
                                      ("img", [("src", "i.png"), ("alt", "x & y")])]
    assert parse_text(text) == by_html_parser(text)


NAMES = st.sampled_from(["a", "A", "img", "div", "p", "span", "h1", "link", "script", "style", "title", "x-y"])
ATTRIBUTE_NAMES = st.sampled_from(["href", "HREF", "id", "name", "src", "class", "alt", "data-x", "poster", "x"])
VALUES = st.sampled_from(['"x"', "'y'", "z", '""', "''", '"a b"', '"#frag"', '"&amp;&lt;&#39;"', "a&amp;b", '" s "',
                          '"a>b"', "/u/", '"<"', "="])
SPACES = st.sampled_from([" ", "  ", "\n", "\t", "\r", ""])
ATTRIBUTE = st.builds(lambda name, eq, value: name + (eq + value if eq is not None else ""), ATTRIBUTE_NAMES,
                      st.sampled_from([None, "=", " = ", "=\n"]), VALUES)
TAG = st.builds(lambda close, name, attrs, space, end: f"<{close}{name}{''.join(attrs)}{space}{end}",
                st.sampled_from(["", "", "/"]), NAMES, st.lists(st.builds(lambda s, a: s + a, SPACES, ATTRIBUTE),
                                                                max_size=3),
                SPACES, st.sampled_from([">", "/>", "", " >"]))
TEXT = st.sampled_from(["text", " ", "\n", "&amp;", "a < b", "<!-- c -->", "<!DOCTYPE html>", "<", ">", "é"])
# Mostly well-formed, so that many pages take the plain path.
WELL_FORMED = st.builds(lambda close, name, attrs, end: f"</{name}>" if close else f"<{name}{''.join(attrs)}{end}",
                        st.booleans(), NAMES.filter(lambda name: name not in ("script", "style", "title", "x-y")),
                        st.lists(st.builds(lambda s, a: s + a, st.sampled_from([" ", "\n", "  "]),
                                           ATTRIBUTE.filter(lambda a: not a.endswith(("=", '"<"', "= z")))),
                                 max_size=3), st.sampled_from([">", "/>", " >"]))
HTML = st.one_of(st.lists(st.one_of(TAG, TEXT), max_size=12).map("".join),
                 st.lists(st.one_of(WELL_FORMED, TEXT.filter(lambda t: "<" not in t)), max_size=12).map("".join))


@settings(max_examples=600, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(HTML)
def test_generated_html(text):
    assert parse_text(text) == by_html_parser(text)
