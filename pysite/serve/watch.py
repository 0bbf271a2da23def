"""Watching the sources: which changed paths matter, and the loop that rebuilds on each save.

watchfiles groups the several events of one editor save (write to a temporary file and
rename, or backup-write-delete) into one batch, so a save gives one rebuild.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterable, Iterator

import watchfiles

from pysite.discover import EDITOR_FILES

# Milliseconds: a batch ends after STEP quiet; a stream of events is cut after DEBOUNCE.
# An editor's save (write, rename) is a burst well under a millisecond long: 5 ms of quiet
# still makes it one batch, and a save reaches the rebuild in ~11 ms instead of ~25 at 10 ms.
STEP = 5
DEBOUNCE = 400
WAKE = 100


class SourceFilter(watchfiles.DefaultFilter):
    """Changes under the site that can change its output: not the output itself, not `.pysite/`,
    `.git/` or any hidden path (discovery skips those too), not editor temporary files."""

    def __init__(self, site: Path, out: Path):
        super().__init__()
        self.site = site.resolve()
        self.out = out.resolve()

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        file = Path(path)
        if file.is_relative_to(self.out) or EDITOR_FILES.search(file.name):
            return False
        try:
            parts = file.relative_to(self.site).parts
        except ValueError:
            return False
        return not any(part.startswith(".") or part == "__site" for part in parts) and super().__call__(change, path)


def describe(changes: Iterable[tuple[watchfiles.Change, str]], site: Path) -> str:
    """The changed files, for the terminal: `pages/a.md` or `pages/a.md and 2 more`."""
    names = sorted({Path(path).relative_to(site).as_posix() for _, path in changes})
    return names[0] + (f" and {len(names) - 1} more" if len(names) > 1 else "")


def watch_sources(site: Path, out: Path, stop: threading.Event | None = None
                  ) -> Iterator[tuple[str, set[str]] | None]:
    """Batches of relevant changes (described, and the paths changed) until Ctrl-C or `stop` is set;
    None every WAKE ms without one. The first None comes once watching has begun: a save after it
    is never missed."""
    site = site.resolve()
    for changes in watchfiles.watch(site, watch_filter=SourceFilter(site, out), step=STEP,
                                    debounce=DEBOUNCE, stop_event=stop, rust_timeout=WAKE,
                                    yield_on_timeout=True, ignore_permission_denied=True):
        yield (describe(changes, site), {path for _, path in changes}) if changes else None
