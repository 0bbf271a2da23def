"""The test blog (tests/sites/blog plus two seed pages) built with the real CLI: post lists,
pagination, tag and category pages, feeds, sitemap, robots.txt, drafts, scheduled posts,
redirects and a build under a prepath."""

from __future__ import annotations

import html
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from conftest import read, seeds, SITES, run_pysite

SITE_URL = "https://blog.example.org"
NEWEST_FIRST = ["Fourth post", "Third post", "Second post", "First post", "The Beginning"]


def make_blog(root: Path) -> Path:
    site = root / "blog"
    shutil.copytree(SITES / "blog", site)
    seed = {p.name[:3]: p for p in seeds().iterdir()}
    shutil.copy(seed["003"], site / "posts" / "2020-05-02-the-beginning.md")  # fastpages: categories
    shutil.copy(seed["000"], site / "about.md")                                # Hexo page with a date
    return site


def build(site: Path, out: Path, *flags: str) -> Path:
    result = run_pysite("build", site, "-o", out, *flags)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def blog(tmp_path_factory) -> Path:
    return make_blog(tmp_path_factory.mktemp("blog"))


@pytest.fixture(scope="module")
def out(blog) -> Path:
    return build(blog, blog / "__site")



def titles(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<a class="post-link" href="[^"]*">([^<]*)</a>', page)]


# Lists ------------------------------------------------------------------------------------

def test_home_lists_posts_newest_first(out):
    home = read(out, "index.html")
    assert titles(home) == NEWEST_FIRST
    assert "about" not in titles(home), "posts_folder keeps the dated Hexo page out of the posts"


def test_list_entries_have_date_summary_and_reading_time(out):
    home = read(out, "index.html")
    first = home[home.index(">First post<"):]
    assert '<time datetime="2024-01-01">1 January 2024</time>' in first
    assert '<span class="reading-time">1 min read</span>' in first
    assert '<p class="post-summary">The first post of the test blog.</p>' in first  # description
    second = home[home.index(">Second post<"):home.index(">First post<")]
    assert "This part is the excerpt" in second and "not in lists" not in second   # <!-- more -->
    third = home[home.index(">Third post<"):home.index(">Second post<")]
    assert "written with Franklin" in third and "second paragraph" not in third    # first paragraph


def test_pagination(out):
    pages = {1: read(out, "blog/index.html"), 2: read(out, "blog/page/2/index.html"),
             3: read(out, "blog/page/3/index.html")}
    assert [titles(pages[n]) for n in (1, 2, 3)] == [NEWEST_FIRST[0:2], NEWEST_FIRST[2:4], NEWEST_FIRST[4:]]
    assert not (out / "blog/page/4").exists()
    assert 'rel="next" href="/blog/page/2/"' in pages[1] and 'rel="prev"' not in pages[1]
    assert 'rel="prev" href="/blog/"' in pages[2] and 'rel="next" href="/blog/page/3/"' in pages[2]
    assert 'rel="prev" href="/blog/page/2/"' in pages[3] and 'rel="next"' not in pages[3]
    assert "Page 2 of 3" in pages[2]
    assert "All posts, two per page." in pages[1] and "All posts" not in pages[2]
    assert 'http-equiv="refresh" content="0; url=/blog/"' in read(out, "blog/page/1/index.html")


# Tags and categories ----------------------------------------------------------------------

def test_tag_pages(out):
    assert titles(read(out, "tags/julia/index.html")) == ["Third post", "Second post", "First post"]
    assert titles(read(out, "tags/Machine-Learning/index.html")) == ["First post"]
    assert titles(read(out, "categories/MLArchitect/index.html")) == ["The Beginning"]
    assert titles(read(out, "categories/Start/index.html")) == ["The Beginning"]
    assert titles(read(out, "categories/Notes/index.html")) == ["Fourth post"]
    assert "<h1>Tag: julia</h1>" in read(out, "tags/julia/index.html")
    assert "<h1>Category: Start</h1>" in read(out, "categories/Start/index.html")


def test_tags_of_drafts_and_scheduled_posts_have_no_page(out):
    assert not (out / "tags/secret").exists()
    assert not (out / "tags/someday").exists()


def test_tag_index_with_counts(out):
    index = read(out, "tags/index.html")
    found = re.findall(r'<a class="term" rel="tag" href="([^"]*)">([^<]*)</a> <span class="term-count">(\d+)</span>', index)
    assert found == [("/tags/julia/", "julia", "3"), ("/tags/Machine-Learning/", "Machine Learning", "1"),
                     ("/tags/python/", "python", "1")]
    assert 'href="/categories/MLArchitect/">MLArchitect</a> <span class="term-count">1' in read(out, "categories/index.html")


def test_posts_link_to_their_tag_pages(out):
    post = read(out, "posts/2024-01-01-first/index.html")
    for href in re.findall(r'<a class="term" rel="tag" href="([^"]*)"', post):
        assert (out / href.strip("/") / "index.html").is_file(), href
    assert 'href="/tags/Machine-Learning/">Machine Learning</a>' in post


# Feeds ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, version", [("feed.xml", "rss20"), ("atom.xml", "atom10")])
def test_feeds(out, name, version):
    feed = feedparser.parse(read(out, name))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.title == "Test blog"
    assert feed.feed.link == SITE_URL + "/"
    assert [e.title for e in feed.entries] == NEWEST_FIRST
    fourth, third, second = feed.entries[:3]
    assert fourth.link == SITE_URL + "/posts/fourth/"
    assert fourth.published_parsed[:5] == (2024, 4, 1, 10, 30)
    assert third.summary == "A Franklin-style RSS description."                     # Franklin's `rss`
    assert f'<a href="{SITE_URL}/">link home</a>' in second.summary                  # excerpt, absolute links
    assert [t.term for t in fourth.tags] == ["Notes"]
    if version == "rss20":
        assert feed.feed.subtitle == "Posts for pysite's blog tests."


def test_feed_per_tag(out):
    feed = feedparser.parse(read(out, "tags/julia/atom.xml"))
    assert feed.bozo == 0
    assert [e.title for e in feed.entries] == ["Third post", "Second post", "First post"]


def test_full_content_and_disabled_feeds(tmp_path):
    site = make_blog(tmp_path)
    config = site / "config.md"
    config.write_text(config.read_text(encoding="utf-8") + "@def rss_full_content = true\n", encoding="utf-8")
    full = build(site, tmp_path / "full")
    second = feedparser.parse(read(full, "feed.xml")).entries[2]
    assert "The rest of the post is not in lists" in second.summary
    assert f'href="{SITE_URL}/posts/2024-01-01-first/#setup"' in second.summary
    config.write_text(config.read_text(encoding="utf-8") + "@def generate_rss = false\n", encoding="utf-8")
    off = build(site, tmp_path / "off")
    assert not (off / "feed.xml").exists() and not (off / "atom.xml").exists()
    assert (off / "sitemap.xml").exists()


# Sitemap and robots -----------------------------------------------------------------------

def sitemap_entries(out: Path) -> dict[str, dict[str, str]]:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(out / "sitemap.xml").getroot()
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    return {url.findtext("s:loc", namespaces=ns): {child.tag.split("}")[1]: child.text for child in url}
            for url in root.findall("s:url", ns)}


def test_sitemap(out):
    entries = sitemap_entries(out)
    for path in ("/", "/about/", "/posts/fourth/", "/posts/2020-05-02-the-beginning/", "/tags/", "/tags/julia/",
                 "/categories/Start/", "/pages/links/"):
        assert SITE_URL + path in entries, path
    for path in ("/pages/hidden/", "/posts/draft/", "/posts/future/", "/old/second/", "/blog/page/1/"):
        assert SITE_URL + path not in entries, path
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", e["lastmod"]) for e in entries.values())
    assert entries[SITE_URL + "/tags/julia/"]["lastmod"] == "2024-03-01"
    assert entries[SITE_URL + "/pages/links/"]["priority"] == "0.8"
    assert entries[SITE_URL + "/pages/links/"]["changefreq"] == "weekly"


def test_robots(out, tmp_path):
    assert read(out, "robots.txt") == f"User-agent: *\nDisallow:\n\nSitemap: {SITE_URL}/sitemap.xml\n"
    site = make_blog(tmp_path)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    own = build(site, tmp_path / "own")
    assert read(own, "robots.txt") == "User-agent: *\nDisallow: /private/\n"


# Drafts and scheduled posts ---------------------------------------------------------------

def test_drafts_and_future_posts_left_out(out):
    assert not (out / "posts/draft").exists()
    assert not (out / "posts/future").exists()
    everything = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*") if p.suffix in (".html", ".xml"))
    assert "Unfinished draft" not in everything and "Scheduled post" not in everything


def test_drafts_built_on_request(blog, tmp_path):
    out = build(blog, tmp_path / "drafts", "--drafts")
    for rel in ("posts/draft/index.html", "posts/future/index.html"):
        assert '<p class="draft-banner" role="note">' in read(out, rel), rel
    assert '<p class="draft-banner"' not in read(out, "posts/second/index.html")
    for name in ("feed.xml", "atom.xml"):
        assert [e.title for e in feedparser.parse(read(out, name)).entries] == NEWEST_FIRST
    assert SITE_URL + "/posts/draft/" not in sitemap_entries(out)
    assert '<li class="is-draft">' in read(out, "index.html")  # a preview marks them in lists


# Redirects --------------------------------------------------------------------------------

@pytest.mark.parametrize("old", ["old/second/index.html", "2024/04/fourth.html"])
def test_redirect_pages(out, old):
    page = read(out, old)
    target = "/posts/second/" if "second" in old else "/posts/fourth/"
    assert f'<meta http-equiv="refresh" content="0; url={target}">' in page
    assert f'<link rel="canonical" href="{SITE_URL}{target}">' in page
    assert f'<a href="{target}">' in page and "<script" not in page


# Deployment under a prepath ---------------------------------------------------------------

URL_VALUE = re.compile(r"""(?:href|src|action|poster)=["']([^"']*)["']|<(?:loc|link|guid|id)>([^<]*)</|Sitemap: (\S+)""")


def test_prepath_build_keeps_every_link_inside(blog, tmp_path):
    out = build(blog, tmp_path / "project", "--base-url", "https://user.github.io/project/")
    checked = 0
    for path in sorted(out.rglob("*")):
        if path.suffix not in (".html", ".xml", ".txt"):
            continue
        text = html.unescape(path.read_text(encoding="utf-8"))  # feeds hold escaped HTML
        for match in URL_VALUE.finditer(text):
            value = next(v for v in match.groups() if v is not None)
            checked += 1
            if value.startswith("/") and not value.startswith("//"):
                assert value.startswith("/project/"), f"{path.relative_to(out)}: {value}"
            elif "user.github.io" in value:
                assert value.startswith("https://user.github.io/project/"), f"{path.relative_to(out)}: {value}"
    assert checked > 200
    assert 'href="/project/posts/2024-01-01-first/#setup"' in read(out, "posts/second/index.html")
    assert 'src="/project/assets/dot.svg"' in read(out, "posts/2024-01-01-first/index.html")
    assert feedparser.parse(read(out, "feed.xml")).entries[0].link == "https://user.github.io/project/posts/fourth/"
    result = run_pysite("check", blog, "-o", out, "--no-build", "--prepath", "project")
    assert result.returncode == 0, result.stderr


def test_the_built_blog_has_no_broken_links(blog, out):
    result = run_pysite("check", blog, "--no-build")
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stderr
