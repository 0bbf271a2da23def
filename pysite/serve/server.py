"""HTTP: files of the output folder only, HTML with the live-reload script, error pages for
pages that failed to build, the site's 404 page, and the event stream browsers listen to.
"""

from __future__ import annotations

import errno
import http
import ipaddress
import mimetypes
import socket
import sys
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from pysite.serve.errorpage import error_page, not_found_page
from pysite.serve.live import LiveSite
from pysite.serve.reload import EVENTS_PATH, event, inject

TEXT_TYPES = ("application/javascript", "application/json", "application/xml", "image/svg+xml")
KEEPALIVE_SECONDS = 15.0
IDLE_SECONDS = 5.0   # a kept-alive connection with no request for this long is closed (Apache's default)
MAX_SEGMENT, MAX_PATH = 255, 4096
# Raw request paths that are refused before decoding: encoded slashes and NUL hide segments.
REFUSED_ENCODINGS = ("%2f", "%5c", "%00")


class Refused(Exception):
    """A request path that could name something outside the output folder."""


class TooLong(Exception):
    """A request path no file system holds: a segment over 255 bytes, or over 4 KB in all."""


@dataclass
class Answer:
    status: int
    body: bytes = b""
    kind: str = "text/plain; charset=utf-8"
    location: str | None = None   # a redirect


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], live: LiveSite, prepath: str = ""):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.live = live
        self.prefix = prepath.strip("/") + "/" if prepath.strip("/") else ""  # `project/` under --prepath
        super().__init__(address, SiteHandler)

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a client that went away, or stopped reading: nothing for the terminal
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        root = f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
        return root + self.prefix


def output_path(raw: str) -> str:
    """The output-relative path a request names (`""` for the root); raises Refused."""
    path = raw.split("?", 1)[0].split("#", 1)[0]
    lowered = path.lower()
    if not path.startswith("/") or path.startswith("//") or any(e in lowered for e in REFUSED_ENCODINGS):
        raise Refused(raw)
    decoded = unquote(path, errors="strict")
    if len(decoded.encode()) > MAX_PATH or any(len(part.encode()) > MAX_SEGMENT for part in decoded.split("/")):
        raise TooLong(raw)
    if "\0" in decoded or "\\" in decoded:
        raise Refused(raw)
    parts = decoded.split("/")[1:]
    if any(part in (".", "..") for part in parts):
        raise Refused(raw)
    return "/".join(parts)


def content_type(path: Path) -> str:
    kind, _ = mimetypes.guess_type(path.name)
    kind = kind or "application/octet-stream"
    if kind.startswith("text/") or kind in TEXT_TYPES:
        return f"{kind}; charset=utf-8"
    return kind


class SiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a reload fetches the page and its stylesheets on one connection
    timeout = IDLE_SECONDS         # on the socket: an idle connection, or a client that stopped reading, ends
    server: SiteServer

    def log_message(self, format: str, *args) -> None:  # the terminal shows builds, not every request
        pass

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self.host_allowed():
            return self.send(Answer(http.HTTPStatus.FORBIDDEN, b"unknown host\n"))
        try:
            rel = output_path(self.path)
        except TooLong:
            return self.send(Answer(http.HTTPStatus.REQUEST_URI_TOO_LONG, b"path too long\n"))
        except (Refused, UnicodeDecodeError):
            return self.send(Answer(http.HTTPStatus.BAD_REQUEST, b"bad path\n"))
        if "/" + rel == EVENTS_PATH:
            return self.stream_events()
        live = self.server.live
        prefix = self.server.prefix
        with live.gate.reading():  # the answer is made under the gate, and sent after it:
            if prefix and not (rel + "/").startswith(prefix):  # under --prepath, the site is only there
                answer = self.redirect("/" + prefix) if rel == "" else self.not_found(live, live.out.resolve())
            else:
                answer = self.answer(live, rel[len(prefix):])
        self.send(answer)        # a slow client never holds up a rebuild, nor others behind it

    def host_allowed(self) -> bool:
        """On a loopback address, only loopback names: a page elsewhere cannot reach the
        preview (and the cells it runs) through a name of its own that resolves here."""
        if not ipaddress.ip_address(self.server.server_address[0]).is_loopback:
            return True
        name = urlsplit("//" + (self.headers.get("Host") or "")).hostname or ""
        if name == "localhost":
            return True
        try:
            return ipaddress.ip_address(name).is_loopback
        except ValueError:
            return False

    def answer(self, live: LiveSite, rel: str) -> Answer:
        """Called under the gate: the folder is not being rebuilt while the file is found and read."""
        out = live.out.resolve()
        if rel.endswith("/") or rel == "":
            rel += "index.html"
        elif (out / rel).is_dir() or live.failed.get(rel + "/index.html"):
            query = self.path.partition("?")[2]
            return self.redirect(f"/{self.server.prefix}{rel}/" + (f"?{query}" if query else ""))
        problems = live.problems(rel)
        if problems:
            return self.html(http.HTTPStatus.INTERNAL_SERVER_ERROR, error_page(problems, live.site), rel, live)
        target = (out / rel).resolve()
        if not target.is_relative_to(out):
            return Answer(http.HTTPStatus.FORBIDDEN, b"outside the site\n")
        if not target.is_file():
            return self.not_found(live, out)
        if target.suffix == ".html":
            return self.html(http.HTTPStatus.OK, target.read_bytes(), rel, live)
        # whole, so that the gate is let go before sending: site files are small
        return Answer(http.HTTPStatus.OK, target.read_bytes(), content_type(target))

    def not_found(self, live: LiveSite, out: Path) -> Answer:
        page = out / "404.html"
        document = page.read_bytes() if page.is_file() else not_found_page(self.path)
        return self.html(http.HTTPStatus.NOT_FOUND, document, "404.html", live)

    def redirect(self, location: str) -> Answer:
        return Answer(http.HTTPStatus.MOVED_PERMANENTLY, location=location)

    def html(self, status: int, document: bytes, rel: str, live: LiveSite) -> Answer:
        return Answer(status, inject(document, rel, live.reloads.current), "text/html; charset=utf-8")

    def send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        if answer.location is not None:
            self.send_header("Location", answer.location)
        else:
            self.send_header("Content-Type", answer.kind)
            self.send_header("Cache-Control", "no-store")  # a save must show on the next load
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def stream_events(self) -> None:
        """Server-Sent Events: one `build` event per rebuild after the build the page came from."""
        reloads = self.server.live.reloads
        query = parse_qs(self.path.partition("?")[2])
        since = self.headers.get("Last-Event-ID") or query.get("since", [""])[0]
        self.send_response(http.HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(b"retry: 500\n\n")
            current, touched = reloads.after(since)
            while not reloads.closed:
                if touched:
                    self.wfile.write(event(current, touched))
                else:
                    self.wfile.write(b": still here\n\n")  # finds closed connections
                self.wfile.flush()
                since = current
                current, touched = reloads.wait(since, KEEPALIVE_SECONDS)
        except (BrokenPipeError, ConnectionResetError):
            pass


def bind(host: str, port: int, live: LiveSite, prepath: str = "", tries: int = 20) -> tuple[SiteServer, list[str]]:
    """A server on the port, or the next free one; notes say what happened."""
    notes = []
    for candidate in range(port, port + tries) if port else [0]:
        try:
            server = SiteServer((host, candidate), live, prepath)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:  # anything else (a bad host) is the user's to fix
                raise
            continue
        if candidate != port and port:
            notes.append(f"port {port} is in use: serving on port {candidate} instead")
        return server, notes
    raise OSError(errno.EADDRINUSE, f"ports {port} to {port + tries - 1} are all in use; pick one with --port")
