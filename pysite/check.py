"""`pysite check`: build the site (or read its output) and report broken internal links,
missing anchors and, on request, failing external links, each at the line of the
Markdown source where the link is written.

A link that a layout writes (no source line has it) is reported once, at the first page
showing it, with the number of pages that do.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from pysite.blog.links import origin
from pysite.config import read_config
from pysite.discover import URL_SAFE, discover
from pysite.errors import Diagnostic, PysiteError
from pysite.options import BuildOptions

# (tag, attribute) pairs that point at something the browser loads or follows.
LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("iframe", "src"),
                   ("source", "src"), ("video", "src"), ("video", "poster"), ("audio", "src"), ("embed", "src")}
NOT_CHECKED = ("mailto:", "tel:", "javascript:", "data:")
USER_AGENT = "pysite-check/1 (link checker)"


@dataclass
class CheckOptions:
    site: Path
    out: Path | None = None
    build: bool = True               # build first; False checks the output as it is
    external: bool = False           # also request http(s) links
    timeout: float = 5.0             # seconds per external request
    prepath: str | None = None       # as `build --prepath`


@dataclass
class CheckReport:
    pages: int = 0
    links: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def failed(self) -> bool:
        return bool(self.errors)


@dataclass
class Parsed:
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = Parsed()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.found.ids.add(value)
            elif (tag, name) in LINK_ATTRIBUTES and value.strip():
                self.found.links.append(value.strip())


def parse_html(path: Path) -> Parsed:
    return parse_text(path.read_text(encoding="utf-8", errors="replace"))


def parse_text(html: str) -> Parsed:
    parser = LinkParser()
    tags = plain_start_tags(html)
    if tags is None:
        parser.feed(html)
        parser.close()
    else:
        for tag, attrs in tags:
            parser.handle_starttag(tag, attrs)
    return parser.found


# HTML made only of text without `<` and well-formed tags, none whose content HTMLParser reads as
# text (script, style...): its start tags are read here as HTMLParser reads them (four times
# faster; most pages are such HTML). Any other HTML is left to HTMLParser.
_SPACE = r"[ \t\n]"
_ATTRIBUTE = rf"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:{_SPACE}*={_SPACE}*(?:"([^"<]*)"|'([^'<]*)'|([^ \t\n"'=<>`]+)))?"""
_TAG = rf"<(?:/[a-zA-Z][a-zA-Z0-9]*{_SPACE}*|[a-zA-Z][a-zA-Z0-9]*(?:{_SPACE}+{_ATTRIBUTE})*{_SPACE}*/?)>"
_PLAIN_HTML = re.compile(rf"(?:[^<]++|(?>{_TAG}))*+")   # atomic: linear time, also where it fails
_START_WITH_ATTRIBUTES = re.compile(rf"<([a-zA-Z][a-zA-Z0-9]*)((?:{_SPACE}+{_ATTRIBUTE})+){_SPACE}*/?>")
_ONE_ATTRIBUTE = re.compile(_ATTRIBUTE)
_TEXT_CONTENT = re.compile(r"<(?:script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext)\b",
                           re.IGNORECASE)


def plain_start_tags(text: str) -> list[tuple[str, list[tuple[str, str | None]]]] | None:
    """(tag, attributes) of each start tag with attributes, as HTMLParser reports them (names in
    lower case, values unquoted and unescaped, None without `=`), or None when `text` is not
    plain enough to be read without HTMLParser."""
    if _TEXT_CONTENT.search(text) or not _PLAIN_HTML.fullmatch(text):
        return None
    tags = []
    for start in _START_WITH_ATTRIBUTES.finditer(text):
        found = []
        for match in _ONE_ATTRIBUTE.finditer(start.group(2)):
            value = next((part for part in match.group(2, 3, 4) if part is not None), None)
            found.append((match.group(1).lower(), unescape(value) if value else value))
        tags.append((start.group(1).lower(), found))
    return tags


class Site:
    """The built output: its pages' ids and links, and the source each page came from."""

    def __init__(self, out: Path, files: set[str], sources: dict[str, Path], prepath: str, origin: str = ""):
        self.out = out
        self.files = files            # every file of the output, by relative path
        self.sources = sources
        self.prepath = prepath
        self.origin = origin          # https://host of the site's own URL: such links are internal
        self.parsed: dict[str, Parsed] = {}

    def internal(self, href: str) -> str | None:
        """The site path of a link into this site (relative, rooted, or the site's own URL)."""
        if self.origin and href.startswith(self.origin + self.prepath + "/"):
            return href[len(self.origin):]
        if urlsplit(href).scheme or href.startswith("//"):
            return None
        return href

    def page(self, rel: str) -> Parsed:
        if rel not in self.parsed:
            self.parsed[rel] = parse_html(self.out / rel)
        return self.parsed[rel]

    def url_of(self, rel: str) -> str:
        return f"{self.prepath}/{quote(rel, safe=URL_SAFE)}"

    def resolve(self, rel: str, href: str) -> tuple[str | None, str, str]:
        """(output file or None, fragment, problem) of an internal link on page `rel`."""
        url = urlsplit(urljoin(self.url_of(rel), href))
        path = unquote(url.path)
        if self.prepath and not (path + "/").startswith(self.prepath + "/"):
            return None, url.fragment, f"link outside the site's prepath {self.prepath}/"
        target = path[len(self.prepath):].lstrip("/")
        candidates = [target + "index.html"] if target.endswith("/") or not target else [target, f"{target}/index.html"]
        for candidate in candidates:
            if candidate in self.files:
                return candidate, unquote(url.fragment), ""
        return None, url.fragment, "broken link"


def check_site(options: CheckOptions) -> CheckReport:
    """Build (unless told not to), then check every page of the output."""
    report = CheckReport()
    site = options.site.resolve()
    try:
        config = read_config(site)
    except PysiteError as error:
        report.diagnostics.append(Diagnostic.from_error(error))
        return report
    config.deploy_at(None, options.prepath)
    build_options = BuildOptions(site=site, out=options.out, prepath=options.prepath, link_warnings=False)
    if options.build:
        report.diagnostics.extend(build(build_options))
    out = build_options.output
    if not out.is_dir():
        report.diagnostics.append(Diagnostic(f"no built site at {out}", hint="run `pysite build` first"))
        return report
    sources = {s.out: s.path for s in discover(site, out, config.ignore, config.generator)[0] if s.kind == "page"}
    files = {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()}
    output = Site(out, files, sources, config.prepath, origin({**config.variables, "prepath": config.prepath}))
    pages = sorted(rel for rel in files if rel.endswith(".html"))
    report.pages = len(pages)
    problems, external, report.links = broken_links(output, pages, anchors=True)
    if options.external:
        for url, status in check_external(list(external), options.timeout).items():
            if status:
                problems[(f"external link failed ({status})", url)].extend(external[url])
    report.diagnostics.extend(locate(problems, output, site))
    return report


def broken_links(output: Site, pages: list[str], anchors: bool) -> tuple[dict, dict, int]:
    """The internal links of `pages` that lead nowhere, as (message, href) -> pages (missing
    #anchors too when asked); the external links, as url -> pages; and how many links there were."""
    problems: dict[tuple[str, str], list[str]] = defaultdict(list)
    external: dict[str, list[str]] = defaultdict(list)
    links = 0
    for rel in pages:
        for href in dict.fromkeys(output.page(rel).links):
            links += 1
            if href.lower().startswith(NOT_CHECKED):
                continue
            path = output.internal(href)
            if path is None:
                if urlsplit(href).scheme in ("http", "https", ""):
                    external[urljoin("https:", href)].append(rel)
                continue
            target, fragment, problem = output.resolve(rel, path)
            if anchors and not problem and fragment and target.endswith(".html") \
                    and fragment not in output.page(target).ids:
                problem = "missing anchor"
            if problem:
                problems[(problem, href)].append(rel)
    return problems, external, links


def link_warnings(site: Path, out: Path, config, written: dict[str, tuple[Path, Parsed]], files: set[str]
                  ) -> list[Diagnostic]:
    """What every build says about the pages it wrote (output path -> (source, `parse_text` of its
    body HTML)), with `files` the build's outputs: links and images their own content writes whose
    target is not in the site, as warnings at the source line (`pysite check` also checks the
    links layouts write, and anchors). Only the bodies are read: the layout around them is the
    same on every page."""
    sources = {rel: source for rel, (source, _) in written.items()}
    output = Site(out, files, sources, config.prepath, origin({**config.variables, "prepath": config.prepath}))
    output.parsed = {rel: parsed for rel, (_, parsed) in written.items()}
    problems, _, _ = broken_links(output, sorted(written), anchors=False)
    return [replace(d, severity="warning", hint="`pysite check` lists every broken link and #anchor")
            for d in locate(problems, output, site) if d.line is not None]


def build(options: BuildOptions) -> list[Diagnostic]:
    from pysite.build import Builder

    builder = Builder(options)
    try:
        return builder.build().diagnostics
    finally:
        builder.close()


def locate(problems: dict[tuple[str, str], list[str]], output: Site, site: Path) -> list[Diagnostic]:
    """Each problem at the source line that writes the link, or once at the first page showing it."""
    found = []
    for (message, href), pages in problems.items():
        written = [href, href[len(output.prepath):] if output.prepath and href.startswith(output.prepath + "/") else href]
        located = False
        for rel in pages:
            source = output.sources.get(rel)
            line = find_line(source, written) if source else None
            if line is not None:
                found.append(Diagnostic(f"{message}: {written[1]}", source, line))
                located = True
        if not located:
            first = output.sources.get(pages[0]) or output.out / pages[0]
            where = f" (in the layout, on {len(pages)} pages)" if len(pages) > 1 else ""
            found.append(Diagnostic(f"{message}: {written[1]}{where}", first))
    return sorted(found, key=lambda d: (str(d.path), d.line or 0, d.message))


def find_line(source: Path, written: list[str]) -> int | None:
    """The first line of the source that holds the link target, as written or without the prepath."""
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for target in reversed(dict.fromkeys(written)):  # the prepath-less form is what authors write
        for number, text in enumerate(lines, 1):
            if target in text:
                return number
    return None


def check_external(urls: list[str], timeout: float) -> dict[str, str]:
    """Each URL's problem ("HTTP 404", "timed out", ...) or "" when it answers."""
    import concurrent.futures  # here: a build's link warnings import this module, and never ask the web

    with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1) + 4) as pool:
        return dict(zip(urls, pool.map(lambda url: request(url, timeout), urls)))


def request(url: str, timeout: float) -> str:
    import urllib.error
    import urllib.request

    for method in ("HEAD", "GET"):  # some servers refuse HEAD: ask again with GET
        try:
            req = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(req, timeout=timeout):
                return ""
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in (403, 405, 501):
                continue
            return f"HTTP {error.code}"
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            return "timed out" if "timed out" in str(reason) else str(reason)
    return ""
