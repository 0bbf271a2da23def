"""Discovery: which files under a site are pages, which are copied, and where each lands.

Pages are `*.md` and `*.html` outside `_*` folders; `_assets/`, `_css/`, `_libs/`
are published as `assets/`, `css/`, `libs/`; other files are copied as they are.
Two sources that would publish one output are an error naming both.
"""

from __future__ import annotations

import fnmatch
import os
import re
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pysite.errors import Diagnostic

PUBLISHED_FOLDERS = {"_assets": "assets", "_css": "css", "_libs": "libs"}
# Site-level files that feed the build but are not part of the site.
SITE_FILES = {"config.md", "utils.jl", "utils.py", "Project.toml", "Manifest.toml"}
# The repository's own files, left out at the site root only (`docs/contributing.md` is a page).
NOT_PAGES = ("readme", "license", "licence", "changelog", "contributing")
# Characters a URL path may hold as they are (RFC 3986's pchar): `?`, `#`, `%`, spaces and
# non-ASCII letters in a file name are percent-encoded, so `posts/Why?.md` is reachable.
URL_SAFE = "/!$&'()*+,;=:@~"
# Editor leftovers: vim's swap files and its `4913` write test, backups, emacs lock and
# autosave files, JetBrains' safe-write copies, Kate's swap files.
EDITOR_FILES = re.compile(r"(\.sw.x?|~|\.tmp|\.bak|___jb_(tmp|old)___|\.kate-swp)$|^(4913|\.#.*|#.*#)$")
SPECIAL_PAGES = {"index", "404"}


@dataclass(frozen=True)
class SourceFile:
    path: Path   # absolute path of the source
    rel: str     # posix path relative to the site root
    kind: str    # "page", "file", or "outside" (a link to a file outside the site: never published)
    out: str     # posix path of the output, relative to the output folder

    def __reduce__(self):
        # The path as text: unpickling 1,000 Paths part by part was most of loading the state.
        return source_file, (str(self.path), self.rel, self.kind, self.out)

    @property
    def url(self) -> str:
        """Site-absolute URL of the output, pretty for pages (`/pages/a/`), percent-encoded."""
        if self.out.endswith("/index.html"):
            path = self.out[: -len("index.html")]
        else:
            path = "" if self.out == "index.html" else self.out
        return "/" + quote(path, safe=URL_SAFE)


def source_file(path: str, rel: str, kind: str, out: str) -> SourceFile:
    return SourceFile(as_path(path), rel, kind, out)


def page_output(rel: str) -> str:
    """`pages/a.md` -> `pages/a/index.html`; `index.md` -> `index.html`; `404.md` -> `404.html`."""
    stem, _ = os.path.splitext(rel)
    folder, name = os.path.split(stem)
    if name == "index" or (name in SPECIAL_PAGES and not folder):
        return f"{stem}.html"
    return f"{stem}/index.html"


def is_ignored(rel: str, patterns: list[str]) -> bool:
    """Franklin's `ignore`: a pattern ending in `/` ignores a folder, others match paths."""
    for pattern in patterns:
        if pattern.endswith("/"):
            if rel.startswith(pattern) or rel == pattern[:-1]:
                return True
        elif fnmatch.fnmatchcase(rel, pattern):
            return True
    return False


def discover(site: Path, out_dir: Path, ignore: list[str] = (), generator=None
             ) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Every page and copied file of the site, sorted by relative path, one per output (a
    Jekyll or Hexo site, `generator`, by its own rules); and the problems met: names that are
    not UTF-8, folders that cannot be read, two sources of one output."""
    if generator is not None:
        from pysite.jekyll.discover import discover as discover_generated

        return one_per_output(discover_generated(generator, out_dir))
    site = site.resolve()
    out_dir = out_dir.resolve()
    found: list[SourceFile] = []
    problems: list[Diagnostic] = []

    def walk(folder: Path, rel_folder: str, published_as: str | None) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            problems.append(Diagnostic(f"cannot read this folder: {error.strerror or error}", folder,
                                       hint="check its permissions; the rest of the site is built"))
            return
        for entry in entries:
            name = entry.name
            rel = f"{rel_folder}{name}"
            if name.startswith(".") or name == "__site" or is_ignored(rel, ignore) or EDITOR_FILES.search(name):
                continue
            if not utf8(name):
                problems.append(Diagnostic("this file name is not valid UTF-8: it is not published",
                                           Path(entry.path), hint="rename it"))
                continue
            if entry.is_dir(follow_symlinks=False):
                path = Path(entry.path)
                if path == out_dir:
                    continue
                if published_as is None and not rel_folder and name.startswith("_"):
                    if name in PUBLISHED_FOLDERS:
                        walk(path, rel + "/", PUBLISHED_FOLDERS[name] + "/")
                    continue
                walk(path, rel + "/", None if published_as is None else f"{published_as}{name}/")
            elif is_file(entry, problems):  # a symbolic link to a folder is not followed
                source = classify(as_path(entry.path), rel, rel_folder, published_as)
                if source is not None and entry.is_symlink() and not inside(site, source.path):
                    source = SourceFile(source.path, rel, "outside", source.out)
                if source is not None:
                    found.append(source)

    walk(site, "", None)
    found.sort(key=lambda f: f.rel)
    sources, collisions = one_per_output(found)
    return sources, problems + collisions


@lru_cache(maxsize=1 << 16)
def as_path(path: str) -> Path:
    """A file's Path, made once per process: paths do not change, and parsing 1,000 of them
    again was a fifth of a `serve` rebuild."""
    return Path(path)


def is_file(entry: os.DirEntry, problems: list[Diagnostic]) -> bool:
    try:
        return entry.is_file()
    except OSError as error:  # a loop of symbolic links
        problems.append(Diagnostic(f"cannot follow this link: {error.strerror or error}", Path(entry.path),
                                   hint="remove the link or point it at a file"))
        return False


def utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:  # os.scandir gives undecodable bytes as surrogates
        return False


def inside(site: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(site)
        return True
    except (OSError, ValueError):
        return False


def classify(path: Path, rel: str, rel_folder: str, published_as: str | None) -> SourceFile | None:
    name = path.name
    if published_as is not None:
        return SourceFile(path, rel, "file", published_as + name)
    stem, ext = os.path.splitext(name)
    if not rel_folder and (name in SITE_FILES or stem.lower() in NOT_PAGES):
        return None
    if ext in (".md", ".html"):
        return SourceFile(path, rel, "page", page_output(rel))
    return SourceFile(path, rel, "file", rel)


def strays(site: Path, sources: list[SourceFile]) -> list[SourceFile]:
    """In a folder that is not a site (no config.md, no index page), the files that are neither
    pages nor in `_assets/`, `_css/`, `_libs/`: a project's code and data, not to be published."""
    if (site / "config.md").is_file() or any(s.kind == "page" and s.out == "index.html" for s in sources):
        return []
    return [s for s in sources if s.kind != "page" and not s.rel.startswith("_")]


def one_per_output(sources: list[SourceFile]) -> tuple[list[SourceFile], list[Diagnostic]]:
    """The sources with one per output path (the first by path), and an error for each other."""
    kept: dict[str, SourceFile] = {}
    problems = []
    for source in sources:
        first = kept.setdefault(source.out, source)
        if first is not source and source.kind != "outside":
            problems.append(Diagnostic(f"{source.rel} and {first.rel} both publish {source.out}: "
                                       f"only {first.rel} is built", source.path,
                                       hint="rename or remove one of them"))
    return list(kept.values()), problems
