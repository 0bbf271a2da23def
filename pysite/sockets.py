"""The user's private folder where the processes pysite keeps between builds listen: its Julia
workers (pysite.bridge.kept) and its build process (pysite.kept_process). Light on purpose (no
pathlib): a build looks here before it imports anything else."""

from __future__ import annotations

import os


def folder() -> str:
    """The folder of kept processes' sockets, created private (0700): only this user reaches them."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = runtime if runtime and os.path.isdir(runtime) else os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "pysite", "workers")
    os.makedirs(path, exist_ok=True)
    os.chmod(path, 0o700)
    return path
