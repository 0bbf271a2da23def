"""pysite's own files: what a change to pysite is, for the build's state (pysite.state) and for
the kept build process (pysite.resident)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).parent
# pysite's code: the package, and the repository's `julia/` in a checkout (`_julia/` in a wheel is inside it).
CODE = (PACKAGE, PACKAGE.parent / "julia")


def code_files():
    for top in CODE:
        for folder, folders, files in os.walk(top):
            folders[:] = sorted(name for name in folders if not name.startswith(".") and name != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".jl", ".html", ".css", ".js", ".toml")):
                    yield os.path.join(folder, name)
