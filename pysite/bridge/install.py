"""Finding a Julia to run cells with, learning its version without starting it
twice, and locating the Julia half of the bridge (`julia/`)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pysite
from pysite.bridge.provision import cache_root, provisioned
from pysite.bridge.results import JuliaInstall
from pysite.errors import ConfigError

INSTALL_HINT = "run `pysite julia install`, or point PYSITE_JULIA at a julia executable; `pysite julia` shows what is used"


def find_julia(explicit: str | None = None) -> JuliaInstall | None:
    """The Julia to use: `explicit` (the --julia flag), PYSITE_JULIA, `julia` on
    PATH, the one `pysite julia install` provisioned, then juliapkg's Julia and
    project. None when there is none; a named Julia that does not exist is a
    ConfigError rather than a silent fallback."""
    if explicit:
        return JuliaInstall(_executable(explicit, "--julia"), found_by="the --julia option")
    if os.environ.get("PYSITE_JULIA"):
        return JuliaInstall(_executable(os.environ["PYSITE_JULIA"], "PYSITE_JULIA"), found_by="PYSITE_JULIA")
    on_path = shutil.which("julia")
    if on_path:
        return JuliaInstall(Path(on_path), found_by="`julia` on PATH")
    if installed := provisioned():
        return JuliaInstall(installed, found_by="installed by `pysite julia install`")
    try:
        import juliapkg
    except ImportError:
        return None
    try:  # juliapkg may need a network to resolve; without one there is no Julia
        return JuliaInstall(Path(juliapkg.executable()), Path(juliapkg.project()), found_by="juliapkg")
    except Exception:
        return None


def _executable(name: str, source: str) -> Path:
    found = shutil.which(name)
    if found is None:
        raise ConfigError(f"{source} names {name!r}, which is not an executable Julia", hint=INSTALL_HINT)
    return Path(found)


def _cache_dir() -> Path:
    return cache_root() / "julia-versions"


def julia_version(install: JuliaInstall) -> str:
    """The version string ("1.5.3"), cached by the executable's real path, mtime
    and size, so a rebuild never starts Julia just to learn it."""
    real = Path(os.path.realpath(install.executable))
    st = real.stat()
    key = hashlib.sha1(f"{real}\0{st.st_mtime_ns}\0{st.st_size}".encode()).hexdigest()
    cached = _cache_dir() / key
    try:
        return cached.read_text().strip()
    except OSError:
        pass
    out = subprocess.run([str(install.executable), "--version"], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60)
    match = re.search(r"(\d+\.\d+\.\d+\S*)", out.stdout)
    if out.returncode != 0 or match is None:
        raise ConfigError(f"{install.executable} --version failed: {(out.stderr or out.stdout).strip()}",
                          hint=INSTALL_HINT)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(match.group(1))
    except OSError:
        pass  # a read-only home only costs the cache
    return match.group(1)


def julia_source_dir() -> Path:
    """The Julia half of the bridge: `pysite/_julia` in a wheel, else the repository's `julia/`."""
    package = Path(pysite.__file__).parent
    bundled = package / "_julia"
    return bundled if bundled.is_dir() else package.parent / "julia"


def site_project(site: Path) -> Path | None:
    """The Julia project cells of `site` run in: the site folder when it has a Project.toml."""
    return site if (site / "Project.toml").exists() else None
