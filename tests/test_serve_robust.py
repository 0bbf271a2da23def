"""`pysite serve` never hangs and never shows what is gone: many layout saves, slow and
vanishing clients, over-long paths, idle connections, a broken config.md, deleted pages,
`--reeval` (real serve in a subprocess, real sockets, real Julia where cells are involved)."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time

import pytest

from conftest import write_tree
from test_serve import PAGE_LAYOUT, SITE, Served, served  # noqa: F401  (the fixture)

BIG = 64 * 1024 * 1024  # far more than socket buffers hold


def get(port: int, path: str, timeout: float = 10) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def no_traceback(server) -> None:
    assert not any("Traceback" in line or "Exception" in line for line in server.lines), "\n".join(server.lines)


def test_many_layout_saves_on_a_large_site_never_hang(served):
    pages = {f"pages/p{i}.md": f"---\ntitle: P{i}\nlayout: page\n---\n# P{i}\n\ntext {i}\n" for i in range(100)}
    server = served({**SITE, **pages}, "-j", "4")
    stop = threading.Event()
    failures = []

    def client() -> None:  # requests all along, as an open browser tab makes
        while not stop.is_set():
            try:
                assert get(server.port, "/pages/p7/")[0] == 200
            except Exception as error:  # noqa: BLE001 - reported below
                failures.append(error)
                return
    reader = threading.Thread(target=client, daemon=True)
    reader.start()
    for version in range(40):
        rebuild = server.save("_layout/page.html", PAGE_LAYOUT.replace("page layout v1", f"page layout {version}"))
        assert int(rebuild["written"]) >= 100
    stop.set()
    reader.join(10)
    assert not failures and not reader.is_alive()
    assert "page layout 39" in server.text("/pages/p99/")
    no_traceback(server)


def test_a_client_that_stops_reading_blocks_no_one(served):
    server = served({**SITE, "_assets/big.bin": b"\0" * BIG})
    stuck = socket.create_connection(("127.0.0.1", server.port))
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stuck.sendall(b"GET /assets/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    time.sleep(0.5)  # the server is writing, and the client reads nothing
    try:
        started = time.monotonic()
        server.save("pages/a.md", "---\ntitle: Alpha\nlayout: page\n---\n# Alpha\n\nsaved meanwhile\n")
        assert "saved meanwhile" in server.text("/pages/a/")
        assert "beta text" in server.text("/pages/b/")
        assert time.monotonic() - started < 5
    finally:
        stuck.close()
    time.sleep(1)
    no_traceback(server)


def test_over_long_paths_get_414(served):
    server = served()
    assert get(server.port, "/" + "a" * 256)[0] == 414
    assert get(server.port, "/pages/" + "b" * 300 + "/")[0] == 414
    assert get(server.port, "/" + "/".join(["c" * 100] * 50))[0] == 414
    assert get(server.port, "/" + "d" * 255)[0] == 404  # long, but a name a file can have
    assert "alpha text" in server.text("/pages/a/")
    no_traceback(server)


def test_idle_keep_alive_connections_are_closed(served):
    server = served()
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    connection.sendall(b"GET /css/extra.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    received = b""
    while b"rgb(1, 2, 3)" not in received:
        received += connection.recv(65536)
    assert received.startswith(b"HTTP/1.1 200")
    started = time.monotonic()
    assert connection.recv(65536) == b""  # closed by the server, after a while
    assert 2 < time.monotonic() - started < 20
    connection.close()
    no_traceback(server)


def test_aborted_downloads_print_nothing(served):
    server = served({**SITE, "_assets/big.bin": b"\0" * BIG})
    for _ in range(5):
        connection = socket.create_connection(("127.0.0.1", server.port))
        connection.sendall(b"GET /assets/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        connection.recv(1024)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")  # reset, not close
        connection.close()
    time.sleep(1)
    assert "alpha text" in server.text("/pages/a/")
    no_traceback(server)


def test_assets_are_served_while_config_is_broken(served):
    server = served()
    server.save("config.md", "---\ntitle: [broken\n---\n")
    status, headers, body = get(server.port, "/css/extra.css")
    assert (status, body) == (200, b"body { color: rgb(1, 2, 3); }\n")
    assert get(server.port, "/assets/logo.svg")[0] == 200
    status, _, body = get(server.port, "/pages/a/")
    assert status == 500 and b"config.md:" in body and b"front matter" in body
    status, headers, _ = get(server.port, "/pages/a")
    assert status == 301 and headers["location"] == "/pages/a/"
    server.save("config.md", SITE["config.md"])
    assert "alpha text" in server.text("/pages/a/")


def test_a_deleted_page_takes_its_output_folder(served):
    server = served()
    out = server.site / "__site"
    assert (out / "pages/b/index.html").is_file()
    (server.site / "pages/b.md").unlink()
    server.rebuilt()
    assert not (out / "pages/b").exists()
    assert get(server.port, "/pages/b/")[0] == 404


@pytest.mark.julia
def test_cell_files_are_served_and_pruned_and_reeval_runs_once(served):
    cell = ('```julia:stamp\nprintln("stamp ", time_ns())\n'
            'write(joinpath(@OUTPUT, "data.txt"), "cell data")\n```\n\n\\output{stamp}\n')
    server = served({**SITE, "pages/c.md": "# C\n\n" + cell}, "--reeval")
    first = re.search(r"stamp \d+", server.text("/pages/c/")).group(0)
    files = list((server.site / "__site").rglob("data.txt"))
    assert len(files) == 1
    url = "/" + files[0].relative_to(server.site / "__site").as_posix()
    assert get(server.port, url) == (200, get(server.port, url)[1], b"cell data")
    server.save("pages/c.md", "# C, edited\n\n" + cell)  # the cell unchanged: from the cache, not run again
    page = server.text("/pages/c/")
    assert "C, edited" in page and first in page
    write_tree(server.site, {"pages/c.md": "# C\n\nno cell now\n"})
    server.rebuilt()
    assert get(server.port, url)[0] == 404
    assert not list((server.site / "__site").rglob("data.txt"))


@pytest.mark.julia
def test_a_file_a_cell_wrote_anew_is_announced_to_the_browser(served):
    def page(shape: str) -> str:
        return f'# C\n\n```julia:fig\nwrite(joinpath(@OUTPUT, "fig.svg"), "<svg>{shape}</svg>");\n```\n'

    server = served({**SITE, "pages/c.md": page("circle")})
    out = server.site / "__site"
    rel = next(out.rglob("fig.svg")).relative_to(out).as_posix()
    since = re.search(r'data-since="([^"]+)"', server.text("/pages/c/")).group(1)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", f"/__pysite/events?since={since}")
    response = connection.getresponse()
    server.save("pages/c.md", page("square"))
    line = ""
    while not line.startswith("data: "):
        line = response.fp.readline().decode()
    connection.close()
    assert rel in json.loads(line[len("data: "):])
    assert get(server.port, "/" + rel)[2] == b"<svg>square</svg>"


def test_a_save_during_the_initial_build_is_served(make_site):
    """The first build runs before the server's threads (so on every core), and every file is
    looked at again once the watcher runs: a save made while it wrote is not lost."""
    pages = {f"pages/p{i}.md": f"---\ntitle: P{i}\nlayout: page\n---\n# P{i}\n\n" + "text " * 400 + "\n"
             for i in range(300)}
    site = make_site({**SITE, **pages})
    started: dict = {}
    starting = threading.Thread(target=lambda: started.update(server=Served(site, "-j", "2")))
    starting.start()
    deadline = time.monotonic() + 60
    while not (site / "__site").exists() and time.monotonic() < deadline:  # written: every page was read
        time.sleep(0.01)
    write_tree(site, {"pages/a.md": "---\ntitle: Alpha\nlayout: page\n---\n# Alpha\n\nsaved meanwhile\n"})
    starting.join(120)
    server = started["server"]
    try:
        assert "saved meanwhile" in server.text("/pages/a/")
        no_traceback(server)
    finally:
        server.stop()
