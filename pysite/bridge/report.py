"""What `pysite julia` reports, as `quarto check` does: which Julia cells run in
and why, its version, the project cells see, and what is missing, each missing
thing with the command that fixes it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pysite.bridge import INSTALL_HINT, find_julia, julia_source_dir, open_bridge
from pysite.bridge.install import site_project
from pysite.errors import PysiteError


@dataclass
class JuliaReport:
    lines: list[tuple[str, str]] = field(default_factory=list)  # (what, value), in order
    missing: list[str] = field(default_factory=list)  # each: what is missing, and the fix


def julia_report(site: Path, explicit: str | None = None) -> JuliaReport:
    report = JuliaReport()
    try:
        install = find_julia(explicit)
    except PysiteError as error:
        report.missing.append(f"{error.message}: {error.hint}")
        return report
    if install is None:
        report.lines.append(("julia", "none found (looked at --julia, PYSITE_JULIA, PATH, "
                                      "`pysite julia install`'s prefix, juliapkg)"))
        report.missing.append(f"a Julia: {INSTALL_HINT}")
        return report
    report.lines.append(("julia", f"{install.executable} ({install.found_by})"))
    project = site_project(site)
    started = time.monotonic()
    try:
        bridge = open_bridge(install, project=project)
        try:
            facts = bridge.eval_value(f'Base.include(@__MODULE__, raw"{julia_source_dir() / "report.jl"}")', "report.jl", 1)
        finally:
            bridge.close()
    except PysiteError as error:
        report.missing.append(f"a Julia that runs the worker: {error.message}")
        return report
    report.lines.append(("version", f"{facts['version']} (cells run; the worker answered in "
                                    f"{time.monotonic() - started:.1f} s)"))
    whose = ("the site's Project.toml" if project else "juliapkg's project" if install.project
             else "Julia's default environment")
    exists = "" if facts["project_exists"] else " (absent: only the standard library)"
    report.lines.append(("project", f"{facts['project']}, {whose}{exists}"))
    report.lines.append(("packages", ", ".join(facts["packages"]) or "none"))
    if facts["missing"]:
        where = project or "PROJECT_FOLDER"
        report.missing.append(f"packages the project lists that Julia cannot load: {', '.join(facts['missing'])}: "
                              f"run `julia --project={where} -e 'using Pkg; Pkg.instantiate()'`")
    return report
