"""A user's mistakes: `path:line: message`, the rest of the site builds, the exit status says so,
and nothing already built is lost or half-written."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from conftest import run_pysite, write_tree

GOOD = {"config.md": '@def website_title = "Mistakes"\n', "index.md": "# Home\n\nWelcome.\n",
        "pages/good.md": "# Good\n\nThis page is fine.\n"}

BROKEN = [
    ("yaml", "pages/bad.md", "---\ntitle: [unclosed\ndate: 2020-01-01\n---\n\nText.\n",
     "pages/bad.md:3: invalid YAML front matter"),
    ("toml", "pages/bad.md", '+++\ntitle = "ok"\ntags = ["a", "b"\n+++\n\nText.\n',
     "pages/bad.md:3:"),
    ("def", "pages/bad.md", "# Title\n\n@def title\n\nText.\n",
     "pages/bad.md:3: `@def` needs `name = value`"),
    ("unclosed front matter", "pages/bad.md", "---\ntitle: x\n\nText.\n",
     "pages/bad.md:1: front matter opened with `---` is never closed"),
    ("layout", "pages/bad.md", "---\ntitle: x\nlayout: fancy\n---\n\nText.\n",
     "pages/bad.md:3: layout 'fancy' not found"),
    ("utf-8", "pages/bad.md", "# Title\n\nline two\ncaf\xe9\n".encode("latin-1"),
     "pages/bad.md:4: not valid UTF-8"),
    ("binary", "pages/bad.md", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)),
     "pages/bad.md:1: this is a binary file, not a text page"),
]


@pytest.mark.parametrize("name, rel, content, message", BROKEN, ids=[case[0] for case in BROKEN])
def test_bad_page_is_reported_and_the_rest_builds(tmp_path, name, rel, content, message):
    site = write_tree(tmp_path / "site", {**GOOD, rel: content})
    result = run_pysite("build", site, cwd=site)
    assert result.returncode == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert (site / "__site" / "pages" / "good" / "index.html").is_file()
    assert (site / "__site" / "index.html").is_file()


def test_broken_page_keeps_its_last_good_output(tmp_path):
    site = write_tree(tmp_path / "site", GOOD)
    assert run_pysite("build", site).returncode == 0
    good = site / "__site" / "pages" / "good" / "index.html"
    before = good.read_text()
    (site / "pages" / "good.md").write_text("---\ntitle: [broken\n---\n")
    result = run_pysite("build", site, cwd=site)
    assert result.returncode == 1
    assert "pages/good.md:3: invalid YAML front matter" in result.stderr
    assert good.read_text() == before


def test_broken_config_keeps_the_output(tmp_path):
    site = write_tree(tmp_path / "site", GOOD)
    assert run_pysite("build", site).returncode == 0
    (site / "config.md").write_text("---\ntitle: [\n---\n")
    result = run_pysite("build", site, cwd=site)
    assert result.returncode == 1
    assert "config.md:3: invalid YAML front matter" in result.stderr
    assert (site / "__site" / "index.html").is_file()


def test_broken_template_names_the_template_line(tmp_path):
    site = write_tree(tmp_path / "site", {**GOOD, "_layout/default.html": "<html>\n{{ content }\n</html>\n"})
    result = run_pysite("build", site, cwd=site)
    assert result.returncode == 1
    assert "_layout/default.html:2:" in result.stderr


def as_from_a_terminal() -> None:
    """Ctrl-C as a shell's foreground command gets it. Late in the whole suite the test process
    once passed SIGINT on ignored or blocked (a build then finished its minute-long page)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def test_interrupted_build_leaves_previous_output(tmp_path):
    pages = {f"pages/p{i}.md": f"# Page {i}\n\n" + "Some text. " * 400 for i in range(40)}
    site = write_tree(tmp_path / "site", {**GOOD, **pages})
    assert run_pysite("build", site, "-j", "1").returncode == 0
    out = site / "__site"
    listing = sorted(p.relative_to(out) for p in out.rglob("*"))
    for i in range(40):
        (site / f"pages/p{i}.md").write_text(f"# Changed {i}\n")
    # The last page renders for a minute: the build is surely writing pages when it is interrupted.
    write_tree(site, {"pages/zz.md": "# Slow\n\n{{slow}}\n",
                      "utils.py": "import time\n\n\n@delay\ndef hfun_slow():\n    time.sleep(60)\n    return ''\n"})
    process = subprocess.Popen([sys.executable, "-m", "pysite", "build", str(site), "-j", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=as_from_a_terminal)
    # The folder it builds in is there from the start (the first build left links to its output
    # there): interrupt once a changed page is in it, so while pages are written.
    written = site / ".__site.building/pages/p0/index.html"
    deadline = time.monotonic() + 60
    while not (written.is_file() and "Changed 0" in written.read_text()):
        assert process.poll() is None and time.monotonic() < deadline, "the build ended too soon"
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # say what it was doing: still building, or done and a child holds the pipe
        status = process.poll()
        process.kill()
        pytest.fail(f"no end 60 s after Ctrl-C (exit status {status}); its messages: {process.communicate()[1]!r}")
    assert process.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == listing
    assert "Page 7" in (out / "pages" / "p7" / "index.html").read_text()
    leftovers = [p.name for p in site.iterdir() if p.name.startswith(".__site")]
    assert leftovers == []


def test_adding_the_missing_layout_fixes_the_page(tmp_path):
    site = write_tree(tmp_path / "site", {**GOOD, "pages/fancy.md": "---\nlayout: fancy\n---\n\nFancy text.\n"})
    assert run_pysite("build", site).returncode == 1
    (site / "_layout").mkdir()
    (site / "_layout" / "fancy.html").write_text("<main class='fancy'>{{ content }}</main>")
    result = run_pysite("build", site)
    assert result.returncode == 0, result.stderr
    assert "<main class='fancy'><p>Fancy text.</p>" in (site / "__site/pages/fancy/index.html").read_text()


def test_a_rebuild_with_nothing_changed_repeats_the_problems(tmp_path):
    site = write_tree(tmp_path / "site", {**GOOD, "pages/bad.md": "# Bad\n\n@def oops\n"})
    first = run_pysite("build", site, cwd=site)
    again = run_pysite("build", site, cwd=site)
    assert first.returncode == again.returncode == 1
    assert "nothing changed" in again.stderr
    assert "pages/bad.md:3: `@def` needs `name = value`" in again.stderr


def test_paths_never_reach_outside_the_site(tmp_path):
    (tmp_path / "secret.txt").write_text("TOP SECRET\n")
    site = write_tree(tmp_path / "site", {
        "config.md": "",
        "index.md": "# Home\n\n{{insert ../secret.txt}}\n\n\\textinput{/../secret.txt}\n\n"
                    "\\input{plaintext}{../../../secret.txt}\n",
    })
    (site / "_assets").mkdir()
    (site / "_assets" / "link.txt").symlink_to(tmp_path / "secret.txt")
    (site / "page.md").write_text("# Page\n\n\\textinput{/assets/link.txt}\n")
    result = run_pysite("build", site, cwd=site)
    assert "Traceback" not in result.stderr
    for rel in ("index.html", "page/index.html"):
        assert "TOP SECRET" not in (site / "__site" / rel).read_text()
    assert "index.md:3: {{insert ../secret.txt}}: no file" in result.stderr
    assert "_assets/link.txt: a link to a file outside the site: not published (warning)" in result.stderr
    assert not (site / "__site" / "assets" / "link.txt").exists()
