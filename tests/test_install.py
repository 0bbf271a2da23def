"""Installing pysite as a newcomer does: the wheel carries everything (the Julia half of
the bridge, the Julia recipe), and `pysite julia` says which Julia cells run in."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile

import pytest

from conftest import ROOT, run_pysite, without_julia

pytestmark = pytest.mark.julia


def test_distribution_name_is_not_pypis_other_pysite():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "pysite-ssg"
    assert project["scripts"] == {"pysite": "pysite.resident:run"}
    for doc in ("README.md", "pages/install.md"):
        text = (ROOT / doc).read_text()
        assert "pip install pysite-ssg" in text and "pip install pysite " not in text, doc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel pip builds from a git URL of this repository (its committed state), as the docs say."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                             f"git+file://{ROOT}"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    (built,) = out.glob("pysite_ssg-*.whl")
    return built


def test_wheel_carries_the_bridge_and_the_julia_recipe(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("pysite/bridge/install-julia.sh", "pysite/_julia/worker.jl", "pysite/_julia/report.jl",
                   "pysite/theme/_layout/base.html", "pysite/skeleton/config.md", "pysite/skeleton/.gitignore"):
        assert needed in names


def test_installed_wheel_reports_its_julia(wheel, tmp_path, julia_install):
    target = tmp_path / "installed"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)  # what pip puts in site-packages, without touching this environment
    env = {**os.environ, "PYTHONPATH": str(target), "PYSITE_JULIA": str(julia_install.executable)}
    result = subprocess.run([sys.executable, "-m", "pysite", "julia"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["julia"] == f"{julia_install.executable} (PYSITE_JULIA)"
    assert lines["version"].startswith(("1.", "2."))
    assert "Julia's default environment" in lines["project"]
    assert lines["missing"].startswith("nothing")


def test_julia_report_names_the_sites_project_and_its_missing_packages(tmp_path, julia_install):
    (tmp_path / "Project.toml").write_text('[deps]\nNoSuchPackage = "00000000-0000-0000-0000-000000000001"\n')
    env = {**os.environ, "PYSITE_JULIA": str(julia_install.executable)}
    result = run_pysite("julia", "--site", tmp_path, env=env)
    assert result.returncode == 1
    assert f"project   {tmp_path / 'Project.toml'}, the site's Project.toml" in result.stdout
    assert "packages  NoSuchPackage" in result.stdout
    assert "cannot load: NoSuchPackage: run `julia --project=" in result.stderr
    assert "Pkg.instantiate()" in result.stderr


def test_without_julia_every_hint_names_a_command_the_user_has(tmp_path):
    result = run_pysite("julia", env=without_julia())
    assert result.returncode == 1
    assert "julia     none found" in result.stdout
    assert "run `pysite julia install`" in result.stderr
    (tmp_path / "index.md").write_text("```julia:x\nprint(1)\n```\n\\output{x}\n")
    built = run_pysite("build", tmp_path, env=without_julia())
    assert "run `pysite julia install`" in built.stderr
    assert "scripts/" not in built.stderr


def test_julia_install_is_a_no_op_when_a_julia_works(julia_install, tmp_path):
    env = {**without_julia(), "PYSITE_JULIA_PREFIX": str(tmp_path / "prefix")}
    env["PATH"] = f"{julia_install.executable.parent}:{env['PATH']}"
    result = run_pysite("julia", "install", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == str(julia_install.executable.parent / "julia")
    assert not (tmp_path / "prefix").exists()
