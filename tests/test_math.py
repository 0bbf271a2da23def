"""Math at build time: KaTeX's MathML, made drawable by browsers, numbered as Franklin numbers it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import read, run_pysite
from pysite import markdown
from pysite.math import (THIN_SPACE, MathError, Numbering, label_id, math_letter, numbering, render_math,
                         with_math_font)

FORMULAS = [
    line for line in (Path(__file__).parent / "fixtures" / "math" / "formulas.md").read_text(encoding="utf-8")
    .splitlines()[2:] if line.strip() and not line.startswith("%")
]


@pytest.mark.parametrize("display", [True, False], ids=["display", "inline"])
def test_every_fixture_formula_renders_without_fallback(display):
    page = "\n\n".join(f"$$ {tex} $$" if display else f"Text ${tex}$ text." for tex in FORMULAS)
    env = {}
    html = markdown.render(markdown.parse(page, env, "franklin"), env)
    assert env["warnings"] == []
    assert "math-error" not in html
    assert html.count("<math ") == len(FORMULAS)
    assert 'mathvariant="double-struck"' not in html and 'mathvariant="bold"' not in html


def test_output_is_katex_mathml_with_the_page_source_as_annotation():
    rendered = render_math(r"x \label{a} < y", True)
    assert rendered.startswith('<span class="katex"><math xmlns="http://www.w3.org/1998/Math/MathML" style="font-family:')
    assert 'display="block"' in rendered
    assert '<annotation encoding="application/x-tex">x \\label{a} &lt; y</annotation>' in rendered


def test_letters_are_unicode_math_letters():
    rendered = render_math(r"\mathbb{R} \mathbf{I} \mathcal{L} \mathfrak{C} \mathsf{A} \mathtt{B} \boldsymbol{\mu}", False)
    assert "<mi>ℝ</mi><mi>𝐈</mi><mi>ℒ</mi><mi>ℭ</mi><mi>𝖠</mi><mi>𝙱</mi><mi>𝝁</mi>" in rendered
    assert "mathvariant" not in rendered


@pytest.mark.parametrize("char,variant,letter", [
    ("R", "double-struck", "ℝ"), ("Z", "double-struck", "ℤ"), ("A", "double-struck", "𝔸"),
    ("1", "double-struck", "𝟙"), ("L", "script", "ℒ"), ("e", "script", "ℯ"), ("H", "fraktur", "ℌ"),
    ("g", "fraktur", "𝔤"), ("I", "bold", "𝐈"), ("α", "bold-italic", "𝜶"), ("h", "italic", "ℎ"),
    ("+", "bold", "+"), ("R", "no-such-variant", "R"),
])
def test_math_letter(char, variant, letter):
    assert math_letter(char, variant) == letter


@pytest.mark.parametrize("tex,spaced", [
    (r"\sin x", "<mi>sin</mi><mo>\u2061</mo>" + THIN_SPACE + "<mi>x</mi>"),
    (r"\sin(x)", "<mi>sin</mi><mo>\u2061</mo><mo"),
    (r"\max_i a_i", "<mi>i</mi></msub>" + THIN_SPACE + "<msub><mi>a</mi>"),
    (r"\max_{i_{k}} a", "</msub></msub>" + THIN_SPACE + "<mi>a</mi>"),
])
def test_operator_names_are_followed_by_a_thin_space(tex, spaced):
    assert spaced in render_math(tex, False)


def test_text_keeps_its_letters_and_gets_a_style():
    assert '<mtext style="font-weight:bold">if</mtext>' in render_math(r"\textbf{if}\ x", False)
    assert "<mtext>a&lt;b\u00a0&amp;\u00a0c</mtext>" in render_math(r"\text{a<b \& c}", False)


def test_show_prints_nothing_on_the_terminal(capfd):
    # KaTeX's \show writes to the process's stdout (fuzzing found it): in a page it shows nothing.
    mathml = render_math(r"a \show{b} c", False)
    assert "<mi>a</mi><mi>c</mi>" in mathml and r"a \show{b} c</annotation>" in mathml
    assert capfd.readouterr().out == ""


def test_numbered_environments_are_given_to_katex_unnumbered():
    for tex in (r"\begin{align} a &= b \\ c &= d \end{align}", r"\begin{equation} x \end{equation}",
                r"\begin{gather} a \\ b \end{gather}", r"\begin{alignat}{2} a &= b & c &= d \end{alignat}",
                r"\begin{eqnarray} a &=& b \end{eqnarray}", r"\begin{multline*} a \end{multline*}"):
        rendered = render_math(tex, True)
        assert "(1)" not in rendered  # KaTeX writes no number of its own: the page numbers displays
    assert render_math(r"\begin{align} a &= b \\ c &= d \end{align}", True).count("<mtr>") == 2


@pytest.mark.parametrize("tex,message", [
    (r"x^", "Expected group after '^'"),
    (r"\left( x", "Expected '\\right', got 'EOF'"),
    (r"a & b", "Expected 'EOF', got '&'"),
    (r"\nosuch", "Undefined control sequence: \\nosuch"),
    (r"\frac{a}{b", "Unexpected end of input in a macro argument, expected '}'"),
    (r"\mathbbm{1}", "Undefined control sequence: \\mathbbm"),
])
def test_render_math_raises_math_error_with_katex_message(tex, message):
    with pytest.raises(MathError) as error:
        render_math(tex, False)
    assert str(error.value) == message


@pytest.mark.parametrize("tex,franklin,ams,label", [
    ("x", True, False, None),
    (r"x \label{a}", True, True, "a"),
    (r"x \label{equation blah}", True, True, "equation_blah"),
    (r"\begin{equation} x \end{equation}", True, True, None),
    (r"\begin{equation*} x \end{equation*}", False, False, None),
    (r"\begin{align*} x \end{align*}", False, False, None),
    (r"x \nonumber", False, False, None),
    (r"\begin{align} x \notag \end{align}", False, False, None),
    (r"\begin{pmatrix} x \end{pmatrix}", True, False, None),
])
def test_numbering_is_franklins_on_franklin_sites_and_ams_elsewhere(tex, franklin, ams, label):
    assert numbering(tex, franklin=True) == Numbering(franklin, label)
    assert numbering(tex, franklin=False) == Numbering(ams, label)


@pytest.mark.parametrize("name,ident", [
    ("first", "first"), ("equation blah", "equation_blah"), (" Eq. One! ", "eq_one"),
    ("a  b", "a_b"), ("x-1", "x-1"), ("??", "??"),
])
def test_label_id_is_franklins_refstring(name, ident):
    assert label_id(name) == ident


def test_a_site_with_math_publishes_its_font_and_declares_it_where_math_is(make_site):
    site = make_site({"config.md": '@def prepath = "proj"\n', "index.md": "Euler: $e^{i\\pi} + 1 = 0$.\n",
                      "plain.md": "No math here.\n"})
    result = run_pysite("build", site)
    assert result.returncode == 0, result.stdout + result.stderr
    out = site / "__site"
    page = read(out, "index.html")
    declared = page.index('src:url("/proj/css/pysite-math.woff2") format("woff2")')
    assert declared < page.index("</head>") < page.index("<math")
    assert (out / "css" / "pysite-math.woff2").read_bytes()[:4] == b"wOF2"
    assert "Bitstream" in read(out, "css/pysite-math-LICENSE.txt")
    assert "@font-face" not in read(out, "plain/index.html")

    (site / "index.md").write_text("No math any more.\n")
    assert run_pysite("build", site).returncode == 0
    assert not (out / "css" / "pysite-math.woff2").exists(), "a site without math publishes no font"


def test_the_font_is_declared_in_any_head_and_never_before_a_doctype():
    formula = render_math("x", False)
    upper = with_math_font(f"<!DOCTYPE html><HTML><HEAD><TITLE>t</TITLE></HEAD ><BODY>{formula}", "")
    assert upper.index("@font-face") < upper.index("</HEAD >") < upper.index("<math")
    headless = with_math_font(f"<!doctype html><p>{formula}</p>", "/p")
    assert headless.startswith("<!doctype html><p><span class=\"katex\"><style>@font-face")
    assert 'url("/p/css/pysite-math.woff2")' in headless
    assert with_math_font("<p>no math</p>", "") == "<p>no math</p>"
