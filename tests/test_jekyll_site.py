"""tests/sites/jekyll built as it stands with the real CLI and a real Julia, checked page by
page: URLs from permalinks, publishing rules, layout chains, includes, filters, data,
collections, attribute lists, a Julia cell, and the warnings a user sees."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import SITES, build_copy, read, run_pysite

HELLO = "news/field/2021/03/04/hello-world.html"
SECOND = "field/2021/05/06/second-walk.html"


@pytest.fixture(scope="module")
def built(tmp_path_factory, julia_install) -> tuple[Path, str]:
    env = {**os.environ, "PYSITE_JULIA": str(julia_install.executable)}
    return build_copy(tmp_path_factory.mktemp("jekyll"), "jekyll", env)


def test_every_url_is_the_one_jekyll_gives(built):
    out, _ = built
    published = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {HELLO, SECOND, "about/index.html", "recipes/lentil-soup/index.html", "index.html",
            "home.html", "assets/style.css", "assets/map.svg", "plain.html"} <= published
    # Jekyll's publishing rules: excluded, underscored, draft, unpublished collection, its own files
    for left_out in ("notes.txt", "Gemfile", "_config.yml", "_todo.md", "_hidden/secret/index.html",
                     "_hidden/secret.html", "staff/alice.html", "_staff/alice.html", "_layouts/default.html"):
        assert left_out not in published, left_out
    assert not any("unfinished" in path for path in published), "a draft is built only with --drafts"
    assert not any("withdrawn" in path for path in published), "published: false"


def test_layouts_chain_through_their_front_matter(built):
    out, _ = built
    page = read(out, HELLO)
    assert page.count("<!doctype html>") == 1
    assert '<article class="layout-post">' in page and 'class="layout-default"' in page
    assert "<h1>Hello, World</h1>" in page
    assert "by Ada" in page, "defaults scoped by type give posts their author"
    assert "from the post layout" in page, "`layout` holds the front matter of the layouts in the chain"
    assert re.search(r'datetime="2021-03-04T00:00:00\+01:00">04 Mar 2021</time>', page), "site timezone"
    assert "News and field" in page


def test_includes_data_and_filters(built):
    out, _ = built
    page = read(out, HELLO)
    assert '<aside class="callout callout-tip">Pack water.</aside>' in page
    assert '<a href="/blog/about/">About</a>' in page and "Written in the field" in page
    assert '<link rel="stylesheet" href="/blog/assets/style.css">' in page
    assert "<title>Hello, World | Field Notes</title>" in page, "jekyll-seo-tag maps to pysite's head tags"
    assert 'href="/blog/feed.xml"' in page
    assert "The first post of Field Notes, dated March 4, 2021." in page
    assert "Liquid is written as {{ this }}." in page
    assert '<figure class="highlight"><pre class="highlight"><code class="language-python">' in page
    home = read(out, "index.html")
    assert home.index("A second walk") < home.index("Hello, World"), "site.posts newest first"
    assert '<a href="/blog/news/field/2021/03/04/hello-world.html">Hello, World</a> (2021-03-04)' in home
    assert '<p class="field-count">2 field posts</p>' in home
    assert '<p class="year">2021: 2</p>' in home
    assert "Lentil soup at /recipes/lentil-soup/" in home
    menu = re.search(r'<script type="application/json" id="menu">(.*?)</script>', home).group(1)
    assert json.loads(menu)[1] == {"title": "About", "url": "/about/"}
    assert '<p class="slug">hello-wide-world</p>' in home
    assert '<p class="escaped">a &lt; b &amp; c</p>' in home
    assert '<p>Some <em>emphasis</em>, <a href="/x/" class="out">a link</a></p>' in home
    assert '<p class="group">post: A second walk, Hello, World</p>' in home
    assert "{{ not rendered }}" in read(out, "plain.html"), "a file without front matter is copied"


def test_collections(built):
    out, _ = built
    recipe = read(out, "recipes/lentil-soup/index.html")
    assert '<section class="layout-recipe"><h1>Lentil soup</h1><p>Serves 4</p>' in recipe
    assert "from the recipe layout" in recipe
    assert "The staff: Alice (cartographer)." in read(out, "about/index.html"), "output: false is still listed"


def test_kramdown_attribute_lists(built):
    out, _ = built
    page = read(out, HELLO)
    assert '<p class="lead">The first post' in page
    assert '<a href="https://example.com" target="_blank">link that opens elsewhere</a>' in page
    assert '<img src="/blog/assets/map.svg" alt="a map" width="40%"' in page
    assert re.search(r'<h2 id="measured" class="section"[^>]*>', page) or \
        re.search(r'<h2 class="section" id="measured"[^>]*>', page)
    assert "{:" not in page


def test_links_between_pages(built):
    out, _ = built
    page = read(out, SECOND)
    assert '<a href="/blog/news/field/2021/03/04/hello-world.html">the first post</a>' in page
    assert '<a href="/blog/about/">the about page</a>' in page
    assert "{%" not in page


def test_julia_cell_in_a_post(built):
    out, _ = built
    page = read(out, HELLO)
    assert re.search(r"<code[^>]*>\s*55\s*</code>", page), "the `!` cell's value is shown under it"


def test_warnings_name_the_file_and_line(built):
    _, log = built
    assert re.search(r"_posts/2021-05-06-second-walk\.md:8: unknown Liquid tag \{% unknown_tag %\}", log)
    assert re.search(r"_hidden/ is not published", log), "a folder of pages is never skipped silently"
    assert re.search(r"layouts home come from the theme `jekyll-theme-fieldguide`, which is not in the repository", log)
    assert log.count("come from the theme") == 1


def test_theme_layout_rendered_by_pysites_theme(built):
    out, _ = built
    page = read(out, "home.html")
    assert "This page names a layout that only the theme has." in page
    assert "Theme home" in page


@pytest.mark.parametrize("name, text, message", [
    ("bad.md", "---\nlayout: default\n---\nText\n\n{% if page.title %}never closed\n", r"bad\.md:6: Liquid syntax error"),
    ("style.scss", "---\n---\nbody {\n  color: $nowhere;\n}\n", r"style\.scss:4: Sass: Undefined variable"),
])
def test_a_broken_file_fails_alone_at_its_line(make_site, name, text, message):
    site = make_site({
        "_config.yml": "title: T\n",
        "_layouts/default.html": "<html><body>{{ content }}</body></html>\n",
        "good.md": "---\nlayout: default\n---\nFine.\n",
        name: text,
    })
    result = run_pysite("build", site)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert re.search(message, result.stdout + result.stderr)
    assert "Fine." in (site / "__site" / "good.html").read_text(encoding="utf-8")


def test_a_rebuild_sees_changed_data_includes_and_other_pages(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITES / "jekyll", site)
    (site / "_posts" / "2021-03-04-hello-world.md").write_text(
        "---\ntitle: Hello\n---\nNo cells here.\n", encoding="utf-8")
    assert run_pysite("build", site).returncode == 0
    (site / "_data" / "footer.yml").write_text("text: Written at home\n", encoding="utf-8")
    (site / "_includes" / "callout.html").write_text("<aside>{{ include.text }}!</aside>\n", encoding="utf-8")
    (site / "_posts" / "2021-05-06-second-walk.md").write_text(
        "---\ntitle: Renamed walk\n---\n{% include callout.html text='Go' %}\n", encoding="utf-8")
    assert run_pysite("build", site).returncode == 0
    out = site / "__site"
    assert "Written at home" in read(out, "about/index.html")
    assert "Renamed walk" in read(out, "index.html")
    assert "<aside>Go!</aside>" in read(out, "2021/05/06/second-walk.html")


def test_paginator_pages_through_the_posts_as_jekyll_paginate(built):
    # What Jekyll 4.3 with jekyll-paginate 1.1 writes for this index.html (checked by running it)
    out, _ = built
    first, second = read(out, "index.html"), read(out, "news/page2/index.html")
    assert ('<nav class="pager">Page 1 of 2 (1 a page, 2 posts): <a href="/blog/field/2021/05/06/second-walk.html">'
            'A second walk</a> <a class="older" href="/blog/news/page2/">page 2</a> at /</nav>') in first
    assert ('<nav class="pager">Page 2 of 2 (1 a page, 2 posts): <a href="/blog/news/field/2021/03/04/hello-world.html">'
            'Hello, World</a> <a class="newer" href="/blog/">page 1</a> at /news/page2/</nav>') in second
    assert 'class="layout-default"' in second, "list pages go through the index's layouts"
    assert not (out / "news/page1/index.html").exists() and not (out / "news/page3/index.html").exists()


def test_paginate_skips_hidden_posts_and_uses_the_default_path(make_site):
    post = "---\ntitle: {}\n{}---\nText.\n"
    site = make_site({
        "_config.yml": "title: T\npaginate: 2\n",
        "_layouts/default.html": "<html><body>{{ content }}</body></html>\n",
        "index.html": "---\nlayout: default\n---\n{{ paginator.page }}/{{ paginator.total_pages }}:"
                      "{% for p in paginator.posts %} {{ p.title }}{% endfor %};"
                      " next={{ paginator.next_page_path }} previous={{ paginator.previous_page_path }}\n",
        "sub/index.html": "---\nlayout: default\n---\n{{ paginator.page }}none\n",
        "_posts/2020-01-01-a.md": post.format("A", ""),
        "_posts/2020-01-02-b.md": post.format("B", "hidden: true\n"),
        "_posts/2020-01-03-c.md": post.format("C", ""),
        "_posts/2020-01-04-d.md": post.format("D", ""),
    })
    result = run_pysite("build", site)
    assert result.returncode == 0, result.stdout + result.stderr
    out = site / "__site"
    assert "1/2: D C; next=/page2 previous=" in read(out, "index.html")
    assert "2/2: A; next= previous=/" in read(out, "page2/index.html")
    assert re.search(r"<body>\s*none", read(out, "sub/index.html")), "only the one index.html gets a paginator"
    assert not (out / "page3").exists()


EPISODE = "podcast/s02e03-rivers-in-winter.html"


def transcript(page: str) -> list[tuple[str, ...]]:
    """The transcript as a reader meets it: section headers and (speaker, time, words) in order."""
    body = page[page.index('<div class="transcript">'):page.index("</article>")]
    found = []
    for match in re.finditer(r'<h3 id="([^"]+)">([^<]+)</h3>|<p class="who">([^<]+?)(?: <a class="time" '
                             r'href="([^"]+)">([^<]+)</a>)?</p>\s*<div class="said">(.*?)</div>', body, re.DOTALL):
        if match[1]:
            found.append(("header", match[1], match[2]))
        else:
            found.append((match[3], match[5] or "", re.sub(r"\s+", " ", match[6]).strip()))
    return found


def test_podcast_episodes_render_their_transcripts_in_order(built):
    # Each expected fragment is what Jekyll 4.3 writes for these pages (checked by running it)
    out, _ = built
    page = read(out, EPISODE)
    assert "from the episode layout" in page and 'class="layout-default"' in page, "the collection's layout chain"
    assert "<h1>S2E3: Rivers in Winter</h1>" in page
    assert '<p class="guests">With <a href="https://rosa.example.org">Rosa Lindqvist</a> (hydrologist)</p>' in page
    assert '<iframe class="video" src="https://video.example.com/embed/abc123XYZ"></iframe>' in page
    assert ('<ol class="outline"><li><a href="#rosa-s-first-winter">Rosa’s first winter</a></li>'
            '<li><a href="#measuring-under-ice">Measuring under ice</a></li></ol>') in page
    assert '<a href="https://data.example.org" target="_blank">The data portal</a>' in page, "the body below"
    assert transcript(page) == [
        ("Tomás", "0:12", "<p>Welcome to Field Notes. Today we talk about rivers that freeze, with Rosa, "
                          "who measures them for a living.</p>"),
        ("Rosa", "0:20", "<p>Thanks for having me.</p>"),
        ("header", "rosa-s-first-winter", "Rosa’s first winter"),
        ("Tomás", "0:31", "<p>How did you start? It’s “cold work”, people say.</p>"),
        ("Rosa", "0:45", "<p>I drilled my first hole in the ice in 2009 &amp; never stopped. The <em>trick</em> "
                         "is patience: you wait &lt; 10 minutes for the sensor.</p>"),
        ("header", "measuring-under-ice", "Measuring under ice"),
        ("Tomás", "", "<p>What do you measure?</p>"),
        ("Rosa", "1:01:11", '<p>Flow, temperature and oxygen. <a href="https://data.example.org">Our data</a> '
                            "is open.</p>"),
    ]
    assert 'href="https://video.example.com/watch?v=abc123XYZ&t=3671s">1:01:11</a>' in page, "include parameters"
    assert '<p class="count">8 entries, 2 sections</p>' in page
    assert ('<a class="listen" href="https://video.example.com/watch?v=abc123XYZ">Video</a> '
            '<a class="listen" href="https://feed.example.com/episodes/rivers-in-winter">Feed</a>') in page
    short = read(out, "podcast/s02e01-first-frost.html")
    assert transcript(short) == [("Tomás", "0:03", "<p>A short one, on my own.</p>")]
    assert 'class="guests"' not in short and 'class="outline"' not in short
    listing = read(out, "podcast.html")
    assert ('<li><a href="/blog/podcast/s02e03-rivers-in-winter.html">S2E3 Winter rivers</a>: 8 entries, '
            'first speaker Tomás</li>\n<li><a href="/blog/podcast/s02e01-first-frost.html">S2E1 First Frost</a>: '
            '1 entries, first speaker Tomás</li>') in listing


def test_kramdown_typography_footnotes_and_jekyll_toc(built):
    # What Jekyll 4.3 (kramdown 2.4, jekyll-toc 0.17) writes for this post, checked by running it
    out, _ = built
    page = read(out, SECOND)
    assert ("<p>“Quoted” words, Tom’s map – a dash — another… and <code") in page
    assert '"code" -- stays</code>' in page.replace("&quot;", '"'), "code keeps its quotes and dashes"
    assert ('A note<sup id="fnref:trail" role="doc-noteref"><a href="#fn:trail" class="footnote" rel="footnote">1</a>'
            '</sup> and another<sup id="fnref:2" role="doc-noteref"><a href="#fn:2" class="footnote" '
            'rel="footnote">2</a></sup>.</p>') in page
    assert '<div class="footnotes" role="doc-endnotes">' in page
    assert re.search(r'<li id="fn:trail" role="doc-endnote">\s*<p>Written on the trail. <a href="#fnref:trail" '
                     r'class="reversefootnote" role="doc-backlink">(&#8617;|↩)</a></p>', page)
    assert ('<ul id="toc" class="section-nav">\n<li class="toc-entry toc-h2"><a href="#the-trail">The trail</a>\n'
            '<ul>\n<li class="toc-entry toc-h3"><a href="#up-the-ridge">Up the ridge</a></li>\n</ul>\n</li>\n'
            '<li class="toc-entry toc-h2"><a href="#the-trail-1">The trail</a></li>\n</ul>') in page
    assert re.search(r'<h2 id="the-trail-1">\s*<a class="anchor" href="#the-trail-1" aria-hidden="true"><span '
                     r'class="octicon octicon-link"></span></a>The trail</h2>', page)
    assert "#</a>" not in page, "kramdown's headings have no permalink"
    assert "by Ada · 77 words" in page, "number_of_words counts the HTML as Jekyll writes it"
    assert 'id="toc"' not in read(out, HELLO), "`toc` does something only on a page with toc: true"


def test_an_installed_gem_theme_gives_the_layouts_and_includes_the_site_lacks(make_site):
    # Bundler's `vendor/bundle/ruby/VERSION/gems/NAME-VERSION/`, as `bundle install --path vendor/bundle` makes it
    gems = "vendor/bundle/ruby/3.1.0/gems"
    site = make_site({
        "_config.yml": "title: T\ntheme: trail-theme\n",
        "Gemfile": "source \"https://rubygems.org\"\ngem \"jekyll\"\ngem \"trail-theme\"\n",
        f"{gems}/trail-theme-0.9.0/_layouts/default.html": "old {{ content }}\n",
        f"{gems}/trail-theme-1.2.0/_layouts/default.html": "<html><body>{% include header.html %}{{ content }}"
                                                          "{% include footer.html %}</body></html>\n",
        f"{gems}/trail-theme-1.2.0/_layouts/page.html": "---\nlayout: default\n---\n<main>{{ content }}</main>\n",
        f"{gems}/trail-theme-1.2.0/_includes/header.html": "<header>theme header</header>",
        f"{gems}/trail-theme-1.2.0/_includes/footer.html": "<footer>theme footer</footer>",
        "_includes/footer.html": "<footer>the site's own footer</footer>",
        f"{gems}/trail-theme-1.2.0/_sass/trail.scss": "$ink: #123456;\nbody { color: $ink; }\n",
        f"{gems}/trail-theme-1.2.0/assets/main.scss": "---\n---\n@import \"trail\";\n",
        f"{gems}/trail-theme-1.2.0/assets/logo.svg": "<svg>theme logo</svg>",
        f"{gems}/trail-theme-1.2.0/assets/icon.svg": "<svg>theme icon</svg>",
        "assets/icon.svg": "<svg>the site's own icon</svg>",
        "about.md": "---\nlayout: page\n---\nAbout.\n",
        "notes.md": "---\n---\nNo layout.\n",
    })
    result = run_pysite("build", site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "come from" not in result.stdout + result.stderr, "the theme gives the layouts: no notice"
    about = read(site / "__site", "about.html")
    assert re.match(r"<html><body><header>theme header</header>\s*<main><p>About.</p>", about), about
    assert "<footer>the site's own footer</footer>" in about, "the site's include wins over the theme's"
    assert not (site / "__site" / "vendor").exists()
    # the theme's assets/ are published as the site's own, its Sass compiled; the site's own file wins
    assert "color: #123456" in read(site / "__site", "assets/main.css")
    assert read(site / "__site", "assets/logo.svg") == "<svg>theme logo</svg>"
    assert read(site / "__site", "assets/icon.svg") == "<svg>the site's own icon</svg>"


def test_post_excerpts_by_jekylls_rule(built):
    # What Jekyll 4.3 writes for `{{ post.excerpt }}` of each post (checked by running it)
    out, _ = built
    home = read(out, "index.html")
    assert ('<div class="excerpts"><section><p>Back to <a href="/blog/news/field/2021/03/04/hello-world.html">the '
            'first post</a> and <a href="/blog/about/">the about page</a>.</p>\n</section><section><p class="lead">'
            "The first post of Field Notes, dated March 4, 2021.</p>\n</section></div>") in home


def test_excerpt_separator_and_the_links_it_needs(make_site):
    site = make_site({
        "_config.yml": "title: T\nexcerpt_separator: <!--more-->\n",
        "_layouts/default.html": "{% for post in site.posts %}[{{ post.excerpt }}]{% endfor %}{{ content }}\n",
        "index.html": "---\nlayout: default\n---\n",
        "_posts/2020-01-01-a.md": "---\ntitle: A\n---\nOne [link][ref].\n\nTwo.\n<!--more-->\nThree.\n\n"
                                  "[ref]: https://example.org/\n",
        "_posts/2020-01-02-b.md": "---\ntitle: B\nexcerpt_separator: ''\n---\nNo excerpt.\n",
    })
    assert run_pysite("build", site).returncode == 0
    home = read(site / "__site", "index.html")
    assert '[][<p>One <a href="https://example.org/">link</a>.</p>\n<p>Two.</p>\n]' in home


def test_sass_with_front_matter_is_compiled_as_jekyll_does(built):
    # What Jekyll 4.3 with jekyll-sass-converter 2.2 writes (checked by running it), less its source map line
    out, _ = built
    assert read(out, "assets/site.css").strip() == (
        "body { color: #223344; }\n\nbody .note { border: 1px solid #223344; }\n\n/* built for Field Notes */")
    assert not (out / "assets/site.scss").exists() and not (out / "_sass").exists()


def test_a_named_cell_shows_its_output_below_it(make_site, julia_install):
    # Outside Franklin's flavour there is no \output{name}: the output follows the cell.
    cell = "```julia:answer\nprintln(6 * 7)\n```\n"
    site = make_site({"_config.yml": "title: T\n", "_layouts/default.html": "{{ content }}\n",
                      "shown.md": "---\nlayout: default\n---\n" + cell,
                      "quiet.md": "---\nlayout: default\nshowall: false\n---\n" + cell})
    result = run_pysite("build", site, env={**os.environ, "PYSITE_JULIA": str(julia_install.executable)})
    assert result.returncode == 0, result.stderr
    assert re.search(r'<pre class="cell-output"><code[^>]*>42\n</code></pre>', read(site / "__site", "shown.html"))
    assert "cell-output" not in read(site / "__site", "quiet.html")


def test_a_site_without_its_url_is_told_to_set_it_in_config_yml(make_site):
    site = make_site({
        "_config.yml": "title: T\n",
        "_layouts/default.html": "<html><body>{{ content }}</body></html>\n",
        "_posts/2020-01-01-a.md": "---\nlayout: default\n---\nText.\n",
    })
    result = run_pysite("build", site)
    assert result.returncode == 0, result.stdout + result.stderr
    said = result.stdout + result.stderr
    assert "_config.yml: feeds and sitemap.xml need the site's URL" in said, said
    assert "url: https://example.com" in said and "config.md" not in said
