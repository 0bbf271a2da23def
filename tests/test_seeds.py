"""The five seed pages from other site builders build unchanged and read as their authors meant."""

from __future__ import annotations

import re
import shutil
from html import unescape

import pytest
import yaml

from conftest import read, seeds, SITES, run_pysite

# Where each seed lands in the test site, as its builder would have it.
PLACES = {
    "000": "about.md",                       # Hexo page, YAML front matter with a datetime
    "001": "pages/what-am-i-doing.md",       # WordPress text export, no front matter
    "002": "index.md",                       # Franklin page with @def and a julia block
    "003": "posts/2020-05-02-the-beginning.md",  # fastpages post: toc, categories, footnote
    "004": "podcast/s04e01.md",              # podcast episode, transcript in YAML
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = tmp_path_factory.mktemp("seeds") / "site"
    shutil.copytree(SITES / "seeds", site)
    for seed in sorted(seeds().iterdir()):
        target = site / PLACES[seed.name[:3]]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(seed, target)
    # The fastpages post asks for a table of contents but has no headings: one more post that has some.
    (site / "posts" / "2020-06-01-with-headings.md").write_text(
        "---\ntoc: true\nlayout: post\ntitle: Sections\n---\n\n## First part\n\nText.\n\n## Second part\n\nMore.\n")
    result = run_pysite("build", site)
    assert result.returncode == 0, result.stderr
    return site / "__site"



def test_every_seed_is_a_page(built):
    for rel in ("about/index.html", "pages/what-am-i-doing/index.html", "index.html",
                "posts/2020-05-02-the-beginning/index.html", "podcast/s04e01/index.html"):
        assert (built / rel).is_file(), rel


def test_hexo_page_title_date_emphasis(built):
    html = read(built, "about/index.html")
    assert re.search(r"<title>about · Seed pages</title>", html)
    assert "<em>ML summaries</em>" in html
    assert '<h1 id="about_the_founder"' in html  # a page of a pysite (Franklin) site: Franklin's ids


def test_dates_are_shown(built):
    post = read(built, "posts/2020-05-02-the-beginning/index.html")
    assert '<time datetime="2020-05-02">2 May 2020</time>' in post


def test_wordpress_text_is_paragraphs(built):
    html = read(built, "pages/what-am-i-doing/index.html")
    assert "<p>Machine learning (ML) with all its hypes" in html
    assert "<title>What am I doing here? · Seed pages</title>" in html or "<title>what am i doing" in html.lower()


def test_franklin_page(built):
    html = read(built, "index.html")
    assert "@def" not in html and "hascode" not in html
    assert "tableofcontents" not in html, "the commented-out command must not show"
    assert '<a href="https://julialang.org/">Julia</a>' in html
    code = re.search(r'<pre class="highlight"><code class="language-julia">(.*?)</code></pre>', html, re.S)
    assert code, "the julia block is highlighted"
    assert '<span class="k">abstract</span>' in code.group(1)
    assert "η" in unescape(code.group(1))


def test_fastpages_post(built):
    html = read(built, "posts/2020-05-02-the-beginning/index.html")
    assert "<title>The Beginning · Seed pages</title>" in html
    assert "<strong>Lead AI Scientist</strong>" in html
    # the footnote, linked both ways
    ref = re.search(r'<sup class="footnote-ref"><a href="#(fn[^"]+)" id="(fnref[^"]+)"', html)
    assert ref, "footnote reference"
    assert f'id="{ref.group(1)}"' in html
    assert f'href="#{ref.group(2)}"' in html
    # the categories are links from the layout
    assert 'href="/categories/MLArchitect/"' in html
    assert 'href="/categories/Start/"' in html


def test_table_of_contents_where_toc_is_true(built):
    html = read(built, "posts/2020-06-01-with-headings/index.html")
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S)
    assert toc and 'href="#first-part"' in toc.group(0) and 'href="#second-part"' in toc.group(0)
    assert '<nav class="toc"' not in read(built, "about/index.html")


def test_podcast_transcript_in_order(built):
    html = read(built, "podcast/s04e01/index.html")
    seed = next(p for p in seeds().iterdir() if p.name.startswith("004"))
    front_matter = seed.read_text(encoding="utf-8").split("\n---\n")[0].removeprefix("---\n")
    transcript = yaml.safe_load(front_matter)["transcript"]
    expected = [item.get("header") or item["line"][:40] for item in transcript]
    text = unescape(html)
    positions = [text.find(part) for part in expected]
    assert all(p >= 0 for p in positions), [e for e, p in zip(expected, positions) if p < 0][:3]
    assert positions == sorted(positions)
    assert '<span class="who">Santiago</span>' in html
    assert ">3:16</a>" in html
    assert '<li class="transcript-header"><h2>Santiago’s background</h2></li>' in html
