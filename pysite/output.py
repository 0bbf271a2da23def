"""Writing the site: a fresh folder beside the old output, swapped in only when the build ends.

A failed or interrupted build leaves the previous output as it was: the new folder
replaces the old in one atomic exchange, so a kill at any moment leaves one or the other.
Files that did not change are hard-linked from the previous output instead of being
written again. `serve` writes in place instead (holding requests meanwhile): a rebuild
then costs what changed, not a walk over every output file.
An output folder that would replace the site's own files is refused before anything is touched.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from pathlib import Path
from typing import Callable

from pysite.errors import ConfigError

SAFE_NAME = "__site"   # discovery never reads a folder of this name, wherever it is
PAGE_SUFFIXES = (".md", ".html")
AT_FDCWD, RENAME_EXCHANGE = -100, 2


def refuse_unsafe(site: Path, out: Path, written: Callable[[], set[str]]) -> None:
    """Raise when building into `out` would delete the site's sources; `written()` lists
    the files the last build wrote there (they may be replaced)."""
    hint = "pick an output folder outside the sources, such as the default SITE/__site"
    if out == site or site.is_relative_to(out):
        raise ConfigError(f"the output folder {out} is the site or holds it: building there would delete the sources",
                          hint=hint)
    if not out.is_relative_to(site) or not out.is_dir() or SAFE_NAME in out.relative_to(site).parts:
        return
    rel = out.relative_to(site).as_posix()
    if rel.startswith(("_", ".")):
        raise ConfigError(f"the output folder {rel} is one of the site's own folders: building there would delete it",
                          hint=hint)
    ours = written()
    for path in sorted(out.rglob("*")):
        if path.suffix in PAGE_SUFFIXES and path.relative_to(out).as_posix() not in ours:
            raise ConfigError(f"the output folder {rel} holds sources the last build did not write "
                              f"({path.relative_to(site).as_posix()}): building there would delete them",
                              hint=hint + ", or delete the folder first if it is an old output")


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux's renameat2); False where the system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def leaves(rel: str) -> bool:
    """Whether an output path would lie outside the output folder. Pages choose output names
    (permalinks, tags), so every write and delete goes through this last guard."""
    return "\0" in rel or rel.startswith("/") or ".." in rel.split("/")


def output_path(folder: Path, rel: str) -> Path:
    if leaves(rel):
        raise ConfigError(f"refusing to write {rel!r}: it lies outside the output folder",
                          hint="a page variable (a permalink, a tag) names this path: change it")
    return folder / rel


def unwritable(path: Path, error: OSError) -> ConfigError:
    return ConfigError(f"cannot write the output folder {path}: {error.strerror or error}",
                       hint="make the folder (and what is in it) writable, or build elsewhere with -o")


class Output:
    def __init__(self, out: Path, in_place: bool = False):
        self.out = out
        self.in_place = in_place
        self.tmp = out if in_place else out.parent / f".{out.name}.building"  # the folder written
        try:
            if not in_place and self.tmp.exists():  # a kill's leftover: never swapped in half-written
                shutil.rmtree(self.tmp)
            self.tmp.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise unwritable(self.tmp, error) from None

    def target(self, rel: str) -> Path:
        path = output_path(self.tmp, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def write(self, rel: str, data: str | bytes) -> None:
        path = self.target(rel)
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)

    def keep(self, rel: str) -> bool:
        """Carry a file over from the previous output; False when there is none."""
        if leaves(rel):
            return False
        if self.in_place:
            return os.path.exists(os.path.join(self.out, rel))
        old = self.out / rel
        if not old.is_file():
            return False
        try:
            os.link(old, self.target(rel))
        except FileNotFoundError:
            return False
        except OSError:
            shutil.copy2(old, self.target(rel))
        return True

    def copy(self, source: Path, rel: str) -> None:
        shutil.copy2(source, self.target(rel))

    def remove(self, rel: str) -> None:
        """In place: delete an output that is no longer made, and the folders it leaves empty
        (a swap simply leaves it behind)."""
        if not self.in_place or leaves(rel):
            return
        path = self.out / rel
        path.unlink(missing_ok=True)
        for folder in path.parents:
            if folder == self.out:
                break
            try:
                folder.rmdir()
            except OSError:  # not empty
                break

    def commit(self) -> None:
        if self.in_place:
            return
        try:
            if not self.out.exists():
                os.rename(self.tmp, self.out)
            elif exchange(self.tmp, self.out):
                shutil.rmtree(self.tmp)  # now the previous output
            else:  # no atomic exchange here: two renames, with a short window between them
                trash = self.out.parent / f".{self.out.name}.old"
                shutil.rmtree(trash, ignore_errors=True)
                os.rename(self.out, trash)
                os.rename(self.tmp, self.out)
                shutil.rmtree(trash)
        except OSError as error:
            raise unwritable(self.out, error) from None

    def abort(self) -> None:
        if not self.in_place:
            shutil.rmtree(self.tmp, ignore_errors=True)
