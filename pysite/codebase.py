"""pysite's own files: what a change to pysite is, for the build's state (pysite.state) and for
the kept build process (pysite.resident). Paths as text: a build asks before it imports pathlib."""

from __future__ import annotations

import os

PACKAGE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(PACKAGE)  # the folder pysite is imported from
# pysite's code: the package, and the repository's `julia/` in a checkout (`_julia/` in a wheel is inside it).
CODE = (PACKAGE, os.path.join(ROOT, "julia"))


def code_files():
    for top in CODE:
        for folder, folders, files in os.walk(top):
            folders[:] = sorted(name for name in folders if not name.startswith(".") and name != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".jl", ".html", ".css", ".js", ".toml")):
                    yield os.path.join(folder, name)
