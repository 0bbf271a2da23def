"""Bare URLs and emails linked as GitHub links them (mdit-py-plugins' GFM autolink rules), in
time linear in the paragraph.

The plugin's rules copy the rest of the paragraph at every `:`, `@` and `www.`, and search
all the text pending since the last token for a protocol name: a 1 MB paragraph took
seconds. Each rule here sees only the text a bare link can span: up to the next white space
(where GFM ends one), at most WINDOW characters, and at most BACK characters of pending text
(a protocol name or an email's local part), the rest flushed as the text token it would become.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

WINDOW = 4096   # the longest bare link (one longer is linked up to here)
BACK = 256      # the longest protocol name or email local part looked back at
SPACE = re.compile(r"\s")
RULES = {"gfm_autolink_www": "w", "gfm_autolink_protocol": ":", "gfm_autolink_email": "@"}  # and where each starts


def autolink_plugin(md: MarkdownIt) -> None:
    md.use(gfm_autolink_plugin)
    for name, rule in [(rule.name, rule.fn) for rule in md.inline.ruler.__rules__ if rule.name in RULES]:
        md.inline.ruler.at(name, bounded(rule, RULES[name]))


def bounded(rule, start: str):
    def run(state, silent: bool) -> bool:
        # The plugin's rules never match when only looking ahead (silent).
        if silent or state.src[state.pos] != start:
            return False
        if len(state.pending) > 2 * BACK:  # once per BACK characters at most: linear in all
            tail = state.pending[-BACK:]
            state.pending = state.pending[:-BACK]
            state.pushPending()
            state.pending = tail
        end = min(state.posMax, state.pos + WINDOW)
        space = SPACE.search(state.src, state.pos, end)
        saved = state.posMax
        state.posMax = space.start() if space else end
        try:
            return rule(state, silent)
        finally:
            state.posMax = saved
    return run
