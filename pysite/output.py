"""Writing the site: a folder beside the old output, swapped in only when the build ends.

A failed or interrupted build leaves the previous output as it was: the new folder
replaces the old in one atomic exchange, so a kill at any moment leaves one or the other.
The folder a build writes starts as whatever the last build left there (the output before
it, hard-linked to the current one for every file that did not change): each output is
made right in it (a file already the current one is left alone, any other is replaced,
never written through), and what is not an output is removed before the swap. So a
rebuild costs what changed, and no tree is ever deleted. `serve` writes in place instead
(holding requests meanwhile). An output folder that would replace the site's own files is
refused before anything is touched.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterable

from pysite.errors import ConfigError


SAFE_NAME = "__site"   # discovery never reads a folder of this name, wherever it is
PAGE_SUFFIXES = (".md", ".html")
AT_FDCWD, RENAME_EXCHANGE = -100, 2
# Run detached after a first build: the next build's folder, made of links to the output.
LINK_LATER = "import sys; from pysite.output import link_tree; link_tree(sys.argv[1], sys.argv[2])"


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
        self.lock = -1
        try:
            if not in_place and out.is_dir():
                self.lock = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
                fcntl.flock(self.lock, fcntl.LOCK_EX)  # the last build's `link_later` finishes first
            if not in_place and self.tmp.exists() and not self.tmp.is_dir():
                self.tmp.unlink()
            self.tmp.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise unwritable(self.tmp, error) from None

    def target(self, rel: str) -> Path:
        """Where `rel` is written, with nothing in the way: a file there now is replaced, not written
        through (in the building folder it may be a link to the live output)."""
        path = output_path(self.tmp, rel)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):  # a file where a folder must be
            clear(self.tmp, path.parent)
            path.parent.mkdir(parents=True, exist_ok=True)
        if not self.in_place:
            remove_path(path)
        return path

    def write(self, rel: str, data: str | bytes) -> None:
        path = self.target(rel)
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)

    def keep(self, rel: str, current: os.stat_result | None = None) -> bool:
        """Carry a file over from the previous output; False when there is none. `current`: its
        stat, when the caller has just taken it."""
        if leaves(rel):
            return False
        old = os.path.join(self.out, rel)
        if self.in_place:
            return os.path.exists(old)
        try:
            current = current or os.stat(old)
        except OSError:
            return False
        if not stat.S_ISREG(current.st_mode):
            return False
        try:
            if os.path.samestat(os.lstat(os.path.join(self.tmp, rel)), current):
                return True  # the building folder has it already: most files of a rebuild
        except OSError:
            pass
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
        (a swap leaves it out: `commit` keeps only the outputs)."""
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

    def commit(self, outputs: Iterable[str], written: int) -> None:
        """Swap the building folder in, holding only `outputs` (`written` of them new); it then holds
        the previous output, which the next build starts from."""
        if self.in_place:
            return
        outputs = set(outputs)
        try:
            prune(self.tmp, outputs)
            first = not self.out.exists()
            if first:
                os.rename(self.tmp, self.out)
            elif not exchange(self.tmp, self.out):  # no atomic exchange here: renames, with a short window
                trash = self.out.parent / f".{self.out.name}.old"
                shutil.rmtree(trash, ignore_errors=True)
                os.rename(self.out, trash)
                os.rename(self.tmp, self.out)
                os.rename(trash, self.tmp)
            if first or written * 10 > len(outputs):  # else the next build relinks what this one wrote
                link_later(self.out, self.tmp)
        except OSError as error:
            raise unwritable(self.out, error) from None
        finally:
            self.unlock()

    def abort(self) -> None:
        if not self.in_place:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.unlock()

    def unlock(self) -> None:
        if self.lock >= 0:
            os.close(self.lock)
            self.lock = -1


def remove_path(path: Path | str) -> None:
    """Whatever is at `path` (a file, a link, a folder) is gone."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path)
    except PermissionError:  # Linux's unlink of a folder
        if not os.path.isdir(path) or os.path.islink(path):
            raise
        shutil.rmtree(path)


def clear(top: Path, folder: Path) -> None:
    """Remove the file that stands where a folder under `top` must be."""
    for parent in reversed([folder, *folder.parents]):
        if parent != top and parent.is_relative_to(top) and (parent.is_symlink() or parent.is_file()):
            parent.unlink()
            return


def prune(top: Path, keep: set[str]) -> None:
    """Remove from the building folder every file that is not an output, and the folders left empty."""
    def clean(folder: str, prefix: str) -> bool:  # whether anything is left in it
        left = False
        with os.scandir(folder) as entries:  # one listing per folder, no stat: a folder per page
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if clean(entry.path, rel + "/"):
                        left = True
                    else:
                        os.rmdir(entry.path)
                elif rel in keep:
                    left = True
                else:
                    os.unlink(entry.path)
        return left

    clean(str(top), "")


def link_tree(out: str, tmp: str) -> None:
    """The next build's folder: every file of the output there, hard-linked (run by `link_later`).
    Whatever goes wrong is left to the next build, which makes each file right anyway."""
    for folder, _, files in os.walk(out):
        target = os.path.join(tmp, os.path.relpath(folder, out))
        try:
            os.makedirs(target, exist_ok=True)
        except OSError:  # a file in the way
            continue
        for name in files:
            old, new = os.path.join(folder, name), os.path.join(target, name)
            try:
                if not (os.path.lexists(new) and os.path.samestat(os.lstat(new), os.stat(old))):
                    remove_path(new)
                    os.link(old, new)
            except OSError:
                pass


def link_later(out: Path, tmp: Path) -> None:
    """After a first build, or one that wrote much, make the next build's folder (links to the output)
    in a detached process, so that this build ends now. It holds the output's lock until done: the
    next build waits for it, never races it."""
    lock = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.Popen([sys.executable, "-c", LINK_LATER, str(out), str(tmp)], pass_fds=(lock,),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError:  # no process to spare: the next build links the files itself
        pass
    finally:
        os.close(lock)
