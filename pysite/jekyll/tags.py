"""Jekyll's Liquid tags: `include` (with `key=value` parameters), `include_relative`, `highlight`,
`link`, `post_url`, and the gem plugins' `seo` and `feed_meta` as pysite's own head tags.

Each tag is a function of its markup (the text after the tag's name) and the render context;
a block tag also gets its rendered body. `register` makes python-liquid tags of them.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any, Callable

from liquid.ast import BlockNode, Node
from liquid.builtin.expressions import parse_primitive
from liquid.builtin.expressions._tokenize import tokenize
from liquid.exceptions import LiquidError
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG, Token

from pysite.highlight import highlight
from pysite.jekyll import theme

Inline = Callable[[str, Any], str]             # (markup, context) -> HTML
Block = Callable[[str, str, Any], str]         # (markup, body, context) -> HTML


class MarkupNode(Node):
    __slots__ = ("markup", "function", "body")

    def __init__(self, token, markup: str, function: Callable, body: BlockNode | None = None):
        super().__init__(token)
        self.markup, self.function, self.body = markup, function, body
        self.blank = False

    def render_to_output(self, context, buffer) -> int:
        try:
            if self.body is None:
                text = self.function(self.markup, context)
            else:
                inner = io.StringIO()
                self.body.render(context, inner)
                text = self.function(self.markup, inner.getvalue(), context)
        except LiquidError as error:
            error.token = error.token or self.token
            context.env.error(error)
            return False
        except (KeyError, ValueError, IndexError, TypeError) as error:
            context.env.error(LiquidError(f"{{% {self.token.value} %}}: {error}", token=self.token))
            return False
        buffer.write(text)
        return True


def markup_tag(name: str, function: Callable, block: bool) -> type[Tag]:
    """A python-liquid tag that hands its markup (and body) to `function`."""

    class FunctionTag(Tag):
        end = f"end{name}"

        def parse(self, stream: TokenStream) -> Node:
            # The parser moves past the last token a tag reads: leave the stream on it.
            token = stream.current
            markup = ""
            if stream.peek.kind == TOKEN_EXPRESSION:
                next(stream)
                markup = stream.current.value
            if not block:
                return MarkupNode(token, markup, function)
            next(stream)
            body = get_parser(self.env).parse_block(stream, (self.end,))
            stream.expect(TOKEN_TAG, value=self.end)
            return MarkupNode(token, markup, function, body)

    FunctionTag.name, FunctionTag.block = name, block
    FunctionTag.__name__ = f"{name.title()}Tag"
    return FunctionTag


def evaluate(text: str, context: Any) -> Any:
    """A Liquid value written in a tag's markup: a quoted string, a number or a variable path."""
    token = Token(kind=TOKEN_EXPRESSION, value=text, start_index=0, source=text)
    expression = parse_primitive(context.env, TokenStream(tokenize(text, parent_token=token)))
    return expression.evaluate(context)


def expand_variables(text: str, context: Any) -> str:
    """`{{ var }}` inside a tag's markup (`{% include {{ page.kind }}.html %}`), as Jekyll allows."""
    return re.sub(r"\{\{\s*(.*?)\s*\}\}", lambda m: str(evaluate(m[1], context) or ""), text)


PARAMETER = re.compile(r"""([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s]+)""")


def include(markup: str, context: Any, folder: str = "_includes") -> str:
    """`{% include file.html key=value key2="text" %}`: the file with `include.key` set."""
    markup = expand_variables(markup, context)
    name, _, rest = markup.strip().partition(" ")
    parameters = {}
    for key, value in PARAMETER.findall(rest):
        parameters[key] = value[1:-1] if value[:1] in "\"'" else evaluate(value, context)
    site = context.env.site
    if folder == "_includes":  # the site's own, else its installed theme's
        bases = theme.folders(site, "_includes")
        base = next((b for b in bases if (b / name).is_file()), bases[0])
    else:
        base = Path(folder)
    template = context.env.included(base / name)
    buffer = io.StringIO()
    with context.extend({"include": parameters}, template=template):
        template.render_with_context(context, buffer, partial=True)
    return buffer.getvalue()


def include_relative(markup: str, context: Any) -> str:
    page = context.resolve("page")
    folder = context.env.site.source / str(page.get("path", "") if hasattr(page, "get") else "")
    return include(markup, context, str(folder.parent))


def highlight_block(markup: str, body: str, context: Any) -> str:
    """`{% highlight lang linenos %}`: Jekyll's figure around pysite's highlighted code."""
    words = markup.split()
    code = highlight(body.strip("\n") + "\n", words[0] if words else None)
    return one_line(f'<figure class="highlight">{code}</figure>')


def one_line(html_text: str) -> str:
    """A block tag's HTML on one line (newlines as `&#10;`, which `<pre>` shows as newlines): the
    Markdown read after Liquid keeps it whole, where a blank line would end an HTML block."""
    return html_text.strip().replace("\n", "&#10;")


def link(markup: str, context: Any) -> str:
    """`{% link path/to/page.md %}`: the URL of that file (with the site's base URL)."""
    target = expand_variables(markup, context).strip()
    site = context.env.site
    for rel, document in site.documents.items():
        if site.below_source(rel) == target.lstrip("/"):
            return relative_url(context.env.prepath, document.url)
    raise ValueError(f"no page or post at {target!r}")


def post_url(markup: str, context: Any) -> str:
    """`{% post_url 2020-01-14-name %}`: the URL of the post whose file is named so."""
    target = expand_variables(markup, context).strip()
    site = context.env.site
    for rel, document in site.documents.items():
        if document.type == "posts" and Path(rel).stem == Path(target).name:
            return relative_url(context.env.prepath, document.url)
    raise ValueError(f"no post named {target!r}")


def seo(markup: str, context: Any) -> str:
    """jekyll-seo-tag's `{% seo %}`: the page title, description and canonical link."""
    page, site = context.resolve("page"), context.resolve("site")
    site_title = str(site.get("title") or "")
    title = str(page.get("title") or "")
    full = f"{title} | {site_title}" if title and site_title and title != site_title else (title or site_title)
    lines = [f"<title>{html.escape(full)}</title>"] if "title=false" not in markup else []
    description = page.get("description") or site.get("description")
    if description:
        lines.append(f'<meta name="description" content="{html.escape(strip_tags(str(description)))}">')
    url = str(site.get("url") or "")
    if url:
        lines.append(f'<link rel="canonical" href="{html.escape(url + relative_url(context.env.prepath, str(page.get("url") or "/")))}">')
    return "\n".join(lines) + "\n"


def feed_meta(markup: str, context: Any) -> str:
    """jekyll-feed's `{% feed_meta %}`: a link to the site's feed, which pysite writes."""
    href = relative_url(context.env.prepath, "/feed.xml")
    title = html.escape(str(context.resolve("site").get("title") or ""))
    return f'<link type="application/atom+xml" rel="alternate" href="{href}" title="{title}" />'


def strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


def relative_url(prepath: str, path: str) -> str:
    """Jekyll's `relative_url`: the base URL, then the path, with one slash between."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", path) or path.startswith("//"):
        return path
    path = "/" + path.lstrip("/") if path else "/"
    return f"{prepath}{path}"


INLINE: dict[str, Inline] = {"include": include, "include_relative": include_relative, "link": link,
                             "post_url": post_url, "seo": seo, "feed_meta": feed_meta}
BLOCKS: dict[str, Block] = {"highlight": highlight_block}


def register(env: Any, inline: dict[str, Inline], blocks: dict[str, Block]) -> None:
    for name, function in inline.items():
        env.add_tag(markup_tag(name, function, block=False))
    for name, function in blocks.items():
        env.add_tag(markup_tag(name, function, block=True))
