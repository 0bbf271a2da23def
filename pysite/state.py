"""What the last build knew, so the next one does only what changed.

`signature` is cheap (a walk and a stat per file, no parsing, no heavy imports): when it
matches the last clean build's, there is nothing to do. `BuildState` keeps every page as
read and the key of every output, so a rebuild reads and renders only what changed. It is
kept in SQLite, a row per page and per output: a rebuild reads every page's small head
(what its decisions look at) and the rest of a page only when it is used (`StoredPage`).
`code_digest` is pysite itself (its Python and its Julia half): any change to it, an
upgrade included, makes every page be read and rendered again.

A live build (`serve`) writes the output in place: it `forget`s the stored state first, so
that a serve killed at any moment leaves no state that could describe another output.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import pickle
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pysite
from pysite.codebase import CODE, ROOT, code_files

CACHE_FORMAT = 5


@dataclass
class BuildState:
    read_key: str = ""
    pages: dict = field(default_factory=dict)      # source rel -> Page as read
    outputs: dict = field(default_factory=dict)    # output rel -> (key of its inputs, file_stat as written)
    out: str = ""                                  # the output folder these outputs were written to
    listed: dict = field(default_factory=dict)     # source rel -> (view key, digest of its listed facts)
    made: tuple | None = None                      # (key, {output rel: key}, diagnostics) of the generated files
    generation: bytes = b""                        # which save this is (a new one each save)
    packed: dict = field(default_factory=dict)     # source rel -> rows of a page read this build (not kept)


# The states a kept build process (pysite.kept_process) holds, by database path: each site's as its
# last build saved it, for the builds it forks next to start from, when it is still that one.
preloaded: dict[str, BuildState] = {}
PRELOADED_SITES = 8


def file_stat(path: Path | str) -> tuple[int, int]:
    """(modification time, size) of a file; (0, 0) when there is none."""
    try:
        return stat_pair(os.stat(path))
    except OSError:
        return (0, 0)


def stat_pair(stat: os.stat_result | None) -> tuple[int, int]:
    """file_stat of a stat already taken (None: no file)."""
    return (0, 0) if stat is None else (stat.st_mtime_ns, stat.st_size)


def stale(recorded: tuple[str, tuple[int, int]] | None, key: str, on_disk: tuple[int, int]) -> bool:
    """The one rebuild decision: an output is made again when what it is made from changed
    (its key), or when the file on disk (its file_stat) is not the one the record describes (or
    there was none)."""
    return recorded is None or recorded[0] != key or recorded[1] == (0, 0) or on_disk != recorded[1]


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """The digest of pysite's own code, read once per process."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{pysite.__version__}".encode())
    for path in code_files():
        with open(path, "rb") as handle:
            digest.update(os.path.relpath(path, ROOT).encode() + b"\0" + handle.read())
    return digest.hexdigest()


def signature(site: Path, out: Path, settings: str) -> str:
    """Every file's path, size and modification time under the site and in pysite itself."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{pysite.__version__}\0{out}\0{settings}".encode())
    for top in (site, *CODE):
        walk_stats(digest, top, out)
    return digest.hexdigest()


def output_signature(stats) -> str:
    """The same for the files a build wrote, from (output rel, file_stat) pairs: a stat each, no walk
    (a folder per page makes walks slow). A build gives the stats it recorded, taken or checked on
    disk after its writes, so a file changed there later is seen."""
    digest = hashlib.sha256()
    for rel, stat in stats:
        digest.update(f"{rel}\0{stat}\n".encode())
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
    """The state files in SITE/.pysite/cache/: a small signature file, and state.sqlite."""

    def __init__(self, site: Path):
        self.folder = site / ".pysite" / "cache"
        self.path = self.folder / "state.sqlite"
        self.reader: tuple[int, sqlite3.Connection] | None = None  # (process id, connection) for lazy rows
        self.held = None  # the lock file while a save is to come (`hold`)

    def hold(self) -> None:
        """Take the lock a save holds ahead of it: builds that start meanwhile wait for the save."""
        if self.held is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.held = open(self.folder / "lock", "wb")
            fcntl.flock(self.held, fcntl.LOCK_EX)

    def settled(self) -> None:
        """Wait for a save in flight (another process's: a kept build process saves after its
        command has ended)."""
        try:
            with open(self.folder / "lock", "rb") as lock:
                fcntl.flock(lock, fcntl.LOCK_SH)
        except OSError:
            pass  # no state yet: nothing is being saved

    def last_build(self) -> tuple[tuple[str, list, str] | None, list]:
        """The last build's signature and the problems it reported (a no-change rebuild repeats them)."""
        self.settled()
        try:
            with (self.folder / "signature").open("rb") as handle:
                return pickle.load(handle)
        except Exception:
            return None, []

    def load(self, lazy: bool = True) -> BuildState:
        """The state; `lazy`: each page's body is read from the database when first used."""
        from pysite.page import stored_page

        self.settled()
        try:
            db = self.connection()
            if not self.valid(db):
                return BuildState()
            known = preloaded.get(os.path.abspath(self.path))
            if lazy and known is not None and known.generation == self.generation():
                return known
            meta = dict(db.execute("SELECT name, value FROM meta"))
            state = BuildState(meta["read_key"].decode(), {}, {}, meta["out"].decode(),
                               pickle.loads(meta["listed"]), pickle.loads(meta["made"]), meta["generation"])
            state.outputs = {rel: (key, (mtime, size)) for rel, key, mtime, size in db.execute(
                "SELECT rel, key, mtime, size FROM outputs")}
            rows = db.execute("SELECT rel, head, body FROM pages" if not lazy else "SELECT rel, head, NULL FROM pages")
            state.pages = {rel: stored_page(pickle.loads(head), functools.partial(self.body, rel, body))
                           for rel, head, body in rows}
            return state
        except Exception:  # a missing, old or damaged cache only costs a full build
            return BuildState()

    def preload(self) -> None:
        """Hold the state in this process (a kept build process, which forks the next builds); what
        it holds already, when it is still the saved one (a build that changed nothing)."""
        path = os.path.abspath(self.path)
        state = self.load()  # the one held, while it is still the saved one
        preloaded.pop(path, None)
        if state.generation:
            preloaded[path] = state
            while len(preloaded) > PRELOADED_SITES:
                preloaded.pop(next(iter(preloaded)))

    def generation(self) -> bytes | None:
        """Which save the database holds (each save is a new one)."""
        try:
            row = self.connection().execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def body(self, rel: str, body: bytes | None = None) -> dict:
        if body is None:
            (body,) = self.connection().execute("SELECT body FROM pages WHERE rel = ?", (rel,)).fetchone()
        return pickle.loads(body)

    def connection(self) -> sqlite3.Connection:
        """One reading connection per process (a connection must not cross a fork)."""
        if self.reader is None or self.reader[0] != os.getpid():
            self.reader = (os.getpid(), sqlite3.connect(f"file:{self.path}?mode=ro", uri=True))
        return self.reader[1]

    def save(self, state: BuildState, signature: tuple[str, list, str] | None, diagnostics: list) -> None:
        """The state, and the signatures it is valid for (the sources', the outputs and theirs), or None.
        One transaction: a kill leaves the last state whole. Pages read from it and not used are not
        written again (unless it is gone: `serve` forgets it while it runs)."""
        from pysite.page import packed, unread

        self.hold()
        try:
            with closing(sqlite3.connect(self.path, isolation_level=None)) as db:
                db.execute("PRAGMA synchronous = OFF")  # a cache: a damaged one only costs a full build
                fresh = not self.valid(db)  # then every page is written, as read from the old state or not
                if fresh:
                    db.executescript(SCHEMA)  # before the transaction: executescript commits first
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM outputs")
                db.executemany("INSERT INTO outputs VALUES (?, ?, ?, ?)",
                               ((rel, key, *stat) for rel, (key, stat) in state.outputs.items()))
                gone = {rel for (rel,) in db.execute("SELECT rel FROM pages")} - state.pages.keys()
                db.executemany("DELETE FROM pages WHERE rel = ?", ((rel,) for rel in gone))
                db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?)",
                               ((rel, *(state.packed.get(rel) or packed(page))) for rel, page in state.pages.items()
                                if fresh or not unread(page)))
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                    ("code", code_digest().encode()), ("read_key", state.read_key.encode()), ("out", state.out.encode()),
                    ("listed", pickle.dumps(state.listed)), ("made", pickle.dumps(state.made)),
                    ("generation", os.urandom(16))])
                db.execute("COMMIT")
            write_atomic(self.folder / "signature", pickle.dumps((signature, diagnostics), protocol=5))
        finally:
            self.held.close()  # and the lock with it
            self.held = None

    def valid(self, db: sqlite3.Connection) -> bool:
        """Whether the database holds this pysite's state (any other is dropped whole)."""
        try:
            (code,) = db.execute("SELECT value FROM meta WHERE name = 'code'").fetchone()
            return code == code_digest().encode()
        except (sqlite3.Error, TypeError):
            return False

    def forget(self) -> None:
        """No state at all: the next build reads and writes everything."""
        for name in ("signature", "state.sqlite", "state.sqlite-journal"):
            (self.folder / name).unlink(missing_ok=True)


SCHEMA = """
DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS pages; DROP TABLE IF EXISTS outputs;
CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB);
CREATE TABLE pages (rel TEXT PRIMARY KEY, head BLOB, body BLOB);
CREATE TABLE outputs (rel TEXT PRIMARY KEY, key TEXT, mtime INTEGER, size INTEGER);
"""


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
