"""Writing the site: a fresh folder beside the old output, swapped in only when the build ends.

A failed or interrupted build leaves the previous output as it was. Files that did not
change are hard-linked from the previous output instead of being written again.
`serve` writes in place instead (holding requests meanwhile): a rebuild then costs what
changed, not a walk over every output file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class Output:
    def __init__(self, out: Path, in_place: bool = False):
        self.out = out
        self.in_place = in_place
        self.tmp = out if in_place else out.parent / f".{out.name}.building"  # the folder written
        if not in_place:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def target(self, rel: str) -> Path:
        path = self.tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def write(self, rel: str, data: str | bytes) -> None:
        path = self.target(rel)
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)

    def keep(self, rel: str) -> bool:
        """Carry a file over from the previous output; False when there is none."""
        old = self.out / rel
        if self.in_place:
            return old.exists()
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
        """In place: delete an output that is no longer made (a swap simply leaves it behind)."""
        if self.in_place:
            (self.out / rel).unlink(missing_ok=True)

    def commit(self) -> None:
        if self.in_place:
            return
        trash = self.out.parent / f".{self.out.name}.old"
        shutil.rmtree(trash, ignore_errors=True)
        if self.out.exists():
            os.rename(self.out, trash)
        os.rename(self.tmp, self.out)
        shutil.rmtree(trash, ignore_errors=True)

    def abort(self) -> None:
        if not self.in_place:
            shutil.rmtree(self.tmp, ignore_errors=True)
