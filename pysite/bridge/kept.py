"""Julia workers kept between builds: where their sockets live (a folder only the user
can reach), which worker a build may reuse (same Julia, project, site and bridge code),
attaching to one, and stopping them all (`pysite julia stop`).

A kept worker runs under pysite/bridge/watchdog.py in `keep` mode, which ends it after
its idle time, or at once when the build using it goes away in the middle of a request.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from pysite.bridge.install import julia_source_dir
from pysite.resident import SOCKET_PREFIX
from pysite.sockets import folder as sockets_folder

DEFAULT_IDLE = 300.0  # seconds a kept worker waits for the next build


def key(command: list[str], env_path: str | None, slot: int = 0) -> str:
    """Which worker a build may reuse: the same Julia command (executable, project, site
    folder, protocol) with the same load path and the same bridge code, in the same slot
    (a build that runs cells on N cores keeps N workers)."""
    digest = hashlib.sha256("\0".join([*command, env_path or ""]).encode())
    for path in sorted(julia_source_dir().glob("*.jl")):
        digest.update(path.read_bytes())
    name = digest.hexdigest()[:16]  # short: a socket's path has at most 107 bytes
    return f"{name}-{slot}" if slot else name


@dataclass
class Link:
    """A build's attachment to a kept worker: the socket and the client ends of its pipes."""

    connection: socket.socket
    requests: int  # write end of the worker's request pipe
    replies: int   # read end of its reply pipe
    ready: bytes   # the worker's first message, as it sent it

    def note(self, busy: bool) -> None:
        try:
            self.connection.sendall(b"B" if busy else b"I")
        except OSError:
            pass

    def exit_code(self) -> int | None:
        """The worker's exit status, once the watchdog has seen it end."""
        self.connection.settimeout(2)
        try:
            data = self.connection.recv(64)
        except OSError:
            return None
        return int(data[1:]) if data.startswith(b"E") else None

    def end(self, stop: bool) -> None:
        """Leave the worker idle for the next build, or `stop` it (and wait until it is gone)."""
        try:
            if stop:
                self.connection.sendall(b"K")
                self.connection.settimeout(10)
                while self.connection.recv(64):
                    pass
        except OSError:
            pass
        self.connection.close()
        for fd in (self.requests, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass


def attach(name: str, wait: float = 0.0, starting=None) -> Link | str:
    """Attach to the kept worker `name`: a Link, or "busy" (another build has it), or
    "absent". With `wait`, keep trying that long while `starting` (its watchdog's Popen) runs."""
    path = str(socket_path(name))
    deadline = time.monotonic() + wait
    while True:
        try:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.connect(path)
            connection.sendall(b"attach")
            connection.settimeout(wait or 10)
            data, fds, _, _ = socket.recv_fds(connection, 1 << 16, 2)
        except OSError as error:
            connection.close()
            if isinstance(error, ConnectionRefusedError) and not wait:
                Path(path).unlink(missing_ok=True)  # left by a worker that was killed
            if time.monotonic() >= deadline or (starting is not None and starting.poll() is not None):
                return "absent"
            time.sleep(0.05)
            continue
        if data.startswith(b"ok") and len(fds) == 2:
            connection.settimeout(None)
            return Link(connection, fds[0], fds[1], data[2:])
        connection.close()
        return "busy" if data == b"busy" else "absent"


def folder() -> Path:
    return Path(sockets_folder())


def socket_path(name: str) -> Path:
    return folder() / f"{name}.sock"


def log_path(name: str) -> Path:
    return folder() / f"{name}.log"


def log_tail(name: str) -> bytes:
    """The end of what a kept worker printed outside cells (a crash's report, say)."""
    try:
        with open(log_path(name), "rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - 4000))
            return log.read()
    except OSError:
        return b""


def stop_all() -> tuple[int, int]:
    """End every process this user's builds kept, Julia workers and build processes (whose sockets
    pysite.resident names): how many of each there were."""
    stopped = [0, 0]
    for path in folder().glob("*.sock"):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.connect(str(path))
                connection.sendall(b"stop")
                connection.settimeout(10)
                while connection.recv(64):
                    pass
            stopped[path.name.startswith(SOCKET_PREFIX)] += 1
        except OSError:
            path.unlink(missing_ok=True)  # a socket nothing listens on
    return stopped[0], stopped[1]
