"""The build process kept between builds, so that `pysite build` starts at once: the command's
side (the kept process itself is pysite.kept_process).

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

# Only what the command needs, and the C modules beneath socket and signal: their Python
# wrappers' enums were a tenth of the whole command's time.
import _signal
import _socket
import marshal
import os
import struct
import sys
import zlib

DEFAULT_IDLE = 300.0  # seconds the kept process waits for the next build
FLAG = "--keep-build"
SOCKET_PREFIX = "build-"  # the kept build process's socket, beside the Julia workers' (pysite.bridge.kept)
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

    return os.path.join(folder(), f"{SOCKET_PREFIX}{zlib.crc32(key.encode()):08x}.sock")


def through_kept(argv: list[str]) -> int | None:
    """Run the build in the kept process: its exit status, or None when there is no kept process
    to run it (nothing was run then)."""
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    wanted = key()
    try:
        connection.connect(socket_path(wanted))
        request = marshal.dumps({   # both ends are the same Python (the key says so)
            "key": wanted, "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": current_umask(),
            "streams": [(stream.encoding, stream.errors) for stream in (sys.stdin, sys.stdout, sys.stderr)],
        })
        terminal = struct.pack("3i", 0, 1, 2)  # standard input, output and error, passed as they are
        connection.sendmsg([HEADER.pack(b"build", len(request))],
                           [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, terminal)])
        connection.sendall(request)
        started = line(connection)
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
    for number in (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP):
        _signal.signal(number, pass_on)
    ended = line(connection)
    connection.close()
    if ended.startswith(b"E"):
        return int(ended[1:])
    print("internal error: the kept build process ended without finishing the build "
          f"(run with {FLAG} 0 to build in this process)", file=sys.stderr)
    return 2


def line(connection) -> bytes:
    """The kept process's next line, or what came before it closed the connection."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(64)
        if not chunk:
            break
        data += chunk
    return data


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def start(idle: float | None) -> None:
    """Leave a kept process for the next builds, unless one is running or this is one's child."""
    from pysite import kept_process

    if not idle or kept_process.kept_pid is not None:
        return
    import socket
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
    from pysite.codebase import ROOT

    # Started from pysite's parent folder, so that `-m` imports this same pysite, and with this
    # Python's own options (-X, -W...: what the standard library's multiprocessing passes on too).
    flags = subprocess._args_from_interpreter_flags()
    subprocess.Popen([sys.executable, *flags, "-m", "pysite.kept_process", str(idle)], cwd=ROOT,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
