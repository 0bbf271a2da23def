"""Page URLs are percent-encoded, so any file name is reachable; the repository's own files
(README, LICENSE, CONTRIBUTING) are left out at the site root only."""

from __future__ import annotations

from conftest import run_pysite
from test_serve import Served

FILES = {
    "index.md": "---\ntitle: Home\nlayout: index\n---\nHome.\n",
    "posts/Why?.md": "---\ntitle: Why?\ndate: 2024-01-02\n---\nBecause.\n",
    "posts/café au lait.md": "---\ntitle: Café\ndate: 2024-01-01\n---\nWith milk.\n",
    "docs/contributing.md": "# Contributing to the docs\n",
    "docs/README.md": "# The docs folder\n",
    "README.md": "# The repository\n",
    "LICENSE": "MIT\n",
    "CONTRIBUTING.md": "# How to help\n",
    "index.md~": "an editor's backup\n",
}


def test_urls_are_percent_encoded_and_links_to_them_work(make_site):
    site = make_site(FILES)
    result = run_pysite("check", site)
    assert result.returncode == 0, result.stderr
    home = (site / "__site/index.html").read_text()
    assert 'href="/posts/Why%3F/"' in home and 'href="/posts/caf%C3%A9%20au%20lait/"' in home
    assert (site / "__site/posts/Why?/index.html").is_file()


def test_repository_files_are_left_out_only_at_the_root(make_site):
    site = make_site(FILES)
    assert run_pysite("build", site).returncode == 0
    out = site / "__site"
    assert "Contributing to the docs" in (out / "docs/contributing/index.html").read_text()
    assert (out / "docs/README/index.html").is_file()
    for left_out in ("README", "README.md", "LICENSE", "CONTRIBUTING", "CONTRIBUTING.md", "index.md~"):
        assert not (out / left_out).exists(), left_out


def test_served_at_its_encoded_url(make_site):
    server = Served(make_site(FILES))
    try:
        assert "Because." in server.text("/posts/Why%3F/")
        assert "With milk." in server.text("/posts/caf%C3%A9%20au%20lait/")
    finally:
        assert server.stop() == 0
