"""The build process kept between builds (pysite.resident), with real processes: the next
`pysite build` runs in it and behaves exactly as one run in its own process (output, messages,
exit status, working folder, environment, Ctrl-C), only its user reaches it, and it ends with
its idle time or `pysite julia stop`."""

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

from conftest import run_pysite, without_julia, write_tree
from pysite import resident


@pytest.fixture
def kept_env():
    """Builds that keep their build process, with a socket folder of their own."""
    runtime = Path(tempfile.mkdtemp(prefix="ps"))  # short: a socket's path has at most 107 bytes
    env = {**without_julia(), "PYSITE_KEEP_BUILD": "60", "XDG_RUNTIME_DIR": str(runtime)}
    yield env, runtime / "pysite" / "workers"
    run_pysite("julia", "stop", env=env)
    shutil.rmtree(runtime, ignore_errors=True)


def kept_socket(folder: Path, seconds: float = 30) -> Path:
    """The kept build process's socket, once it listens."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = list(folder.glob("build-*.sock")) if folder.is_dir() else []
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError("no kept build process started")


def built_by_kept(result: subprocess.CompletedProcess) -> bool:
    return "built by the kept build process" in result.stderr


def test_the_next_build_runs_in_the_kept_process_as_it_would_here(tmp_path, kept_env):
    env, folder = kept_env
    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": "# One\n", "b.md": "Bee\n"})
    first = run_pysite("build", site, "-v", env=env)
    assert first.returncode == 0, first.stderr
    assert not built_by_kept(first)
    kept_socket(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # only this user reaches it
    (site / "index.md").write_text("# Two\n")
    second = run_pysite("build", site, "-v", env=env)
    assert second.returncode == 0, second.stderr
    assert built_by_kept(second)
    assert "Two" in (site / "__site/index.html").read_text()
    assert "wrote index.html" in second.stderr and "wrote b/index.html" not in second.stderr
    # a bad page: the same message, naming file and line, and the same exit status, as here
    (site / "bad.md").write_text("+++\ntitle = \n+++\n")
    kept = run_pysite("build", site, env=env)
    here = run_pysite("build", site, env={**env, "PYSITE_KEEP_BUILD": "0"})
    assert kept.returncode == here.returncode == 1
    assert "bad.md:2" in kept.stderr
    assert kept.stderr.splitlines()[:-1] == here.stderr.splitlines()[:-1]  # the last: its time
    assert kept.stdout == here.stdout


def test_the_kept_process_runs_in_the_commands_folder_and_environment(tmp_path, kept_env):
    env, folder = kept_env
    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": "One\n"})
    assert run_pysite("build", site, env=env).returncode == 0
    kept_socket(folder)
    # a relative site and output, from another folder; an option given by the environment
    result = run_pysite("build", "site", "-o", "out", "-v", cwd=tmp_path,
                        env={**env, "SOURCE_DATE_EPOCH": "0", "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    assert built_by_kept(result)
    assert (tmp_path / "out/index.html").is_file()
    assert "-> out" in result.stderr  # the path as given, relative to the command's folder
    # a command-line mistake is click's message and status 2, as always
    wrong = run_pysite("build", site, "--jobs", "many", env=env)
    assert wrong.returncode == 2 and "Invalid value for '-j' / '--jobs'" in wrong.stderr


def test_ctrl_c_reaches_the_build_in_the_kept_process(tmp_path, kept_env):
    env, folder = kept_env
    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": "One\n"})
    assert run_pysite("build", site, "--keep-build", "60", env=env).returncode == 0
    kept_socket(folder)
    write_tree(site, {f"p{i}.md": f"# Page {i}\n\n" + "Some text. " * 2000 + "\n" for i in range(1000)})
    process = subprocess.Popen([sys.executable, "-m", "pysite", "build", str(site), "-j", "1"], env=env,
                               stderr=subprocess.PIPE, text=True)
    time.sleep(1)  # reading 1,000 long pages on one core takes seconds
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert (site / "__site/index.html").is_file() and not (site / "__site/p0").exists()  # as it was


def test_julia_stop_ends_the_kept_process_and_no_keep_keeps_none(tmp_path, kept_env):
    env, folder = kept_env
    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": "One\n"})
    assert run_pysite("build", site, env=env).returncode == 0
    sock = kept_socket(folder)
    stopped = run_pysite("julia", "stop", env=env)
    assert "1 kept build process" in stopped.stdout
    assert not sock.exists()
    result = run_pysite("build", site, "--keep-build", "0", "-v", "--clean", env=env)
    assert result.returncode == 0 and not built_by_kept(result)
    time.sleep(1)
    assert not list(folder.glob("build-*.sock"))


def test_the_kept_process_ends_after_its_idle_time(tmp_path, kept_env):
    env, folder = kept_env
    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": "One\n"})
    assert run_pysite("build", site, "--keep-build", "2", env=env).returncode == 0
    sock = kept_socket(folder)
    deadline = time.monotonic() + 30
    while sock.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not sock.exists()


@pytest.mark.parametrize("argv, environ, expected", [
    ([], {}, resident.DEFAULT_IDLE),
    ([], {"PYSITE_KEEP_BUILD": "0"}, 0.0),
    (["--keep-build", "5"], {"PYSITE_KEEP_BUILD": "0"}, 5.0),
    (["--keep-build=7.5"], {}, 7.5),
    (["--keep-build", "soon"], {}, None),   # click reports it
    (["--", "--keep-build", "5"], {}, resident.DEFAULT_IDLE),
])
def test_idle_time_is_read_as_the_option_would_be(monkeypatch, argv, environ, expected):
    monkeypatch.delenv("PYSITE_KEEP_BUILD", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert resident.idle_time(argv) == expected


def test_a_change_to_pysite_is_another_kept_process(monkeypatch, tmp_path):
    code = tmp_path / "module.py"
    code.write_text("x = 1\n")
    monkeypatch.setattr("pysite.codebase.code_files", lambda: [str(code)])
    before = resident.key()
    code.write_text("x = 22\n")
    assert resident.key() != before
    assert resident.socket_path(resident.key()) != resident.socket_path(before)


def test_a_preloaded_state_serves_only_while_it_is_the_saved_one(tmp_path):
    """What a kept process holds of a site's state is used by the builds it forks only while the
    database is still the one it loaded (every save is a new generation)."""
    from pysite.state import StateStore, preloaded

    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": "One\n"})
    assert run_pysite("build", site).returncode == 0
    store = StateStore(site.resolve())
    try:
        store.preload()
        held = store.load()
        assert held is preloaded[str(store.path)] and "index.md" in held.pages
        (site / "b.md").write_text("Bee\n")
        assert run_pysite("build", site).returncode == 0   # saved anew, not by this process
        fresh = store.load()
        assert fresh is not held and "b.md" in fresh.pages
    finally:
        preloaded.clear()


def test_two_kept_processes_started_at_once_leave_one(kept_env):
    env, folder = kept_env
    from pysite.codebase import ROOT

    started = [subprocess.Popen([sys.executable, "-m", "pysite.kept_process", "30"], cwd=ROOT, env=env)
               for _ in range(2)]
    kept_socket(folder)
    deadline = time.monotonic() + 30
    while all(p.poll() is None for p in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sum(p.poll() is None for p in started) == 1  # the other saw the lock taken and left
    assert "1 kept build process" in run_pysite("julia", "stop", env=env).stdout
    for process in started:
        process.wait(timeout=30)


@pytest.mark.julia
def test_cells_run_in_a_build_the_kept_process_runs(tmp_path, kept_env, julia_install):
    env, folder = kept_env
    env = {**env, "PYSITE_JULIA": str(julia_install.executable)}
    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": '```julia:a\nprintln(40 + 2)\n```\n\\output{a}\n'})
    assert run_pysite("build", site, env=env).returncode == 0
    kept_socket(folder)
    (site / "index.md").write_text('```julia:a\nprintln(40 + 3)\n```\n\\output{a}\n')
    result = run_pysite("build", site, "-v", env=env)
    assert result.returncode == 0, result.stderr
    assert built_by_kept(result)
    assert "43" in (site / "__site/index.html").read_text()


def test_the_next_build_waits_for_the_state_the_kept_process_saves_after_reporting(tmp_path, kept_env):
    """A build in the kept process reports its exit status, and the command ends, before the
    state is saved: a build started at once after it waits for that save, and finds nothing to do."""
    env, folder = kept_env
    pages = {f"p{i}.md": f"# Page {i}\n\n" + "Some text. " * 500 + "\n" for i in range(200)}
    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": "One\n", **pages})
    assert run_pysite("build", site, env=env).returncode == 0
    kept_socket(folder)
    for i in range(200):
        (site / f"p{i}.md").write_text(f"# Page {i} again\n")
    assert built_by_kept(run_pysite("build", site, "-v", env=env))
    again = run_pysite("build", site, env=env)
    assert again.returncode == 0 and "nothing changed since the last build" in again.stderr, again.stderr


def test_no_kept_process_where_its_socket_cannot_be(tmp_path):
    """A socket folder whose path is too long for a socket's address: builds run in their own
    process, and no kept process is started to fail."""
    runtime = tmp_path / ("r" * 100)
    runtime.mkdir()
    env = {**without_julia(), "PYSITE_KEEP_BUILD": "60", "XDG_RUNTIME_DIR": str(runtime)}
    site = write_tree(tmp_path / "site", {"config.md": "", "index.md": "One\n"})
    for _ in range(2):
        result = run_pysite("build", site, "-v", "--clean", env=env)
        assert result.returncode == 0 and not built_by_kept(result), result.stderr
    assert not list((runtime / "pysite" / "workers").glob("build-*"))
