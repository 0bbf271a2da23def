"""What the last build knew, so the next one does only what changed.

`signature` is cheap (a walk and a stat per file, no parsing, no heavy imports): when it
matches the last clean build's, there is nothing to do. `BuildState` keeps every page as
read and the key of every output, so a rebuild reads and renders only what changed.
`code_digest` is pysite itself (its Python and its Julia half): any change to it, an
upgrade included, makes every page be read and rendered again.

A live build (`serve`) writes the output in place: it `forget`s the stored state first, so
that a serve killed at any moment leaves no state that could describe another output.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pysite

CACHE_FORMAT = 3
PACKAGE = Path(pysite.__file__).parent
# pysite's code: the package, and the repository's `julia/` in a checkout (`_julia/` in a wheel is inside it).
CODE = (PACKAGE, PACKAGE.parent / "julia")


@dataclass
class BuildState:
    read_key: str = ""
    pages: dict = field(default_factory=dict)      # source rel -> Page as read
    outputs: dict = field(default_factory=dict)    # output rel -> (key of its inputs, file_stat as written)
    out: str = ""                                  # the output folder these outputs were written to


def file_stat(path: Path | str) -> tuple[int, int]:
    """(modification time, size) of a file; (0, 0) when there is none."""
    try:
        stat = os.stat(path)
    except OSError:
        return (0, 0)
    return stat.st_mtime_ns, stat.st_size


def stale(recorded: tuple[str, tuple[int, int]] | None, key: str, on_disk: Path | str) -> bool:
    """The one rebuild decision: an output is made again when what it is made from changed
    (its key), or when the file on disk is not the one the record describes."""
    return recorded is None or recorded[0] != key or file_stat(on_disk) != recorded[1]


def code_files():
    for top in CODE:
        for folder, folders, files in os.walk(top):
            folders[:] = sorted(name for name in folders if not name.startswith(".") and name != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".jl", ".html", ".css", ".js", ".toml")):
                    yield os.path.join(folder, name)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The digest of pysite's own code, read once per process."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{pysite.__version__}".encode())
    for path in code_files():
        with open(path, "rb") as handle:
            digest.update(os.path.relpath(path, PACKAGE.parent).encode() + b"\0" + handle.read())
    return digest.hexdigest()


def signature(site: Path, out: Path, settings: str) -> str:
    """Every file's path, size and modification time under the site and in pysite itself."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{pysite.__version__}\0{out}\0{settings}".encode())
    for top in (site, *CODE):
        walk_stats(digest, top, out)
    return digest.hexdigest()


def output_signature(out: Path, outputs) -> str:
    """The same for the files a build wrote (a stat each, no walk: a folder per page makes walks
    slow): taken after the build, so a file changed there later is seen."""
    digest = hashlib.sha256()
    for rel in outputs:
        digest.update(f"{rel}\0{file_stat(out / rel)}\n".encode())
    return digest.hexdigest()


def walk_stats(digest, top: Path, skip: Path | None) -> None:
    for folder, folders, files in os.walk(top):
        folders[:] = [name for name in folders
                      if not name.startswith(".") and name != "__pycache__" and os.path.join(folder, name) != str(skip)]
        for name in files:
            try:
                stat = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            digest.update(os.fsencode(f"{folder}/{name}\0{stat.st_mtime_ns}\0{stat.st_size}\n"))  # any name


class StateStore:
    """The state files in SITE/.pysite/cache/: a small signature file and the pickled state."""

    def __init__(self, site: Path):
        self.folder = site / ".pysite" / "cache"

    def last_build(self) -> tuple[tuple[str, list, str] | None, list]:
        """The last build's signature and the problems it reported (a no-change rebuild repeats them)."""
        try:
            with (self.folder / "signature").open("rb") as handle:
                return pickle.load(handle)
        except Exception:
            return None, []

    def load(self) -> BuildState:
        try:
            with (self.folder / "state.pickle").open("rb") as handle:
                fmt, state = pickle.load(handle)
            return state if fmt == code_digest() else BuildState()
        except Exception:  # a missing, old or damaged cache only costs a full build
            return BuildState()

    def save(self, state: BuildState, signature: tuple[str, list, str] | None, diagnostics: list) -> None:
        """The state, and the signatures it is valid for (the sources', the outputs and theirs), or None."""
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self.folder / "state.pickle", pickle.dumps((code_digest(), state), protocol=5))
        write_atomic(self.folder / "signature", pickle.dumps((signature, diagnostics), protocol=5))

    def forget(self) -> None:
        """No state at all: the next build reads and writes everything."""
        for name in ("signature", "state.pickle"):
            (self.folder / name).unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
