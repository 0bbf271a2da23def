"""Live reload: the record of rebuilds browsers follow, and the script injected into served HTML.

Every rebuild that touched something gets a build id; a browser's event stream asks for
the builds after the one its page came from, so a build finishing between serving a page
and opening its stream is not missed. Ids carry the server's start token: a browser that
reconnects to a restarted server is told that everything changed.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
from collections import deque
from pathlib import Path

EVENTS_PATH = "/__pysite/events"
SCRIPT = (Path(__file__).parent / "reload.js").read_text(encoding="utf-8")
EVERYTHING = "*"
BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


class Reloads:
    """Builds as (id, touched output paths), kept for late listeners, waited on by event streams."""

    def __init__(self, history: int = 256):
        self.token = secrets.token_hex(4)
        self.number = 0
        self.history: deque[tuple[int, frozenset[str]]] = deque(maxlen=history)
        self.closed = False
        self.changed = threading.Condition()

    @property
    def current(self) -> str:
        return f"{self.token}-{self.number}"

    def publish(self, touched: set[str]) -> None:
        if not touched:
            return
        with self.changed:
            self.number += 1
            self.history.append((self.number, frozenset(touched)))
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def after(self, since: str) -> tuple[str, set[str]]:
        """The current id and what every build after `since` touched."""
        with self.changed:
            return self.current, self._touched_after(since)

    def wait(self, since: str, timeout: float) -> tuple[str, set[str]]:
        """Like `after`, waiting up to `timeout` seconds for a build when there is none yet."""
        with self.changed:
            self.changed.wait_for(lambda: self.closed or self.current != since, timeout)
            return self.current, self._touched_after(since)

    def _touched_after(self, since: str) -> set[str]:
        token, _, number = since.partition("-")
        if token != self.token or not number.isdigit() or int(number) > self.number:
            return {EVERYTHING}  # another server's page: everything may differ
        start = int(number)
        if start == self.number:
            return set()
        if not self.history or self.history[0][0] > start + 1:
            return {EVERYTHING}  # older than the history kept
        touched: set[str] = set()
        for number, paths in self.history:
            if number > start:
                touched |= paths
        return touched


def inject(document: bytes, path: str, since: str) -> bytes:
    """The page with the live-reload script before its last `</body>` (or at its end)."""
    tag = (f'<script data-path="{html.escape(path)}" data-since="{html.escape(since)}">'
           f"{SCRIPT}</script>\n").encode("utf-8")
    ends = list(BODY_END.finditer(document))
    if not ends:
        return document + tag
    at = ends[-1].start()
    return document[:at] + tag + document[at:]


def event(build_id: str, touched: set[str]) -> bytes:
    """One Server-Sent Event announcing a build."""
    return f"id: {build_id}\nevent: build\ndata: {json.dumps(sorted(touched))}\n\n".encode("utf-8")
