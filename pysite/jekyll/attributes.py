"""kramdown's inline attribute lists: `{: .class #id key="value"}` after a span (a link, image,
emphasis or code) or on the line after a block gives that element the attributes.

On for pages whose parse sets `env["attribute_lists"]` (Jekyll and Hexo sites); the rule
runs on the tokens after inline parsing, so it sees the text the lists were written as.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

LIST = re.compile(r"\{:(?!\w+:)\s*((?:[.#][\w-]+|[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s}]*)|\s+)*)\}")
PART = re.compile(r"\.([\w-]+)|#([\w-]+)|([\w-]+)=(?:\"([^\"]*)\"|'([^']*)'|([^\s}]*))")
SPAN_ENDS = {"link_close": "link_open", "em_close": "em_open", "strong_close": "strong_open", "s_close": "s_open"}
ONE_TOKEN_SPANS = {"image", "code_inline"}


def attributes_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("kramdown_attributes", apply_lists)


def parse_list(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in PART.finditer(text):
        css, ident, key = match[1], match[2], match[3]
        if css:
            found["class"] = f"{found['class']} {css}" if "class" in found else css
        elif ident:
            found["id"] = ident
        elif key:
            found[key] = next((v for v in match.groups()[3:] if v is not None), "")
    return found


def give(token: Token, attributes: dict[str, str]) -> None:
    for key, value in attributes.items():
        if key == "class" and token.attrGet("class"):
            value = f"{token.attrGet('class')} {value}"
        token.attrSet(key, value)


def apply_lists(state: StateCore) -> None:
    if not state.env.get("attribute_lists"):
        return
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "inline" and token.children:
            apply_spans(token.children)
            if block_list(tokens, index):
                continue  # the paragraph was only a list: its tokens are gone, look again here
        index += 1


def apply_spans(children: list[Token]) -> None:
    """`[a](b){: .x}`: a text child that starts with a list, right after a span, gives it the attributes."""
    for at in range(1, len(children)):
        child, before = children[at], children[at - 1]
        if child.type != "text" or not child.content.startswith("{:"):
            continue
        match = LIST.match(child.content)
        if match is None:
            continue
        target = before if before.type in ONE_TOKEN_SPANS else opener(children, at - 1, SPAN_ENDS.get(before.type))
        if target is None:
            continue
        give(target, parse_list(match[1]))
        child.content = child.content[match.end():]


def opener(children: list[Token], close_at: int, open_type: str | None) -> Token | None:
    if open_type is None:
        return None
    depth = 0
    for index in range(close_at, -1, -1):
        kind = children[index].type
        if kind == children[close_at].type:
            depth += 1
        elif kind == open_type:
            depth -= 1
            if depth == 0:
                return children[index]
    return None


def block_list(tokens: list[Token], index: int) -> bool:
    """A paragraph's last line that is a list gives the paragraph (or, alone, the block before it)
    the attributes. True when the paragraph's tokens were removed."""
    inline = tokens[index]
    lines = inline.content.split("\n")
    match = LIST.fullmatch(lines[-1].strip())
    if match is None or index == 0 or tokens[index - 1].type != "paragraph_open":
        return False
    attributes = parse_list(match[1])
    if len(lines) > 1:
        give(tokens[index - 1], attributes)
        drop_last_line(inline)
        return False
    target = block_before(tokens, index - 1)
    if target is not None:
        give(target, attributes)
    del tokens[index - 1:index + 2]   # paragraph_open, inline, paragraph_close
    return True


def drop_last_line(inline: Token) -> None:
    inline.content = inline.content.rsplit("\n", 1)[0]
    children = inline.children
    while children and children[-1].type != "softbreak":
        children.pop()
    if children:
        children.pop()


def block_before(tokens: list[Token], paragraph_open: int) -> Token | None:
    if paragraph_open == 0:
        return None
    last = tokens[paragraph_open - 1]
    if last.nesting == 0:
        return last  # a fence, a code block, a rule
    if last.nesting == -1:
        depth = 0
        for index in range(paragraph_open - 1, -1, -1):
            depth += tokens[index].nesting
            if depth == 0:
                return tokens[index]
    return None
