"""User commands: `\\newcommand{\\name}[n]{body}` and `\\newenvironment{name}[n]{pre}{post}`.

A definition holds effect from where it is written to the end of the page; those
in `config.md` hold on every page. `#k` inserts argument k after a space (so
`\\mathbb#1` stays valid TeX), `!#k` inserts it exactly as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pysite.dialect.scan import SPACES, Source, read_braces, read_optional

ARGUMENT = re.compile(r"(!?)#(\d)")
COMMAND_NAME = re.compile(r"\s*\\([A-Za-z]+)\s*")
ENV_NAME = re.compile(r"\s*([A-Za-z]+\*?)\s*")


@dataclass(frozen=True)
class Command:
    name: str
    arity: int
    body: str


@dataclass(frozen=True)
class Environment:
    name: str
    arity: int
    pre: str
    post: str


@dataclass
class Definitions:
    """The commands and environments known at a point of a page."""

    commands: dict[str, Command] = field(default_factory=dict)
    environments: dict[str, Environment] = field(default_factory=dict)

    def copy(self) -> "Definitions":
        return Definitions(dict(self.commands), dict(self.environments))


def substitute(body: str, arguments: list[str]) -> str:
    """The body with `#k`/`!#k` replaced by the k-th argument."""
    def replace(match: re.Match) -> str:
        index = int(match.group(2)) - 1
        if index >= len(arguments):
            return match.group(0)
        return arguments[index] if match.group(1) else " " + arguments[index]
    return ARGUMENT.sub(replace, body)


def read_definition(source: Source, kind: str, pos: int, end: int) -> tuple[Command | Environment, int]:
    """Read `\\newcommand...` or `\\newenvironment...` whose name ends at `pos`; the offset after it."""
    start = pos
    text = source.text
    (name_group,), pos = expect(source, kind, start, pos, end, 1)
    pattern = COMMAND_NAME if kind == "newcommand" else ENV_NAME
    named = pattern.fullmatch(name_group)
    if not named:
        raise source.error(f"\\{kind}: {name_group!r} is not a valid name", start,
                           hint="write \\newcommand{\\name}{...} or \\newenvironment{name}{...}{...}")
    arity_text, pos = read_optional(text, SPACES.match(text, pos, end).end(), end)
    arity = 0
    if arity_text is not None:
        if not arity_text.strip().isdigit():
            raise source.error(f"\\{kind}{{{name_group}}}: [{arity_text}] is not a number of arguments", start)
        arity = int(arity_text)
    pos = SPACES.match(text, pos, end).end()
    if kind == "newcommand":
        (body,), pos = expect(source, kind, start, pos, end, 1)
        return Command(named.group(1), arity, body), pos
    (pre, post), pos = expect(source, kind, start, pos, end, 2)
    return Environment(named.group(1), arity, pre, post), pos


def expect(source: Source, name: str, start: int, pos: int, end: int, count: int) -> tuple[list[str], int]:
    """Exactly `count` brace groups, or a ParseError naming the command."""
    groups, after = read_braces(source, pos, end, count)
    if len(groups) < count:
        raise source.error(f"\\{name} needs {count} argument{'s' if count > 1 else ''} in braces, "
                           f"found {len(groups)}", start,
                           hint=f"write \\{name}" + "{...}" * count)
    return groups, after


@lru_cache(maxsize=8)
def site_definitions(config_body: str, path: Path | None) -> Definitions:
    """The definitions written in config.md (read once per build and process); a broken
    one fails every page with config.md's line."""
    definitions = Definitions()
    source = Source(config_body, path)
    for match in re.finditer(r"\\(newcommand|newenvironment)(?![A-Za-z])", config_body):
        definition, _ = read_definition(source, match.group(1), match.end(), len(config_body))
        if isinstance(definition, Command):
            definitions.commands[definition.name] = definition
        else:
            definitions.environments[definition.name] = definition
    return definitions
