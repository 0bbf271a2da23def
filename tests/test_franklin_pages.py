"""A whole Franklin site's pages as Franklin makes them: its own page variables (`fd_mtime`,
`fd_rpath`, `hasmath`...), tag pages from `_layout/tag.html` at `/tag/NAME/`, `.html` source
pages, the RSS feeds from `_rss/`, and pagination; built with the real CLI and compared with
a committed output tree.

Regenerate the expected tree after an intended change (then review the diff):

    PYSITE_REGENERATE=1 .venv/bin/pytest tests/test_franklin_pages.py
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest

from conftest import SITES, run_pysite, without_julia, write_tree

SITE = SITES / "franklin-pages" / "site"
EXPECTED = SITES / "franklin-pages" / "expected"
# Every source file gets this modification time, so `fd_mtime` is the same on every machine
# (noon: the date is the same in every time zone within 11 hours of UTC).
MTIME = dt.datetime(2024, 3, 5, 12, 0, tzinfo=dt.timezone.utc).timestamp()


def tree(root):
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(root.rglob("*")) if path.is_file() and path.suffix in (".html", ".xml")
            and path.name != "sitemap.xml"}


def test_franklin_pages_build_as_expected(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    for path in site.rglob("*"):
        os.utime(path, (MTIME, MTIME))
    result = run_pysite("build", site, env=without_julia())
    assert result.returncode == 0, result.stderr
    assert "(warning)" not in result.stderr, result.stderr
    sitemap = (site / "__site" / "sitemap.xml").read_text(encoding="utf-8")
    assert "/posts/first/" in sitemap and "/tags/" not in sitemap   # Franklin's tag pages are at /tag/
    built = tree(site / "__site")
    if os.environ.get("PYSITE_REGENERATE"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        write_tree(EXPECTED, built)
    assert built == tree(EXPECTED)


def test_every_page_with_rss_is_a_feed_item_and_feeds_are_xml(make_site):
    import xml.etree.ElementTree as ET
    files = {"config.md": '+++\ngenerate_rss = true\nwebsite_title = "T"\nwebsite_url = "https://t.org/"\n'
                          'website_description = "D"\n+++\n',
             "_layout/head.html": "<html><body>\n", "_layout/foot.html": "</body></html>\n",
             "index.md": "# Home\n"}
    for n in range(25):   # more than any default limit; undated pages too
        files[f"notes/n{n}.md"] = f'@def rss = "Note *{n}*."\n@def tags = ["t{n % 2}"]\n\nText.\n'
    site = make_site(files)
    result = run_pysite("build", site, env=without_julia())
    assert result.returncode == 0, result.stderr
    feed = ET.parse(site / "__site" / "feed.xml").getroot()
    items = feed.findall("channel/item")
    assert len(items) == 25
    assert {item.findtext("description").strip() for item in items} >= {"Note <em>3</em>."}
    assert len(ET.parse(site / "__site" / "tag" / "t0" / "feed.xml").getroot().findall("channel/item")) == 13
    assert not (site / "__site" / "atom.xml").exists()


def test_last_modified_follows_a_touched_file(make_site):
    site = make_site({"config.md": "", "_layout/head.html": "<html><body>\n", "_layout/foot.html": "</body></html>\n",
                      "_layout/page_foot.html": "<p>Last modified: {{fill fd_mtime}}.</p>\n", "index.md": "# Home\n"})
    page = site / "index.md"
    os.utime(page, (MTIME, MTIME))
    assert run_pysite("build", site, env=without_julia()).returncode == 0
    assert "Last modified: March 05, 2024." in (site / "__site" / "index.html").read_text()
    later = dt.datetime(2025, 7, 1, 12, 0, tzinfo=dt.timezone.utc).timestamp()
    os.utime(page, (later, later))   # the same text, a new date
    assert run_pysite("build", site, env=without_julia()).returncode == 0
    assert "Last modified: July 01, 2025." in (site / "__site" / "index.html").read_text()


@pytest.mark.julia
def test_utils_jl_reads_the_sites_tags_through_globvar(make_site, julia_install):
    site = make_site({
        "config.md": "", "_layout/head.html": "<html><body>\n", "_layout/foot.html": "</body></html>\n",
        "_layout/page_foot.html": "{{page_tags}}\n",
        "utils.jl": '@delay function hfun_page_tags()\n'
                    '    tags = globvar("fd_page_tags")[splitext(locvar("fd_rpath"))[1]] |> collect |> sort\n'
                    '    n = length(globvar("fd_tag_pages")["b"])\n'
                    '    return join(["<a href=\\"/tag/$t/\\">$t</a>" for t in tags], ", ") * " ($n)"\n'
                    'end\n',
        "one.md": '@def tags = ["b", "a"]\n# One\n', "two.md": '@def tags = ["b"]\n# Two\n'})
    env = {**os.environ, "PYSITE_JULIA": str(julia_install.executable)}
    result = run_pysite("build", site, env=env)
    assert result.returncode == 0, result.stderr
    assert '<a href="/tag/a/">a</a>, <a href="/tag/b/">b</a> (2)' in (site / "__site/one/index.html").read_text()


def test_noeval_shows_the_cells_as_code_without_running_them(tmp_path):
    """Franklin's `@def noeval = true`: the page's cells are shown, never run (no Julia is asked for)."""
    page = '@def noeval = true\n\n```julia:ex\nundefined_function()\n```\n\n\\output{ex}\n\n```!\n1 + 1\n```\n'
    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": page})
    result = run_pysite("build", site, env=without_julia())
    assert result.returncode == 0 and ", 0 warnings" in result.stderr, result.stderr
    html = (site / "__site" / "index.html").read_text()
    assert "undefined_function" in html and '<span class="o">+</span>' in html
    assert "cell-output" not in html and "not evaluated" not in html
