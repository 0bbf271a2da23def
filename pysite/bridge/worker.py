"""The default transport: a long-lived `julia` subprocess running julia/worker.jl.

Requests and replies use two extra pipes (pass_fds), never the worker's
stdout/stderr, which reader threads drain all the time; every request has an id
its replies must repeat. The worker runs under pysite/bridge/watchdog.py, which
ends it and everything it spawned when pysite closes (or loses) the lifeline. A
worker kept between builds (pysite/bridge/kept.py) is the same process reached
through a socket, and its pipes are handed over on it.

A page is one request; the worker answers one message per cell as each
finishes, which gives per-cell timeouts without per-cell round trips, then says
whether it can serve another page (a page that left a task, a timer, a process
or a method on a function it does not own cannot be undone: the worker is
replaced). A timed-out cell gets SIGINT, a grace period to report its partial
output, then the worker is killed; a crashed one is reported from the worker's
end. Either way the page's later cells run in a fresh worker, after its earlier
cells run again there; utils.jl is loaded into every fresh worker.
"""

from __future__ import annotations

import atexit
import collections
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from pysite.bridge import kept
from pysite.bridge.install import julia_source_dir
from pysite.bridge.protocol import (PROTOCOL_VERSION, UTILS_TIMEOUT, MessageReader, ProtocolError, Requests,
                                    decode_cell, encode_message, new_id, page_request)
from pysite.bridge.results import CellRequest, CellResult, JuliaInstall, Limits
from pysite.errors import JuliaError

STARTUP_TIMEOUT = 120.0  # a cold Julia 1.5 compiling the bridge takes a few seconds
WATCHDOG = Path(__file__).with_name("watchdog.py")
FORGED = "the cell wrote on pysite's private reply channel, so its results cannot be trusted"

# The workers' lifelines (pipe write ends, kept workers' sockets): a forked child must not
# keep a worker alive.
_LIFELINES: set[int] = set()
os.register_at_fork(after_in_child=lambda: [_close(fd) for fd in _LIFELINES])


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def default_memory() -> int:
    """Half of the machine's memory: a runaway cell is stopped long before the machine suffers."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (ValueError, OSError):
        return 8 << 30


class WorkerDied(Exception):
    pass


class Worker:
    """One julia process under its watchdog, and the client ends of its pipes: a private
    one (ends with this pysite), or with `keep` seconds one kept between builds (reused
    when one for the same site is idle; `slot` N of the site's, one per build process that runs cells)."""

    def __init__(self, install: JuliaInstall, project: Path | None, root: Path, keep: float = 0.0, slot: int = 0):
        command = [str(install.executable), "--startup-file=no", "--history-file=no", "--color=no"]
        env = dict(os.environ)
        active = project or install.project
        if active is not None:
            command.append(f"--project={active}")
        if project is not None and install.project is not None:
            # The site's project is active; keep juliapkg's packages loadable too.
            env["JULIA_LOAD_PATH"] = os.pathsep.join(["@", str(install.project), "@stdlib"])
        command += [str(julia_source_dir() / "worker.jl"), PROTOCOL_VERSION, str(root)]
        self.executable = install.executable
        self.process: subprocess.Popen | None = None
        self.log: collections.deque[bytes] = collections.deque(maxlen=64)
        self.version: str | None = None
        self.pid = 0  # julia's own pid, from its first message
        self.memory: int | None = None
        self.has_utils = False
        self._lifeline = -1
        self.link = self._kept(command, env, root, keep, slot) if keep else None
        if self.link is not None:
            self._requests, self.replies = self.link.requests, MessageReader(self.link.replies)
            self.replies.feed(self.link.ready)
            self._lifeline = self.link.connection.fileno()  # the link is the lifeline
            _LIFELINES.add(self._lifeline)
        else:
            self._private(command, env, root)

    def _private(self, command: list[str], env: dict, root: Path) -> None:
        """A worker for this pysite alone: its lifeline pipe ends it when pysite is gone."""
        request_read, self._requests = os.pipe()
        reply_read, reply_write = os.pipe()
        lifeline_read, self._lifeline = os.pipe()
        fds = (request_read, reply_write)
        watchdog = [sys.executable, "-I", str(WATCHDOG), "pipe", str(lifeline_read), f"{request_read},{reply_write}", "--"]
        try:
            self.process = subprocess.Popen(
                watchdog + command + [str(request_read), str(reply_write)], stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(*fds, lifeline_read),
                start_new_session=True, env=env, cwd=root)
        except OSError as e:
            for fd in (self._requests, reply_read, self._lifeline):
                _close(fd)
            raise JuliaError(f"cannot start Julia {self.executable}: {e}") from None
        finally:
            for fd in (*fds, lifeline_read):
                _close(fd)
        _LIFELINES.add(self._lifeline)
        self.replies = MessageReader(reply_read)
        for stream in (self.process.stdout, self.process.stderr):
            threading.Thread(target=self._drain, args=(stream,), daemon=True).start()

    def _kept(self, command: list[str], env: dict, root: Path, idle: float, slot: int) -> kept.Link | None:
        """The worker kept for this command in this slot: the idle one, else a new one; None when
        another build is using it (this build then has a private worker)."""
        self.name = kept.key(command, env.get("JULIA_LOAD_PATH"), slot)
        found = kept.attach(self.name)
        if found == "absent":
            request_read, request_write = os.pipe()
            reply_read, reply_write = os.pipe()
            fds = (request_read, reply_write, request_write, reply_read)
            watchdog = [sys.executable, "-I", str(WATCHDOG), "keep", str(kept.socket_path(self.name)), str(idle),
                        f"{request_read},{reply_write}", f"{request_write},{reply_read}", "--"]
            try:
                with open(kept.log_path(self.name), "wb") as log:
                    server = subprocess.Popen(watchdog + command + [str(request_read), str(reply_write)],
                                              stdin=subprocess.DEVNULL, stdout=log, stderr=log, pass_fds=fds,
                                              start_new_session=True, env=env, cwd=root)
            except OSError as e:
                raise JuliaError(f"cannot start Julia {self.executable}: {e}") from None
            finally:
                for fd in fds:
                    _close(fd)
            found = kept.attach(self.name, wait=STARTUP_TIMEOUT, starting=server)
        return found if isinstance(found, kept.Link) else None

    def _drain(self, stream) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):
            self.log.append(chunk)

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        try:
            os.kill(self.pid, 0)
            return True
        except OSError:
            return not self.pid
    def wait_ready(self) -> None:
        if self.version is not None:
            return
        try:
            message = self.replies.read(time.monotonic() + STARTUP_TIMEOUT)
        except (TimeoutError, EOFError, ProtocolError):
            self.kill()
            raise JuliaError(f"the Julia worker did not start: {self.death_message()}") from None
        if message[0] != b"ready" or message[1].decode() != PROTOCOL_VERSION:
            self.kill()
            raise JuliaError(f"the Julia side of the bridge speaks protocol {message[1][:20]!r}, "
                             f"this pysite speaks {PROTOCOL_VERSION}",
                             hint="julia/ and pysite/ come from different versions of pysite: reinstall it")
        self.version, self.pid = message[2].decode(), int(message[3])

    def limit_memory(self, limit: int) -> None:
        """Cap the worker's address space (Linux): a cell past it gets an OutOfMemoryError."""
        if limit != self.memory and hasattr(resource, "prlimit"):
            try:
                resource.prlimit(self.pid, resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
                self.memory = limit
            except (OSError, ValueError):
                pass

    def send(self, data: bytes) -> None:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._requests, view):]
        except OSError:
            raise WorkerDied from None

    def note(self, busy: bool) -> None:
        """Tell a kept worker's watchdog a request is in flight (or over): a build that goes away
        in the middle of one ends the worker."""
        if self.link is not None:
            self.link.note(busy)

    def wait_exit(self) -> None:
        if self.process is not None:
            self.process.wait()

    def death_message(self) -> str:
        code = self.process.poll() if self.process is not None else self.link.exit_code()
        if code is None:
            how = "Julia stopped answering"
        elif code < 0:
            how = f"Julia was killed by signal {signal.Signals(-code).name}"
        else:
            how = f"Julia exited with code {code}"
        log = b"".join(self.log) if self.link is None else kept.log_tail(self.name)
        tail = log.decode("utf-8", "replace").strip()[-2000:]
        return f"{how}\n{tail}" if tail else how

    def interrupt(self, grace: float, request_id: str) -> list[bytes] | None:
        """SIGINT the running cell; its reply if it comes within `grace` seconds."""
        try:
            os.kill(self.pid, signal.SIGINT)
            return self.replies.read(time.monotonic() + grace, request_id)
        except (TimeoutError, EOFError, ProtocolError, ProcessLookupError):
            return None

    def quit(self) -> None:
        """End the worker, or leave a kept one idle for the next build."""
        if self.link is not None:
            _LIFELINES.discard(self._lifeline)
            self.link.end(stop=False)
            return
        try:
            self.send(encode_message(["quit"]))
            self.process.wait(timeout=2)
        except (WorkerDied, subprocess.TimeoutExpired):
            pass
        self.kill()

    def kill(self) -> None:
        """End the worker and all it spawned: closing the lifeline tells the watchdog."""
        if self.link is not None:
            _LIFELINES.discard(self._lifeline)
            self.link.end(stop=True)
            return
        _LIFELINES.discard(self._lifeline)
        for fd in (self._lifeline, self._requests, self.replies.fd):
            _close(fd)
        self._lifeline = self._requests = self.replies.fd = -1
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # the watchdog itself is stuck
            self.process.kill()
            self.process.wait()


class WorkerBridge(Requests):
    """`Bridge` over a worker subprocess; replaces it after timeouts, crashes and pages it cannot undo."""

    def __init__(self, install: JuliaInstall, project: Path | None = None, root: Path | None = None,
                 keep: float = 0.0, grace: float = 1.0, slot: int = 0):
        self.install, self.project, self.keep, self.grace, self.slot = install, project, keep, grace, slot
        self.root = (root or Path.cwd()).resolve()
        self.restarts = 0  # how many fresh workers replaced the first: state sent to Julia is gone
        self._utils: list[bytes | str] | None = None  # the last load_utils, for every fresh worker
        self._lock = threading.Lock()
        self._worker: Worker | None = Worker(install, project, self.root, keep, slot)  # starts warming up now
        atexit.register(self.close)

    @property
    def julia_version(self) -> str:
        with self._lock:
            return self._ready().version

    def _ready(self) -> Worker:
        if self._worker is None or not self._worker.alive():
            self._restart()
        worker = self._worker
        worker.wait_ready()
        if self._utils is not None and not worker.has_utils:
            worker.has_utils = True
            self._exchange(worker, "load_utils", self._utils, UTILS_TIMEOUT)  # it loaded before: it loads
        return worker

    def _restart(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self.restarts += 1
        self._worker = Worker(self.install, self.project, self.root, self.keep, self.slot)

    def run_page(self, path: str, cells: list[CellRequest], limits: Limits) -> list[CellResult]:
        """Each cell once, in order; after a crash or a timeout the earlier cells run again in a
        fresh worker (their results dropped), then the page goes on."""
        results: list[CellResult] = []
        with self._lock:
            while len(results) < len(cells):
                first = len(results)
                replay = [i for i, r in enumerate(results) if r.status in ("ok", "error")]
                order = replay + list(range(first, len(cells)))
                answers = self._run(path, [cells[i] for i in order], limits)
                for i, result in zip(order, answers):
                    if i >= first:
                        results.append(result)
                    elif result.status not in ("ok", "error"):  # run again, it failed this time
                        why = f"not evaluated: the cell at line {cells[i].line} failed when run again ({result.status})"
                        return results + [CellResult("not-evaluated", error=why) for _ in cells[first:]]
                if len(results) == first:
                    break
        return results + [CellResult("not-evaluated") for _ in cells[len(results):]]

    def _run(self, path: str, cells: list[CellRequest], limits: Limits) -> list[CellResult]:
        """The cells' results up to the end or the first timeout or crash; the worker is replaced
        after a failure or a page it cannot undo."""
        worker = self._ready()
        worker.limit_memory(limits.memory or default_memory())
        request_id = new_id()
        results: list[CellResult] = []
        try:
            worker.note(busy=True)
            worker.send(page_request(request_id, path, limits.output, cells))
            for _ in cells:
                start = time.monotonic()
                try:
                    results.append(self._memory_note(decode_cell(worker.replies.read(start + limits.timeout, request_id)), worker))
                except TimeoutError:
                    partial = worker.interrupt(self.grace, request_id)
                    result = decode_cell(partial) if partial and partial[0] == b"cell" else CellResult("timeout")
                    result.status = "timeout"
                    result.error = f"the cell did not finish within {limits.timeout:g} s"
                    result.backtrace = None
                    result.seconds = time.monotonic() - start
                    results.append(result)
                    self._restart()
                    return results
            done = worker.replies.read(time.monotonic() + limits.timeout, request_id)
            worker.note(busy=False)
            if done[0] != b"done" or done[2]:
                self._restart()
        except (WorkerDied, EOFError):
            worker.wait_exit()
            results.append(CellResult("crashed", error=worker.death_message()))
            self._restart()
        except ProtocolError:
            results.append(CellResult("crashed", error=FORGED))
            self._restart()
        except TimeoutError:  # the end-of-page check hung: a fresh worker is safer
            self._restart()
        return results

    def _memory_note(self, result: CellResult, worker: Worker) -> CellResult:
        if result.status == "error" and (result.error or "").startswith("OutOfMemoryError") and worker.memory:
            result.error += (f"\nthe cell needed more memory than the worker's limit of {worker.memory >> 20} MB "
                             "(page variable `cell_memory_limit`, flag --memory-limit, in MB)")
        return result

    def load_utils(self, code: str, path: str) -> None:
        self._utils = None
        super().load_utils(code, path)
        self._utils = [code, path]  # only once it loaded: every fresh worker loads the same
        self._worker.has_utils = True

    def _send(self, kind: str, args: list[bytes | str], path: str | None, line: int | None,
              timeout: float) -> list[bytes]:
        with self._lock:
            return self._exchange(self._ready(), kind, args, timeout, path, line)

    def _exchange(self, worker: Worker, kind: str, args: list[bytes | str], timeout: float,
                  path: str | None = None, line: int | None = None) -> list[bytes]:
        request_id = new_id()
        try:
            worker.note(busy=True)
            worker.send(encode_message([kind, request_id, *args]))
            reply = worker.replies.read(time.monotonic() + timeout, request_id)
            worker.note(busy=False)
            return reply
        except (WorkerDied, EOFError):
            worker.wait_exit()
            message = worker.death_message()
            self._restart()
            raise JuliaError(message, path, line) from None
        except ProtocolError:
            self._restart()
            raise JuliaError(FORGED, path, line) from None
        except TimeoutError:
            self._restart()
            raise JuliaError(f"Julia did not answer within {timeout:g} s", path, line,
                             hint="raise the limit with --timeout") from None

    def close(self) -> None:
        atexit.unregister(self.close)
        with self._lock:
            if self._worker is not None:
                self._worker.quit()
                self._worker = None
