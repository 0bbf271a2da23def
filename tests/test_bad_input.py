"""Inputs that once stopped the whole build, or made it wait for minutes: each is now one
page's `path:line: message` (or a site's, for config.md), every other page is built, and the
exit status is 1. Cost stays linear in the input."""

from __future__ import annotations

import json
import os
import string
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_pysite, without_julia, write_tree

GOOD = {"config.md": '+++\ntitle = "Bad input"\n+++\n', "index.md": "# Home\n\nWelcome.\n",
        "pages/good.md": "# Good\n\nThis page is fine.\n"}


def chain(depth: int) -> str:
    """`\\newcommand`s that each use the one before twice: 2**depth expansions."""
    names = ["c" + "".join(string.ascii_lowercase[int(d)] for d in str(i)) for i in range(depth + 1)]
    lines = [f"\\newcommand{{\\{names[0]}}}{{x}}"]
    lines += [f"\\newcommand{{\\{names[i]}}}{{\\{names[i - 1]} \\{names[i - 1]}}}" for i in range(1, depth + 1)]
    return "# Chain\n\n" + "\n".join(lines) + f"\n\nAll of it: \\{names[-1]}\n"


BAD = [
    ("timestamp", {"pages/bad.md": "---\ntitle: T\ndate: 2020-01-01 25:00:00\n---\n\n# T\n"},
     "pages/bad.md:3: invalid YAML front matter: '2020-01-01 25:00:00' is not a valid timestamp"),
    ("long tag", {"pages/bad.md": "---\ntags: [" + "x" * 300 + "]\n---\n\n# Tag\n"},
     "pages/bad.md:2: a name in `tags` is longer than 255 bytes"),
    ("if 250 deep", {"pages/bad.md": "@def a = true\n\n" + "{{if a}}" * 250 + "x" + "{{end}}" * 250 + "\n"},
     "pages/bad.md:3: {{if a}}: blocks nested more than 64 deep"),
    ("insert loop", {"_layout/head.html": "<html>{{insert a.html}}", "_layout/foot.html": "</html>",
                     "_layout/a.html": "{{insert b.html}}", "_layout/b.html": "\n{{insert a.html}}"},
     "_layout/b.html:2: {{insert a.html}}: these files insert each other without end: a.html -> b.html -> a.html"),
    ("layout not utf-8", {"_layout/fancy.html": b"<html>\ncaf\xe9 {{ content }}</html>",
                          "pages/bad.md": "---\nlayout: fancy\n---\n\n# Fancy\n"},
     "_layout/fancy.html:2: not valid UTF-8 (byte 0xe9)"),
    ("inserted file not utf-8", {"_layout/head.html": "<html>{{insert foot.html}}", "_layout/foot.html": b"\ncaf\xe9"},
     "_layout/foot.html:2: not valid UTF-8 (byte 0xe9)"),
    ("placeholder", {"pages/bad.md": "# P\n\n<pysite-x></pysite-x>\n"},
     "pages/bad.md:3: `<pysite-...>` elements are pysite's own placeholders"),
    ("placeholder in raw html", {"pages/bad.md": "# P\n\n~~~\n<ul><pysite-x></pysite-x></ul>\n~~~\n"},
     "pages/bad.md:4: `<pysite-...>` elements are pysite's own placeholders"),
    ("output placeholder", {"pages/bad.md": '# P\n\n<pysite-output name="zz"></pysite-output>\n'},
     "pages/bad.md:3: `<pysite-...>` elements are pysite's own placeholders"),
    ("timeout text", {"pages/bad.md": '@def cell_timeout = "abc"\n\n```!\n1 + 1\n```\n'},
     "pages/bad.md:1: `cell_timeout` must be a positive number of seconds, not 'abc'"),
    ("timeout list", {"pages/bad.md": "@def cell_timeout = [1, 2]\n\n```!\n1 + 1\n```\n"},
     "pages/bad.md:1: `cell_timeout` must be a positive number of seconds"),
    ("timeout nan", {"pages/bad.md": "---\ncell_timeout: .nan\n---\n\n```!\n1 + 1\n```\n"},
     "pages/bad.md:2: `cell_timeout` must be a positive number of seconds"),
    ("timeout negative", {"pages/bad.md": "@def cell_timeout = -3\n\n```!\n1 + 1\n```\n"},
     "pages/bad.md:1: `cell_timeout` must be a positive number of seconds"),
    ("for over a number", {"pages/bad.md": "@def n = 3\n\n{{for x in n}}{{x}}{{end}}\n"},
     "pages/bad.md:3: {{for x in n}}: 'n' is int 3, not a list to loop over"),
    ("command chain", {"pages/bad.md": chain(22)},
     "pages/bad.md:27: commands expand more than 200,000 times on this page: stopped"),
    ("deep julia value", {"pages/bad.md": "# B\n\n@def x = " + "[" * 5000 + "]" * 5000 + "\n\nText.\n"},
     "pages/bad.md:3: brackets nested more than 100 deep in `@def x`"),
    ("name not utf-8", {os.fsdecode(b"pages/caf\xe9.md"): "# Latin-1 name\n"},
     "pages/caf\\udce9.md: this file name is not valid UTF-8: it is not published"),
]


@pytest.mark.parametrize("name, files, message", BAD, ids=[case[0] for case in BAD])
def test_one_bad_input_fails_only_its_page(tmp_path, name, files, message):
    site = write_tree(tmp_path / "site", {**GOOD, **files})
    result = run_pysite("build", site, cwd=site, env=without_julia(), timeout=60)  # never waiting on a cell
    assert result.returncode == 1, result.stderr
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if "_layout/head.html" in files:  # a Franklin layout every page uses: one message names the pages it failed
        assert result.stderr.count(message) == 1
        assert "(rendering index.md and 1 other page)" in result.stderr
    else:
        assert (site / "__site/pages/good/index.html").is_file() and (site / "__site/index.html").is_file()


def in_output(path: Path) -> bool:
    """In the output, or in the folder beside it that the next build starts from (links to the output)."""
    return "__site" in path.parts or ".__site.building" in path.parts


@pytest.mark.parametrize("tag", ["../../../../escaped", "a/../../b", "nul\0byte", "."])
def test_a_tag_that_is_no_folder_name_fails_its_page_and_nothing_is_written_outside(tmp_path, tag):
    layouts = {"_layout/head.html": "<html><body>\n", "_layout/foot.html": "</body></html>\n",
               "_layout/tag.html": "<html>{{fill fd_tag}}</html>\n"}  # Franklin's tag pages, at tag/NAME/
    site = write_tree(tmp_path / "a" / "b" / "site", {**GOOD, **layouts, "pages/bad.md": "---\ntags:\n- ok\n- "
                                                      + json.dumps(tag) + "\n---\n\n# Bad\n"})
    result = run_pysite("build", site, cwd=site, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "pages/bad.md:2: a name in `tags` cannot be a folder name" in result.stderr
    assert "Traceback" not in result.stderr
    assert (site / "__site/pages/good/index.html").is_file()
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("index.html") if not in_output(p)) == []


def test_a_permalink_leading_out_of_the_output_fails_its_page(tmp_path):
    site = write_tree(tmp_path / "a" / "b" / "site", {
        "_config.yml": "title: Out\n", "_layouts/default.html": "{{ content }}\n",
        "index.md": "---\nlayout: default\n---\nHome\n",
        "out.md": "---\nlayout: default\npermalink: /../../../escaped/\n---\nOut\n"})
    result = run_pysite("build", site, cwd=site, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "out.md: refusing to write '../../../escaped/index.html': it lies outside the output folder" in result.stderr
    assert (site / "__site/index.html").is_file()
    assert [p for p in tmp_path.rglob("index.html") if not in_output(p)] == []


@pytest.mark.parametrize("rel", ["../x.html", "a/../../x.html", "/etc/x.html", "a\0b.html"])
def test_the_output_never_writes_outside_its_folder(tmp_path, rel):
    from pysite.errors import ConfigError
    from pysite.output import Output

    output = Output(tmp_path / "out" / "__site")
    with pytest.raises(ConfigError, match="outside the output folder"):
        output.write(rel, "x")
    output.abort()
    assert [p.name for p in tmp_path.rglob("x.html")] == []


def test_symlink_loops_are_reported_and_skipped(tmp_path):
    site = write_tree(tmp_path / "site", GOOD)
    os.symlink("loop2", site / "pages/loop1")
    os.symlink("loop1", site / "pages/loop2")
    os.symlink("..", site / "pages/up")  # a link to a folder above: not followed, never a loop
    result = run_pysite("build", site, cwd=site, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "pages/loop1: cannot follow this link: Too many levels of symbolic links" in result.stderr
    assert "Traceback" not in result.stderr
    assert (site / "__site/pages/good/index.html").is_file()


def test_config_that_is_a_folder_is_an_error_and_the_pages_still_build(tmp_path):
    site = write_tree(tmp_path / "site", {**GOOD, "pages/good.md": "# Good\n\nThis page is fine.\n\nEdited.\n"})
    (site / "config.md").unlink()
    (site / "config.md").mkdir()
    result = run_pysite("build", site, cwd=site, timeout=60)
    assert result.returncode == 1
    assert "config.md: config.md is a folder, not a file: the site is built without site variables" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Edited." in (site / "__site/pages/good/index.html").read_text()
    assert (site / "__site/index.html").is_file()


def test_redirect_from_and_redirect_call_together_are_an_error(tmp_path):
    site = write_tree(tmp_path / "site", {**GOOD, "pages/moved.md": "---\nredirect_from: /x/\n---\n\n"
                                                                     "{{redirect /old/}}\n\n# Moved\n",
                                          "pages/calls.md": "{{redirect /a/}}\n{{redirect /b/}}\n\n# Calls\n"})
    result = run_pysite("build", site, cwd=site, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "pages/moved.md:5: {{redirect /old/}}: this page also sets `redirect_from`" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (site / "__site/pages/moved").exists()
    for old in ("a/index.html", "b/index.html"):  # several {{redirect}} calls on one page are fine
        assert "/pages/calls/" in (site / "__site" / old).read_text()
    assert (site / "__site/pages/good/index.html").is_file()


def as_a_user(*args) -> list[str]:
    """The command as an ordinary user runs it: root reads every file, but without these two
    capabilities it obeys file permissions like anyone (setpriv is util-linux, on every Debian)."""
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *args] if os.geteuid() == 0 else list(args)


def test_an_unreadable_page_or_folder_fails_only_itself(tmp_path):
    site = write_tree(tmp_path / "site", {**GOOD, "pages/locked.md": "# Locked\n", "drafts/a.md": "# A\n"})
    (site / "pages/locked.md").chmod(0)
    (site / "drafts").chmod(0)
    try:
        result = subprocess.run(as_a_user(sys.executable, "-m", "pysite", "build", site), cwd=site,
                                capture_output=True, text=True, timeout=60)
    finally:
        (site / "pages/locked.md").chmod(0o644)
        (site / "drafts").chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert "pages/locked.md: cannot read this page: Permission denied" in result.stderr
    assert "drafts: cannot read this folder: Permission denied" in result.stderr
    assert "Traceback" not in result.stderr
    assert (site / "__site/pages/good/index.html").is_file() and (site / "__site/index.html").is_file()


def test_utils_py_that_exits_or_interrupts_fails_only_the_call(tmp_path):
    site = write_tree(tmp_path / "site", {
        **GOOD, "pages/calls.md": "# Calls\n\n{{byebye}} and {{stop}}, then the rest.\n",
        "utils.py": "import sys\n\ndef hfun_byebye():\n    sys.exit(3)\n\ndef hfun_stop():\n    raise KeyboardInterrupt\n"})
    result = run_pysite("build", site, "--strict", cwd=site, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "pages/calls.md:3: hfun_byebye (utils.py) raised SystemExit: 3" in result.stderr
    assert "pages/calls.md:3: hfun_stop (utils.py) raised KeyboardInterrupt" in result.stderr
    assert "then the rest." in (site / "__site/pages/calls/index.html").read_text()


def test_a_one_megabyte_paragraph_builds_in_linear_time(tmp_path):
    # Prose with a bare URL, an email and a `www.` now and then: GFM autolinking was quadratic
    # (18 s for 1 MB of prose, minutes on a loaded machine); linear, it takes a second or two.
    prose = ("The work is done, said we: with words and words to spare, and time to read them. " * 20
             + "See https://example.org/a?b=1, write to a.b@example.com or visit www.example.net. ")
    site = write_tree(tmp_path / "site", {**GOOD, "pages/big.md": "# Big\n\n" + prose * (1_000_000 // len(prose)) + "\n"})
    result = run_pysite("build", site, "-q", cwd=site, timeout=30)
    assert result.returncode == 0, result.stderr
    page = (site / "__site/pages/big/index.html").read_text()
    for link in ('<a href="https://example.org/a?b=1">', '<a href="mailto:a.b@example.com">',
                 '<a href="http://www.example.net">'):
        assert page.count(link) == 1_000_000 // len(prose)
