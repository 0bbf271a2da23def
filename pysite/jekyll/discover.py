"""Which files of a Jekyll or Hexo site are published, as what, and at which URL.

Jekyll: files with front matter are rendered, others copied; names starting with `_`, `.`
or `#` or ending in `~`, and the `exclude` globs, are left out unless `include` names them;
`_posts/` (at any depth), `_drafts/` and each collection's `_NAME/` hold documents.
Hexo: everything under `source/` except `_` names is published; Markdown and HTML files are
pages, `_posts/` and `_drafts/` hold posts. A folder of pages that is left out is reported.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
from pathlib import Path
from typing import Any

from pysite.discover import SourceFile
from pysite.errors import Diagnostic
from pysite.jekyll import permalink
from pysite.jekyll.site import HEXO, Document, GeneratorSite, dated_name, front_matter

MARKDOWN = {".md", ".markdown", ".mkdown", ".mkdn", ".mkd"}
PAGES = MARKDOWN | {".html", ".htm"}
SASS = {".scss", ".sass"}
# Folders that feed the build rather than hold pages.
BUILD_FOLDERS = {"_layouts", "_includes", "_data", "_sass", "_plugins", "_site", "_config", ".jekyll-cache"}
JEKYLL_EXCLUDE = ["Gemfile", "Gemfile.lock", "node_modules", "vendor/bundle/", "vendor/cache/", "vendor/gems/",
                  "vendor/ruby/", ".sass-cache", ".jekyll-cache", "gemfiles", "package.json", "package-lock.json",
                  "yarn.lock", "Makefile", "README.md", "LICENSE", "CHANGELOG.md", "_config.yml"]


def discover(site: GeneratorSite, out_dir: Path) -> list[SourceFile]:
    """Every page and copied file of the site; fills `site.documents` and `site.notices`."""
    site.documents.clear()
    site.notices.clear()
    site.cache.clear()
    found: list[SourceFile] = []
    out_dir = out_dir.resolve()
    collections = site.collections
    exclude = [str(p) for p in as_list(site.config.get("exclude"))] + JEKYLL_EXCLUDE
    include = [str(p).strip("/") for p in as_list(site.config.get("include"))]

    def walk(folder: Path, type_: str) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                path = Path(entry.path)
                if path == out_dir or entry.name in ("__site", ".git"):
                    continue
                rel = path.relative_to(site.root).as_posix()
                inner = site.below_source(rel)
                named = entry.name in include or inner in include
                if not named and (matches(inner, exclude) or entry.name.startswith((".", "#"))
                                  or entry.name.endswith("~")):
                    continue
                if entry.is_dir():
                    kind = folder_type(entry.name, collections, site.kind)
                    if kind is not None:
                        walk(path, kind)
                    elif entry.name.startswith("_") and not named:
                        if entry.name not in BUILD_FOLDERS and holds_pages(path):
                            site.notices.append(Diagnostic(
                                f"{rel}/ is not published: {site.kind.capitalize()} leaves out folders whose name "
                                "starts with `_`", path, None, "warning",
                                hint="name it in `include` (or `collections`) in _config.yml to publish it"))
                    else:
                        walk(path, type_)
                elif entry.is_file():
                    if entry.name.startswith("_") and not named:
                        continue
                    source = document(site, path, rel, type_, collections)
                    if source is not None:
                        found.append(source)
                    elif site.kind == HEXO and type_ in ("posts", "drafts") and path.suffix not in PAGES:
                        assets.append((path, rel))

    assets: list[tuple[Path, str]] = []
    walk(site.source, "pages")
    found.extend(post_assets(site, assets))
    found.extend(theme_assets(site, {source.out for source in found}, collections))
    site.notices.extend(theme_notices(site))
    found.sort(key=lambda f: f.rel)
    return found


def post_assets(site: GeneratorSite, assets: list[tuple[Path, str]]) -> list[SourceFile]:
    """Hexo's `post_asset_folder`: `_posts/NAME/` files are published beside the post NAME."""
    if not site.config.get("post_asset_folder"):
        return []
    posts = {str(Path(rel).with_suffix("")): document for rel, document in site.documents.items()}
    published = []
    for path, rel in assets:
        for stem, document in posts.items():
            if rel.startswith(stem + "/") and document.out:
                folder = document.out.rsplit("/", 1)[0] if "/" in document.out else ""
                published.append(SourceFile(path, rel, "file", f"{folder}/{rel[len(stem) + 1:]}".lstrip("/")))
                break
    return published


def theme_assets(site: GeneratorSite, published: set[str], collections: dict) -> list[SourceFile]:
    """An installed theme's `assets/` files, published as if the site had them (its Sass with
    front matter compiled), where the site has no file of the same output path: as Jekyll does."""
    from pysite.jekyll.theme import theme_folder

    theme = theme_folder(site)
    if theme is None or not (theme / "assets").is_dir():
        return []
    prefix = site.source.relative_to(site.root).as_posix()
    found = []
    for path in sorted((theme / "assets").rglob("*")):
        inner = path.relative_to(theme).as_posix()
        if path.is_file() and not any(part.startswith((".", "_")) for part in inner.split("/")):
            source = document(site, path, inner if prefix == "." else f"{prefix}/{inner}", "pages", collections)
            if source is not None and source.out not in published:
                found.append(source)
    return found


def theme_notices(site: GeneratorSite) -> list[Diagnostic]:
    """Once a build: the layouts that a theme outside the repository would give, which pysite's theme gives."""
    theme = site.config.get("remote_theme") or site.config.get("theme")
    if site.kind == HEXO:
        if not theme:
            return []
        return [Diagnostic(f"Hexo theme `{theme}` is not rendered (its templates are not Liquid): pysite's theme "
                           "renders the pages", site.root / "_config.yml", None, "warning")]
    from pysite.jekyll.liquid import layout_path

    missing = set()
    for document in site.documents.values():
        name, seen = document.variables.get("layout"), set()
        while name and str(name).lower() not in ("none", "null", "false") and name not in seen:
            seen.add(name)
            path = layout_path(site, str(name))
            if path is None:
                missing.add(str(name))
                break
            name = (front_matter(path) or {}).get("layout")
    if not missing:
        return []
    origin = f"the theme `{theme}`, which is not in the repository" if theme else "no file of the site"
    return [Diagnostic(f"layouts {', '.join(sorted(missing))} come from {origin}: pysite's theme renders "
                       "the pages that use them", site.root / "_config.yml", None, "warning")]


def as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def matches(rel: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        pattern = pattern.strip("/") if pattern.endswith("/") else pattern.lstrip("/")
        if rel == pattern or rel.startswith(pattern + "/") or fnmatch.fnmatchcase(rel, pattern):
            return True
    return False


def folder_type(name: str, collections: dict[str, dict], kind: str) -> str | None:
    """The document type of a `_NAME` folder: posts, drafts, a collection, or None (not one)."""
    if name == "_posts":
        return "posts"
    if name == "_drafts":
        return "drafts"
    if kind != HEXO and name.startswith("_") and name[1:] in collections:
        return name[1:]
    return None


def holds_pages(folder: Path) -> bool:
    return any(path.suffix in PAGES for path in folder.rglob("*"))


def document(site: GeneratorSite, path: Path, rel: str, type_: str, collections: dict) -> SourceFile | None:
    """A file as a rendered document, or as a copied file (None: not published at all)."""
    suffix = path.suffix.lower()
    if type_ == "posts" and site.kind != HEXO and dated_name(path.stem) is None:
        return None  # Jekyll's posts are named YYYY-MM-DD-title: a README beside them is not one
    variables = front_matter(path)
    rendered = variables is not None or (site.kind == HEXO and suffix in PAGES) or (
        type_ != "pages" and suffix in PAGES)
    if not rendered:
        if type_ in ("posts", "drafts") or (type_ != "pages" and not collections.get(type_, {}).get("output")):
            return None
        return SourceFile(path, rel, "file", site.below_source(rel))
    own = variables or {}
    values = {**site.defaults_for(rel, type_), **own}
    if values.get("published") is False:
        return None  # Jekyll and Hexo leave out what says `published: false`
    values.update(derived(site, path, rel, type_, values))
    if type_ not in ("pages", "posts", "drafts") and not collections.get(type_, {}).get("output"):
        site.documents[rel] = Document(rel, type_, values, "", "")
        return None
    url = document_url(site, rel, type_, values, suffix, collections)
    out = permalink.output_file(url, output_ext(suffix))
    values["url"] = url
    site.documents[rel] = Document(rel, type_, values, url, out)
    return SourceFile(path, rel, "page", out)


def derived(site: GeneratorSite, path: Path, rel: str, type_: str, values: dict[str, Any]) -> dict[str, Any]:
    """What the file name and folders say: a post's date and slug, categories, its type."""
    from pysite.hexo.config import post_slug
    from pysite.page import parse_date

    found: dict[str, Any] = {"collection": type_, "post": type_ in ("posts", "drafts")}
    stem = path.stem
    dated = dated_name(stem)
    date = parse_date(values.get("date"), site.timezone)
    if date is None and dated and type_ != "pages":
        date = dt.datetime(dated[0].year, dated[0].month, dated[0].day, tzinfo=site.timezone)
    if date is None and type_ == "drafts":
        date = dt.datetime.fromtimestamp(path.stat().st_mtime, site.timezone)
    if date is not None:
        found["date"] = date
    if values.get("slug"):
        found["slug"] = str(values["slug"])
    elif site.kind == HEXO and found["post"]:
        found["slug"] = post_slug(site, site.below_source(rel).split("/", 1)[1])
    else:
        found["slug"] = dated[1] if dated and type_ != "pages" else stem
    categories = words(values.get("categories")) + words(values.get("category"))
    if type_ == "posts" and site.kind != HEXO:  # folders above _posts/ are categories too
        above = site.below_source(rel).split("/")[:-1]
        categories = [part for part in above if part != "_posts"] + categories
    found["categories"] = list(dict.fromkeys(categories))
    found["tags"] = words(values.get("tags")) + words(values.get("tag"))
    if type_ == "drafts":
        found["draft"] = True
    if type_ != "pages" and site.kind != HEXO and not values.get("title"):
        found["title"] = " ".join(word.capitalize() for word in found["slug"].split("-"))  # Jekyll's titleize_slug
    return found


def words(value: Any) -> list[str]:
    """Jekyll's categories and tags: a list, or one string of space-separated words."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value if item is not None]
    return str(value).split()


def output_ext(suffix: str) -> str:
    """The extension of what a rendered file is written as: HTML for pages, CSS for Sass."""
    if suffix in PAGES:
        return ".html"
    return ".css" if suffix in SASS else suffix


def document_url(site: GeneratorSite, rel: str, type_: str, values: dict[str, Any], suffix: str,
                 collections: dict) -> str:
    from pysite.hexo.config import hexo_url

    if site.kind == HEXO:
        return hexo_url(site, rel, type_, values)
    inner = site.below_source(rel)
    folder, name = os.path.split(inner)
    basename = os.path.splitext(name)[0]
    values_for = {
        **permalink.date_values(values.get("date")),
        "title": values["slug"], "slug": values["slug"], "name": basename, "basename": basename, "output_ext": output_ext(suffix),
        "categories": "/".join(c.lower() for c in values.get("categories") or ()),
        "collection": type_,
    }
    chosen = values.get("permalink")
    if type_ == "pages":
        values_for["path"] = folder
        if basename == "index" and not chosen:
            return permalink.fill("/:path/", values_for)
        template = str(chosen or permalink.page_template(site.config.get("permalink")))
    else:
        parts = folder.split("/")
        marker = max(i for i, part in enumerate(parts) if part.startswith("_"))
        below = "/".join(parts[marker + 1:])   # the path inside the collection's folder
        values_for["path"] = f"{below}/{basename}" if below else basename
        if type_ in ("posts", "drafts"):
            template = str(chosen or permalink.jekyll_style(site.config.get("permalink")))
        else:
            template = str(chosen or collections.get(type_, {}).get("permalink") or "/:collection/:path:output_ext")
            template = permalink.jekyll_style(template)
    return permalink.fill(template, values_for)
