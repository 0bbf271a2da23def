"""`pysite new` gives a site whose posts show their title and tags, and whose
.gitignore keeps exactly what the docs say to commit."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import ROOT, run_pysite


@pytest.fixture
def new_site(tmp_path):
    site = tmp_path / "mysite"
    assert run_pysite("new", site).returncode == 0
    return site


def test_a_post_without_a_layout_shows_its_title_and_tags(new_site):
    (new_site / "posts/second.md").write_text("---\ntitle: Second thoughts\ndate: 2024-07-01\n"
                                              "tags: [notes]\n---\nBody.\n")
    assert run_pysite("build", new_site).returncode == 0
    html = (new_site / "__site/posts/second/index.html").read_text()
    assert "<h1>Second thoughts</h1>" in html
    assert 'href="/tags/notes/">notes</a>' in html
    assert 'class="reading-time"' in html


def test_the_default_layout_shows_a_title_once(new_site):
    (new_site / "notes").mkdir()
    (new_site / "notes/plain.md").write_text('@def title = "Plain"\n\nNo heading of its own.\n')
    (new_site / "notes/headed.md").write_text('@def title = "Headed"\n\n# Headed\n\nIts own heading.\n')
    assert run_pysite("build", new_site).returncode == 0
    assert "<h1>Plain</h1>" in (new_site / "__site/notes/plain/index.html").read_text()
    assert (new_site / "__site/notes/headed/index.html").read_text().count("<h1") == 1


@pytest.mark.julia
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gitignore_keeps_the_cell_outputs_the_docs_say_to_commit(new_site, julia_install):
    assert ".pysite/cells/" in (ROOT / "pages/install.md").read_text()
    subprocess.run(["git", "init", "-q"], cwd=new_site, check=True)
    assert run_pysite("build", new_site, "--julia", julia_install.executable).returncode == 0
    status = subprocess.run(["git", "status", "--porcelain", "-uall"], cwd=new_site,
                            capture_output=True, text=True, check=True).stdout
    assert (new_site / ".pysite/cache").is_dir()
    untracked = {line[3:] for line in status.splitlines()}
    assert ".pysite/cells/posts/hello-world/cells.json" in untracked
    assert not [name for name in untracked if name.startswith(("__site/", ".pysite/cache"))]
