"""The one exception family for a user's mistakes, and how they are printed.

Every error a user can act on is a `PysiteError` carrying the file, the line and
a hint; the builder collects them per page and keeps going.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


class PysiteError(Exception):
    """A mistake in the site's sources, reported as `path:line: message`."""

    kind = "error"

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None,
                 hint: str | None = None, source_line: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint
        self.source_line = source_line

    def located(self, path: Path | str) -> "PysiteError":
        """Fill in the file when the error was raised on text without one."""
        if self.path is None:
            self.path = Path(path)
        return self

    def __str__(self) -> str:
        return format_location(self.path, self.line, self.message)


class ConfigError(PysiteError):
    """Broken site configuration: config.md, defaults, the ignore list."""


class ParseError(PysiteError):
    """A page that cannot be read: front matter, unclosed blocks, bad encoding."""


class TemplateError(PysiteError):
    """A layout that is missing or fails to render."""


class JuliaError(PysiteError):
    """A Julia cell or Julia-side function that failed."""


@dataclass
class Diagnostic:
    """One message for the user; `error` diagnostics fail the build, warnings only with --strict."""

    message: str
    path: Path | None = None
    line: int | None = None
    severity: str = "error"  # "error" or "warning"
    hint: str | None = None
    source_line: str | None = None

    @classmethod
    def from_error(cls, error: PysiteError, severity: str = "error") -> "Diagnostic":
        return cls(error.message, error.path, error.line, severity, error.hint, error.source_line)

    def render(self, root: Path | None = None) -> str:
        """The message, its path relative to `root` when it is inside it."""
        path = self.path if self.path is None or root is None else shown_path(self.path, root)
        text = format_location(path, self.line, self.message)
        if self.severity == "warning":
            text = f"{text} (warning)"
        if self.source_line:
            text += f"\n    {self.source_line.rstrip()}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


def shown_path(path: Path, root: Path) -> Path:
    """A path as a user reads it: relative to `root` (the working folder) when inside it."""
    try:
        return resolved(path.parent).joinpath(path.name).relative_to(resolved(root))  # the file may be a broken link
    except (ValueError, OSError, RuntimeError):
        return path


@functools.lru_cache(maxsize=256)
def resolved(folder: Path) -> Path:
    # A build's messages name a few folders many times: each is resolved once, not once a message.
    return folder.resolve()


def did_you_mean(name: str, known: Iterable[str], otherwise: str, listed: int = 12) -> str:
    """The hint for a misspelt name: the close known names (difflib), and every known name
    when there are only a few, then what else to do."""
    names = sorted(set(known) - {name})
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.7)
    guess = f"did you mean {' or '.join(close)}? " if close else ""
    if names and len(names) <= listed:
        guess += f"(there are {', '.join(names)}) "
    return f"{guess}{'or ' if guess else ''}{otherwise}"


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """`1 error`, `2 errors` (`plural` when it is not the noun and an s)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def format_location(path: Path | str | None, line: int | None, message: str) -> str:
    if path is None:
        return message
    if line is None:
        return f"{path}: {message}"
    return f"{path}:{line}: {message}"


def unexpected(error: BaseException, path: Path, doing: str) -> Diagnostic:
    """A page's error that no rule of pysite's foresaw: it fails that page only, named as it can be."""
    if isinstance(error, OSError):
        what = ("this page" if error.filename in (None, str(path))
                else f"{shown_path(Path(error.filename), Path.cwd())} while {doing} this page")
        return Diagnostic(f"cannot read {what}: {error.strerror or error}", path,
                          hint="check the file's permissions and name")
    if isinstance(error, RecursionError):
        return Diagnostic(f"nested too deeply to finish {doing} this page", path,
                          hint="look for blocks, {{if}}s, {{insert}}s or commands that contain themselves")
    return Diagnostic(f"internal error while {doing} this page: {type(error).__name__}: {error}", path,
                      hint="this is a bug in pysite (the other pages were built); --debug does not apply here")
