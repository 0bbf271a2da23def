"""Code blocks highlighted with Pygments at build time, and the CSS for them.

`highlight` gives the whole `<pre class="highlight">` element; `stylesheet`
gives light and dark colours scoped under `.highlight`. `reusing` lets a page read again
take its blocks as they were (a rebuild of a page whose code did not change makes no lexer:
Pygments' Python lexer takes ~40 ms to make, its Julia lexers ~25 ms once `_compile_julia_rules`
compiled their rules, 130 ms before).
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from html import escape

from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from pygments.lexer import Lexer

# Pygments is imported where a block is lexed: a rebuild that reuses every block needs none of it.

LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"

# Names people write in fences that Pygments knows under another name.
# Documenter's `jldoctest` blocks are REPL sessions.
_ALIASES = {"jldoctest": "julia-repl"}


@lru_cache(maxsize=1)
def _formatter():
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)  # nowrap: the `<pre><code>` wrapper is ours, so unknown languages look the same


def lexer_for(lang: str) -> Lexer | None:
    """The Pygments lexer for a fence language, or None."""
    name = lang.lower()
    return _lexer(_ALIASES.get(name, name))


@lru_cache(maxsize=None)
def _lexer(name: str) -> Lexer | None:
    # Cached, misses too: a lookup that misses walks every lexer Pygments has.
    from pygments.lexers import find_lexer_class_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = find_lexer_class_by_name(name)
    except ClassNotFound:
        return None
    if lexer.__module__ == "pygments.lexers.julia":
        _compile_julia_rules()
    return lexer()


# Pygments' Julia lexer writes a name's characters as these classes, in 22 rules. Python's re builds
# a class reaching the last code point one character at a time (~65,000 steps), so the lexer took
# 0.13 s to make in every process that highlights Julia. Written as their complements, the same
# classes (the same characters: tests/test_highlight.py) compile at once.
_SAME_CLASSES = (("[a-zA-Z_\u00a1-\U0010ffff]", r"[^\x00-\x40\x5b-\x5e\x60\x7b-\xa0]"),
                 ("[a-zA-Z_0-9!\u00a1-\U0010ffff]", r"[^\x00-\x20\x22-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\xa0]"))


def _compile_julia_rules() -> None:
    """Have Pygments' Julia lexer compile its rules with its classes written as `_SAME_CLASSES`.

    Pygments compiles a lexer class's rules when the class is first made and keeps them on it
    (`_tokens`); the rules of a subclass differing only in those classes are compiled here and kept
    as the Julia lexer's own, so the Julia lexer, and the one the Julia console lexer makes, start at once."""
    from pygments.lexers.julia import JuliaLexer

    if "_tokens" in JuliaLexer.__dict__:
        return   # compiled already

    def rule(item):
        if not (isinstance(item, tuple) and type(item[0]) is str):
            return item   # include(), default() and words() name no such class
        pattern = item[0]
        for slow, same in _SAME_CLASSES:
            pattern = pattern.replace(slow, same)
        return (pattern, *item[1:])

    tokens = {state: [rule(item) for item in items] for state, items in JuliaLexer.tokens.items()}
    same = type(JuliaLexer)("SameJuliaLexer", (JuliaLexer,), {"tokens": tokens, "__module__": __name__})
    same()
    JuliaLexer._tokens = same._tokens


# The blocks of the page being read, by (code, language): as they were, and as they are used now.
_reused: tuple[dict, dict] | None = None


@contextmanager
def reusing(known: dict[tuple[str, str | None], str]) -> Iterator[dict[tuple[str, str | None], str]]:
    """Highlight with the blocks a page had when last read; gives the blocks it uses now."""
    global _reused
    outer, _reused = _reused, (known, {})
    try:
        yield _reused[1]
    finally:
        _reused = outer


def highlight(code: str, lang: str | None) -> str:
    """`<pre class="highlight"><code class="language-LANG">` with token spans;
    unknown or missing languages give the escaped code."""
    if _reused is None:
        return _highlight(code, lang)
    known, used = _reused
    key = (code, lang)
    used[key] = known[key] if key in known else _highlight(code, lang)
    return used[key]


@lru_cache(maxsize=2048)
def _highlight(code: str, lang: str | None) -> str:
    # Cached: lexing is most of a page's render time, and `serve` re-renders the same blocks on every save.
    lexer = lexer_for(lang) if lang else None
    if lexer is not None:
        import pygments

        body = pygments.highlight(code, lexer, _formatter())
    else:
        body = escape(code, quote=False)
    css_class = f' class="language-{escape(lang)}"' if lang else ""
    return f'<pre class="highlight"><code{css_class}>{body}</code></pre>\n'


def stylesheet() -> str:
    """CSS for highlighted code: light by default, dark when the reader's system
    prefers it (unless the page says `data-theme="light"`) or the page says
    `data-theme="dark"`."""
    dark_scopes = ['[data-theme="dark"] .highlight']
    media_scopes = [':root:not([data-theme="light"]) .highlight']
    return "\n".join([
        "/* Pygments: light */",
        _rules(LIGHT_STYLE, [".highlight"]),
        "/* Pygments: dark */",
        _dark_reset(dark_scopes),
        _rules(DARK_STYLE, dark_scopes),
        "@media (prefers-color-scheme: dark) {",
        _dark_reset(media_scopes),
        _rules(DARK_STYLE, media_scopes),
        "}",
        "",
    ])


def _rules(style: str, scopes: list[str]) -> str:
    from pygments.formatters import HtmlFormatter

    css = HtmlFormatter(style=style).get_style_defs(scopes)
    # Pygments also emits unscoped `pre { ... }` and line-number rules: drop them.
    return "\n".join(line for line in css.splitlines() if line.startswith(scopes[0]))


def _dark_reset(scopes: list[str]) -> str:
    # Tokens the light style colours but the dark one leaves alone would keep
    # light colours on a dark background; the dark rules are more specific.
    selector = ", ".join(f"{scope} span" for scope in scopes)
    return f"{selector} {{ color: inherit; background-color: transparent; font-weight: inherit; font-style: inherit }}"
