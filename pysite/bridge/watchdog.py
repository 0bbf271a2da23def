"""The process between pysite and its Julia worker: it starts the worker, adopts
everything the worker spawns (a Linux child subreaper), and ends all of it when
pysite closes the lifeline pipe (on purpose, or by dying) or the worker exits.

    python watchdog.py LIFELINE_FD FD,FD... -- julia ...

A worker stuck in `while true end` ignores every signal but SIGKILL and never
reads its requests, so only another process can stop it for a pysite that is gone.
Run as a script (not `-m`) so it starts without importing pysite.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
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


def main(argv: list[str]) -> int:
    lifeline, fds, command = int(argv[0]), [int(fd) for fd in argv[1].split(",")], argv[3:]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # timeouts SIGINT the worker itself
    become_subreaper()
    worker = subprocess.Popen(command, stdin=subprocess.DEVNULL, pass_fds=fds, start_new_session=True)
    for fd in fds:
        os.close(fd)
    exited_r, exited_w = os.pipe()
    threading.Thread(target=lambda: (worker.wait(), os.write(exited_w, b"x")), daemon=True).start()
    ready, _, _ = select.select([lifeline, exited_r], [], [])
    code = worker.returncode if exited_r in ready else None
    end_all(worker)
    if code is None or code >= 0:
        return code or 0
    # Die of the worker's signal, so pysite can tell what killed it.
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
    return 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
