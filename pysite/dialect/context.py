"""What the dialect sees of a page and its site: variables, files, utils functions, warnings.

One `PageScope` serves both times the dialect runs: expansion (phase 1, the page
alone: `view` is None) and rendering (phase 2, `view` is the SiteView, so other
pages' variables and the page list are known).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pysite.dialect import franklin_vars
from pysite.errors import Diagnostic


def site_file(root: Path, path: Path) -> Path | None:
    """The file, when it exists inside the site: `..` and links never reach outside it."""
    try:
        resolved = path.resolve()
        resolved.relative_to(root.resolve())
    except (OSError, ValueError):
        return None
    return resolved if resolved.is_file() else None


@dataclass
class PageScope:
    root: Path                              # the site folder
    rel: str                                # the page, relative to the site: "pages/a.md"
    variables: dict[str, Any]               # the page's variables
    site: dict[str, Any]                    # the site's variables (config.md)
    warnings: list[Diagnostic] = field(default_factory=list)
    utils: Any = None                       # pysite.dialect.utils.Utils, or None
    view: Any = None                        # the SiteView, at render time only
    site_pages: Any = None                  # () -> every page's variables as its file defines them, by stem (read time)
    headings: list = field(default_factory=list)
    loops: list[dict[str, Any]] = field(default_factory=list)   # `{{for}}` variables, innermost last
    extra: dict[str, str] = field(default_factory=dict)         # names only a layout knows: page_content
    definitions: Any = None                 # site-wide commands (pysite.dialect.commands.Definitions)
    biblabels: dict[str, str] = field(default_factory=dict)     # \biblabel names, for \cite
    inputs: set[Path] = field(default_factory=set)              # files the page read (\input, {{insert}}...)
    inserting: list[Path] = field(default_factory=list)         # the {{insert}}s being answered, outermost first
    nesting: int = 0                                            # {{if}}/{{for}} blocks open around the call answered
    part: int = 1                                               # the page of a {{paginate}} list being rendered
    hfuns: dict[str, Any] = field(default_factory=dict)         # built-ins only some files have: name -> f(args, scope)
    redirects: list[str] = field(default_factory=list)          # the page's {{redirect}} addresses
    cells_first: bool = False                                   # the page's cells are still to run: hfuns wait
    ran_utils: bool = False                                     # a utils.jl function ran (Franklin.path(:site) is its)

    @property
    def path(self) -> Path:
        return self.root / self.rel

    def input(self, path: Path) -> Path | None:
        """A file the page reads, when it exists inside the site; noted so that a change to
        it rebuilds the page."""
        found = site_file(self.root, path)
        if found is not None:
            self.inputs.add(found)
        return found

    @property
    def stem(self) -> str:
        """The page's path without its extension: "pages/a", "index"."""
        return self.rel.rsplit(".", 1)[0]

    def lookup(self, name: str) -> tuple[bool, Any]:
        """A loop variable, else the page's variable, else the site's, else a utils global,
        else Franklin's default."""
        for scope in reversed(self.loops):
            if name in scope:
                return True, scope[name]
        for variables in (self.variables, self.site):
            if name in variables:
                return True, variables[name]
        if self.utils is not None:
            found, value = self.utils.variable(name)
            if found:
                return found, value
        return franklin_vars.default(name, self.variables, self.site)

    def names(self) -> set[str]:
        """Every name `lookup` can find (utils globals aside), for "did you mean"."""
        return {*(name for scope in self.loops for name in scope), *self.variables, *self.site,
                *franklin_vars.DEFAULTS}

    def page_variable(self, page: str, name: str) -> tuple[bool, Any]:
        """Another page's variable (render time): `page` as "pages/a", "/pages/a/" or "pages/a.md"."""
        if self.view is None:
            return False, None
        view = self.view.find_page(page)
        if view is None or name not in view:
            return False, None
        return True, view[name]

    def warn(self, message: str, line: int | None, path: Path | None = None, hint: str | None = None) -> None:
        self.warnings.append(Diagnostic(message, path or self.path, line, "warning", hint))


def as_text(value: Any) -> str:
    """A variable as `{{fill}}` writes it, the way Franklin's `string()` would."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(as_text(item) for item in value)
    return str(value)
