"""Liquid for Jekyll and Hexo sites, by python-liquid: the environment with the generator's tags
and filters, Liquid in page content, and `_layouts/` chained through their front matter.

Unknown tags and filters are warnings at `path:line`: an unknown tag renders nothing (its
body is kept), an unknown filter passes its value through, as Ruby's Liquid does.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from liquid import Environment, Mode
from liquid.exceptions import LiquidError, LiquidSyntaxError, TemplateNotFoundError

from pysite.errors import Diagnostic, TemplateError
from pysite.jekyll import filters, tags, theme
from pysite.jekyll.site import HEXO, GeneratorSite

FRONT_MATTER_LINES = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*\n", re.DOTALL)


class Liquid(Environment):
    """One site's Liquid: problems become warnings instead of exceptions."""

    def __init__(self, site: GeneratorSite, prepath: str):
        super().__init__(tolerance=Mode.LAX)
        self.site = site
        self.prepath = prepath
        self.problems: list[Diagnostic] = []
        self.syntax_errors: list[LiquidError] = []
        self.paths: dict[str, Path] = {}       # template source -> its file, for warnings
        self.parsed: dict[Path, Any] = {}
        self.layouts: dict[str, tuple[dict, Any] | None] = {}
        self.protected: list[str] = []          # the code of the page being read (pysite.jekyll.render)
        self.filters.update(filters.filters(self))
        tags.register(self, tags.INLINE, tags.BLOCKS)
        if site.kind == HEXO:
            from pysite.hexo import tags as hexo_tags

            tags.register(self, hexo_tags.INLINE, hexo_tags.BLOCKS)

    def error(self, exc, msg=None, token=None) -> None:
        if not isinstance(exc, LiquidError):
            exc = exc(msg, token=token)
        exc.token = exc.token or token
        message = str(exc.message if hasattr(exc, "message") else exc)
        name = re.match(r"unexpected tag '(.+)'", message)
        if name and name[1].startswith("end"):
            return  # the end of an unknown block tag: its start is reported
        if name:
            message = f"unknown Liquid tag {{% {name[1]} %}}: left out"
        elif isinstance(exc, LiquidSyntaxError):
            self.syntax_errors.append(exc)  # the template is broken: `template` fails its page
            return
        source = exc.token.source if exc.token is not None else None
        context = exc.context() if exc.token is not None else None
        self.problems.append(Diagnostic(message, self.paths.get(source), context[0] if context else None,
                                        "warning"))

    def template(self, text: str, path: Path | None) -> Any:
        """Parse Liquid. An unknown filter is a warning, and passes its value through from then
        on, as Ruby's Liquid does: the template is parsed again with it."""
        if path is not None:
            self.paths[text] = path
        before = len(self.problems)
        self.syntax_errors.clear()
        try:
            template = self.from_string(text)
        except LiquidError as error:
            self.syntax_errors.append(error)
        if self.syntax_errors:  # the generators stop here too: this page fails, the others build
            error = self.syntax_errors[0]
            raise TemplateError(f"Liquid syntax error: {error.message}", path, error_line(error, text),
                                hint="close every block tag, and wrap text that shows Liquid syntax in "
                                     "{% raw %}...{% endraw %}")
        unknown = {name: spans for name, spans in template.analyze(include_partials=False).filters.items()
                   if name not in self.filters}
        if unknown:
            del self.problems[before:]
            for name, spans in unknown.items():
                self.filters[name] = lambda value, *args, **kwargs: value
                self.problems.append(Diagnostic(f"unknown Liquid filter `{name}`: its value is used as it is",
                                                path, text.count("\n", 0, spans[0].index) + 1, "warning"))
            template = self.from_string(text)
        return template

    def included(self, path: Path) -> Any:
        """An `_includes/` file, parsed once."""
        if path not in self.parsed:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                raise TemplateNotFoundError(f"include {path.name!r} not found in {path.parent.name}/") from None
            self.parsed[path] = self.template(text, path)
        return self.parsed[path]

    def layout(self, name: str) -> tuple[dict, Any] | None:
        """A `_layouts/NAME.html`: its front matter and template, or None when the site has none."""
        if name not in self.layouts:
            path = layout_path(self.site, name)
            if path is None:
                self.layouts[name] = None
            else:
                text = path.read_text(encoding="utf-8")
                match = FRONT_MATTER_LINES.match(text)
                variables = {}
                if match:
                    import yaml

                    try:
                        variables = yaml.safe_load(match[1] or "") or {}
                    except yaml.YAMLError:
                        variables = {}
                    text = "\n" * match.group(0).count("\n") + text[match.end():]  # keep line numbers
                self.layouts[name] = (variables if isinstance(variables, dict) else {}, self.template(text, path))
        return self.layouts[name]

    def warnings(self) -> list[Diagnostic]:
        """The problems met since the last call."""
        found, self.problems = self.problems, []
        return found


def error_line(error: LiquidError, text: str) -> int | None:
    """The line of a syntax error; for a block never closed, the line of its last opening tag."""
    unclosed = re.match(r"expected tag end(\w+)", str(error.message))
    if unclosed:
        openings = list(re.finditer(r"\{%-?\s*" + unclosed[1] + r"\b", text))
        return text.count("\n", 0, openings[-1].start()) + 1 if openings else None
    context = error.context() if error.token is not None and error.token.source == text else None
    return context[0] if context else None


def layout_path(site: GeneratorSite, name: str) -> Path | None:
    """`_layouts/NAME.html` of the site, else of its installed theme."""
    for folder in theme.folders(site, "_layouts"):
        for candidate in (folder / name, folder / f"{name}.html"):
            if candidate.is_file():
                return candidate
    return None


def render(env: Liquid, template: Any, data: dict[str, Any], warnings: list[Diagnostic]) -> str:
    try:
        text = template.render(**data)
    except LiquidError as error:
        env.error(error)
        text = ""
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:  # a filter given odd values
        path = env.paths.get(getattr(template, "source", None))
        warnings.append(Diagnostic(f"Liquid: {type(error).__name__}: {error}", path, None, "warning"))
        text = ""
    warnings.extend(env.warnings())
    return text


def render_content(env: Liquid, text: str, path: Path, page: dict, site: dict,
                   warnings: list[Diagnostic], paginator: dict | None = None) -> str:
    """Liquid in a page's own text, before its Markdown, as Jekyll does."""
    if "{%" not in text and "{{" not in text:
        return text
    return render(env, env.template(text, path), {"page": page, "site": site, "paginator": paginator}, warnings)


def render_layouts(env: Liquid, name: Any, content: str, data: dict[str, Any],
                   warnings: list[Diagnostic]) -> tuple[str, str | None]:
    """The content through its layout and the layouts those name; with the name of the first
    layout the site does not have (a theme's), where pysite's theme takes over."""
    layout_data: dict[str, Any] = {}
    seen = set()
    while is_layout(name) and str(name) not in seen:
        seen.add(str(name))
        found = env.layout(str(name))
        if found is None:
            return content, str(name)
        variables, template = found
        layout_data = {**variables, **layout_data}
        content = render(env, template, {**data, "content": content, "layout": layout_data}, warnings)
        name = variables.get("layout")
    return content, None


def is_layout(name: Any) -> bool:
    return bool(name) and str(name).lower() not in ("none", "null", "false")


def page_object(site: GeneratorSite, rel: str, variables: dict[str, Any], content: str | None = None,
                excerpt: str | None = None) -> dict[str, Any]:
    """A page as Liquid sees it: its variables, Jekyll's url (without the base URL), path, content."""
    document = site.documents.get(rel)
    inner = site.below_source(rel)
    found = {"path": inner, "name": Path(inner).name, "dir": "/" + str(Path(inner).parent).strip("./"),
             "id": (document.url if document else "").removesuffix(".html").rstrip("/"), **variables}
    if document is not None:
        found["url"] = document.url
    if content is not None:
        found["content"] = content
        found["output"] = content
    if excerpt is not None:
        found["excerpt"] = excerpt
    return found


def site_object(site: GeneratorSite, variables: dict[str, Any], pages: list[dict[str, Any]]) -> dict[str, Any]:
    """`site`: _config.yml, `data`, `posts` newest first, `pages`, `categories`, `tags`, collections."""
    from pysite.blog.posts import by_date

    posts = by_date([p for p in pages if p.get("collection") == "posts"])
    found: dict[str, Any] = {**site.config, **variables, "baseurl": variables.get("prepath") and "/" + variables["prepath"],
                             "data": site.data, "posts": posts, "time": dt.datetime.now(site.timezone),
                             "pages": [p for p in pages if p.get("collection") == "pages"],
                             "documents": [p for p in pages if p.get("collection") != "pages"],
                             "html_pages": [p for p in pages if p.get("collection") == "pages"
                                            and str(p.get("url", "")).endswith(("/", ".html"))],
                             "static_files": []}
    for taxonomy in ("categories", "tags"):
        terms: dict[str, list] = {}
        for post in posts:
            for term in post.get(taxonomy) or ():
                terms.setdefault(str(term), []).append(post)
        found[taxonomy] = terms
    collections = []
    for name, settings in site.collections.items():
        docs = posts if name == "posts" else [p for p in pages if p.get("collection") == name]
        collections.append({**settings, "label": name, "docs": docs, "output": bool(settings.get("output"))})
        if name != "posts":
            found[name] = docs
    found["collections"] = collections
    return found
