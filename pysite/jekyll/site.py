"""A Jekyll or Hexo site as pysite reads it: which generator made it, its `_config.yml`,
`_data/`, front matter defaults, and the documents discovery found (with their URLs).

Jekyll: `_config.yml` beside `_layouts/`, `_posts/` or a Gemfile that installs Jekyll. Hexo:
`_config.yml` beside `source/` and `scaffolds/`, or a `package.json` that depends on hexo. Both keep their pages' variables
Jekyll's way: defaults scoped by path and type, then the page's front matter, then what the
file name says (a post's date and slug).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from pysite.errors import ConfigError, Diagnostic

JEKYLL, HEXO = "jekyll", "hexo"
DATA_SUFFIXES = (".yml", ".yaml", ".json", ".csv", ".tsv")


@dataclass
class Document:
    """One file of the site that is rendered: a page, a post, a draft or a collection item."""

    rel: str                       # path from the site folder
    type: str                      # "pages", "posts", "drafts" or a collection's name
    variables: dict[str, Any]      # defaults, front matter, then what the file name says
    url: str                       # the URL as the generator writes it: /2020/01/14/slug.html, /about/
    out: str                       # the file written, relative to the output folder


@dataclass
class GeneratorSite:
    kind: str                                  # JEKYLL or HEXO
    root: Path                                 # the site folder (where _config.yml is)
    source: Path                               # the folder pages are read from (Hexo: source/)
    config: dict[str, Any]                     # _config.yml
    data: dict[str, Any] = field(default_factory=dict)       # _data/ as site.data
    documents: dict[str, Document] = field(default_factory=dict)  # by rel, filled by discovery
    notices: list[Diagnostic] = field(default_factory=list)  # what the build ignored, and why
    cache: dict[str, Any] = field(default_factory=dict)      # made once per build: Liquid, the listing

    def markdown_env(self) -> dict[str, Any]:
        """What a parse of this site's Markdown is told (pysite.markdown's `env`): kramdown's
        attribute lists, and whose markup to write (pysite.jekyll.markup: kramdown or marked)."""
        return {"attribute_lists": True, "renderer": "marked" if self.kind == HEXO else "kramdown"}

    def excerpt_source(self, variables: dict[str, Any], body: str) -> str | None:
        """Jekyll's excerpt of a post or collection item, as Markdown: its text up to the first
        `excerpt_separator` (the page's, the site's, else a blank line), with the link reference
        definitions of the rest. None: pysite's own rule (Hexo's pages, Jekyll's pages)."""
        if self.kind == HEXO or variables.get("collection") in (None, "pages"):
            return None
        separator = variables.get("excerpt_separator", self.config.get("excerpt_separator", "\n\n"))
        if not separator:
            return ""
        head, found, tail = body.lstrip("\n").partition(str(separator))
        references = re.findall(r"^ {0,3}\[[^\]]+\]:.+$", tail, re.MULTILINE) if found else []
        return head + ("\n\n" + "\n".join(references) if references else "")

    @property
    def timezone(self) -> dt.tzinfo | None:
        name = self.config.get("timezone")
        try:
            return ZoneInfo(str(name)) if name else None
        except (ZoneInfoNotFoundError, ValueError):
            return None

    @property
    def collections(self) -> dict[str, dict[str, Any]]:
        """Collections by name (Jekyll's `collections:`, a list or a mapping) with their settings."""
        value = self.config.get("collections") or {}
        if isinstance(value, list):
            value = {str(name): {} for name in value}
        found = {str(name): dict(settings or {}) for name, settings in value.items()} if isinstance(value, dict) else {}
        found.setdefault("posts", {"output": True})
        return found

    def inputs_digest(self) -> str:
        """What Liquid in any page may read besides the page: _config.yml, _data/, _includes/,
        _layouts/ and every document's variables (after discovery). Pages are read again when it changes."""
        import hashlib
        import pickle

        digest = hashlib.sha256(pickle.dumps(sorted((rel, repr(d.variables)) for rel, d in self.documents.items())))
        for folder in ("_data", "_includes", "_layouts"):
            for path in sorted((self.source / folder).rglob("*")):
                if path.is_file():
                    digest.update(str(path).encode() + b"\0" + path.read_bytes())
        from pysite.jekyll.theme import theme_folder  # an installed theme's own files change with its version

        digest.update(str(theme_folder(self)).encode())
        return digest.hexdigest()

    def site_variables(self) -> dict[str, Any]:
        """What pysite's own features (theme, feeds, sitemap) read of the site: title, URL, prepath."""
        config = self.config
        prepath = config.get("root") if self.kind == HEXO else config.get("baseurl")
        names = ("title", "description", "url", "author", "lang")
        variables = {name: config[name] for name in names if config.get(name) not in (None, "")}
        variables.setdefault("lang", config.get("language") if isinstance(config.get("language"), str) else "en")
        variables["prepath"] = str(prepath or "").strip("/")
        if isinstance(variables.get("url"), str):
            variables["url"] = variables["url"].rstrip("/")
        return variables

    def defaults_for(self, rel: str, type_: str) -> dict[str, Any]:
        """Jekyll's `defaults`: every entry whose scope (path prefix or glob, and type) fits, later ones winning."""
        merged: dict[str, Any] = {}
        below_source = self.below_source(rel)
        for entry in self.config.get("defaults") or ():
            if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
                continue
            scope = entry.get("scope") or {}
            path = str(scope.get("path") or "").strip("/")
            if path and not (below_source == path or below_source.startswith(path + "/")
                             or ("*" in path and Path(below_source).match(path))):
                continue
            if scope.get("type") and scope["type"] != type_:
                continue
            merged.update(entry["values"])
        return merged

    def below_source(self, rel: str) -> str:
        prefix = self.source.relative_to(self.root).as_posix()
        return rel if prefix == "." else rel.removeprefix(prefix + "/")

    def page_variables(self, rel: str, own: dict[str, Any]) -> dict[str, Any]:
        """A page's variables: discovery worked them out from its front matter and file name."""
        document = self.documents.get(rel)
        if document is None:
            return own
        return {**document.variables, **{k: v for k, v in own.items() if k not in FROM_FILE_NAME}}


# Variables that discovery derives and the page's front matter must not undo (categories as a
# list, a date with the site's time zone).
FROM_FILE_NAME = {"date", "categories", "tags", "slug", "url", "post", "draft", "collection", "permalink"}


def recognise(root: Path) -> str | None:
    """JEKYLL, HEXO, or None for any other site."""
    if not (root / "_config.yml").is_file():
        return None
    if (root / "source").is_dir() and ((root / "scaffolds").is_dir() or depends_on_hexo(root / "package.json")):
        return HEXO
    if (root / "_layouts").is_dir() or (root / "_posts").is_dir() or gems_jekyll(root / "Gemfile"):
        return JEKYLL
    return None


def gems_jekyll(path: Path) -> bool:
    """A Gemfile that installs Jekyll (a site whose layouts all come from a gem theme has no _layouts/)."""
    try:
        return re.search(r"""^\s*gem\s+["'](jekyll|github-pages)["']""", path.read_text(encoding="utf-8"),
                         re.MULTILINE) is not None
    except (OSError, UnicodeDecodeError):
        return False


def depends_on_hexo(path: Path) -> bool:
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(package, dict) and ("hexo" in package or "hexo" in (package.get("dependencies") or {}))


def read_site(root: Path) -> GeneratorSite | None:
    kind = recognise(root)
    if kind is None:
        return None
    config = read_yaml(root / "_config.yml")
    if not isinstance(config, dict):
        config = {}
    source = root / str(config.get("source_dir") or "source") if kind == HEXO else root / str(config.get("source") or ".")
    site = GeneratorSite(kind, root, source.resolve() if source.is_dir() else root, config)
    site.data = read_data(site.source / str(config.get("data_dir") or "_data"))
    return site


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"not valid UTF-8 ({error.reason})", path) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ConfigError(f"invalid YAML: {getattr(error, 'problem', None) or error}", path,
                          mark.line + 1 if mark else None) from None


def read_data(folder: Path) -> dict[str, Any]:
    """`_data/`: each YAML, JSON, CSV or TSV file under its name, subfolders as nested mappings."""
    import csv

    data: dict[str, Any] = {}
    if not folder.is_dir():
        return data
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            data[path.name] = read_data(path)
        elif path.suffix in (".yml", ".yaml"):
            data[path.stem] = read_yaml(path)
        elif path.suffix == ".json":
            try:
                data[path.stem] = json.loads(path.read_text(encoding="utf-8"))
            except ValueError as error:
                raise ConfigError(f"invalid JSON: {error}", path) from None
        elif path.suffix in (".csv", ".tsv"):
            with path.open(encoding="utf-8", newline="") as handle:
                data[path.stem] = list(csv.DictReader(handle, delimiter="\t" if path.suffix == ".tsv" else ","))
    return data


def front_matter(path: Path) -> dict[str, Any] | None:
    """The YAML front matter of a file, {} when it is empty or broken (reading the page reports
    that), None when the file has none: Jekyll copies such files as they are."""
    try:
        with path.open("rb") as handle:
            if handle.read(3) != b"---":
                return None
            text = (b"---" + handle.read()).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = FRONT_MATTER.match(text)
    if match is None:
        return None
    try:
        values = yaml.safe_load(match[1] or "")
    except yaml.YAMLError:
        return {}
    return values if isinstance(values, dict) else {}


FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", re.DOTALL)
DATED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")


def dated_name(stem: str) -> tuple[dt.date, str] | None:
    """`2020-01-14-my-post` -> (date, "my-post"); None when the name has no date."""
    match = DATED.match(stem)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3])), match[4]
    except ValueError:
        return None
