"""The build process kept between builds, so that `pysite build` starts at once.

Most of a small rebuild is Python starting and importing what a build needs (Markdown, Jinja2,
YAML, click, Pygments' lexers): about 0.25 s, against a few tens of milliseconds of work. So a
build leaves a process behind, with all of that imported, waiting `--keep-build` seconds for the
next one. The next `pysite build` (`run`, the command's entry point) sends it its arguments,
working folder, environment and its own terminal (standard input, output and error, passed
as file descriptors), and the kept process forks a child that runs the build exactly as the
command would have, in a process of its own: nothing one build does is seen by the next. The
child reports its exit status, and the command exits with it; Ctrl-C is passed on to it.

A kept process serves only builds that would run the same code: the same Python, pysite and
installed packages (`key`), and the same environment for Python's own start. It listens in the
user's private folder (pysite.sockets), ends after its idle time, and `pysite julia stop` ends
it with the kept Julia workers. `--keep-build 0` or PYSITE_KEEP_BUILD=0: no process is kept,
and every build runs in the command's own process.
"""

from __future__ import annotations

import atexit
import gc
import marshal
import os
import select
import signal
import socket
import struct
import sys
import time
import zlib

DEFAULT_IDLE = 300.0  # seconds the kept process waits for the next build
kept_pid: int | None = None  # in a build the kept process runs: that process's pid
built_site: str | None = None  # the site that build built (`finished`)
reported: socket.socket | None = None  # in such a build: where its exit status goes, until it has
FLAG = "--keep-build"
HEADER = struct.Struct("!5sI")  # b"build", then the request's length in bytes


def run() -> None:
    """The `pysite` command: a build goes to the kept process when there is one, else runs here."""
    argv = sys.argv[1:]
    if argv[:1] == ["build"] and idle_time(argv) != 0:
        try:
            code = through_kept(argv)
        except KeyboardInterrupt:  # before the build began
            sys.exit(130)
        if code is not None:
            sys.exit(code)
    from pysite.cli import main

    main(prog_name="pysite")


def idle_time(argv: list[str]) -> float | None:
    """How long a kept process waits for the next build: `--keep-build SECONDS`, else
    $PYSITE_KEEP_BUILD, else DEFAULT_IDLE. None when it is not a number (the command's
    own parsing reports it)."""
    value = os.environ.get("PYSITE_KEEP_BUILD", str(DEFAULT_IDLE))
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == FLAG and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith(FLAG + "="):
            value = arg[len(FLAG) + 1:]
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def key() -> str:
    """Which kept process may run this command's build: one started by the same Python, from the
    same pysite code (each file's size and modification time), with the same installed packages
    (each folder of the import path changes when one is installed or removed) and the same
    options and environment for Python's own start (its flags, PYTHON* variables and locale)."""
    from pysite.codebase import code_files

    parts = [sys.executable, repr(sys.flags), repr(sys.warnoptions), repr(sys._xoptions)]
    parts += [f"{name}={os.environ[name]}" for name in sorted(os.environ)
              if name.startswith(("PYTHON", "LC_")) or name == "LANG"]
    for path in [*sys.path[1:], *code_files()]:   # sys.path[0]: the command's own folder
        try:
            stat = os.stat(path)
        except OSError:
            continue
        parts.append(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}")
    return "\0".join(parts)


def socket_path(key: str) -> str:
    """Where the kept process for `key` listens: named by a checksum of it (the process compares
    the whole key), imported nothing heavy for (hashlib and pathlib cost more than the rest)."""
    from pysite.sockets import folder

    return os.path.join(folder(), f"build-{zlib.crc32(key.encode()):08x}.sock")


# The command's side ----------------------------------------------------------------------------

def through_kept(argv: list[str]) -> int | None:
    """Run the build in the kept process: its exit status, or None when there is no kept process
    to run it (nothing was run then)."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    wanted = key()
    try:
        connection.connect(socket_path(wanted))
        request = marshal.dumps({   # both ends are the same Python (the key says so)
            "key": wanted, "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": current_umask(),
            "streams": [(stream.encoding, stream.errors) for stream in (sys.stdin, sys.stdout, sys.stderr)],
        })
        socket.send_fds(connection, [HEADER.pack(b"build", len(request))], [0, 1, 2])
        connection.sendall(request)
        replies = connection.makefile("rb")
        started = replies.readline()
    except (OSError, AttributeError):  # none, or one that just ended (or no terminal streams)
        connection.close()
        return None
    if not started.startswith(b"P"):
        connection.close()
        return None
    child = int(started[1:])

    def pass_on(number, frame) -> None:
        try:
            os.kill(child, number)
        except OSError:
            pass
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, pass_on)
    ended = replies.readline()
    connection.close()
    if ended.startswith(b"E"):
        return int(ended[1:])
    print("internal error: the kept build process ended without finishing the build "
          f"(run with {FLAG} 0 to build in this process)", file=sys.stderr)
    return 2


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


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def start(idle: float | None) -> None:
    """Leave a kept process for the next builds, unless one is running or this is one's child."""
    if not idle or kept_pid is not None:
        return
    import subprocess

    try:
        path = socket_path(key())
    except OSError:  # no folder for it
        return
    if len(os.fsencode(path)) > 107:  # more than a socket's address holds: none can listen there
        return
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        return  # one is listening
    except OSError:
        pass
    finally:
        probe.close()
    from pysite.codebase import PACKAGE

    # Started from pysite's parent folder, so that `-m` imports this same pysite, and with this
    # Python's own options (-X, -W...: what the standard library's multiprocessing passes on too).
    flags = subprocess._args_from_interpreter_flags()
    subprocess.Popen([sys.executable, *flags, "-m", "pysite.resident", str(idle)], cwd=PACKAGE.parent,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


# The kept process's side -----------------------------------------------------------------------

def serve(idle: float) -> None:
    """Listen for builds until `idle` seconds pass without one, or `pysite julia stop`."""
    own = key()
    path = socket_path(own)
    import fcntl

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
    finished: list[int] = []  # a pipe per child running, where it names the site it built
    last = time.monotonic()
    while time.monotonic() - last < idle:
        ready, _, _ = select.select([listener, *finished], [], [], max(0.0, idle - (time.monotonic() - last)))
        if listener in ready:
            connection, _ = listener.accept()
            last = time.monotonic()
            request = receive(connection, own)
            if request == "stop":
                break
            if request is not None:
                finished.append(fork_build((listener, lock), connection, request))
        for done in set(ready) & set(finished):
            finished.remove(done)
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
    from pysite import resident  # this module under its own name, which the builds' code reads

    resident.serve(float(sys.argv[1]))
