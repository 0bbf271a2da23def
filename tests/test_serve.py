"""`pysite serve` over real HTTP: the real command in a subprocess on a free port of 127.0.0.1,
a real client (http.client, urllib), real saves to the sources."""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import write_tree

LIST_LAYOUT = """<!doctype html><html><head><title>{{ page.title }} | {{ site.title }}</title>
<link rel="stylesheet" href="/css/extra.css"></head>
<body><ul>{% for p in pages %}<li>{{ p.title }}</li>{% endfor %}</ul>{{ content }}</body></html>
"""
PAGE_LAYOUT = """<!doctype html><html><head><title>{{ page.title }}</title>
<link rel="stylesheet" href="/css/extra.css"></head>
<body><main>{{ content }}</main><footer>page layout v1</footer></body></html>
"""
SITE = {
    "config.md": '+++\ntitle = "Served"\n+++\n',
    "index.md": "---\ntitle: Home\nlayout: list\n---\n# Home\n\nhello home\n",
    "pages/a.md": "---\ntitle: Alpha\nlayout: page\n---\n# Alpha\n\nalpha text\n",
    "pages/b.md": "---\ntitle: Beta\nlayout: page\n---\n# Beta\n\nbeta text\n",
    "404.md": "---\ntitle: Lost\nlayout: page\n---\n# Lost\n\nthis site has no such page\n",
    "_layout/list.html": LIST_LAYOUT,
    "_layout/page.html": PAGE_LAYOUT,
    "_css/extra.css": "body { color: rgb(1, 2, 3); }\n",
    "_assets/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>\n',
    "_assets/dot.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 16,
}
REBUILT = re.compile(r"^(?P<reason>.+?): (?P<written>\d+) pages? written, (?P<changed>\d+) outputs? changed")


class Served:
    """A `pysite serve` subprocess and its terminal output, line by line."""

    def __init__(self, site: Path, *args: str, env: dict | None = None):
        self.site = site
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pysite", "serve", str(site), "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
        self.lines: list[str] = []
        self.fresh: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self.read, daemon=True).start()
        line = self.wait_for(r"serving .* at (http://\S+) ", timeout=120)
        self.url = re.search(r"at (http://\S+) ", line).group(1).rstrip("/")
        self.port = urllib.parse.urlsplit(self.url).port

    def read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self.fresh.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 30) -> str:
        """The next line of output matching the pattern."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.fresh.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines)) from None
            if re.search(pattern, line):
                return line

    def rebuilt(self, timeout: float = 30) -> re.Match:
        return REBUILT.match(self.wait_for(REBUILT.pattern, timeout))

    def save(self, rel: str, text: str, settle: bool = True) -> re.Match | None:
        """Write a source file like an editor does; return the rebuild it caused."""
        write_tree(self.site, {rel: text})
        return self.rebuilt() if settle else None

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def text(self, path: str) -> str:
        status, _, body = self.get(path)
        assert status == 200, (status, body[:500])
        return body.decode("utf-8")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                raise
        return self.process.returncode


@pytest.fixture
def served(make_site):
    started = []

    def serve(files: dict = SITE, *args: str, env: dict | None = None) -> Served:
        server = Served(make_site(files), *args, env=env)
        started.append(server)
        return server
    yield serve
    for server in started:
        server.stop()


def test_serves_the_site_and_rebuilds_only_the_saved_page(served):
    server = served()
    page = server.text("/pages/a/")
    assert "alpha text" in page and "page layout v1" in page
    assert '<script data-path="pages/a/index.html"' in page and page.index("<script data-path") < page.index("</body>")
    on_disk = (server.site / "__site" / "pages" / "a" / "index.html").read_text()
    assert "alpha text" in on_disk and "EventSource" not in on_disk  # only served pages carry the script

    # a second paragraph: the page list's facts (title, excerpt...) stay, so the home page is not rendered
    rebuild = server.save("pages/a.md", "---\ntitle: Alpha\nlayout: page\n---\n# Alpha\n\nalpha text\n\nalpha edited\n")
    assert rebuild["reason"] == "pages/a.md" and rebuild["written"] == "1" and rebuild["changed"] == "1"
    assert "alpha edited" in server.text("/pages/a/")
    assert "beta text" in server.text("/pages/b/")


def test_layout_config_and_asset_changes_rebuild_what_depends_on_them(served):
    server = served()
    rebuild = server.save("_layout/page.html", PAGE_LAYOUT.replace("page layout v1", "page layout v2"))
    assert int(rebuild["written"]) >= 3  # a, b and 404 use it (the build's layout key covers every layout)
    assert "page layout v2" in server.text("/pages/b/")

    assert "<title>Home | Served</title>" in server.text("/")
    server.save("config.md", '+++\ntitle = "Renamed site"\n+++\n')
    assert "<title>Home | Renamed site</title>" in server.text("/")

    server.save("_css/extra.css", "body { color: rgb(9, 9, 9); }\n")
    status, headers, body = server.get("/css/extra.css")
    assert (status, headers["content-type"], body) == (200, "text/css; charset=utf-8", b"body { color: rgb(9, 9, 9); }\n")


def test_new_and_deleted_pages(served):
    server = served()
    server.save("pages/c.md", "---\ntitle: Gamma\nlayout: page\n---\n# Gamma\n\ngamma text\n")
    assert "gamma text" in server.text("/pages/c/")
    assert "<li>Gamma</li>" in server.text("/")

    (server.site / "pages" / "c.md").unlink()
    server.rebuilt()
    status, _, body = server.get("/pages/c/")
    assert status == 404 and b"this site has no such page" in body
    assert "Gamma" not in server.text("/")


def test_one_rebuild_per_editor_save(served):
    server = served()
    target = server.site / "pages" / "a.md"
    # vim: swap file, the `4913` write test, a backup, then the file; others write a temp and rename
    (server.site / "pages" / ".a.md.swp").write_text("swap")
    (server.site / "pages" / "4913").write_text("")
    (server.site / "pages" / "4913").unlink()
    temp = server.site / "pages" / "a.md.tmp"
    temp.write_text("---\ntitle: Alpha\nlayout: page\n---\n# Alpha\n\nsaved atomically\n")
    os.replace(temp, target)
    (server.site / "pages" / "a.md~").write_text("backup")
    assert server.rebuilt()["reason"] == "pages/a.md"
    time.sleep(0.6)
    assert len([line for line in server.lines if REBUILT.match(line)]) == 2  # the first build, and this save
    assert "saved atomically" in server.text("/pages/a/")


def test_broken_save_shows_an_error_page_until_a_good_save(served):
    server = served()
    server.save("pages/a.md", "---\ntitle: [Alpha\nlayout: page\n---\n# Alpha\n\nbroken\n")
    for _ in range(3):
        status, headers, body = server.get("/pages/a/")
        assert status == 500 and headers["content-type"] == "text/html; charset=utf-8"
        assert b"pages/a.md:" in body and b"front matter" in body
        assert b'<script data-path="pages/a/index.html"' in body
    assert sum("front matter" in line for line in server.lines) == 1  # printed once, not per request
    assert "beta text" in server.text("/pages/b/")  # the rest of the site is served

    server.save("pages/a.md", "---\ntitle: Alpha\nlayout: page\n---\n# Alpha\n\nfixed again\n")
    assert "fixed again" in server.text("/pages/a/")


def test_template_error_names_the_layout_line(served):
    server = served()
    server.save("_layout/page.html", PAGE_LAYOUT.replace("<main>", "<main>{% if %}"))
    status, _, body = server.get("/pages/b/")
    assert status == 500 and b"_layout/page.html:3" in body and b"Expected an expression" in body
    assert sum("Expected an expression" in line for line in server.lines) == 1  # three pages, one message
    assert "hello home" in server.text("/")
    server.save("_layout/page.html", PAGE_LAYOUT)
    assert "beta text" in server.text("/pages/b/")


def test_folders_redirect_and_missing_paths_get_the_404_page(served):
    server = served()
    status, headers, _ = server.get("/pages/a?x=1")
    assert status == 301 and headers["location"] == "/pages/a/?x=1"
    status, headers, body = server.get("/no/such/page/")
    assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
    assert b"this site has no such page" in body and b"EventSource" in body


def test_content_types(served):
    server = served()
    for path, kind in [("/", "text/html; charset=utf-8"), ("/css/extra.css", "text/css; charset=utf-8"),
                       ("/assets/logo.svg", "image/svg+xml; charset=utf-8"), ("/assets/dot.png", "image/png")]:
        status, headers, _ = server.get(path)
        assert (status, headers["content-type"]) == (200, kind), path


def test_nothing_outside_the_output_folder_is_served(served, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    server = served()
    (server.site / "__site" / "leak.txt").symlink_to(secret)
    (server.site / "__site" / "leakdir").symlink_to(tmp_path)
    attempts = ["/../secret.txt", "/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/secret.txt",
                "/pages/..%2f..%2fsecret.txt", "/pages/%2e%2e%5c%2e%2e%5csecret.txt", "/..\\secret.txt",
                "//" + str(secret), "/" + str(secret), "/%00", "/index.html%00.css", "/leak.txt",
                "/leakdir/secret.txt", "secret.txt", "/./../secret.txt"]
    for path in attempts:
        status, _, body = server.get(path)
        assert b"TOP SECRET" not in body, path
        assert status in (400, 403, 404), (path, status)
    assert "hello home" in server.text("/")


def test_only_loopback_names_reach_a_loopback_server(served):
    server = served()
    for host in ("localhost", f"localhost:{server.port}", f"127.0.0.1:{server.port}", f"[::1]:{server.port}"):
        assert server.get("/", headers={"Host": host})[0] == 200, host
    for host in ("attacker.example", f"attacker.example:{server.port}", "pysite.example.org"):
        status, _, body = server.get("/", headers={"Host": host})
        assert status == 403 and b"hello home" not in body, host


def test_event_stream_announces_the_pages_a_rebuild_touched(served):
    server = served()
    since = re.search(r'data-since="([^"]+)"', server.text("/pages/a/")).group(1)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", f"/__pysite/events?since={since}")
    response = connection.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
    server.save("pages/a.md", "---\ntitle: Alpha\nlayout: page\n---\n# Alpha\n\nalpha text\n\nannounced\n")
    data = None
    while data is None:
        line = response.fp.readline().decode()
        if line.startswith("data: "):
            data = line
    assert data.strip() == 'data: ["pages/a/index.html"]'
    connection.close()


def test_requests_during_a_rebuild_wait_for_it(make_site):
    from pysite.options import BuildOptions
    from pysite.serve import ServeOptions, Session

    site = make_site(SITE)
    session = Session(ServeOptions(BuildOptions(site=site), port=0, echo=lambda text: None))
    session.start()
    try:
        answers = []
        with session.live.gate.writing():
            fetch = threading.Thread(target=lambda: answers.append(urllib.request.urlopen(session.url).read()))
            fetch.start()
            fetch.join(0.5)
            assert fetch.is_alive() and not answers  # held while the output is being written
        fetch.join(10)
        assert b"hello home" in answers[0]
    finally:
        session.stop()


def test_port_in_use_moves_to_the_next_one(make_site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = subprocess.Popen([sys.executable, "-m", "pysite", "serve", str(make_site(SITE)), "--port", str(port)],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            output = ""
            while "(Ctrl-C to stop)" not in output:
                line = process.stdout.readline()
                assert line, output
                output += line
            assert f"port {port} is in use: serving on port" in output
            served_port = int(re.search(r"127\.0\.0\.1:(\d+)/", output).group(1))
            assert served_port != port
            assert b"hello home" in urllib.request.urlopen(f"http://127.0.0.1:{served_port}/").read()
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=20) == 0


def test_all_interfaces_warns_and_ctrl_c_stops_cleanly(served):
    server = served(SITE, "--host", "0.0.0.0")
    assert any("warning: serving on every network interface" in line for line in server.lines)
    assert server.stop() == 0
    assert server.lines[-1] == "stopped"
