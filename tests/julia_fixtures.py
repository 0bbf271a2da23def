"""Fixtures for tests that run a real Julia: import them into a test module.

The worker transport never skips: without a Julia the tests fail, since CI
provisions one (`pysite julia install`). The juliacall
transport skips, with the reason, where juliacall cannot start.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pysite.bridge import CellRequest, CellResult, JuliaInstall, Limits, find_julia, open_bridge
from pysite.errors import JuliaError


@pytest.fixture(scope="session")
def julia_install() -> JuliaInstall:
    install = find_julia()
    if install is None:
        pytest.fail("no Julia found: run `pysite julia install` (or set PYSITE_JULIA)")
    return install


def _open(install: JuliaInstall, transport: str):
    try:
        return open_bridge(install, transport)
    except JuliaError as e:
        if transport == "juliacall":
            pytest.skip(f"{e.message} ({e.hint})")
        raise


@pytest.fixture(scope="module", params=["worker", "juliacall"])
def bridge(request, julia_install):
    """Each transport in turn, shared by a test module."""
    b = _open(julia_install, request.param)
    yield b
    b.close()


@pytest.fixture(scope="module")
def worker_bridge(julia_install):
    """The worker transport alone, for timeouts and crashes juliacall cannot survive."""
    b = _open(julia_install, "worker")
    yield b
    b.close()


def run_cells(bridge, out: Path, *codes: str, path: str = "pages/post.md", first_line: int = 3,
              timeout: float = 60.0, **limits) -> list[CellResult]:
    """Run `codes` as one page's cells, placed in the .md as fences one after another."""
    cells, line = [], first_line
    for i, code in enumerate(codes):
        cells.append(CellRequest(code, line, out / f"cell{i}"))
        line += code.count("\n") + 3  # closing fence, blank line, opening fence
    return bridge.run_page(path, cells, Limits(timeout=timeout, **limits))


def logging_julia(folder: Path, install: JuliaInstall) -> tuple[Path, Path]:
    """A `julia` in `folder` that notes each start in a log before running `install`'s: (it, the log)."""
    log = folder / "julia-starts.log"
    wrapper = folder / "bin" / "julia"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho start >> "{log}"\nexec "{install.executable}" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, log
