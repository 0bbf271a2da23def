"""Provisioning a Julia for cells with the recipe shipped inside the package
(`install-julia.sh`: Debian's Julia 1.5.3 unpacked into a private prefix), and
where that Julia lives, so pysite finds it without any setting."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from pysite.errors import ConfigError

RECIPE = Path(__file__).with_name("install-julia.sh")


def cache_root() -> Path:
    """pysite's cache folder: `$XDG_CACHE_HOME/pysite`, else `~/.cache/pysite`."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pysite"


def default_prefix() -> Path:
    """Where `pysite julia install` puts its Julia (PYSITE_JULIA_PREFIX overrides)."""
    return Path(os.environ.get("PYSITE_JULIA_PREFIX") or cache_root() / "julia-1.5.3")


def provisioned() -> Path | None:
    """The julia that `pysite julia install` left in the default prefix, if any."""
    wrapper = default_prefix() / "bin" / "julia"
    return wrapper if os.access(wrapper, os.X_OK) else None


def provision(prefix: Path) -> Path:
    """Run the recipe (its progress goes to stderr) and return a working julia:
    one already on PATH, or the one installed into `prefix`."""
    result = subprocess.run(["sh", str(RECIPE)], env={**os.environ, "PYSITE_JULIA_PREFIX": str(prefix)},
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise ConfigError("installing Julia failed (the lines above say why)",
                          hint="install Julia yourself and put `julia` on PATH, or set PYSITE_JULIA")
    return Path(lines[-1])
