"""The MkDocs plugin: a real `mkdocs build` of a small site whose pages have Julia cells."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_tree

pytestmark = pytest.mark.julia

SITE = {
    "mkdocs.yml": "site_name: Cells\nplugins:\n  - pysite:\n      timeout: 20\n",
    "docs/index.md": ("# Home\n\nSome prose.\n\n```julia:sq\nx = 3\nprintln(x^2)\n```\n\n"
                      "Printed: \\output{sq}\n\n```!\nx + 1\n```\n\n```julia\nnot_run()\n```\n"),
    "docs/other.md": "# Other\n\n```!\n@isdefined(x)\n```\n",
}


def mkdocs(site: Path, *args: str, julia) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYSITE_JULIA": str(julia.executable)}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *args], cwd=site, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cells_evaluated_in_a_real_mkdocs_build(tmp_path, julia_install):
    site = write_tree(tmp_path / "site", SITE)
    result = mkdocs(site, julia=julia_install)
    assert result.returncode == 0, result.stderr
    home = (site / "site" / "index.html").read_text()
    assert "9" in home.split("Printed:")[1][:400]          # \output{sq} shows what the cell printed
    assert 'class="cell-output"' in home and ">4<" in home.replace("\n", "")  # the ! cell's value
    assert "not_run" in home and home.count('class="pysite-cell"') == 3
    assert "highlight" in home                               # pysite's highlighting
    other = (site / "site" / "other" / "index.html").read_text()
    assert "false" in other                                  # one fresh module per page
    assert (site / ".pysite" / "cells").is_dir()             # the cache lives in the MkDocs project
    assert (site / "site" / "assets" / "pysite-cells.css").is_file()


def test_strict_build_fails_on_a_cell_error(tmp_path, julia_install):
    site = write_tree(tmp_path / "site", {**SITE, "docs/bad.md": "# Bad\n\n```!\nerror(\"boom\")\n```\n"})
    assert mkdocs(site, julia=julia_install).returncode == 0
    strict = mkdocs(site, "--strict", julia=julia_install)
    assert strict.returncode != 0
    assert "bad.md:4: cell `cell1` error: boom" in strict.stderr


def test_mkdocs_serve_keeps_one_warm_worker_across_rebuilds(tmp_path, julia_install):
    import re
    import socket
    import time
    import urllib.request

    site = write_tree(tmp_path / "site", {"mkdocs.yml": SITE["mkdocs.yml"],
                                          "docs/index.md": "# Home\n\n```!\nprintln(\"pid=\", getpid()); 1\n```\n"})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYSITE_JULIA": str(julia_install.executable)}
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=site, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def page_when(condition) -> str:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                text = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
                if condition(text):
                    return text
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError("the page never showed the expected output")

    try:
        first = re.search(r"pid=(\d+)", page_when(lambda text: "pid=" in text)).group(1)
        (site / "docs" / "index.md").write_text("# Home\n\n```!\nprintln(\"pid=\", getpid()); 2\n```\n")
        second = page_when(lambda text: "pid=" in text and re.search(r"pid=\d+\s*\n?2<", text))
        assert re.search(r"pid=(\d+)", second).group(1) == first   # the same Julia answered both builds
    finally:
        server.terminate()
        server.wait(timeout=30)
