"""Markdown as Franklin.jl writes it, on top of pysite's markdown-it: headings, footnotes, tables,
lists, link definitions, display math, line breaks, dashes, escaped code.

Headings (src/converter/markdown/blocks.jl `convert_header`): the id comes from the heading's
HTML (src/utils/misc.jl `refstring`): tags without attributes and numeric entities removed,
every character but ASCII letters, digits, `_`, `-` and spaces dropped, lower case, spaces
to `_`. A repeated id gets `__2`, `__3`... and the heading's text is a link to itself:
`<h2 id="x"><a href="#x" class="header-anchor">`.

Footnotes (`convert_footnote_ref`, `convert_footnote_def`): a reference is
`<sup id="fnref:LABEL"><a href="#fndef:LABEL" class="fnref">[N]</a></sup>`, N counting labels
in the order they are first referenced; a definition is a `<table class="fndef">` where it
is written, not at the end of the page, and one not referenced above it is left out.
Definitions and paragraphs on adjacent lines make one paragraph (Franklin inserts a
definition as text of its line); a definition alone in its paragraph has no `<p>`.

Tables are Julia's Markdown stdlib's (Franklin hands them to `Markdown.parse`, GitHub/table.jl):
a delimiter row of cells of at least three `-`/`:` and a row under it, no table interrupting
a paragraph, a header whose first cell is empty no table, rows split at every `|` not after a
`\\` (in code too; `\\|` is a `|`), and `<table><tr><th align="right">...` on one line, with no
`thead`/`tbody`, each cell aligned (right where the delimiter says nothing).

Every list item holds its text in a paragraph, `<li><p>a</p>`, tight list or not, as
Julia's Markdown writes lists.

A link definition may stand inside a paragraph, which goes on after it (Franklin takes the
line out of the text before Julia's Markdown reads it).

Display math is a block of its own: `$$...$$` within a paragraph ends it there, as Franklin's
display math closes the paragraph it is inserted in (MD_CLOSEP).

Trailing spaces do not break a line (Julia's Markdown has no such hard break; Franklin's is `\\`).

In text, `--` is an en dash `–`, as Julia's Markdown writes it (Common/inline.jl `en_dash`).

Code already written as HTML escapes (an `lx_` function that escaped it, as Franklin's own
documentation does) is shown as those characters, not as the escapes: Franklin's `html_code`
leaves code with one of its escapes and no `<` as it is.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_block import StateBlock, reference, table as gfm_table
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.newline import newline
from markdown_it.token import Token

from pysite.placeholders import raw_html

_TAG = re.compile(r"<[a-z/]+>")
# The escapes Franklin writes (src/utils/html.jl `_htmlescape_chars`), by which it knows escaped code.
_FRANKLIN_ESCAPE = re.compile(r"&(?:lt|gt|quot|amp|#(?:39|96|33|36|37|40|41|61|43|123|125|91|93));")
_ENTITY = re.compile(r"&#[0-9]+;")
_NOT_WORD = re.compile(r"[^a-zA-Z0-9_\-\s]")
_SPACES = re.compile(r"\s+")
_CELL_PIPE = re.compile(r"(?<!\\)\|")
_DEFINITION_LINE = re.compile(r" {0,3}\[[^\]]+\]:")   # a link definition's line, in a paragraph at the top


def refstring(title_html: str) -> str:
    """Franklin's anchor name for a heading or label written as this HTML."""
    text = _TAG.sub("", html.unescape(title_html))
    text = _NOT_WORD.sub("", _ENTITY.sub("", text))
    name = _SPACES.sub("_", text.strip().lower()).replace("__", "_")
    return name or "section"


def title_html(children: list[Token]) -> str:
    """A heading's inline tokens as Franklin's converter writes them, as far as its id depends on it."""
    parts = []
    for child in children:
        if child.type in ("text", "html_inline"):
            parts.append(child.content)
        elif child.type == "code_inline":
            parts.append(f"<code>{escapeHtml(child.content)}</code>")
        elif child.type.startswith("math"):
            parts.append(f"\\({child.content}\\)")
        elif child.type == "link_open":
            parts.append(f'<a href="{child.attrGet("href")}">')
        elif child.type == "image":
            parts.append(f'<img src="{child.attrGet("src")}" alt="{child.content}">')
        elif child.type.endswith(("_open", "_close")):
            parts.append(f"<{'/' if child.type.endswith('_close') else ''}{child.tag}>")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return raw_html("".join(parts))  # a placeholder's tags are two html_inline tokens


def heading_ids(state: StateCore) -> None:
    """Give every heading its Franklin id (after inline parsing: the id depends on the markup)."""
    seen: dict[str, int] = {}
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        ident = refstring(title_html(tokens[i + 1].children or []))
        if ident in seen:
            seen[ident] += 1
            ident = f"{ident}__{seen[ident]}"
        seen.setdefault(ident, 1)
        token.attrSet("id", ident)


def footnotes_in_place(state: StateCore) -> None:
    """Turn each footnote definition referenced above it into Franklin's table where it stands
    (before the footnote plugin would move them all to the end); drop the others, as Franklin's
    `convert_footnote_def` shows only a definition of a label it has met already. Franklin
    inserts a definition in the Markdown as text of its line, so definitions and paragraphs on
    adjacent lines are one paragraph (`paragraph_runs`)."""
    data = state.env.get("footnotes")
    if not data:
        return
    numbers = {label.removeprefix(":"): number for label, number in data.get("refs", {}).items()}
    tokens, blocks, i = state.tokens, [], 0
    referenced: set[str] = set()   # the labels referenced so far: Franklin shows only their definitions
    while i < len(tokens):
        token = tokens[i]
        if token.type in ("inline", "paragraph_open"):
            inline = token if token.type == "inline" else tokens[i + 1]
            referenced.update(child.meta["label"] for child in inline.children or () if child.type == "footnote_ref")
        if token.type == "paragraph_open":
            blocks.append(Block(tokens[i:i + 3], token.map, token.level, False))
            i += 3
            continue
        if token.type != "footnote_reference_open":
            blocks.append(Block([token], None, token.level, False))
            i += 1
            continue
        close = next(j for j in range(i, len(tokens)) if tokens[j].type == "footnote_reference_close")
        label = token.meta["label"]
        number = numbers.get(label, -1) if label in referenced else -1
        made, inner = [], tokens[i + 1:close]
        # its own lines: the plugin's map runs on over the blank lines after it
        lines = [token.map[0], max((t.map[1] for t in inner if t.map), default=token.map[0] + 1)]
        if number >= 0:
            paragraphs = [t for t in inner if t.type in ("paragraph_open", "paragraph_close")]
            if len(paragraphs) == 2:  # one paragraph: its text goes straight in the cell, as Franklin's
                for paragraph in paragraphs:
                    paragraph.hidden = True
            opening = Token("franklin_footnote_open", "table", 1, meta={"label": label, "number": number + 1})
            made = [opening, *inner, Token("franklin_footnote_close", "table", -1)]
        blocks.append(Block(made, lines, token.level, True))
        i = close + 1
    state.tokens = paragraph_runs(blocks)
    data["list"] = {}  # nothing left for the plugin to put at the end


@dataclass
class Block:
    """A piece of the page for `paragraph_runs`: a paragraph's three tokens, a footnote
    definition's (none when it is left out), or any other token (with no lines: it joins nothing)."""
    tokens: list[Token]
    map: list[int] | None
    level: int
    definition: bool


def paragraph_runs(blocks: list[Block]) -> list[Token]:
    """The tokens, each run of paragraphs and footnote definitions on adjacent lines that holds a
    definition made one paragraph, as Franklin's `<p>`: one definition alone has none."""
    out: list[Token] = []
    i = 0
    while i < len(blocks):
        j = i + 1
        while (j < len(blocks) and blocks[j - 1].map and blocks[j].map and blocks[j].map[0] == blocks[j - 1].map[1]
               and blocks[j].level == blocks[j - 1].level):
            j += 1
        run, i = blocks[i:j], j
        if len(run) == 1 or not any(block.definition for block in run):
            out += [token for block in run for token in block.tokens]
            continue
        level = run[0].level
        # not a block token: `<p>` and the first table on one line, as Franklin writes them
        out.append(Token("paragraph_open", "p", 1, map=[run[0].map[0], run[-1].map[1]], level=level))
        for index, block in enumerate(run):
            if block.definition:
                out += block.tokens
            else:
                out.append(block.tokens[1])   # the paragraph's text, in the run's paragraph
                if index + 1 < len(run):
                    out.append(Token("html_block", "", 0, content="\n", level=level, block=True))
        out.append(Token("paragraph_close", "p", -1, level=level, block=True))
    return out


def paragraphs_across_references(state: StateCore) -> None:
    """Join the two paragraphs around link definitions written inside one (`text\\n[id]: url\\nmore`):
    Franklin takes such a line out of the text (`validate_and_store_link_defs!`), and the paragraph
    goes on. The definitions themselves interrupt the paragraph (`reference` with `paragraph` in
    its alternatives, `franklin_plugin`); only definitions' lines lie between the two (paragraphs
at the top level: a container's lines carry its markers)."""
    out: list[Token] = []
    tokens, i, lines = state.tokens, 0, None
    while i < len(tokens):
        token = tokens[i]
        if (token.type == "paragraph_open" and token.level == 0 and len(out) >= 3
                and out[-1].type == "paragraph_close" and out[-3].level == 0 and out[-3].map and token.map):
            lines = lines or state.src.split("\n")
            between = lines[out[-3].map[1]:token.map[0]]
        else:
            between = []
        if between and all(_DEFINITION_LINE.match(line) for line in between):
            out[-3].map[1] = token.map[1]
            out[-2].content += "\n" + tokens[i + 1].content
            i += 3
            continue
        out.append(token)
        i += 1
    state.tokens = out


def escaped_code(state: StateCore) -> None:
    """Unescape the code of fences Franklin takes as escaped already, so it is escaped once."""
    for token in state.tokens:
        if (token.type == "fence" and not token.meta.get("is_cell") and "<" not in token.content
                and _FRANKLIN_ESCAPE.search(token.content)):
            token.content = html.unescape(token.content)


def display_math_blocks(state: StateCore) -> None:
    """Split each paragraph around the display math written inside it."""
    tokens, out = state.tokens, []
    for i, token in enumerate(tokens):
        if token is None:   # the closing paragraph of one split: its parts have their own
            continue
        if token.type != "inline" or i == 0 or tokens[i - 1].type != "paragraph_open" or not any(
                child.type == "math_inline_double" for child in token.children or ()):
            out.append(token)
            continue
        opening = out.pop()
        parts: list[list[Token]] = [[]]
        for child in token.children:
            if child.type == "math_inline_double":
                parts += [[child], []]
            else:
                parts[-1].append(child)
        for part in parts:
            if part and part[0].type == "math_inline_double":
                block = Token("math_block", "math", 0, content=part[0].content, markup="$$", block=True,
                              map=token.map, level=opening.level)
                out.append(block)
                continue
            while part and (part[0].type == "softbreak" or (part[0].type == "text" and not part[0].content.strip())):
                part.pop(0)
            while part and (part[-1].type == "softbreak" or (part[-1].type == "text" and not part[-1].content.strip())):
                part.pop()
            if part:
                if part[0].type == "text":
                    part[0].content = part[0].content.lstrip()
                if part[-1].type == "text":
                    part[-1].content = part[-1].content.rstrip()
                inline = Token("inline", "", 0, children=part, map=token.map, level=token.level)
                out += [Token("paragraph_open", "p", 1, map=token.map, level=opening.level, hidden=opening.hidden,
                              block=True), inline,
                        Token("paragraph_close", "p", -1, level=opening.level, hidden=opening.hidden, block=True)]
        tokens[i + 1] = None
    state.tokens = out


def paragraphs_in_list_items(state: StateCore) -> None:
    """Show the paragraphs markdown-it hides in a tight list's items."""
    containers = []
    for token in state.tokens:
        if token.nesting == 1 and not token.type.startswith("paragraph"):
            containers.append(token.type)
        elif token.nesting == -1 and not token.type.startswith("paragraph"):
            containers.pop()
        elif token.type.startswith("paragraph") and containers and containers[-1] == "list_item_open":
            token.hidden = False


def _render_list_item_open(self, tokens, idx, options, env) -> str:
    return self.renderToken(tokens, idx, options, env).rstrip("\n")   # `<li><p>`, as Julia's Markdown


def newline_without_hard_break(state: StateInline, silent: bool) -> bool:
    """markdown-it's newline, where two trailing spaces are only a soft break."""
    found = newline(state, silent)
    if found and not silent and state.tokens and state.tokens[-1].type == "hardbreak":
        state.tokens[-1].type = "softbreak"
    return found


def en_dash(state: StateInline, silent: bool) -> bool:
    """`--` in text is `–`."""
    if not state.src.startswith("--", state.pos):
        return False
    if not silent:
        state.push("text", "", 0).content = "–"
    state.pos += 2
    return True


def julia_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's table where Julia's Markdown reads one: never interrupting a paragraph
    (`silent` is how markdown-it asks), each delimiter cell three or more of `-` and `:`, and
    at least one row under it; the table ends at the first line without a `|`."""
    if silent or start + 2 >= end:
        return False
    delimiter, first_row = (state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]].strip()
                            for line in (start + 1, start + 2))
    cells = delimiter.strip("|").split("|")
    if "|" not in first_row or not all(len(cell.strip()) >= 3 and not cell.strip().strip("-:") for cell in cells):
        return False
    # Julia splits the header line as written at each `|` not after a `\`: an empty first cell is no table
    header = _CELL_PIPE.split(state.src[state.bMarks[start]:state.eMarks[start]])
    if not (header[1] if header[0] == "" and len(header) > 1 else header[0]).strip():
        return False
    last = start + 2
    while last < end and "|" in state.src[state.bMarks[last]:state.eMarks[last]]:
        last += 1   # the rows are the lines with a `|`: the first without one ends the table
    return gfm_table(state, start, last, silent)


_ALIGN = {"text-align:left": "left", "text-align:center": "center", "text-align:right": "right"}


def _render_cell_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    return f'<{token.tag} align="{_ALIGN.get(token.attrGet("style") or "", "right")}">'


def _render_footnote_ref(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    label = escapeHtml(meta["label"])
    return f'<sup id="fnref:{label}"><a href="#fndef:{label}" class="fnref">[{meta["id"] + 1}]</a></sup>'


def _render_footnote_open(self, tokens, idx, options, env) -> str:
    label, number = escapeHtml(tokens[idx].meta["label"]), tokens[idx].meta["number"]
    return (f'<table class="fndef" id="fndef:{label}">\n<tr>\n'
            f'<td class="fndef-backref"><a href="#fnref:{label}">[{number}]</a></td>\n<td class="fndef-content">')


def _render_footnote_close(self, tokens, idx, options, env) -> str:
    return "</td>\n</tr>\n</table>\n"


def _render_heading_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    ident = escapeHtml(token.attrGet("id") or "")
    return f'<{token.tag} id="{ident}"><a href="#{ident}" class="header-anchor">'


def _render_heading_close(self, tokens, idx, options, env) -> str:
    return f"</a></{tokens[idx].tag}>\n"


def franklin_plugin(md: MarkdownIt) -> None:
    """Franklin's headings, footnotes, tables, lists, dashes and escaped code (use after
    mdit_py_plugins' footnote_plugin and pysite.markdown's mark_cells)."""
    md.core.ruler.after("inline", "franklin_heading_ids", heading_ids)
    md.core.ruler.push("franklin_escaped_code", escaped_code)   # after mark_cells: cells run as written
    md.inline.ruler.after("text", "franklin_en_dash", en_dash)
    md.inline.ruler.at("newline", newline_without_hard_break)
    md.core.ruler.after("block", "franklin_list_paragraphs", paragraphs_in_list_items)
    md.block.ruler.at("reference", reference, {"alt": ["paragraph", "reference"]})
    md.core.ruler.after("block", "franklin_reference_paragraphs", paragraphs_across_references)
    md.core.ruler.before("number_equations", "franklin_display_math", display_math_blocks)
    md.add_render_rule("list_item_open", _render_list_item_open)
    md.core.ruler.before("footnote_tail", "franklin_footnotes", footnotes_in_place)
    md.add_render_rule("heading_open", _render_heading_open)
    md.add_render_rule("heading_close", _render_heading_close)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    md.add_render_rule("franklin_footnote_open", _render_footnote_open)
    md.add_render_rule("franklin_footnote_close", _render_footnote_close)
    md.block.ruler.at("table", julia_table)
    for kind, html_tag in (("table_open", "<table>"), ("table_close", "</table>\n"), ("thead_open", ""),
                           ("thead_close", ""), ("tbody_open", ""), ("tbody_close", ""), ("tr_open", "<tr>"),
                           ("tr_close", "</tr>"), ("th_close", "</th>"), ("td_close", "</td>")):
        md.add_render_rule(kind, lambda self, tokens, idx, options, env, html_tag=html_tag: html_tag)
    md.add_render_rule("th_open", _render_cell_open)
    md.add_render_rule("td_open", _render_cell_open)
