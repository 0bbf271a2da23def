"""Messages that help a newcomer: "did you mean", the page a layout failed on, a summary
that says what happened, missing link targets during build and serve, and a folder that is
not a site."""

from __future__ import annotations

from conftest import run_pysite
from test_serve import Served

LAYOUT_ERROR = "<html>{{ content }}{{ page.nosuch.deeper }}</html>\n"


def build(site, *flags):
    return run_pysite("build", site, *flags, cwd=site)


def test_did_you_mean_for_commands_layouts_calls_and_variables(make_site):
    site = make_site({
        "config.md": "",  # a Franklin site: its commands and calls are the dialect's
        "index.md": "Home.\n",
        "a.md": "\\newcomand{\\x}{y}\n\n{{fil title}} and {{ titel }}\n",
        "b.md": "---\nlayout: psot\n---\nHi\n",
    })
    result = build(site)
    stderr = result.stderr
    assert "a.md:1: unknown command \\newcomand: shown as written (warning)\n    hint: did you mean \\newcommand? or define it" in stderr
    assert "hint: did you mean fill? or define the variable" in stderr
    assert "hint: did you mean title? or define the variable" in stderr
    assert ("b.md:2: layout 'psot' not found: no _layout/psot.html\n    hint: did you mean post? "
            "(there are base, default, index, page, post, tag, taxonomy) or add the template to _layout/") in stderr


def test_a_layout_error_names_the_pages_and_they_are_not_counted_written(make_site):
    site = make_site({
        "_layout/bad.html": LAYOUT_ERROR,
        "index.md": "---\nlayout: bad\n---\nHome.\n",
        "b.md": "---\nlayout: bad\n---\nB.\n",
        "c.md": "Fine.\n",
    })
    result = build(site)
    assert result.returncode == 1
    assert ("_layout/bad.html:1: UndefinedError: 'dict object' has no attribute 'nosuch' "
            "(rendering b.md and 1 other page)") in result.stderr
    assert result.stderr.count("UndefinedError") == 1
    assert "built 3 pages (1 written) in " in result.stderr


def test_the_summary_says_why_strict_failed_and_what_was_removed(make_site):
    site = make_site({"config.md": "", "index.md": "Home {{nosuchcall}}.\n", "old.md": "Old.\n"})
    result = build(site, "--strict")
    assert result.returncode == 1
    assert "built 2 pages (2 written) in " in result.stderr
    assert "0 errors, 1 warning (failed: --strict counts warnings as failures)" in result.stderr
    (site / "old.md").unlink()
    (site / "index.md").write_text("Home.\n")
    again = build(site)
    assert again.returncode == 0
    assert "built 1 page (1 written, 1 output removed) in " in again.stderr


def test_missing_link_and_image_targets_warn_at_their_line(make_site):
    site = make_site({
        "index.md": "# Home\n\n[fine](/a/) and [gone](/nowhere/)\n\n![a picture](/assets/missing.png)\n",
        "a.md": "A.\n",
    })
    result = build(site)
    assert result.returncode == 0
    assert "index.md:3: broken link: /nowhere/ (warning)" in result.stderr
    assert "index.md:5: broken link: /assets/missing.png (warning)" in result.stderr
    assert "/a/" not in result.stderr
    checked = run_pysite("check", site, cwd=site)  # the same check, as errors
    assert checked.returncode == 1 and "index.md:3: broken link: /nowhere/\n" in checked.stderr


def test_serve_warns_about_missing_link_targets(make_site):
    server = Served(make_site({"index.md": "# Home\n\n[gone](/nowhere/)\n"}))
    try:
        assert any("index.md:3: broken link: /nowhere/ (warning)" in line for line in server.lines)
        (summary,) = [line for line in server.lines if line.startswith("initial build: ")]
        assert "1 warning in " in summary and "index.md" in summary
    finally:
        server.stop()


def test_a_folder_that_is_not_a_site_publishes_only_its_pages(make_site):
    site = make_site({"src/a.py": "print(1)\n", "data.csv": "a,b\n", "notes.md": "# Notes\n"})
    result = build(site)
    assert result.returncode == 0
    assert ("no config.md and no index.md: is this a site? Its pages are built, but its other 2 files "
            "(data.csv, src/a.py) are not published (warning)") in result.stderr
    assert (site / "__site/notes/index.html").is_file()
    assert not (site / "__site/src/a.py").exists() and not (site / "__site/data.csv").exists()
    (site / "config.md").write_text("")
    build(site)
    assert (site / "__site/src/a.py").is_file()
