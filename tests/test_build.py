"""Whole builds through the real command line: discovery, URLs, variables, layouts, caching."""

from __future__ import annotations

import re

from conftest import run_pysite, without_julia

import pysite


def build(site, *args):
    result = run_pysite("build", site, *args, cwd=site)
    assert result.returncode == 0, result.stderr
    return result


def test_discovery_and_pretty_urls(make_site):
    site = make_site({
        "config.md": '@def website_title = "T"\n@def ignore = ["tests/", "notes/*.md"]\n',
        "index.md": "# Home\n",
        "404.md": "# Not here\n",
        "pages/a.md": "# A\n",
        "pages/deep/b.md": "# B\n",
        "blog/index.md": "# Blog\n",
        "about.html": "<p>hand-written</p>\n",
        "full.html": "<!doctype html><html><body>mine</body></html>\n",
        "README.md": "# readme\n", "LICENSE.md": "x\n",
        "tests/test_x.md": "# test\n", "notes/n.md": "# note\n",
        "_assets/img/x.svg": "<svg/>", "_css/extra.css": "p{}", "_libs/lib.js": "1",
        "_private/secret.md": "# hidden\n", ".hidden.md": "# hidden\n",
        "data/file.csv": "a,b\n",
    })
    build(site)
    out = site / "__site"
    for rel in ("index.html", "404.html", "pages/a/index.html", "pages/deep/b/index.html",
                "blog/index.html", "about/index.html", "full/index.html", "assets/img/x.svg",
                "css/extra.css", "css/pysite.css", "css/code.css", "libs/lib.js", "data/file.csv"):
        assert (out / rel).is_file(), rel
    for rel in ("README/index.html", "LICENSE/index.html", "tests", "notes", "_private", "private",
                ".hidden", "config/index.html", "_assets"):
        assert not (out / rel).exists(), rel
    assert "<p>hand-written</p>" in (out / "about/index.html").read_text()
    assert (out / "full/index.html").read_text() == "<!doctype html><html><body>mine</body></html>\n"


def test_variables_defaults_and_derived(make_site):
    site = make_site({
        "config.md": '@def website_title = "Site"\n@def author = "Ann"\n'
                     '@def defaults = Dict("notes" => Dict("layout" => "note", "kind" => "note"))\n',
        "_layout/note.html": "{{ page.title }}|{{ page.kind }}|{{ page.author }}|{{ site.title }}|"
                             "{{ page.date|date('%Y-%m-%d') }}|{{ page.reading_time }}|{{ page.url }}|{{ page.source }}|"
                             "{% for h in page.toc %}{{ h.id }},{% endfor %}|{{ content }}",
        "notes/first.md": "@def kind = \"mine\"\n@def date = Date(2021, 3, 4)\n\n# First note\n\n## Part\n\n" + "word " * 450,
        "notes/2022-01-02-second.md": "---\nauthor: Bob\n---\nNo heading here.\n",
    })
    build(site)
    first = (site / "__site/notes/first/index.html").read_text()
    assert first.startswith("First note|mine|Ann|Site|2021-03-04|3|/notes/first/|notes/first.md|first_note,part,|")
    second = (site / "__site/notes/2022-01-02-second/index.html").read_text()
    assert second.startswith("2022 01 02 second|note|Bob|Site|2022-01-02|1|")


def test_layout_inheritance_includes_and_page_lists(make_site):
    site = make_site({
        "_layout/base.html": "<html><title>{{ page.title }}</title>{% block body %}{% endblock %}</html>",
        "_layout/default.html": '{% extends "base.html" %}{% block body %}{% include "nav.html" %}{{ content }}{% endblock %}',
        "_layout/nav.html": "<nav>{% for p in pages|where('categories', 'news') %}[{{ p.title }}]{% endfor %}</nav>",
        "a.md": "---\ntitle: Old\ndate: 2020-01-01\ncategories: [news]\n---\n",
        "b.md": "---\ntitle: New\ndate: 2021-01-01\ncategories: news\n---\n",
        "c.md": "---\ntitle: Other\ndate: 2022-01-01\n---\n",
    })
    build(site)
    html = (site / "__site/c/index.html").read_text()
    assert "<title>Other</title><nav>[New][Old]</nav>" in html


def test_rebuild_does_only_what_changed(make_site):
    site = make_site({"index.md": "# Home\n", **{f"p{i}.md": f"# Page {i}\n" for i in range(5)}})
    build(site)
    again = build(site)
    assert "nothing changed" in again.stderr
    (site / "p3.md").write_text("# Page three\n")
    result = build(site, "-v")
    assert "(1 written)" in result.stderr
    assert "wrote p3/index.html" in result.stderr
    assert "Page three" in (site / "__site/p3/index.html").read_text()
    (site / "p4.md").unlink()
    build(site)
    assert not (site / "__site/p4").exists()


def test_summary_and_version(make_site):
    site = make_site({"index.md": "# Home\n"})
    result = build(site)
    assert re.search(r"built 1 page \(1 written\) in [\d.]+ s, 0 errors, 0 warnings", result.stderr)
    version = run_pysite("--version")
    assert version.stdout.strip() == f"pysite, version {pysite.__version__}"
    for command in ("build", "new"):
        helped = run_pysite(command, "--help")
        assert helped.returncode == 0 and "Usage:" in helped.stdout


def test_new_site_builds_cleanly(tmp_path):
    site = tmp_path / "mysite"
    created = run_pysite("new", site)
    assert created.returncode == 0, created.stderr
    no_julia = without_julia()
    result = run_pysite("build", site, cwd=tmp_path, env=no_julia)
    assert result.returncode == 0, result.stderr
    assert "not evaluated: no Julia was found (warning)" in result.stderr
    assert (site / "__site/index.html").is_file()
    post = (site / "__site/posts/hello-world/index.html").read_text()
    assert 'class="cell-not-evaluated"' in post
    assert run_pysite("build", site, "--strict", cwd=tmp_path, env=no_julia).returncode == 1
    assert (site / "_layout/base.html").is_file() and (site / "_css/pysite.css").is_file()
    assert run_pysite("new", site).returncode != 0  # never overwrites


def test_a_site_layout_can_extend_the_theme_layout_of_the_same_name(make_site):
    site = make_site({
        "_layout/page.html": '{% extends "theme/page.html" %}{% block content %}<div class="mine">'
                             '{{ super() }}</div>{% endblock %}',
        "index.md": "---\nlayout: page\ntitle: Home\n---\nHello.\n",
    })
    build(site)
    html = (site / "__site/index.html").read_text()
    assert '<div class="mine">' in html and '<article class="page">' in html and "<p>Hello.</p>" in html


def test_a_changed_included_file_rebuilds_the_page(make_site):
    site = make_site({"config.md": "", "index.md": "# Home\n\n\\input{plaintext}{/assets/snippet.txt}\n",
                      "_assets/snippet.txt": "first version\n"})
    build(site)
    assert "first version" in (site / "__site/index.html").read_text()
    (site / "_assets/snippet.txt").write_text("second version, longer\n")
    build(site)
    assert "second version" in (site / "__site/index.html").read_text()


def test_a_changed_layout_renders_only_the_pages_using_it(make_site):
    site = make_site({
        "_layout/note.html": '{% extends "base.html" %}{% block content %}<div class="note">{{ content }}</div>{% endblock %}',
        "a.md": "---\nlayout: note\n---\nA.\n", "b.md": "---\nlayout: note\n---\nB.\n",
        "c.md": "C.\n", "d.md": "D.\n",
    })
    build(site)
    (site / "_layout/note.html").write_text(
        '{% extends "base.html" %}{% block content %}<div class="note new">{{ content }}</div>{% endblock %}')
    result = build(site, "-v")
    assert "(2 written)" in result.stderr, result.stderr
    assert '<div class="note new"><p>A.</p>' in (site / "__site/a/index.html").read_text()
    (site / "_layout/nav.html").write_text("unused by every layout")
    assert "(0 written)" in build(site).stderr
