"""The Julia bridge: evaluates pages' code cells and page variables in a real
Julia, through a worker subprocess (default) or juliacall (in-process).

    install = find_julia(flag)              # None: warn, build without cells
    bridge = open_bridge(install, project=site_project(site_dir), root=site_dir)
    results = bridge.run_page("pages/post.md", [CellRequest(code, line, out_dir)], Limits(timeout=60))
"""

from __future__ import annotations

from pathlib import Path

from pysite.bridge.install import INSTALL_HINT, find_julia, julia_source_dir, julia_version, site_project
from pysite.bridge.results import Bridge, CellRequest, CellResult, JuliaInstall, Limits

__all__ = ["INSTALL_HINT", "Bridge", "CellRequest", "CellResult", "JuliaInstall", "Limits", "find_julia",
           "julia_version", "julia_source_dir", "open_bridge", "site_project"]

TRANSPORTS = ("worker", "juliacall")


def open_bridge(install: JuliaInstall, transport: str = "worker", project: Path | None = None,
                root: Path | None = None, keep: float = 0.0, slot: int = 0) -> Bridge:
    """Start a bridge for the site in `root` (default: the working folder), whose cells run
    in that folder and name pages relative to it; `project` (a folder with Project.toml) is activated.
    With `keep` seconds, the worker is one kept between builds (see pysite.bridge.kept), the one
    of `slot` when several build processes run cells.

    The worker starts warming up at once and is waited for on first use.
    Raises pysite.errors.JuliaError when the transport cannot start."""
    if transport == "worker":
        from pysite.bridge.worker import WorkerBridge
        return WorkerBridge(install, project, root, keep, slot=slot)
    if transport == "juliacall":
        from pysite.bridge.inprocess import JuliacallBridge
        return JuliacallBridge(install, project, root)
    raise ValueError(f"unknown bridge transport {transport!r}; choose from {', '.join(TRANSPORTS)}")
