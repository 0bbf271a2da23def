"""tests/sites/hexo built as it stands with the real CLI, checked page by page: Hexo's URLs,
its tag plugins, `<!-- more -->` excerpts, post asset folders, and the theme notice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SITES, build_copy, read, run_pysite, without_julia

FIRST = "news/2022/01/02/first-light/index.html"
SECOND = "news/2022/02/03/second-night/index.html"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    return build_copy(tmp_path_factory.mktemp("hexo"), "hexo", without_julia())


def test_urls_are_hexos(built):
    out, _ = built
    published = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {FIRST, SECOND, "index.html", "about/index.html", "docs/setup.html", "robots.txt",
            "images/sky.svg", "news/2022/01/02/first-light/moon.svg"} <= published
    assert not any(p.startswith(("source/", "themes/", "scaffolds/", "_posts/", "_data/")) for p in published)
    assert "package.json" not in published and "_config.yml" not in published
    assert not any("clouds" in p for p in published), "drafts only with --drafts"


def test_posts_keep_title_date_categories_and_tags(built):
    out, _ = built
    page = read(out, FIRST)
    assert "<h1>First light</h1>" in page
    assert "2022-01-02" in page
    assert "Astronomy" in page and "telescope" in page and "night" in page


def test_tag_plugins(built):
    out, _ = built
    page = read(out, FIRST)
    assert ('<blockquote class="note warning"><strong class="note-title">Mind the cold</strong>'
            "<p>Wear <strong>gloves</strong> at the eyepiece.&#10;Set <code>focus: near</code> first.</p>") in page
    assert '<figure class="highlight python"><figcaption><span>Focus routine</span>' in page
    assert '<a href="https://example.net/focus.py">focus.py</a></figcaption>' in page
    assert '<span class="p">):</span>&#10;&#10;    <span class="k">return</span>' in page, "the code keeps its blank line"
    assert '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"' in page
    assert "<footer><strong>Galileo Galilei</strong><cite>Sidereus Nuncius</cite></footer>" in page
    assert '<img src="/news/2022/01/02/first-light/moon.svg" title="The moon" alt="The moon">' in page
    assert '<img src="/images/sky.svg" width="200" height="100" title="Night sky" alt="Stars over the dome">' in page
    assert "{% note %} in a fence is left as it is" in page
    assert "<code>{% img %}</code> names one, <code>First light</code> is this title, <code>{% %}</code> is none." in page
    assert "{% youtube id %} in an indented fence" in page.replace("&#123;", "{").replace("&#125;", "}")
    assert "{% youtube id %} shows a video." in page
    second = read(out, SECOND)
    assert '<a href="/news/2022/01/02/first-light/" title="First light">First light</a>' in second
    assert '<a href="/news/2022/01/02/first-light/" title="the first night">the first night</a>' in second
    assert "Star list" in second and "Vega" in second


def test_headings_and_typography_as_hexo_renderer_marked(built):
    out, _ = built
    page = read(out, SECOND)
    assert ('<h2 id="What’s-next"><a href="#What’s-next" class="headerlink" title="What’s next"></a>'
            "What’s next</h2>") in page
    assert '<h2 id="What’s-next-1"><a href="#What’s-next-1" class="headerlink"' in page, "ids met again get -1"
    assert "<p>The “clear” nights – few… and <code>" in page
    assert "A break<br>\nhere.</p>\n<hr>\n" in page, "marked writes void elements as HTML, not XHTML"
    assert ('<figure class="highlight py"><figcaption><span>stars.py</span><a href="https://example.net/stars.py">'
            "the full list</a></figcaption><pre") in page, "a fence's words after the language are its caption"
    assert "#</a>" not in page


def test_more_marks_the_excerpt(built):
    out, _ = built
    home_feed = read(out, "feed.xml")
    assert "The dome opened at dusk." in home_feed
    assert "Mind the cold" not in home_feed, "the excerpt ends at <!-- more -->"


def test_the_theme_is_named_once(built):
    _, log = built
    assert log.count("Hexo theme `lantern` is not rendered") == 1


def test_archives_by_year_and_month(built):
    out, _ = built
    for rel in ("archives/index.html", "archives/2022/index.html", "archives/2022/02/index.html"):
        assert (out / rel).is_file(), rel
    year, next_page = read(out, "archives/2022/index.html"), read(out, "archives/2022/page/2/index.html")
    assert "Second night" in year and "The dome opened" not in year, "newest first, `per_page: 1`"
    assert "The dome opened at dusk." in next_page, "each post whole"
    assert "The dome opened at dusk." not in read(out, "archives/2022/02/index.html")


def test_lists_are_paginated_as_hexo_pagination(built):
    # The same list pages, with the same posts on each, as Hexo 7 with hexo-generator-index 4 and
    # hexo-generator-archive 2 writes for this site (checked by running it with a probe theme)
    out, _ = built
    published = {p.relative_to(out).as_posix() for p in out.rglob("index.html")}
    assert {"archives/page/2/index.html", "archives/2022/page/2/index.html", "log/index.html",
            "log/page/2/index.html"} <= published
    assert not {"archives/page/1/index.html", "archives/page/3/index.html", "archives/2022/01/page/2/index.html",
                "log/page/3/index.html"} & published
    home, second = read(out, "log/index.html"), read(out, "log/page/2/index.html")
    assert "First light" in home and "Second night" not in home, "a sticky post comes first"
    assert "Second night" in second
    assert '<a class="pagination-next" rel="next" href="/log/page/2/">' in home
    assert '<a class="pagination-prev" rel="prev" href="/log/">' in second
    assert '<a class="pagination-prev" rel="prev" href="/archives/">' in read(out, "archives/page/2/index.html")
    assert "Notes from the observatory." in read(out, "index.html"), "the site's own index page stays"


def test_per_page_zero_lists_everything_on_one_page(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITES / "hexo", site)
    config = site / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("per_page: 1\n", "per_page: 0\n"), encoding="utf-8")
    assert run_pysite("build", site, env=without_julia()).returncode == 0
    out = site / "__site"
    assert not (out / "archives/page/2").exists() and not (out / "log/page/2").exists()
    listed = read(out, "log/index.html")
    assert "First light" in listed and "Second night" in listed


def test_a_post_without_more_has_no_excerpt_as_in_hexo(built):
    out, _ = built
    first = read(out, FIRST)
    assert '<span id="more"></span>' in first and "<!-- more -->" not in first
    feed = read(out, "feed.xml")
    assert "Vega" in feed, "with no excerpt the feed carries the whole post"
