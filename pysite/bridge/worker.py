"""The default transport: a long-lived `julia` subprocess running julia/worker.jl.

Requests and replies use two extra pipes (pass_fds), never the worker's
stdout/stderr, which reader threads drain all the time. A page is one request;
the worker answers one message per cell as each finishes, which gives per-cell
timeouts without per-cell round trips. A timed-out cell gets SIGINT, a grace
period to report its partial output, then the worker is killed and restarted:
its module state is not trusted after an interrupt, so the rest of that page is
"not-evaluated". A worker that dies mid-cell makes that cell "crashed"; the next
request starts a fresh worker.
"""

from __future__ import annotations

import atexit
import collections
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from pysite.bridge.install import julia_source_dir
from pysite.bridge.protocol import MessageReader, Requests, decode_cell, encode_message, page_request
from pysite.bridge.results import CellRequest, CellResult, JuliaInstall
from pysite.errors import JuliaError

STARTUP_TIMEOUT = 120.0  # a cold Julia 1.5 compiling the bridge takes a few seconds
EVAL_TIMEOUT = 60.0


class WorkerDied(Exception):
    pass


class Worker:
    """One julia process and its pipes."""

    def __init__(self, install: JuliaInstall, project: Path | None):
        request_read, self._requests = os.pipe()
        reply_read, reply_write = os.pipe()
        command = [str(install.executable), "--startup-file=no", "--history-file=no", "--color=no"]
        env = dict(os.environ)
        active = project or install.project
        if active is not None:
            command.append(f"--project={active}")
        if project is not None and install.project is not None:
            # The site's project is active; keep juliapkg's packages loadable too.
            env["JULIA_LOAD_PATH"] = os.pathsep.join(["@", str(install.project), "@stdlib"])
        command += [str(julia_source_dir() / "worker.jl"), str(request_read), str(reply_write)]
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=(request_read, reply_write), start_new_session=True, env=env)
        except OSError as e:
            os.close(self._requests)
            raise JuliaError(f"cannot start Julia {install.executable}: {e}") from None
        finally:
            os.close(request_read)
            os.close(reply_write)
        self.process.stdin.close()  # a cell reading stdin sees its end, never hangs
        self.replies = MessageReader(reply_read)
        self.log: collections.deque[bytes] = collections.deque(maxlen=64)
        for stream in (self.process.stdout, self.process.stderr):
            threading.Thread(target=self._drain, args=(stream,), daemon=True).start()
        self.version: str | None = None

    def _drain(self, stream) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):
            self.log.append(chunk)

    def wait_ready(self) -> None:
        if self.version is None:
            try:
                message = self.replies.read(time.monotonic() + STARTUP_TIMEOUT)
            except (TimeoutError, EOFError):
                self.kill()
                raise JuliaError(f"the Julia worker did not start: {self.death_message()}") from None
            self.version = message[1].decode()

    def send(self, data: bytes) -> None:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._requests, view):]
        except OSError:
            raise WorkerDied from None

    def death_message(self) -> str:
        code = self.process.poll()
        if code is None:
            how = "Julia stopped answering"
        elif code < 0:
            how = f"Julia was killed by signal {signal.Signals(-code).name}"
        else:
            how = f"Julia exited with code {code}"
        tail = b"".join(self.log).decode("utf-8", "replace").strip()[-2000:]
        return f"{how}\n{tail}" if tail else how

    def interrupt(self, grace: float) -> list[bytes] | None:
        """SIGINT the running cell; its reply if it comes within `grace` seconds."""
        try:
            self.process.send_signal(signal.SIGINT)
            return self.replies.read(time.monotonic() + grace)
        except (TimeoutError, EOFError, ProcessLookupError):
            return None

    def quit(self) -> None:
        try:
            self.send(encode_message(["quit"]))
            self.process.wait(timeout=2)
        except (WorkerDied, subprocess.TimeoutExpired):
            pass
        self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for fd in (self._requests, self.replies.fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self._requests = self.replies.fd = -1


class WorkerBridge(Requests):
    """`Bridge` over a worker subprocess; restarts it after timeouts and crashes."""

    def __init__(self, install: JuliaInstall, project: Path | None = None, grace: float = 1.0):
        self.install, self.project, self.grace = install, project, grace
        self._lock = threading.Lock()
        self._worker: Worker | None = Worker(install, project)  # starts warming up now
        atexit.register(self.close)

    @property
    def julia_version(self) -> str:
        with self._lock:
            return self._ready().version

    def _ready(self) -> Worker:
        if self._worker is None or self._worker.process.poll() is not None:
            if self._worker is not None:
                self._worker.kill()
            self._worker = Worker(self.install, self.project)
        self._worker.wait_ready()
        return self._worker

    def _restart(self) -> None:
        self._worker.kill()
        self._worker = Worker(self.install, self.project)

    def run_page(self, path: str, cells: list[CellRequest], timeout: float) -> list[CellResult]:
        if not cells:
            return []
        with self._lock:
            worker = self._ready()
            results: list[CellResult] = []
            try:
                worker.send(page_request(path, cells))
            except WorkerDied:
                return self._crashed(cells, results, 0.0)
            for _ in cells:
                start = time.monotonic()
                try:
                    results.append(decode_cell(worker.replies.read(start + timeout)))
                except TimeoutError:
                    partial = worker.interrupt(self.grace)
                    result = decode_cell(partial) if partial else CellResult("timeout")
                    result.status = "timeout"
                    result.error = f"the cell did not finish within {timeout:g} s"
                    result.backtrace = None
                    result.seconds = time.monotonic() - start
                    results.append(result)
                    self._restart()
                    break
                except EOFError:
                    return self._crashed(cells, results, time.monotonic() - start)
            return results + [CellResult("not-evaluated") for _ in cells[len(results):]]

    def _crashed(self, cells: list[CellRequest], results: list[CellResult], seconds: float) -> list[CellResult]:
        worker = self._worker
        worker.process.wait()
        results.append(CellResult("crashed", error=worker.death_message(), seconds=seconds))
        self._restart()
        return results + [CellResult("not-evaluated") for _ in cells[len(results):]]

    def _send(self, fields: list[bytes | str], path: str | None, line: int | None) -> list[bytes]:
        with self._lock:
            worker = self._ready()
            try:
                worker.send(encode_message(fields))
                reply = worker.replies.read(time.monotonic() + EVAL_TIMEOUT)
            except (WorkerDied, EOFError):
                worker.process.wait()
                message = worker.death_message()
                self._restart()
                raise JuliaError(message, path, line) from None
            except TimeoutError:
                self._restart()
                raise JuliaError(f"Julia did not answer within {EVAL_TIMEOUT:g} s", path, line) from None
        return reply

    def close(self) -> None:
        atexit.unregister(self.close)
        with self._lock:
            if self._worker is not None:
                self._worker.quit()
                self._worker = None
