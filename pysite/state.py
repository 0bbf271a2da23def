"""What the last build knew, so the next one does only what changed.

`signature` is cheap (a walk and a stat per file, no parsing, no heavy imports): when it
matches the last clean build's, there is nothing to do. `BuildState` keeps every page as
read and the key of every output, so a rebuild reads and renders only what changed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pysite

CACHE_FORMAT = 2
PACKAGE = Path(pysite.__file__).parent


@dataclass
class BuildState:
    read_key: str = ""
    pages: dict = field(default_factory=dict)      # source rel -> Page as read
    outputs: dict = field(default_factory=dict)    # output rel -> key of its inputs


def signature(site: Path, out: Path, settings: str) -> str:
    """Every file's path, size and modification time under the site and in pysite itself."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{pysite.__version__}\0{out}\0{settings}".encode())
    for top in (site, PACKAGE):
        for folder, folders, files in os.walk(top):
            folders[:] = [name for name in folders
                          if not name.startswith(".") and name != "__pycache__" and os.path.join(folder, name) != str(out)]
            for name in files:
                try:
                    stat = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                digest.update(f"{folder}/{name}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    return digest.hexdigest()


class StateStore:
    """The state files in SITE/.pysite/cache/: a small signature file and the pickled state."""

    def __init__(self, site: Path):
        self.folder = site / ".pysite" / "cache"

    def last_build(self) -> tuple[str, list]:
        """The last build's signature and the problems it reported (a no-change rebuild repeats them)."""
        try:
            with (self.folder / "signature").open("rb") as handle:
                return pickle.load(handle)
        except Exception:
            return "", []

    def load(self) -> BuildState:
        try:
            with (self.folder / "state.pickle").open("rb") as handle:
                fmt, state = pickle.load(handle)
            return state if fmt == (CACHE_FORMAT, pysite.__version__) else BuildState()
        except Exception:  # a missing, old or damaged cache only costs a full build
            return BuildState()

    def save(self, state: BuildState, signature: str, diagnostics: list) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self.folder / "state.pickle",
                     pickle.dumps(((CACHE_FORMAT, pysite.__version__), state), protocol=5))
        write_atomic(self.folder / "signature", pickle.dumps((signature, diagnostics), protocol=5))


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
