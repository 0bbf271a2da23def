"""The process between pysite and its Julia worker: it starts the worker, adopts
everything the worker spawns (a Linux child subreaper), and ends all of it when
the worker exits, or when its pysite is gone: at once for a pysite that dies
while a request is in flight, after an idle time for a worker kept between builds.

    python watchdog.py pipe LIFELINE_FD FD,FD -- julia ...
        pysite holds the lifeline pipe's other end: when it closes, all ends.
    python watchdog.py keep SOCKET IDLE FD,FD CLIENT_FD,CLIENT_FD -- julia ...
        kept between builds: a build attaches on the Unix socket SOCKET (in a folder
        only its user can reach) and receives the two client ends of the worker's
        pipes; it notes each request (b"B") and its end (b"I"), or asks for the end
        (b"K"). A build that goes away mid-request ends the worker; one that goes away
        idle leaves it for the next build, for IDLE seconds. b"stop" on a fresh
        connection ends it too (`pysite julia stop`).

A worker stuck in `while true end` ignores every signal but SIGKILL and never
reads its requests, so only another process can stop it for a pysite that is gone.
Run as a script (not `-m`) so it starts without importing pysite.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphaned descendants of the worker become our children, so none escapes (Linux only)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def children() -> list[int]:
    """Our child processes, from /proc (empty where there is none)."""
    me, found = os.getpid(), []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        if int(stat[stat.rindex(b")") + 2:].split()[1]) == me:
            found.append(int(entry))
    return found


def start(command: list[str], fds: list[int]) -> tuple[subprocess.Popen, int]:
    """The worker, and a descriptor that becomes readable when it exits."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # timeouts SIGINT the worker itself
    become_subreaper()
    worker = subprocess.Popen(command, stdin=subprocess.DEVNULL, pass_fds=fds, start_new_session=True)
    for fd in fds:
        os.close(fd)
    exited_r, exited_w = os.pipe()
    threading.Thread(target=lambda: (worker.wait(), os.write(exited_w, b"x")), daemon=True).start()
    return worker, exited_r


def end_all(worker: subprocess.Popen) -> None:
    """SIGKILL the worker, its process group, and every descendant that was adopted."""
    for kill in (lambda: os.killpg(worker.pid, signal.SIGKILL), worker.kill):
        try:
            kill()
        except OSError:
            pass
    worker.wait()
    for _ in range(100):  # each round adopts the grandchildren of the processes it ended
        pids = children()
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass


def read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_frame(fd: int) -> bytes:
    """One message of the worker's reply pipe, as bytes (4 bytes of magic, a count, sized fields)."""
    head = read_exactly(fd, 8)
    data = [head]
    for _ in range(struct.unpack_from("<I", head, 4)[0]):
        size = read_exactly(fd, 4)
        data += [size, read_exactly(fd, struct.unpack("<I", size)[0])]
    return b"".join(data)


def pipe_mode(lifeline: int, fds: list[int], command: list[str]) -> int:
    worker, exited = start(command, fds)
    ready, _, _ = select.select([lifeline, exited], [], [])
    code = worker.returncode if exited in ready else None
    end_all(worker)
    return code


def keep_mode(path: str, idle: float, fds: list[int], client_fds: list[int], command: list[str]) -> int | None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)
    except OSError:  # another build started one for the same site first
        return 0
    listener.listen(8)
    worker, exited = start(command, fds)
    code: int | None = None
    try:
        ready = read_frame(client_fds[1])  # the worker's first message, for every build that attaches
        client, busy = None, False
        while True:
            waiting = [listener, exited] + ([client] if client else [])
            readable, _, _ = select.select(waiting, [], [], None if client else idle)
            if not readable or exited in readable:
                code = worker.poll()
                if client is not None and code is not None:
                    client.sendall(f"E{code}".encode())
                break
            if client in readable:
                notes = client.recv(64)
                if not notes and busy or notes.endswith(b"K"):
                    break
                if not notes:
                    client.close()
                    client = None
                else:
                    busy = notes.endswith(b"B")
            if listener in readable:
                connection, _ = listener.accept()
                if connection.recv(16) == b"stop":
                    break
                if client is not None:
                    connection.sendall(b"busy")
                    connection.close()
                else:
                    socket.send_fds(connection, [b"ok" + ready], client_fds)
                    client, busy = connection, False
    except (EOFError, OSError):
        pass
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
        end_all(worker)
    return code


def main(argv: list[str]) -> int:
    split = argv.index("--")
    args, command = argv[:split], argv[split + 1:]
    if args[0] == "pipe":
        code = pipe_mode(int(args[1]), [int(fd) for fd in args[2].split(",")], command)
    else:
        code = keep_mode(args[1], float(args[2]), [int(fd) for fd in args[3].split(",")],
                         [int(fd) for fd in args[4].split(",")], command)
    if code is None or code >= 0:
        return code or 0
    # Die of the worker's signal, so pysite can tell what killed it.
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
    return 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
