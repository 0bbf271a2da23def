"""What Jekyll's kramdown and Hexo's marked write differently from pysite's Markdown: typographic
quotes, dashes and ellipses (kramdown's smart quotes, marked's smartypants), headings without
pysite's `#` permalink (marked's empty `headerlink` before the text, with Hexo's ids),
kramdown's footnote markup, Hexo's captioned code fences, and marked's `<hr>`, `<br>` and `<img>` without XHTML's ` />`.

On for pages whose parse sets `env["renderer"]` (GeneratorSite.renderer: "kramdown" or
"marked"); other pages keep pysite's rules, which each rule here falls back to.
"""

from __future__ import annotations

import re
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.smartquotes import process_inlines

KRAMDOWN, MARKED = "kramdown", "marked"
DASHES = re.compile(r"-{2,3}|\.\.\.")
SYMBOLS = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}


def markup_plugin(md: MarkdownIt) -> None:
    """Use after pysite's own rules (and the footnote plugin's), which it falls back to."""
    md.core.ruler.push("generator_typography", typography)
    md.core.ruler.push("hexo_heading_ids", hexo_heading_ids)
    both = (KRAMDOWN, MARKED)
    for name, rule, renderers in (
            ("heading_open", heading_open, both), ("heading_close", heading_close, both),
            ("footnote_ref", footnote_ref, (KRAMDOWN,)), ("footnote_block_open", footnote_block_open, (KRAMDOWN,)),
            ("footnote_block_close", footnote_block_close, (KRAMDOWN,)),
            ("footnote_open", footnote_open, (KRAMDOWN,)), ("footnote_anchor", footnote_anchor, (KRAMDOWN,))):
        md.add_render_rule(name, fallback(md, name, rule, renderers))
    md.add_render_rule("fence", fallback(md, "fence", captioned_fence(md.renderer.rules["fence"]), (MARKED,)))
    for name in ("hr", "hardbreak", "image"):  # marked writes HTML's void elements as HTML does
        md.add_render_rule(name, fallback(md, name, html_void(md.renderer.rules.get(name)), (MARKED,)))


def fallback(md: MarkdownIt, name: str, rule, renderers: tuple[str, ...]):
    """`rule` on the pages of these renderers, the rule it replaces on any other."""
    before = md.renderer.rules.get(name)

    def render(self, tokens, idx, options, env):
        if env.get("renderer") in renderers:
            return rule(self, tokens, idx, options, env)
        if before is not None:
            return before(tokens, idx, options, env)
        return self.renderToken(tokens, idx, options, env)
    return render


def typography(state: StateCore) -> None:
    """Curly quotes and apostrophes, en and em dashes, ellipses, in text (never in code)."""
    if not state.env.get("renderer"):
        return
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        process_inlines(token.children, state)
        for child in token.children:
            if child.type == "text" and ("--" in child.content or "..." in child.content):
                child.content = DASHES.sub(lambda m: SYMBOLS[m[0]], child.content)


def hexo_slug(text: str) -> str:
    """hexo-util's slugize, as hexo-renderer-marked names headings: accents dropped, runs of
    spaces and punctuation to one `-`, case kept."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[\u0000-\u001f]", "", text)
    text = re.sub(r"[\s~`!@#$%^&*()\-_+=\[\]{}|\\;:\"'<>,.?/]+", "-", text)
    return text.strip("-")


def hexo_heading_ids(state: StateCore) -> None:
    """Hexo's heading ids: the slug, then `-1`, `-2`... for the ones met again."""
    if state.env.get("renderer") != MARKED:
        return
    seen: dict[str, int] = {}
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            text = "".join(child.content for child in tokens[index + 1].children or ()
                           if child.type in ("text", "code_inline"))
            slug = hexo_slug(text)
            if slug in seen:
                seen[slug] += 1
                slug = f"{slug}-{seen[slug] - 1}"
            else:
                seen[slug] = 1
            token.attrSet("id", slug)


def html_void(before):
    def render(self, tokens, idx, options, env) -> str:
        html = before(tokens, idx, options, env) if before is not None else self.renderToken(tokens, idx, options, env)
        return html.replace(" />", ">", 1) if html.rstrip().endswith("/>") else html
    return render


def captioned_fence(before):
    """Hexo's ```` ```lang title [url [link text]] ````: the code in a figure with that caption."""
    def render(self, tokens, idx, options, env) -> str:
        from pysite.hexo.tags import figcaption

        token = tokens[idx]
        words = token.info.split()
        if len(words) < 2 or token.meta.get("is_cell"):
            return before(tokens, idx, options, env)
        info, token.info = token.info, words[0]
        try:
            code = before(tokens, idx, options, env)
        finally:
            token.info = info
        return f'<figure class="highlight {escapeHtml(words[0])}">{figcaption(words[1:])}{code}</figure>\n'
    return render


def heading_open(self, tokens, idx, options, env) -> str:
    html = self.renderToken(tokens, idx, options, env)
    ident = tokens[idx].attrGet("id")
    if env["renderer"] != MARKED or not ident:
        return html  # kramdown writes the heading alone
    title = escapeHtml("".join(child.content for child in tokens[idx + 1].children or () if child.type == "text"))
    return f'{html}<a href="#{escapeHtml(ident)}" class="headerlink" title="{title}"></a>'


def heading_close(self, tokens, idx, options, env) -> str:
    return f"</{tokens[idx].tag}>\n"


# kramdown's footnotes: a marker `1` linking to `#fn:NAME`, the notes in a div at the end.

def note_name(tokens, idx) -> str:
    meta = tokens[idx].meta
    return escapeHtml(str(meta.get("label") or meta["id"] + 1))


def footnote_ref(self, tokens, idx, options, env) -> str:
    name = note_name(tokens, idx)
    return (f'<sup id="fnref:{name}" role="doc-noteref"><a href="#fn:{name}" class="footnote" rel="footnote">'
            f'{tokens[idx].meta["id"] + 1}</a></sup>')


def footnote_block_open(self, tokens, idx, options, env) -> str:
    return '<div class="footnotes" role="doc-endnotes">\n<ol>\n'


def footnote_block_close(self, tokens, idx, options, env) -> str:
    return "</ol>\n</div>\n"


def footnote_open(self, tokens, idx, options, env) -> str:
    return f'<li id="fn:{note_name(tokens, idx)}" role="doc-endnote">\n'  # its own line, as kramdown writes it


def footnote_anchor(self, tokens, idx, options, env) -> str:
    return f' <a href="#fnref:{note_name(tokens, idx)}" class="reversefootnote" role="doc-backlink">&#8617;</a>'
