"""Shared test helpers: building sites into temporary folders and running the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Fixtures that start a real Julia (julia_install, bridge, worker_bridge).
pytest_plugins = ["julia_fixtures"]

# Builds in tests leave no Julia worker and no build process waiting for the next build (the
# tests of those turn them on).
os.environ["PYSITE_KEEP_JULIA"] = "0"
os.environ["PYSITE_KEEP_BUILD"] = "0"

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"  # beside the checkout on developers' machines and in CI, not in a fresh clone
SITES = Path(__file__).resolve().parent / "sites"


def shared(name: str) -> Path:
    """A folder of ../shared that a test reads. Absent, the test is skipped with that
    reason, and fails instead when CI is set, so CI can never lose such tests silently."""
    path = SHARED / name
    if path.is_dir():
        return path
    reason = f"../shared/{name} is not beside this checkout"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI must run the tests that read it")
    pytest.skip(reason)


def seeds() -> Path:
    """The five seed pages from other site builders (../shared/seeds)."""
    return shared("seeds")


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def read(out: Path, rel: str) -> str:
    """A file of a built site."""
    return (out / rel).read_text(encoding="utf-8")


def build_copy(folder: Path, name: str, env: dict | None = None) -> tuple[Path, str]:
    """Build a copy of tests/sites/NAME made in `folder`; its output folder and the build's log."""
    site = folder / "site"
    shutil.copytree(SITES / name, site)
    result = run_pysite("build", site, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return site / "__site", result.stdout + result.stderr


def run_pysite(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300):
    """The real command line, in a subprocess, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "pysite", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def without_julia(env: dict | None = None) -> dict:
    """An environment in which pysite finds no Julia (no PYSITE_JULIA, no julia on PATH,
    none installed by `pysite julia install`)."""
    env = {name: value for name, value in (os.environ if env is None else env).items() if name != "PYSITE_JULIA"}
    env["PATH"] = os.path.dirname(sys.executable) + ":/usr/bin:/bin"
    env["PYSITE_JULIA_PREFIX"] = os.devnull
    return env


@pytest.fixture
def make_site(tmp_path):
    def make(files: dict[str, str | bytes], name: str = "site") -> Path:
        return write_tree(tmp_path / name, files)
    return make


@pytest.fixture
def copy_site(tmp_path):
    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(SITES / name, target)
        return target
    return copy
