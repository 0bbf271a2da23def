"""pysite.highlight's Julia rules: Pygments' own with its name classes written as their complements
(compiled in a fraction of the time), which must lex every text as Pygments' rules do. The Julia
console lexer runs a Julia lexer, so these rules, on the code in a session."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from pygments.lexers.julia import JuliaLexer

from pysite import highlight

ROOT = Path(__file__).resolve().parent.parent
EVERY_CHARACTER = "".join(map(chr, range(0x110000)))


class StockJuliaLexer(JuliaLexer):
    """Pygments' Julia lexer with its rules as written: a class of its own compiles them anew."""


def test_the_classes_hold_the_same_characters():
    for slow, same in highlight._SAME_CLASSES:
        assert re.sub(slow, "", EVERY_CHARACTER) == re.sub(same, "", EVERY_CHARACTER)


COMPILED = """
import sys
from pygments.lexers.julia import JuliaLexer
from pysite import highlight
highlight.lexer_for(sys.argv[1])
print(repr([rule[0].__self__.pattern for rules in JuliaLexer._tokens.values() for rule in rules]))
"""


@pytest.mark.parametrize("name", ["julia", "julia-repl", "jldoctest"])
def test_julia_lexers_run_the_quick_rules(name):
    # Pygments' rules still write the classes so (else the rewrite does nothing and this fails), and
    # in a process that asked for a Julia lexer (or the console's, which makes one), none is left in
    # the rules the Julia lexer runs.
    written = [item[0] for items in JuliaLexer.tokens.values() for item in items
               if isinstance(item, tuple) and type(item[0]) is str]
    found = subprocess.run([sys.executable, "-c", COMPILED, name], capture_output=True, text=True, check=True)
    compiled = ast.literal_eval(found.stdout)
    for slow, _ in highlight._SAME_CLASSES:
        assert any(slow in pattern for pattern in written)
        assert compiled and not any(slow in pattern for pattern in compiled)


def same_tokens(code: str) -> None:
    assert list(highlight.lexer_for("julia").get_tokens(code)) == list(StockJuliaLexer().get_tokens(code))


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
