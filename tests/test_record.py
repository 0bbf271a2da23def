"""The build's record: an output is made again exactly when something that shaped it changed
(pysite itself included), a killed build or serve leaves a record that describes what is on
disk, and no output folder ever replaces the sources."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_pysite, write_tree
from test_serve import Served

SITE = {"config.md": '+++\ntitle = "Record"\n+++\n', "index.md": "# Home\n\nWelcome home.\n",
        "pages/a.md": "# Alpha\n\nalpha text\n", "_assets/x.txt": "an asset\n"}


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_a_change_to_pysite_itself_rebuilds_every_page(tmp_path):
    code = tmp_path / "code"
    shutil.copytree(ROOT / "pysite", code / "pysite", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "julia", code / "julia")
    env = {**os.environ, "PYTHONPATH": str(code)}  # this copy of pysite, not the checkout (not the cwd)
    site = write_tree(tmp_path / "site", SITE)
    assert run_pysite("build", site, env=env, cwd=tmp_path).returncode == 0
    assert "Welcome home." in (site / "__site/index.html").read_text()
    with (code / "pysite" / "markdown.py").open("a") as handle:  # an upgrade that renders differently
        handle.write("\n_render = render\n\n\ndef render(tokens, env):\n"
                     "    return _render(tokens, env).replace('Welcome', 'Upgraded')\n")
    result = run_pysite("build", site, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Upgraded home." in (site / "__site/index.html").read_text()
    assert "(0 written)" not in result.stderr


def test_options_that_shape_output_rebuild(tmp_path):
    site = write_tree(tmp_path / "site", {**SITE, "pages/draft.md": "---\ndraft: true\n---\n# Draft\n"})
    assert run_pysite("build", site).returncode == 0
    assert not (site / "__site/pages/draft").exists()
    assert run_pysite("build", site, "--drafts", "--prepath", "blog").returncode == 0
    assert (site / "__site/pages/draft/index.html").is_file()
    assert 'href="/blog/' in (site / "__site/index.html").read_text()
    assert run_pysite("build", site).returncode == 0
    assert not (site / "__site/pages/draft").exists()
    assert 'href="/blog/' not in (site / "__site/index.html").read_text()


def test_a_killed_serve_then_a_reverted_edit_rebuilds(tmp_path):
    site = write_tree(tmp_path / "site", SITE)
    assert run_pysite("build", site).returncode == 0
    server = Served(site)
    try:
        write_tree(site, {"pages/a.md": "# Alpha\n\nedited in serve\n"})
        server.rebuilt()
        assert "edited in serve" in (site / "__site/pages/a/index.html").read_text()
    finally:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
    write_tree(site, {"pages/a.md": SITE["pages/a.md"]})  # the edit reverted, serve gone
    result = run_pysite("build", site)
    assert result.returncode == 0, result.stderr
    page = (site / "__site/pages/a/index.html").read_text()
    assert "alpha text" in page and "edited in serve" not in page
    assert "EventSource" not in page  # nothing serve wrote is left


def test_an_output_changed_on_disk_is_written_again(tmp_path):
    site = write_tree(tmp_path / "site", SITE)
    assert run_pysite("build", site).returncode == 0
    before = tree(site / "__site")
    (site / "__site/pages/a/index.html").write_text("tampered")
    (site / "__site/assets/x.txt").unlink()
    result = run_pysite("build", site)
    assert result.returncode == 0, result.stderr
    assert tree(site / "__site") == before


def test_a_deleted_page_leaves_no_output_folder(tmp_path):
    site = write_tree(tmp_path / "site", SITE)
    assert run_pysite("build", site).returncode == 0
    (site / "pages/a.md").unlink()
    assert run_pysite("build", site).returncode == 0
    assert not (site / "__site/pages").exists()


@pytest.mark.parametrize("out", [".", "..", "pages", "_layout"])
def test_an_output_folder_over_the_sources_is_refused(tmp_path, out):
    site = write_tree(tmp_path / "site", {**SITE, "_layout/page.html": "{{ content }}"})
    before = tree(tmp_path)
    result = run_pysite("build", site, "-o", site / out, cwd=tmp_path)
    assert result.returncode == 1
    assert "output folder" in result.stderr and "would delete" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert tree(tmp_path) == before  # nothing touched


def test_an_output_folder_inside_the_site_is_fine_when_it_is_ours(tmp_path):
    site = write_tree(tmp_path / "site", SITE)
    for _ in range(2):  # the second build replaces what the first one wrote
        result = run_pysite("build", site, "-o", site / "public")
        assert result.returncode == 0, result.stderr
    assert (site / "public/pages/a/index.html").is_file()
    assert not (site / "public/public").exists()


@pytest.mark.parametrize("first, second", [("pages/a.md", "pages/a/index.md"), ("pages/b.md", "pages/b.html"),
                                           ("index.html", "index.md"), ("_assets/x.txt", "assets/x.txt")])
def test_two_sources_of_one_output_are_an_error_naming_both(tmp_path, first, second):
    site = write_tree(tmp_path / "site", {**SITE, first: "# One\n\none\n", second: "# Two\n\ntwo\n"})
    result = run_pysite("build", site, cwd=site)
    assert result.returncode == 1
    later, earlier = sorted([first, second])[1], sorted([first, second])[0]
    assert f"{later}: {later} and {earlier} both publish" in result.stderr, result.stderr
    assert (site / "__site/index.html").is_file()


def test_a_build_killed_at_any_moment_leaves_a_whole_site(tmp_path):
    pages = {f"pages/p{i}.md": f"# Page {i}\n\nversion 0\n" for i in range(30)}
    site = write_tree(tmp_path / "site", {**SITE, **pages})
    assert run_pysite("build", site).returncode == 0
    out = site / "__site"
    for attempt in range(12):
        version = attempt + 1
        write_tree(site, {rel: f"# Page {i}\n\nversion {version}\n" for i, rel in enumerate(pages)})
        process = subprocess.Popen([sys.executable, "-m", "pysite", "build", str(site), "-q"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.25 + 0.05 * attempt)  # from before the pages are read to after the swap
        process.kill()
        process.wait()
        assert out.is_dir(), f"no output after a kill at attempt {attempt}"
        seen = {v for i in range(30) for v in (version - 1, version)
                if f"version {v}<" in (out / f"pages/p{i}/index.html").read_text()}
        assert len(seen) == 1, f"a mix of two builds at attempt {attempt}: {seen}"
        result = run_pysite("build", site)  # and the next build finishes the job
        assert result.returncode == 0, result.stderr
        assert all(f"version {version}" in (out / f"pages/p{i}/index.html").read_text() for i in range(30))


def test_rebuilds_from_the_folder_the_last_build_left_give_the_cold_build_site(tmp_path):
    site = write_tree(tmp_path / "site", {
        **SITE, "pages/b.md": "---\ntags: [x]\n---\n# Beta\n\nbeta text\n", "_assets/y/z.txt": "z\n",
        "_layout/list.html": "{% for p in pages %}{{ p.title }};{% endfor %}{{ content }}",
        "pages/list.md": "---\nlayout: list\n---\nThe list.\n"})
    assert run_pysite("build", site).returncode == 0
    out, kept = site / "__site", site / ".__site.building"
    edits = [
        [("pages/a.md", "# Alpha\n\nalpha text, edited\n")],
        [("pages/b.md", "---\ntags: [x, y]\n---\n# Beta renamed\n\nbeta text\n")],  # in the list, the tag pages
        [("pages/list.md", "---\nlayout: list\n---\nThe list, edited.\n")],
        [("pages/c.md", "# Gamma\n\nnew page\n")],
        [("pages/c.md", "# Gamma\n\nnew page\n\nwith math: $x^2$\n")],  # the math font is published
        [("pages/c.md", "# Gamma\n\nnew page\n\n```python\nx = 1\n```\n")],
        [("pages/c.md", "# Gamma\n\nnew text\n\n```python\nx = 1\n```\n")],  # its block as it was
        [("pages/c.md", "# Gamma\n\nnew text\n\n```python\nx = 2\n```\n")],
        [("index.md", "# Home\n\nWelcome back.\n"), ("pages/b.md", None)],
        [("_assets/y", None), ("_assets/y", "a file where a folder was\n")],
        [("_assets/y", None), ("_assets/y/z.txt", "a folder where a file was\n")],
        [("pages/a.md", None), ("pages/a/index.md", "# Alpha again\n\nin a folder\n")],
    ]
    for number, edit in enumerate(edits):
        previous = tree(out)
        snapshot = tmp_path / f"snapshot{number}"  # more links to the output's files: a write through them shows
        for rel in previous:
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(out / rel, snapshot / rel)
        for rel, text in edit:
            path = site / rel
            if text is None:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
            else:
                write_tree(site, {rel: text})
        lock = os.open(out, os.O_RDONLY | os.O_DIRECTORY)   # the last build's linking of that folder is done
        fcntl.flock(lock, fcntl.LOCK_EX)
        os.close(lock)
        if kept.is_dir():  # what a killed build left there is not published
            (kept / "pages/b/index.html").unlink(missing_ok=True)  # new files, as a build writes them
            write_tree(kept, {"stray.html": "stray", "pages/b/index.html": "stale"})
        result = run_pysite("build", site)
        assert result.returncode == 0, result.stderr
        cold = tmp_path / f"cold{number}"
        shutil.copytree(site, cold, ignore=shutil.ignore_patterns("__site", ".__site.*", ".pysite"))
        assert run_pysite("build", cold).returncode == 0
        assert tree(out) == tree(cold / "__site"), f"edit {number}: {edit}"
        assert tree(snapshot) == previous, f"edit {number}: the previous output was written through"


def test_after_a_build_that_wrote_much_the_next_one_finds_its_folder_linked(tmp_path):
    import fcntl

    pages = {f"pages/p{i}.md": f"# Page {i}\n\ntext {i}\n" for i in range(20)}
    site = write_tree(tmp_path / "site", {**SITE, **pages})
    assert run_pysite("build", site).returncode == 0
    write_tree(site, {"config.md": '+++\ntitle = "Record, renamed"\n+++\n'})  # every page is written again
    assert run_pysite("build", site).returncode == 0
    out, kept = site / "__site", site / ".__site.building"
    lock = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as the next build does: the detached linking is done
    finally:
        os.close(lock)
    files = [p.relative_to(out) for p in out.rglob("*") if p.is_file()]
    assert files and all(os.path.samefile(out / rel, kept / rel) for rel in files)
