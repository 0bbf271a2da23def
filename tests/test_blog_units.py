"""The blog package's rules as functions: slugs, posts, drafts and dates, prepath links,
absolute URLs, redirect paths, date order."""

from __future__ import annotations

import datetime as dt

import pytest

from pysite.blog.links import absolute, origin, prefix_links
from pysite.blog.posts import by_date, is_draft, is_future, is_post
from pysite.blog.redirects import output_of
from pysite.blog.taxonomy import collect, pages_tagged, slug, term_path


@pytest.mark.parametrize("name, expected", [
    ("julia", "julia"), ("MLArchitect", "MLArchitect"), ("Machine Learning", "Machine-Learning"),
    (" a / b ", "a-b"), ("C++", "C++"), ("café", "café"), ("what?#", "what"), ("///", "-"),
])
def test_slug(name, expected):
    assert slug(name) == expected


def test_terms_merge_by_slug_and_count():
    views = [{"url": "/a/", "tags": ["Julia Lang", "x"]}, {"url": "/b/", "tags": ["Julia-Lang"]}]
    terms = collect(views, "tags", "/project")
    assert [(t.name, t.url, t.count) for t in terms] == [("Julia Lang", "/project/tags/Julia-Lang/", 2),
                                                         ("x", "/project/tags/x/", 1)]
    assert pages_tagged(views, "julia-lang") == [] and pages_tagged(views, "Julia-Lang") == views
    assert term_path("categories", "Start") == "/categories/Start/"


def test_which_pages_are_posts():
    assert is_post({"source": "about.md", "date": dt.date(2020, 6, 6)})
    assert not is_post({"source": "about.md", "date": dt.date(2020, 6, 6)}, "posts/")
    assert is_post({"source": "posts/a.md", "date": dt.date(2020, 6, 6)}, ["posts"])
    assert not is_post({"source": "posts/index.md", "date": dt.date(2020, 6, 6)})
    assert not is_post({"source": "404.md", "date": dt.date(2020, 6, 6)})
    assert not is_post({"source": "pages/a.md"})
    assert is_post({"source": "pages/a.md", "rss": "Franklin adds pages with `rss`"})
    assert not is_post({"source": "posts/a.md", "date": dt.date(2020, 6, 6), "post": False})


def test_drafts_and_future_dates():
    now = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
    assert is_future(dt.date(2024, 6, 2), now) and not is_future(dt.date(2024, 6, 1), now)
    assert is_future(dt.datetime(2024, 6, 1, 13, 0, tzinfo=dt.timezone.utc), now)
    assert not is_future(dt.datetime(2024, 6, 1, 11, 0, tzinfo=dt.timezone.utc), now)
    assert not is_future(None, now) and not is_future("2999-01-01", now)
    assert is_draft({"draft": True}) and is_draft({"date": dt.date(2999, 1, 1)})
    assert not is_draft({"draft": False, "date": dt.date(2000, 1, 1)})


def test_prefix_links():
    html = ('<a href="/a/">a</a> <img src=\'/b.png\'> <a href="//cdn.example.org/x.js">c</a> '
            '<a href="https://x.org/">d</a> <a href="#top">e</a> <a href="rel/">f</a> '
            '<code>href="/not-a-link/"</code> <code>href=&quot;/escaped/&quot;</code>')
    out = prefix_links(html, "/project")
    assert '<a href="/project/a/">' in out and "<img src='/project/b.png'>" in out
    for kept in ('href="//cdn.example.org/x.js"', 'href="https://x.org/"', 'href="#top"', 'href="rel/"',
                 '<code>href="/not-a-link/"</code>', "href=&quot;/escaped/&quot;"):
        assert kept in out
    assert prefix_links(html, "") == html


def test_absolute_urls_with_or_without_the_prepath_in_website_url():
    for url in ("https://user.github.io/project/", "https://user.github.io/project", "https://user.github.io"):
        site = {"url": url, "prepath": "/project"}
        assert origin(site) == "https://user.github.io"
        assert absolute(site, "/project/posts/a/") == "https://user.github.io/project/posts/a/"
    assert absolute({"url": "https://x.org/"}, "/a/") == "https://x.org/a/"


@pytest.mark.parametrize("alias, rel", [
    ("/old/url/", "old/url/index.html"), ("/old/url", "old/url/index.html"), ("old.html", "old.html"),
    ("/2020/01/post.html#x", "2020/01/post.html"), ("/", None), ("/../etc/", None), ("https://x.org/a/", None),
    ("/a\0b/", None),  # fuzzing: a NUL byte stopped the build
])
def test_redirect_outputs(alias, rel):
    assert output_of(alias) == rel


def test_by_date():
    views = [{"t": "undated"}, {"t": "old", "date": dt.date(2020, 1, 1)},
             {"t": "new", "date": dt.datetime(2021, 1, 1, 9, 30, tzinfo=dt.timezone.utc)},
             {"t": "mid", "date": dt.date(2020, 6, 1)}]
    assert [v["t"] for v in by_date(views)] == ["new", "mid", "old", "undated"]
    assert [v["t"] for v in by_date(views, newest_first=False)] == ["old", "mid", "new", "undated"]
