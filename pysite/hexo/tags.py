"""Hexo's tag plugins, as Liquid tags: `note`, `codeblock`/`code`, `blockquote`, `pullquote`,
`youtube`, `vimeo`, `iframe`, `img`, `link`, `post_link`, `post_path`, `asset_img`,
`asset_link`, `asset_path`, `include_code`, `gist`, `jsfiddle`, `url_for`, `full_url_for`.

Block tags' HTML is written on one line (pysite.jekyll.tags.one_line), so the Markdown that
follows keeps it whole, as Hexo protects its tags' output from its Markdown renderer.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from pysite.highlight import highlight
from pysite.jekyll.tags import expand_variables, one_line, relative_url

ARGUMENT = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'|(\S+)')


def arguments(markup: str, context: Any) -> list[str]:
    """The tag's arguments: words, or quoted phrases, as Hexo splits them."""
    markup = expand_variables(markup, context)
    return [next(group for group in match.groups() if group is not None) for match in ARGUMENT.finditer(markup)]


def markdown(text: str, context: Any) -> str:
    from pysite.jekyll.filters import markdownify
    from pysite.jekyll.render import restore

    return markdownify(restore(context.env, text).strip("\n"), context.env.site)


def escape(text: Any) -> str:
    return html.escape(str(text), quote=True)


def note(markup: str, body: str, context: Any) -> str:
    words = arguments(markup, context)
    kind = words.pop(0) if words else "default"
    title = f'<strong class="note-title">{escape(" ".join(words))}</strong>' if words else ""
    return one_line(f'<blockquote class="note {escape(kind)}">{title}{markdown(body, context)}</blockquote>')


def codeblock(markup: str, body: str, context: Any) -> str:
    """`{% codeblock [title] [lang:language] [url] [link text] %}`."""
    words = arguments(markup, context)
    lang = next((w.split(":", 1)[1] for w in words if w.startswith("lang:")), None)
    words = [w for w in words if ":" not in w or w.startswith(("http://", "https://"))]
    caption = figcaption(words)
    from pysite.jekyll.render import restore

    code = highlight(restore(context.env, body).strip("\n") + "\n", lang)
    return one_line(f'<figure class="highlight{" " + escape(lang) if lang else ""}">{caption}{code}</figure>')


def figcaption(words: list[str]) -> str:
    """A code block's caption, as `codeblock` and Hexo's captioned fences write it: `title
    [url [link text]]`."""
    url = next((w for w in words if w.startswith(("http://", "https://", "/"))), None)
    if url:
        at = words.index(url)
        title, link_text = " ".join(words[:at]), " ".join(words[at + 1:]) or "link"
        return f'<figcaption><span>{escape(title)}</span><a href="{escape(url)}">{escape(link_text)}</a></figcaption>'
    return f"<figcaption><span>{escape(' '.join(words))}</span></figcaption>" if words else ""


def blockquote(markup: str, body: str, context: Any) -> str:
    """`{% blockquote [author[, source]] [link] [source_link_title] %}`."""
    words = arguments(markup, context)
    link = next((w for w in words if w.startswith(("http://", "https://"))), None)
    before = " ".join(words[: words.index(link)] if link else words)
    author, _, source = before.partition(",")
    footer = ""
    if author.strip():
        cite = source.strip()
        if link:
            title = " ".join(words[words.index(link) + 1:]) or cite or link
            cite = f'<a href="{escape(link)}">{escape(title)}</a>'
        else:
            cite = escape(cite)
        footer = f"<footer><strong>{escape(author.strip())}</strong>{f'<cite>{cite}</cite>' if cite else ''}</footer>"
    return one_line(f"<blockquote>{markdown(body, context)}{footer}</blockquote>")


def pullquote(markup: str, body: str, context: Any) -> str:
    classes = " ".join(arguments(markup, context))
    return one_line(f'<blockquote class="pullquote {escape(classes)}">{markdown(body, context)}</blockquote>')


def video(host: str):
    def embed(markup: str, context: Any) -> str:
        words = arguments(markup, context)
        return (f'<div class="video-container"><iframe src="{host}{escape(words[0])}" frameborder="0" '
                'loading="lazy" allowfullscreen></iframe></div>')
    return embed


def iframe(markup: str, context: Any) -> str:
    words = arguments(markup, context) + ["100%", "300"]
    return (f'<iframe src="{escape(words[0])}" width="{escape(words[1])}" height="{escape(words[2])}" '
            'frameborder="0" loading="lazy" allowfullscreen></iframe>')


def img(markup: str, context: Any) -> str:
    """`{% img [class names] /path/to/image [width] [height] '"title text" "alt text"' %}`."""
    words = arguments(markup, context)
    at = next((i for i, w in enumerate(words) if w.startswith(("/", "http://", "https://", "."))), 0)
    classes, src, rest = words[:at], words[at], words[at + 1:]
    sizes = [w for w in rest if re.fullmatch(r"\d+%?(px)?", w)]
    text = " ".join(w for w in rest if w not in sizes)
    titles = re.findall(r'"([^"]*)"', text) or ([text] if text else [])
    attrs = {"class": " ".join(classes), "src": url_of(context, src),
             "width": sizes[0] if sizes else "", "height": sizes[1] if len(sizes) > 1 else "",
             "title": titles[0] if titles else "", "alt": titles[1] if len(titles) > 1 else (titles[0] if titles else "")}
    return "<img " + " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items() if v) + ">"


def link(markup: str, context: Any) -> str:
    """`{% link text url [external] [title] %}`."""
    words = arguments(markup, context)
    at = next((i for i, w in enumerate(words) if "/" in w or w.startswith("#")), len(words) - 1)
    text, url = " ".join(words[:at]), words[at]
    external = len(words) > at + 1 and words[at + 1] == "true"
    target = ' target="_blank" rel="noopener"' if external else ""
    return f'<a href="{escape(url_of(context, url))}"{target}>{escape(text or url)}</a>'


def find_post(context: Any, name: str) -> Any:
    site = context.env.site
    for rel, document in site.documents.items():
        if document.type in ("posts", "drafts") and name in (Path(rel).stem, document.variables.get("slug"),
                                                              site.below_source(rel)):
            return document
    raise ValueError(f"no post named {name!r}")


def post_path(markup: str, context: Any) -> str:
    return relative_url(context.env.prepath, find_post(context, arguments(markup, context)[0]).url)


def post_link(markup: str, context: Any) -> str:
    """`{% post_link slug [title] %}`: a link to the post, with its title unless another is given."""
    words = arguments(markup, context)
    words = [w for w in words if w not in ("true", "false")]
    document = find_post(context, words[0])
    title = " ".join(words[1:]) or str(document.variables.get("title") or words[0])
    href = relative_url(context.env.prepath, document.url)
    return f'<a href="{escape(href)}" title="{escape(title)}">{escape(title)}</a>'


def asset_url(context: Any, name: str) -> str:
    """A file of the post's asset folder, published beside the post."""
    page_url = str(context.resolve("page").get("url") or "/")
    folder = page_url if page_url.endswith("/") else page_url.rsplit("/", 1)[0] + "/"
    return relative_url(context.env.prepath, folder + name)


def asset_img(markup: str, context: Any) -> str:
    words = arguments(markup, context)
    at = next((i for i, w in enumerate(words) if "." in w), 0)
    name, rest = words[at], " ".join(words[at + 1:])
    title = re.findall(r'"([^"]*)"', rest) or ([rest] if rest else [])
    alt = f' alt="{escape(title[-1])}"' if title else ""
    titled = f' title="{escape(title[0])}"' if title else ""
    return f'<img src="{escape(asset_url(context, name))}"{titled}{alt}>'


def asset_link(markup: str, context: Any) -> str:
    words = arguments(markup, context)
    title = " ".join(w for w in words[1:] if w not in ("true", "false")) or words[0]
    return f'<a href="{escape(asset_url(context, words[0]))}" title="{escape(title)}">{escape(title)}</a>'


def asset_path(markup: str, context: Any) -> str:
    return asset_url(context, arguments(markup, context)[0])


def include_code(markup: str, context: Any) -> str:
    """`{% include_code [title] [lang:language] [from:N] [to:N] path %}`: a file of `code_dir`."""
    site = context.env.site
    words = arguments(markup, context)
    options = dict(w.split(":", 1) for w in words if re.match(r"^(lang|from|to):", w))
    words = [w for w in words if not re.match(r"^(lang|from|to):", w)]
    path = words[-1]
    folder = site.source / str(site.config.get("code_dir") or "downloads/code")
    lines = (folder / path).read_text(encoding="utf-8").split("\n")
    start, end = int(options.get("from", 1)), int(options.get("to", len(lines)))
    title = " ".join(words[:-1]) or Path(path).name
    href = relative_url(context.env.prepath, f"/{site.config.get('code_dir') or 'downloads/code'}/{path}")
    caption = f'<figcaption><span>{escape(title)}</span><a href="{escape(href)}">view raw</a></figcaption>'
    code = highlight("\n".join(lines[start - 1:end]) + "\n", options.get("lang"))
    return one_line(f'<figure class="highlight">{caption}{code}</figure>')


def url_for(markup: str, context: Any, full: bool = False) -> str:
    words = arguments(markup, context)
    text, path = (" ".join(words[:-1]), words[-1]) if len(words) > 1 else (words[0], words[0])
    href = url_of(context, path)
    if full:
        href = str(context.env.site.config.get("url") or "").rstrip("/") + href
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def url_of(context: Any, path: str) -> str:
    return path if not path.startswith("/") else relative_url(context.env.prepath, path)


INLINE = {
    "youtube": video("https://www.youtube.com/embed/"), "vimeo": video("https://player.vimeo.com/video/"),
    "iframe": iframe, "img": img, "image": img, "link": link, "post_link": post_link, "post_path": post_path,
    "asset_img": asset_img, "asset_image": asset_img, "asset_link": asset_link, "asset_path": asset_path,
    "include_code": include_code,
    "gist": lambda markup, context: f'<script src="https://gist.github.com/{escape(arguments(markup, context)[0])}.js"></script>',
    "jsfiddle": lambda markup, context: iframe(f"https://jsfiddle.net/{arguments(markup, context)[0]}/embedded/", context),
    "url_for": url_for, "full_url_for": lambda markup, context: url_for(markup, context, full=True),
}
BLOCKS = {"note": note, "codeblock": codeblock, "code": codeblock, "blockquote": blockquote,
          "quote": blockquote, "pullquote": pullquote}
