"""The native fast path of `pysite.markdown.parse`: markdown-it-pyrs (markdown-it in Rust) reads a
page's blocks and inlines, and its tree becomes the tokens markdown-it-py would have made, which
then go through pysite's own core rules and renderer like any other.

Only CommonMark's own constructs, and footnotes, are read natively. `tokens` returns None, and
markdown-it-py reads the page, whenever the page might hold anything pysite reads with a Python rule
(math, tables, inline footnotes, task and definition lists, strikethrough, bare URLs, Franklin's dashes
and line breaks, kramdown's attribute lists), anything the two parsers are known to read apart (comments
in a paragraph, emphasis beside a Unicode symbol), or any rule this module was not written
for. tests/test_native_markdown.py proves the tokens equal on every fixture, the specs' examples
and generated pages.
"""

from __future__ import annotations

import re
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from markdown_it_pyrs import MarkdownIt as NativeMarkdownIt

# The rules of pysite's markdown-it-py parsers this module knows how to stand in for. Any other
# rule (a new plugin) turns the fast path off for that flavour until it is added here, with the
# characters that can start it added to UNSAFE_SOURCE, UNSAFE_LINE or UNSAFE_TEXT.
KNOWN_RULES = {
    "block": {"table", "code", "math_block", "math_bracket_block", "fence", "blockquote", "hr", "list",
              "footnote_def", "reference", "html_block", "heading", "lheading", "deflist", "paragraph"},
    "inline": {"text", "franklin_en_dash", "newline", "math_inline", "math_bracket_inline", "escape", "backticks",
               "strikethrough", "emphasis", "link", "image", "footnote_inline", "footnote_ref", "autolink",
               "html_inline", "entity", "gfm_autolink_www", "gfm_autolink_protocol", "gfm_autolink_email"},
    "inline2": {"balance_pairs", "strikethrough", "emphasis", "fragments_join"},
    "core": {"normalize", "block", "franklin_list_paragraphs", "franklin_reference_paragraphs", "inline",
             "franklin_heading_ids", "github-tasklists",
             "franklin_footnotes", "footnote_tail", "text_join", "franklin_display_math", "number_equations",
             "mark_cells", "franklin_escaped_code", "anchor", "kramdown_attributes", "generator_typography",
             "hexo_heading_ids"},
}
PARSED_HERE = ("normalize", "block", "inline")   # the core rules the native tree replaces
# Anywhere in the page: tables `|`, math `$` and `\[`, inline footnotes `^[`, strikethrough and `~~~`
# fences `~`, task lists `[ ]`, definition lists `:` opening a line; reference definitions `]:` (but
# footnotes' `FOOTNOTE`) and tabs, empty list items and a quote's lazy lines, which the two parsers
# read apart at the edges; and what normalize changes, `\r` and `\0`.
UNSAFE_SOURCE = ("|", "$", "^[", "~", "\t", "\\[", "[ ]", "[x]", "[X]")
# A footnote's definition is read natively when it stands at the top level after a blank line (where
# markdown-it-py's interrupts a paragraph, the native one does not) and is referenced (the native
# tree leaves out the others: `_Tree.definitions` counts them).
FOOTNOTE = re.compile(r"(?<![^\n])\n\[\^[^\]\s]+\]:")   # in "\n" + source
UNSAFE_LINE = re.compile(r"\n(?:[ \t]*:| {0,3}(?:[-*+]|\d+[.)]) *(?:\n|$)| {0,3}>.*\n(?! {0,3}>) *\S)")  # "\n" + source
# In text as the native parser leaves it: GFM's bare links, a `<` markdown-it-py may read as HTML,
# and a backtick no code span took (the two pair the rest of a line's backticks apart).
UNSAFE_TEXT = ("www.", "http:", "https:", "mailto:", "xmpp:", "@", "<", "`")   # in lower case
FRANKLIN_DASH = "--"
# CommonMark 0.31 counts Unicode symbols as punctuation beside `*` and `_`; markdown-it-pyrs does not.
EMPHASIS_RUN = re.compile(r"[*_]+")
BRACKET = re.compile(r"\\\]|[\[\]]")   # an escaped `]` closes nothing
# Franklin has no indented code, but markdown-it-py still reads a line indented four columns as no
# heading, rule or list item (its rules' is_code_block); markdown-it-pyrs without `code` does.
INDENTED = re.compile(r"\n {0,3}[ \t]")   # searched in "\n" + source
CONTAINER_MARKS = " >*+-0123456789.)"   # what may stand before a fence in a quote or list item
# kramdown's attribute lists (Jekyll's and Hexo's pages) are found in a paragraph's source lines,
# which the native tokens do not carry as markdown-it-py's do.
ATTRIBUTE_LIST = "{:"
COMMENT_OR_DECLARATION = "<!"


class NotNative(Exception):
    """The page holds something the native path does not read as markdown-it-py does."""


def native_parser(md: MarkdownIt):
    """The native parser standing in for `md`, or None when `md` has a rule this module does not know."""
    rules = {name: {rule.name for rule in ruler.__rules__ if rule.enabled}
             for name, ruler in (("block", md.block.ruler), ("inline", md.inline.ruler),
                                 ("inline2", md.inline.ruler2), ("core", md.core.ruler))}
    if any(rules[name] - KNOWN_RULES[name] for name in rules):
        return None
    names = ["blockquote", "fence", "heading", "hr", "list", "paragraph", "reference", "lheading", "html_block",
             "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "autolink", "html_inline"]
    if "footnote_def" in rules["block"]:
        names.append("footnote")
    if _reads_indented_code(md):
        names.append("code")
    return NativeMarkdownIt("zero").enable_many(names)


def tokens(native, md: MarkdownIt, body: str, env: dict, franklin: bool) -> list[Token] | None:
    """markdown-it-py's tokens for `body`, read natively, or None when the page must be read by `md`."""
    if native is None or "\r" in body or "\0" in body or (env.get("attribute_lists") and ATTRIBUTE_LIST in body):
        return None
    if not body.isascii() and any(_symbol(body, match.start() - 1) or _symbol(body, match.end())
                                  for match in EMPHASIS_RUN.finditer(body)):
        return None
    limit = md.options["maxNesting"] // 2
    # The source is checked before the native parse, so that a page markdown-it-py reads is parsed
    # once: whole when it can hold no code block (the very check made after the parse), else with
    # what may be code blanked (a page that passes is checked again with the tree's code blocks).
    checked = not _may_hold_code(body, md)
    if _unsafe_source("\n" + (body if checked else _blank_code(body, md)), franklin, limit):
        return None
    tree = _Tree(body, md, franklin, limit)
    try:
        found = tree.block(native.tree(body), 0)
    except NotNative:
        return None
    # Text joined whole: a Python rule sees the text of a paragraph, however the native parser split it.
    text = "".join(tree.texts).lower()
    outside = "\n" + tree.outside_code()
    if (not checked and _unsafe_source(outside, franklin, limit)) or any(
            part in text for part in UNSAFE_TEXT) or (franklin and FRANKLIN_DASH in text) or (
            "]:" in outside and len(tree.definitions) != len(FOOTNOTE.findall(outside))):   # one left out
        return None
    if tree.definitions:
        try:
            found = tree.with_definitions(found, env)
        except NotNative:
            return None
    state = StateCore(body, md, env, found)
    for rule in md.core.ruler.__rules__:
        if rule.enabled and rule.name not in PARSED_HERE:
            rule.fn(state)
    return state.tokens


def _may_hold_code(body: str, md: MarkdownIt) -> bool:
    """Whether `body` may hold a code block: a fence, or where `md` reads indented code, four spaces
    or a tab (the indent of such a block, at a line's start or after a quote's or list's marker)."""
    return "```" in body or "~~~" in body or (_reads_indented_code(md) and ("    " in body or "\t" in body))


def _blank_code(body: str, md: MarkdownIt) -> str:
    """`body` with the lines that may be code emptied: fences' content (a fence after any quote or list
    markers runs to a line of its marker, or to the end), and where `md` reads indented code, indented
    lines. Guessed from lines alone: a wrong guess costs a parse, never a wrong page."""
    lines, fence, indented = body.split("\n"), "", _reads_indented_code(md)
    for i, line in enumerate(lines):
        start = line.lstrip(CONTAINER_MARKS)
        if fence:
            fence = "" if start.startswith(fence) else fence
            lines[i] = line if not fence else ""
        elif start.startswith(("```", "~~~")):
            fence = start[:3]
        elif indented and line.startswith(("    ", "\t")):
            lines[i] = ""
    return "\n".join(lines)


def _reads_indented_code(md: MarkdownIt) -> bool:
    return any(rule.name == "code" and rule.enabled for rule in md.block.ruler.__rules__)


def _unsafe_source(outside: str, franklin: bool, limit: int) -> bool:
    """Whether the source outside code blocks ("\n" + it) may hold what the native path does not read
    as markdown-it-py does. No rule reads inside code, so only the rest counts (the two parsers agree
    up to the first place they part, which is never inside code blocks they both began)."""
    return any(part in outside for part in UNSAFE_SOURCE) or UNSAFE_LINE.search(outside) is not None or (
        "]:" in outside and outside.count("]:") != len(FOOTNOTE.findall(outside))) or (
        franklin and INDENTED.search(outside) is not None) or (
        outside.count("[") >= limit and _bracket_depth(outside) >= limit)


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for match in BRACKET.finditer(text):
        if match.group(0) == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif match.group(0) == "]":
            depth = max(0, depth - 1)
    return deepest


def _symbol(text: str, at: int) -> bool:
    return 0 <= at < len(text) and not text[at].isascii() and unicodedata.category(text[at])[0] == "S"


class _Tree:
    """One native tree turned into tokens: offsets in the tree are bytes of the UTF-8 source."""

    def __init__(self, body: str, md: MarkdownIt, franklin: bool, limit: int):
        self.body = body
        self.raw = body.encode()
        self.md = md
        self.franklin = franklin
        self.at = (0, 0)   # (offset, its line): the tree is walked in source order, so lines are counted on
        self.texts: list[str] = []   # the text nodes' content
        self.code: list[tuple[int, int]] = []   # byte ranges of code blocks' content
        self.definitions: list = []   # the footnote definitions, which the native tree puts at its end
        # markdown-it-py stops reading what nests deeper than maxNesting (blocks, inlines, and `[`
        # inside link text); markdown-it-pyrs does not: such pages, far under half of it, are left to it.
        self.limit = limit

    def outside_code(self) -> str:
        """The source without the content lines of code blocks (fences keep their opening and closing lines)."""
        if not self.code:
            return self.body
        parts, at = [], 0
        for start, end in self.code:
            parts.append(self.raw[at:start])
            at = end
        parts.append(self.raw[at:])
        return b"".join(parts).decode()

    def line(self, offset: int) -> int:
        at, line = self.at
        if offset < at:
            at, line = 0, 0
        line += self.raw.count(b"\n", at, offset)
        self.at = (offset, line)
        return line

    def lines(self, node) -> list[int]:
        start, end = node.srcmap
        return [self.line(start), self.line(max(start, end - 1)) + 1]

    def text(self, start: int, end: int) -> str:
        return self.raw[start:end].decode()

    # --- blocks ---------------------------------------------------------------------------

    def block(self, node, level: int, hidden: bool = False) -> list[Token]:
        out: list[Token] = []
        inlines: list = []   # a tight list item's text, whose paragraph the native tree leaves out
        for child in node.children:
            if child.name == "footnote_ref_anchor":
                continue   # the back link the native renderer writes; footnote_tail makes its own
            if child.name in _INLINE:
                inlines.append(child)
                continue
            if inlines:
                out += self.paragraph(inlines, self.span(inlines), level, True)
                inlines = []
            out += self.one_block(child, level, hidden)
        if inlines:
            out += self.paragraph(inlines, self.span(inlines), level, True)
        return out

    def span(self, inlines: list) -> list[int]:
        start = inlines[0].srcmap[0]
        return [self.line(start), self.line(max(start, inlines[-1].srcmap[1] - 1)) + 1]

    def one_block(self, node, level: int, hidden: bool) -> list[Token]:
        name = node.name
        if level >= self.limit:
            raise NotNative("deep nesting")
        if name == "footnote_container" and level == 0:
            self.definitions = node.children
            return []
        if name == "paragraph":
            return self.paragraph(node.children, self.lines(node), level, hidden)
        if name in ("heading", "lheading"):
            depth = node.meta["level"]
            tag, lines = f"h{depth}", self.lines(node)
            markup = "########"[:depth] if name == "heading" else node.meta["marker"]
            inline_lines = lines if name == "heading" else [lines[0], lines[1] - 1]
            return [Token("heading_open", tag, 1, map=lines, level=level, markup=markup, block=True),
                    self.inline(node.children, inline_lines, level + 1),
                    Token("heading_close", tag, -1, level=level, markup=markup, block=True)]
        if name in ("bullet_list", "ordered_list"):
            return self.list(node, level)
        if name == "blockquote":
            return [Token("blockquote_open", "blockquote", 1, map=self.lines(node), level=level, markup=">",
                          block=True), *self.block(node, level + 1),
                    Token("blockquote_close", "blockquote", -1, level=level, markup=">", block=True)]
        if name == "hr":
            first = self.text(*node.srcmap).strip()[0]
            markup = first * (self.text(*node.srcmap).count(first) + 1)   # as markdown-it-py counts them
            return [Token("hr", "hr", 0, map=self.lines(node), level=level, markup=markup, block=True)]
        if name == "fence":
            return [self.fence(node, level)]
        if name == "code_block":
            self.code.append(tuple(node.srcmap))
            return [Token("code_block", "code", 0, map=self.lines(node), level=level,
                          content=node.meta["content"], block=True)]
        if name == "html_block":
            content = node.meta["content"]
            if node.srcmap[1] == len(self.raw) and not self.raw.endswith(b"\n"):
                content = content.removesuffix("\n")   # markdown-it-py adds no newline the page lacks
            return [Token("html_block", "", 0, map=self.lines(node), level=level, content=content, block=True)]
        raise NotNative(name)

    def paragraph(self, children: list, lines: list[int], level: int, hidden: bool) -> list[Token]:
        return [Token("paragraph_open", "p", 1, map=lines, level=level, block=True, hidden=hidden),
                self.inline(children, lines, level + 1),
                Token("paragraph_close", "p", -1, level=level, block=True, hidden=hidden)]

    def list(self, node, level: int) -> list[Token]:
        ordered = node.name == "ordered_list"
        kind, tag, marker = ("ordered_list", "ol", node.meta["marker"]) if ordered else ("bullet_list", "ul",
                                                                                          node.meta["marker"])
        attrs = {"start": node.meta["start"]} if ordered and node.meta["start"] != 1 else {}
        tight = not any(child.name == "paragraph" for item in node.children for child in item.children)
        out = [Token(f"{kind}_open", tag, 1, attrs=attrs, map=self.lines(node), level=level, markup=marker,
                     block=True)]
        for item in node.children:
            start = item.srcmap[0]
            info = re.match(rb"\s*(\d*)", self.raw[start:start + 12]).group(1).decode() if ordered else ""
            out.append(Token("list_item_open", "li", 1, map=self.lines(item), level=level + 1, markup=marker,
                             info=info, block=True))
            out += self.block(item, level + 2, tight)
            out.append(Token("list_item_close", "li", -1, level=level + 1, markup=marker, block=True))
        out.append(Token(f"{kind}_close", tag, -1, level=level, markup=marker, block=True))
        return out

    def fence(self, node, level: int) -> Token:
        start, end = node.srcmap
        lines = self.text(start, end).split("\n")
        first, last = lines[0].lstrip(" "), lines[-1].rstrip()
        marker = node.meta["marker"] * node.meta["marker_len"]
        # An unclosed fence is reported by markdown-it-py's path (pysite.markdown.fence_reporting_end);
        # so is any whose closing line is not plainly one (indented, or in a container).
        closing = last.lstrip(" ")
        if (len(lines) < 2 or len(last) - len(closing) > 3 or not closing.startswith(marker)
                or closing.strip(marker[0])):
            raise NotNative("unclosed fence")
        self.code.append((self.raw.index(b"\n", start) + 1, self.raw.rindex(b"\n", start, end) + 1))
        info = first.lstrip(marker[0])
        return Token("fence", "code", 0, map=self.lines(node), level=level, markup=first[:len(first) - len(info)],
                     info=info, content=node.meta["content"], block=True)

    # --- footnotes ------------------------------------------------------------------------

    def with_definitions(self, found: list[Token], env: dict) -> list[Token]:
        """The tokens with each footnote definition where it stands, as markdown-it-py's footnote_def
        leaves them, and its references numbered and counted in page order, as its footnote_ref does."""
        definitions = sorted(self.definitions, key=lambda node: node.srcmap[0])   # the native tree's: by number
        labels = [node.meta["label"] for node in definitions]
        if len(set(labels)) != len(labels):
            raise NotNative("a footnote defined twice")
        lines, last = self.body.split("\n"), self.body.count("\n") + (not self.body.endswith("\n"))
        for node in definitions:
            if node.name != "footnote_def" or node.meta.get("inline") or any(
                    child.name not in ("paragraph", "footnote_ref_anchor") for child in node.children):
                raise NotNative(node.name)   # the lines of a list or quote in it end apart (Franklin reads them)
            start = self.line(node.srcmap[0])
            end = self.line(max(node.srcmap[0], node.srcmap[1] - 1)) + 1
            while end < last and not lines[end].strip(" \t"):
                end += 1   # markdown-it-py's map runs on over the blank lines after it
            made = [Token("footnote_reference_open", "", 1, map=[start, end], level=0, meta={"label": node.meta["label"]}),
                    *self.block(node, 1), Token("footnote_reference_close", "", -1, level=0)]
            at = next((i for i, token in enumerate(found) if token.level == 0 and token.nesting >= 0 and token.map
                       and token.map[0] > start), len(found))
            found[at:at] = made
        refs: dict[str, int] = {":" + label: -1 for label in labels}
        notes: dict[int, dict] = {}
        for token in found:
            for child in token.children or () if token.type == "inline" else ():
                if child.type == "footnote_ref":
                    label = child.meta["label"]
                    if refs[":" + label] < 0:
                        refs[":" + label] = len(notes)
                        notes[len(notes)] = {"label": label, "count": 0}
                    number = refs[":" + label]
                    child.meta = {"id": number, "subId": notes[number]["count"], "label": label}
                    notes[number]["count"] += 1
        env["footnotes"] = {"refs": refs, "list": notes}
        return found

    # --- inlines --------------------------------------------------------------------------

    def inline(self, children: list, lines: list[int], level: int) -> Token:
        if children and children[-1].name == "footnote_ref_anchor":
            children = children[:-1]   # as in block()
        start = children[0].srcmap[0] if children else 0
        end = children[-1].srcmap[1] if children else 0
        found: list[Token] = []
        self.inlines(children, found, [0])
        return Token("inline", "", 0, map=lines, level=level, content=self.text(start, end), children=found,
                     block=True)

    def inlines(self, nodes, out: list[Token], level: list[int]) -> None:
        for node in nodes:
            name = node.name
            if name == "text":
                self.texts.append(node.meta["content"])
                out.append(Token("text", "", 0, level=level[0], content=node.meta["content"]))
            elif name == "text_special":
                out.append(Token("text_special", "", 0, level=level[0], content=node.meta["content"],
                                 markup=node.meta["markup"], info=node.meta["info"]))
            elif name in ("em", "strong"):
                markup = node.meta["marker"] * (2 if name == "strong" else 1)
                self.pair(name, name, {}, markup, "", node.children, out, level)
            elif name == "code_inline":
                if b"\n" in self.raw[node.srcmap[0]:node.srcmap[1]]:
                    raise NotNative("code span over two lines")   # markdown-it-py keeps the spaces around the break
                content = "".join(child.meta["content"] for child in node.children)
                out.append(Token("code_inline", "code", 0, level=level[0], content=content,
                                 markup=node.meta["marker"] * node.meta["marker_len"]))
            elif name == "link":
                if not self.md.validateLink(node.meta["url"]):
                    raise NotNative("link markdown-it-py refuses")
                attrs = {"href": node.meta["url"]}
                if "title" in node.meta:
                    attrs["title"] = node.meta["title"]
                self.pair("link", "a", attrs, "", "", node.children, out, level)
            elif name == "autolink":
                self.autolink(node, out, level)
            elif name == "image":
                self.image(node, out, level)
            elif name in ("softbreak", "hardbreak"):
                if name == "hardbreak" and self.franklin and self.raw[node.srcmap[0]:node.srcmap[0] + 1] != b"\\":
                    raise NotNative("trailing spaces: Franklin's line break")
                out.append(Token(name, "br", 0, level=level[0]))
            elif name == "footnote_ref":
                out.append(Token("footnote_ref", "", 0, level=level[0], meta={"label": node.meta["label"]}))
            elif name == "html_inline":
                if node.meta["content"].startswith(COMMENT_OR_DECLARATION):
                    raise NotNative("comment in a paragraph")
                out.append(Token("html_inline", "", 0, level=level[0], content=node.meta["content"]))
            else:
                raise NotNative(name)

    def pair(self, name: str, tag: str, attrs: dict, markup: str, info: str, children, out: list[Token],
             level: list[int]) -> None:
        if level[0] >= self.limit:
            raise NotNative("deep nesting")
        out.append(Token(f"{name}_open", tag, 1, attrs=attrs, level=level[0], markup=markup, info=info))
        level[0] += 1
        self.inlines(children, out, level)
        level[0] -= 1
        out.append(Token(f"{name}_close", tag, -1, level=level[0], markup=markup, info=info))

    def autolink(self, node, out: list[Token], level: list[int]) -> None:
        start, end = node.srcmap
        url = self.text(start + 1, end - 1)
        href = self.md.normalizeLink(node.meta["url"])
        if not self.md.validateLink(href):
            raise NotNative("autolink markdown-it-py refuses")
        out.append(Token("link_open", "a", 1, attrs={"href": href}, level=level[0], markup="autolink", info="auto"))
        out.append(Token("text", "", 0, level=level[0] + 1, content=self.md.normalizeLinkText(url)))
        out.append(Token("link_close", "a", -1, level=level[0], markup="autolink", info="auto"))

    def image(self, node, out: list[Token], level: list[int]) -> None:
        children: list[Token] = []
        self.inlines(node.children, children, [0])
        label = self.text(node.children[0].srcmap[0], node.children[-1].srcmap[1]) if node.children else ""
        attrs = {"src": node.meta["url"], "alt": ""}
        if "title" in node.meta:
            attrs["title"] = node.meta["title"]
        out.append(Token("image", "img", 0, attrs=attrs, level=level[0], children=children or None, content=label))


_INLINE = {"text", "text_special", "em", "strong", "code_inline", "link", "autolink", "image", "softbreak",
           "hardbreak", "html_inline", "footnote_ref"}
