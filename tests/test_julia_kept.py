"""A Julia worker kept between builds, with the real Julia: the next build's cells start
at once in it, only its user reaches it, and it ends with its idle time, with
`pysite julia stop`, or at once when its build goes away in the middle of a cell."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import run_pysite, write_tree
from julia_fixtures import logging_julia
from test_julia_cells import workers_for

pytestmark = pytest.mark.julia


@pytest.fixture
def kept_env(tmp_path, julia_install):
    """Builds that keep their worker, with a socket folder of their own and a julia that logs its starts."""
    wrapper, log = logging_julia(tmp_path, julia_install)
    runtime = Path(tempfile.mkdtemp(prefix="ps"))  # short: a socket's path has at most 107 bytes
    env = {**os.environ, "PYSITE_JULIA": str(wrapper), "PYSITE_KEEP_JULIA": "60", "XDG_RUNTIME_DIR": str(runtime)}
    yield env, log, runtime
    run_pysite("julia", "stop", env=env)
    shutil.rmtree(runtime, ignore_errors=True)


def starts(log) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def workers_end(site: Path, seconds: float) -> bool:
    """Whether the site's Julia workers are all gone within `seconds`."""
    deadline = time.monotonic() + seconds
    while workers_for(site) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not workers_for(site)


def test_the_next_build_runs_its_cells_in_the_kept_worker(tmp_path, kept_env):
    env, log, runtime = kept_env
    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": '```!\nprintln("first")\n```\n'})
    result = run_pysite("build", site, env=env)
    assert result.returncode == 0, result.stderr
    assert "first" in (site / "__site/index.html").read_text()
    assert workers_for(site)
    first = starts(log)  # the worker, and `julia --version` (once, then cached)
    folder = runtime / "pysite" / "workers"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # only this user reaches the sockets
    (site / "index.md").write_text('```!\nprintln("second")\n```\n')
    result = run_pysite("build", site, env=env)
    assert result.returncode == 0, result.stderr
    assert "second" in (site / "__site/index.html").read_text()
    assert starts(log) == first  # no new Julia
    result = run_pysite("julia", "stop", env=env)
    assert "stopped 1 Julia worker" in result.stdout
    assert workers_end(site, 15)


def test_a_kept_worker_ends_after_its_idle_time(tmp_path, kept_env):
    env, _, _ = kept_env
    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": "```!\n1 + 1\n```\n"})
    result = run_pysite("build", site, "--keep-julia", "2", env=env)
    assert result.returncode == 0, result.stderr
    assert workers_for(site)
    assert workers_end(site, 20)


def test_a_build_killed_in_a_cell_ends_the_kept_worker(tmp_path, kept_env):
    env, _, _ = kept_env
    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": '```!\ntouch("started")\nwhile true end\n```\n'})
    process = subprocess.Popen([sys.executable, "-m", "pysite", "build", str(site)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (site / "started").exists():
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert workers_end(site, 15)
