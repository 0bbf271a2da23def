"""pysite.highlight's Julia lexer: Pygments' own rules with its name classes written as their
complements (made in a fraction of the time), which must lex every text as Pygments' lexer does."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings, strategies as st
from pygments.lexers.julia import JuliaLexer

from pysite import highlight

ROOT = Path(__file__).resolve().parent.parent
EVERY_CHARACTER = "".join(map(chr, range(0x110000)))


def test_the_classes_hold_the_same_characters():
    for slow, same in highlight._SAME_CLASSES:
        assert re.sub(slow, "", EVERY_CHARACTER) == re.sub(same, "", EVERY_CHARACTER)


def test_every_class_is_rewritten():
    # Pygments' rules still write the classes so (else the rewrite does nothing and this fails), and
    # none is left in pysite's lexer.
    def patterns(lexer):
        return [item[0] for items in lexer.tokens.values() for item in items
                if isinstance(item, tuple) and type(item[0]) is str]

    quick = type(highlight.lexer_for("julia"))
    assert quick is not JuliaLexer and issubclass(quick, JuliaLexer)
    for slow, _ in highlight._SAME_CLASSES:
        assert any(slow in pattern for pattern in patterns(JuliaLexer))
        assert not any(slow in pattern for pattern in patterns(quick))


def same_tokens(code: str) -> None:
    assert list(highlight.lexer_for("julia").get_tokens(code)) == list(JuliaLexer().get_tokens(code))


def test_julia_sources_lex_the_same():
    for path in [*sorted((ROOT / "julia").glob("*.jl")), ROOT / "utils.jl"]:
        same_tokens(path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "tests").rglob("*.md")):
        for code in re.findall(r"^```(?:julia|!)[^\n]*\n(.*?)^```", path.read_text(encoding="utf-8"), re.M | re.S):
            same_tokens(code)


PIECES = ["x", "α", "x₁", "é", "∀", "𝛼", "😀", "_", "!", "0", "1.5", "x!", "a.b", "::", "<:", ">:", ":sym", "@m",
          "$", "$(x)", "\"", '"""', "`", "```", "r\"a\"", "'c'", "#", "#=", "=#", "\n", " ", "\t", "(", ")", "{", "}",
          "[", "]", "where", "struct", "mutable struct", "abstract type", "end", "function", "->", "=", "+", "²",
          "′", "¡", "\u00a0", "\u00a1", "\U0010ffff", "\ud7ff", "Int", "true", "nothing"]


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_generated_code_lexes_the_same(code):
    same_tokens(code)
