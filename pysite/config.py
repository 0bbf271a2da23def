"""Site configuration: the variables of `config.md`, folder defaults, ignore list, prepath,
and the site's Markdown flavour (whether it reads Markdown as Franklin does)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from pysite.errors import ConfigError, Diagnostic, ParseError
from pysite.variables import read_variables

if TYPE_CHECKING:
    from pysite.jekyll.site import GeneratorSite

# Franklin's names for site variables, and the names pysite's templates use.
ALIASES = {"website_title": "title", "website_description": "description", "website_url": "url"}
# Site variables that describe the site itself rather than give its pages a default.
SITE_ONLY = {"title", "description", "url", "prepath", "ignore", "defaults", "nav", *ALIASES}
# How a page reads Markdown: as Franklin does (its dialect, no indented code, its headings),
# or as CommonMark/GFM does (Jekyll, Hexo, Hugo, a plain folder of pages).
FRANKLIN, COMMONMARK = "franklin", "commonmark"
FLAVOURS = (FRANKLIN, COMMONMARK)
# Always left out of the site: the build's own folders and the project's files.
DEFAULT_IGNORE = ["node_modules/", "__pycache__/"]


@dataclass
class SiteConfig:
    root: Path
    variables: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""                      # config.md's text: site-wide command definitions
    ignore: list[str] = field(default_factory=list)
    defaults: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)   # variables Julia could not evaluate, a folder
    flavour: str = COMMONMARK           # the site's Markdown flavour (a page may choose its own)
    generator: GeneratorSite | None = None  # a Jekyll or Hexo site: its _config.yml, data, documents
    # What `site_file_stat` has looked at, as it was then: a build's config is read anew each build.
    seen: dict[str, os.stat_result | None] = field(default_factory=dict, repr=False, compare=False)

    @property
    def path(self) -> Path:
        """The file the site's own variables are in: config.md, or a Jekyll or Hexo site's _config.yml."""
        return self.root / ("config.md" if self.generator is None else "_config.yml")

    @property
    def prepath(self) -> str:
        """`/project` for a site served under a sub-path, "" otherwise."""
        prepath = str(self.variables.get("prepath") or "").strip("/")
        return f"/{prepath}" if prepath else ""

    def deploy_at(self, base_url: str | None = None, prepath: str | None = None) -> None:
        """`--base-url`/`--prepath` of a build: where the site is published, over config.md's
        `url` and `prepath`; a base URL's path is the prepath unless one is given."""
        if base_url:
            self.variables["url"] = base_url.rstrip("/")
            if prepath is None:
                prepath = urlsplit(base_url).path
        if prepath is not None:
            self.variables["prepath"] = prepath

    def site_file_stat(self, rel: str) -> os.stat_result | None:
        """The stat of a file of the site (None: no such file), taken once a build: every page's
        reading and rendering asks which layouts and utils the site has (nine stats a page)."""
        if rel not in self.seen:
            try:
                found = os.stat(self.root / rel)
            except OSError:
                found = None
            self.seen[rel] = found if found is not None and stat.S_ISREG(found.st_mode) else None
        return self.seen[rel]

    def flavour_of(self, variables: dict[str, Any], path: Path | None = None, line: int | None = None) -> str:
        """The Markdown flavour of a page with these variables: its `flavour`, else the site's.
        The one answer to "does this page read Markdown as Franklin does?"."""
        chosen = variables.get("flavour")
        if chosen is None:
            return self.flavour
        return check_flavour(chosen, path, line)

    def defaults_for(self, rel: str) -> dict[str, Any]:
        """What a page starts from: the site's variables, then its folders' defaults, most specific last."""
        merged = {name: value for name, value in self.variables.items() if name not in SITE_ONLY}
        for folder, values in sorted(self.defaults, key=lambda item: len(item[0])):
            if not folder or rel.startswith(folder):
                merged.update(values)
        return merged


def detect_flavour(root: Path) -> str:
    """Franklin's conventions mark a Franklin site: a `config.md` (the one file Franklin
    requires), or Franklin's layout files `_layout/head.html` or `_layout/skeleton.html`.
    Anything else (Jekyll, Hexo, Hugo, a plain folder) reads Markdown as CommonMark."""
    markers = (root / "config.md", root / "_layout" / "head.html", root / "_layout" / "skeleton.html")
    return FRANKLIN if any(marker.is_file() for marker in markers) else COMMONMARK


def check_flavour(value: Any, path: Path | None, line: int | None) -> str:
    if value not in FLAVOURS:
        raise ConfigError(f"`flavour` must be {' or '.join(map(repr, FLAVOURS))}, not {value!r}", path, line,
                          hint="franklin reads Markdown as Franklin.jl does, commonmark as the CommonMark spec")
    return value


def generator_site(root: Path) -> GeneratorSite | None:
    """A Jekyll or Hexo site's own reading, or None; loaded only where there is a _config.yml."""
    if not (root / "_config.yml").is_file():
        return None
    from pysite.jekyll.site import read_site

    return read_site(root)


def read_config(root: Path, evaluate: Callable[[dict[str, Any], Path], list[Diagnostic]] | None = None
                ) -> SiteConfig:
    """config.md's variables; `evaluate` (pysite.evaluate.Evaluator.evaluate_variables) turns
    those that are Julia expressions into values before anything reads them."""
    config = SiteConfig(root=root, flavour=detect_flavour(root), generator=generator_site(root))
    if config.generator is not None:
        config.variables = config.generator.site_variables()
        config.ignore = list(DEFAULT_IGNORE)
        return config
    path = config.path
    config.ignore = list(DEFAULT_IGNORE)
    if not path.exists():
        return config
    if path.is_dir():  # not a config at all: the pages still build, without site variables
        config.diagnostics = [Diagnostic("config.md is a folder, not a file: the site is built without "
                                         "site variables", path, hint="rename the folder; config.md must be "
                                         "a text file of page variables")]
        return config
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(f"not valid UTF-8 ({error.reason})", path) from None
    except OSError as error:  # an unreadable file
        raise ConfigError(f"cannot read {path.name}: {error.strerror or error}", path,
                          hint="config.md must be a text file of page variables") from None
    source = read_variables(text, path, franklin=True)  # config.md is Franklin's file
    variables = dict(source.variables)
    if "flavour" in variables:
        config.flavour = check_flavour(variables.pop("flavour"), path, source.lines.get("flavour"))
    if evaluate is not None:
        config.diagnostics = evaluate(variables, path)
    for franklin, name in ALIASES.items():
        if franklin in variables and name not in variables:
            variables[name] = variables[franklin]
    config.variables = variables
    config.lines = source.lines
    config.body = source.body
    config.ignore = DEFAULT_IGNORE + [str(p) for p in as_list(variables.get("ignore"))]
    config.defaults = read_defaults(variables.get("defaults"), path, source.lines.get("defaults"))
    return config


def read_defaults(value: Any, path: Path, line: int | None) -> list[tuple[str, dict[str, Any]]]:
    """Folder defaults, either `folder => Dict(...)` (a mapping) or Jekyll's list of scope/values."""
    if value is None:
        return []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        try:
            items = [(entry.get("scope", {}).get("path", ""), entry["values"]) for entry in value]
        except (AttributeError, KeyError, TypeError):
            raise ConfigError("`defaults` entries need `scope: {path: ...}` and `values: {...}`", path, line) from None
    else:
        raise ConfigError("`defaults` must map folders to variables", path, line)
    defaults = []
    for folder, values in items:
        if not isinstance(values, dict):
            raise ConfigError(f"defaults for {folder!r} must be a mapping of variables", path, line)
        folder = str(folder).strip("/")
        defaults.append((f"{folder}/" if folder else "", dict(values)))
    return defaults


def as_list(value: Any) -> list:
    """Tags, categories and lists written as a list, a tuple, a comma-separated string or nothing."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [value]
