"""`serve` rebuilds from the paths its watcher saw change: what they cannot tell is still seen
(a page that is a link to the saved file, a new page, a deleted one, a change made while a
rebuild failed). Real serve in a subprocess, real files, real HTTP."""

from __future__ import annotations

import os

from test_serve import SITE, served  # noqa: F401  (the fixture)


def test_a_page_that_links_to_the_saved_file_is_rebuilt(served):
    server = served({**SITE, "pages/target.md": "# Target\n\nfirst text\n"})
    os.symlink("target.md", server.site / "pages/link.md")
    server.rebuilt()
    assert "first text" in server.text("/pages/link/")
    server.save("pages/target.md", "# Target\n\nsecond text\n")
    assert "second text" in server.text("/pages/target/")
    assert "second text" in server.text("/pages/link/")


def test_new_and_deleted_pages_are_seen(served):
    server = served()
    server.save("pages/new.md", "# New\n\nnew text\n")
    assert "new text" in server.text("/pages/new/")
    (server.site / "pages/new.md").unlink()
    server.rebuilt()
    assert server.get("/pages/new/")[0] == 404


def test_a_save_while_the_site_cannot_build_is_seen_once_it_can(served):
    server = served()
    server.save("config.md", "+++\ntitle = \n+++\n")            # broken: no page is built
    server.save("pages/a.md", "---\ntitle: Alpha\nlayout: page\n---\n# Alpha\n\nedited while broken\n")
    server.save("config.md", SITE["config.md"])                  # fixed: the edit to a.md is not lost
    assert "edited while broken" in server.text("/pages/a/")
