"""The build process kept between builds (pysite.resident is the command's side): it waits for
builds with everything a build needs imported and the state each site's last build saved, and
runs each in a child forked for it, which becomes the command that sent it. The child gives the
command its exit status as soon as the build is reported, then saves the build's state
(pysite.build.Builder.save), and names the site it built, whose state this process then holds.

    python -m pysite.kept_process IDLE_SECONDS   (started by pysite.resident.start)
"""

from __future__ import annotations

import atexit
import fcntl
import gc
import marshal
import os
import select
import signal
import socket
import struct
import sys
import time

from pysite.resident import HEADER, key, socket_path

kept_pid: int | None = None  # in a build the kept process runs: that process's pid
built_site: str | None = None  # the site that build built (`finished`)
reported: socket.socket | None = None  # in such a build: where its exit status goes, until it has


def finished(code: int, site) -> None:
    """A build is over and reported, with exit status `code`: in a kept process, the command gets
    it now and ends, while this process saves the build's state; the kept process then holds that
    state for the next build of `site`."""
    global built_site
    built_site = str(site)
    if kept_pid is not None:
        report_exit(code)


def report_exit(code: int) -> None:
    """Give the command its exit status, once; what this process prints after it goes nowhere."""
    global reported
    if reported is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        reported.sendall(f"E{code}\n".encode())
    except OSError:
        pass
    reported = None
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(quiet, fd)
    os.close(quiet)


def serve(idle: float) -> None:
    """Listen for builds until `idle` seconds pass without one, or `pysite julia stop`."""
    own = key()
    path = socket_path(own)
    lock = open(path + ".lock", "wb")   # held while this process lives: one process per key
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return  # another one started at the same time
    warm()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.unlink(path)  # left by a process that was killed (`start` found nothing listening)
    except OSError:
        pass
    listener.bind(path)
    bound = os.stat(path).st_ino
    listener.listen(16)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the children reap themselves
    gc.freeze()  # what is imported stays shared with the children, not copied into each
    running: list[int] = []  # a pipe per child running, where it names the site it built
    last = time.monotonic()
    while time.monotonic() - last < idle:
        ready, _, _ = select.select([listener, *running], [], [], max(0.0, idle - (time.monotonic() - last)))
        if listener in ready:
            connection, _ = listener.accept()
            last = time.monotonic()
            request = receive(connection, own)
            if request == "stop":
                break
            if request is not None:
                running.append(fork_build((listener, lock), connection, request))
        for done in set(ready) & set(running):
            running.remove(done)
            preload(done)
    listener.close()
    try:
        if os.stat(path).st_ino == bound:  # not one a newer process bound since
            os.unlink(path)
    except OSError:
        pass


def warm() -> None:
    """Import what a build needs and make what every build makes the same way."""
    import importlib

    for module in ("pysite.cli", "pysite.build", "pysite.check", "pysite.config", "pysite.discover",
                   "pysite.evaluate", "pysite.layout", "pysite.output", "pysite.page", "pysite.site"):
        importlib.import_module(module)
    from pathlib import Path

    from pysite.highlight import lexer_for
    from pysite.layout import Layouts
    from pysite.site import template_facts
    from pysite.state import code_digest

    code_digest()  # of the code this process runs, which its key names
    for language in ("julia", "python", "bash", "toml", "html"):
        lexer_for(language)
    theme = Layouts(Path(os.devnull), "")  # a site without templates of its own: the theme's
    for template in theme.env.list_templates(extensions=["html"]):
        theme.env.get_template(template)
        template_facts(theme.source(template))


def receive(connection: socket.socket, own: str) -> dict | str | None:
    """One request: "stop", or a build of this process's key (with the command's terminal, "fds");
    None when it was neither (the command then builds in its own process)."""
    fds: list[int] = []
    try:
        connection.settimeout(10)
        head, fds, _, _ = socket.recv_fds(connection, HEADER.size, 3)
        if head.startswith(b"stop"):
            connection.close()
            return "stop"
        kind, length = HEADER.unpack(head)
        request = b""
        while len(request) < length:
            chunk = connection.recv(length - len(request))
            if not chunk:
                raise OSError("request cut short")
            request += chunk
        request = marshal.loads(request)
        if kind != b"build" or len(fds) != 3 or request["key"] != own:
            raise ValueError("not a build this process may run")
    except (OSError, ValueError, EOFError, TypeError, KeyError, struct.error):
        for fd in fds:
            os.close(fd)
        connection.close()
        return None
    request["fds"] = fds
    return request


def fork_build(own: tuple, connection: socket.socket, request: dict) -> int:
    """Run the build in a child, which does not keep this process's `own` socket and lock; the read
    end of the pipe where it names the site it built."""
    done, tell = os.pipe()
    if os.fork() == 0:
        for held in own:
            held.close()
        os.close(done)
        child(connection, request, tell)
    os.close(tell)
    for fd in request["fds"]:
        os.close(fd)
    connection.close()
    return done


def preload(done: int) -> None:
    """Load the state of the site a child has just built, for the next build of it to start from."""
    from pathlib import Path

    from pysite.state import StateStore

    with os.fdopen(done, "rb") as pipe:
        site = pipe.read().decode()
    if site:
        StateStore(Path(site)).preload()
        gc.freeze()


def child(connection: socket.socket, request: dict, tell: int) -> None:
    """Become the command that sent `request`, run its build, report its exit status (and the
    site it built, on `tell`), and end."""
    global kept_pid, reported
    code = 2
    kept_pid = os.getppid()
    reported = connection
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        connection.settimeout(None)
        for target, fd in enumerate(request["fds"]):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.umask(request["umask"])
        (stdin, stdout, stderr) = [
            open(fd, mode, encoding=encoding, errors=errors, closefd=False,
                 buffering=1 if mode == "w" and os.isatty(fd) else -1)
            for fd, mode, (encoding, errors) in zip((0, 1, 2), ("r", "w", "w"), request["streams"])]
        sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
        sys.argv = ["pysite", *request["argv"]]
        connection.sendall(f"P{os.getpid()}\n".encode())
        from pysite.cli import main

        try:
            main(args=request["argv"], prog_name="pysite")
            code = 0
        except SystemExit as done:
            if done.code is None or isinstance(done.code, int):
                code = done.code or 0
            else:
                print(done.code, file=sys.stderr)
                code = 1
        except KeyboardInterrupt:
            code = 130
        except BaseException:  # as the command would show it
            import traceback

            traceback.print_exc()
            code = 1
        # As the command's own exit would (the Julia bridges' cleanup); the kept process's own exit
        # code (after `serve`'s loop) is not run.
        atexit._run_exitfuncs()
    finally:
        report_exit(code)
        try:
            os.write(tell, (built_site or "").encode())
        except OSError:
            pass
        os._exit(code)


if __name__ == "__main__":
    from pysite import kept_process  # this module under its own name, which the builds' code reads

    kept_process.serve(float(sys.argv[1]))
