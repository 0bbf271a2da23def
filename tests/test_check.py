"""`pysite check`: broken links and missing anchors reported at the source line, layout links
once, external links against a local HTTP server only, and the exit status."""

from __future__ import annotations

import http.server
import threading

import pytest

from conftest import run_pysite

CONFIG = '@def website_title = "Links"\n@def website_url = "https://links.example.org"\n'


@pytest.fixture
def server():
    """A local server: 200 for /ok (HEAD refused, so GET is tried), 404 for anything else."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            self.send_response(405)
            self.end_headers()

        def do_GET(self):
            self.send_response(200 if self.path == "/ok" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def site_with(make_site, a: str, **more: str):
    return make_site({"config.md": CONFIG, "index.md": "# Home\n\nSee [a](/posts/a/).\n",
                      "posts/b.md": "# B\n\n## Details\n\nText.\n", "posts/a.md": a, **more})


def test_broken_link_and_missing_anchor_at_their_lines(make_site):
    site = site_with(make_site, "---\ntitle: A\n---\n\n# A\n\nA [broken](/nope/) link.\n\n"
                                "A [good one](/posts/b/#details) and a [bad anchor](/posts/b/#nowhere).\n\n"
                                "Here: [up](#a), [missing](#elsewhere), [relative](../b/).\n")
    result = run_pysite("check", cwd=site)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "posts/a.md:7: broken link: /nope/" in lines
    assert "posts/a.md:9: missing anchor: /posts/b/#nowhere" in lines
    assert "posts/a.md:11: missing anchor: #elsewhere" in lines
    assert lines[-1].startswith("checked ") and lines[-1].endswith(": 3 problems")
    assert not any("details" in line or "../b/" in line for line in lines)


def test_clean_site_passes(make_site):
    site = site_with(make_site, "# A\n\nSee [b](/posts/b/#details) and [home](/).\n")
    result = run_pysite("check", site)
    assert result.returncode == 0, result.stderr
    assert result.stderr.rstrip().endswith(": no problems")


def test_layout_links_reported_once(make_site):
    layout = '{% extends "base.html" %}{% block content %}<a href="/gone/">x</a>{{ content }}{% endblock %}'
    site = site_with(make_site, "# A\n\nText.\n", **{"_layout/default.html": layout})
    result = run_pysite("check", cwd=site)
    assert result.returncode == 1
    found = [line for line in result.stderr.splitlines() if "/gone/" in line]
    assert len(found) == 1, result.stderr
    assert found[0].startswith("index.md: broken link: /gone/ (in the layout, on ")


def test_external_links_on_request(make_site, server):
    site = site_with(make_site, f"# A\n\n[ok]({server}/ok)\n\n[missing]({server}/missing)\n")
    assert run_pysite("check", cwd=site).returncode == 0, "external links are not requested by default"
    result = run_pysite("check", "--external", "--timeout", "2", cwd=site)
    assert result.returncode == 1
    assert f"posts/a.md:5: external link failed (HTTP 404): {server}/missing" in result.stderr.splitlines()
    assert f"{server}/ok" not in result.stderr


def test_no_output_to_check(make_site):
    site = site_with(make_site, "# A\n")
    result = run_pysite("check", site, "--no-build")
    assert result.returncode == 1
    assert "no built site at" in result.stderr


def test_links_to_the_sites_own_url_are_internal(make_site):
    site = site_with(make_site, "---\naliases: [/old-a/]\n---\n# A\n\n[gone](https://links.example.org/gone/)\n")
    result = run_pysite("check", "--external", "--timeout", "1", cwd=site)
    lines = result.stderr.splitlines()
    assert "posts/a.md:6: broken link: https://links.example.org/gone/" in lines, result.stderr
    assert sum("problem" in line for line in lines) == 1 and lines[-1].endswith(": 1 problem")


def test_a_builds_link_warnings_see_links_with_the_prepath_they_are_published_with(make_site):
    """`build --prepath` publishes `/posts/b/` as `/PREPATH/posts/b/`: no "outside the prepath"
    warning for it, while a link to nothing still warns at its line."""
    site = site_with(make_site, "# A\n\nSee [b](/posts/b/), [home](/) and [nothing](/nope/).\n")
    result = run_pysite("build", "--prepath", "project/docs", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "outside the site's prepath" not in result.stderr
    assert "posts/a.md:3: broken link: /nope/ (warning)" in result.stderr.splitlines()
