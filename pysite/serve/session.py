"""One `pysite serve` run: build, bind, serve in a thread, watch and rebuild in this one, stop cleanly.

Rebuilds run in the thread that watches (the main thread for the command), so Ctrl-C lands
where the Builder lives and closes it, Julia worker included.
"""

from __future__ import annotations

import signal
import sys
import threading
import webbrowser
from dataclasses import dataclass, field

from pysite.options import BuildOptions
from pysite.serve.live import LiveSite
from pysite.serve.server import SiteServer, bind
from pysite.serve.watch import watch_sources

ALL_INTERFACES = ("", "0.0.0.0", "::")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass
class ServeOptions:
    build: BuildOptions
    host: str = "127.0.0.1"
    port: int = 8000                   # 0: any free port
    open_browser: bool = False
    quiet: bool = False                # --quiet: only problems and the address
    verbose: bool = False              # --verbose: also the files each rebuild wrote
    echo: object = field(default=say)  # where messages go: (text) -> None


class Session:
    """A running server; `start` returns once the site is built and served, `stop` ends it all."""

    def __init__(self, options: ServeOptions):
        self.options = options
        # A writer previews drafts; links work without the deployed prefix unless --prepath
        # asks for it; rebuilds write in place.
        options.build.drafts = True
        options.build.prepath = options.build.prepath or ""
        options.build.live = True
        self.live = LiveSite(options.build, options.echo, quiet=options.quiet, verbose=options.verbose)
        self.server: SiteServer | None = None
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> None:
        echo = self.options.echo
        if self.options.host in ALL_INTERFACES:
            echo("warning: serving on every network interface: anyone who can reach this machine can read "
                 "the site, drafts included, and Julia cells in its sources run code on this machine")
        self.server, notes = bind(self.options.host, self.options.port, self.live, self.options.build.prepath)
        for note in notes:
            echo(note)
        if not self.options.quiet:
            echo(f"building {self.live.site} ...")
        self.live.rebuild("initial build")  # before any thread runs, so on every core
        self.live.builder.threads = True
        threading.Thread(target=self.server.serve_forever, name="pysite-http", daemon=True).start()
        self.changes = watch_sources(self.live.site, self.live.out, self.stopping)
        next(self.changes)  # watching from here on
        self.live.rebuild("saved during the initial build", quiet_if_unchanged=True)  # every file looked at
        echo(f"serving {self.live.out} at {self.url} (Ctrl-C to stop)")
        if self.options.open_browser:
            threading.Thread(target=webbrowser.open, args=(self.url,), daemon=True).start()

    def watch(self) -> None:
        """Rebuild after every batch of changes, until Ctrl-C or `stop`."""
        for batch in self.changes:
            if batch is not None:
                self.live.rebuild(*batch)

    def stop(self) -> None:
        self.stopping.set()
        self.live.close()  # ends the event streams and the Julia worker
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def serve(options: ServeOptions) -> None:
    """The `serve` command: runs until Ctrl-C (or SIGTERM), then stops everything it started."""
    # Both end the loop with KeyboardInterrupt, even when the shell started us with SIGINT
    # ignored (as `cmd &` does), which Python would otherwise keep.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    session = Session(options)
    try:
        session.start()
        session.watch()
    except KeyboardInterrupt:
        pass
    finally:
        session.stop()
    options.echo("stopped")
