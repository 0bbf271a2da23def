"""LaTeX math to MathML at build time with KaTeX, so pages need no JavaScript, CDN or font to show math.

Owns what KaTeX is given (labels and numbering commands taken out, numbered amsmath
environments turned into their unnumbered forms, as pysite numbers a display once), what
is done to its MathML for browsers (mathvariant letters as Unicode math letters, a math
font that stretches delimiters, operator spacing), which display equations are numbered
(Franklin's rule on Franklin sites) and the ids labels get. Markdown parsing of `$...$` lives in pysite/markdown.py.

Why KaTeX, through the `pykatex` wheel (KaTeX and the QuickJS engine compiled into one
extension module): Franklin sites are written for KaTeX, so KaTeX itself decides what
renders; it needs no node and no network, and it runs in-process at about half a
millisecond a formula. pysite writes KaTeX's MathML rather than its HTML, which would
need KaTeX's stylesheet and fonts at view time (pages/markdown.md says more).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pykatex


class MathError(ValueError):
    """LaTeX that KaTeX cannot render; the message names the problem."""


@dataclass(frozen=True)
class Numbering:
    """How a display equation is numbered: `label` is the id from `\\label{...}`, if any."""

    numbered: bool
    label: str | None


_LABEL = re.compile(r"\\label\s*\{([^{}]*)\}")
_NO_NUMBER = re.compile(r"\\(?:nonumber|notag)(?![A-Za-z])")
_SHOW = re.compile(r"\\show(?![A-Za-z])")
# `\begin{name}` / `\begin{name*}`, and a `{n}` after it (alignat's column count).
_ENV = re.compile(r"\\(begin|end)\s*\{([A-Za-z]+)(\*?)\}(\{\d+\})?")
# What KaTeX is given instead of environments that would number their rows themselves
# (pysite numbers the whole display once), or that KaTeX lacks (multline, eqnarray),
# starred or not; None drops the wrapper.
_ENV_TARGETS = {
    "equation": None,
    "align": "aligned", "flalign": "aligned", "alignat": "alignedat",
    "gather": "gathered", "multline": "gathered",
    "eqnarray": "array",
}
# Chromium draws MathML with the generic `math` font family, which many systems map to an
# ordinary text font: then no delimiter stretches. These have the OpenType MATH table; the
# last is published with the site (`FONT_FILES`) under its own name, so every reader has one.
MATH_FONTS = "'Latin Modern Math','STIX Two Math','DejaVu Math TeX Gyre',math"
FONT_FILES = ("pysite-math.woff2", "pysite-math-LICENSE.txt")   # in pysite/theme/_fonts, published under css/
_FONT_FACE = ('<style>@font-face{{font-family:"DejaVu Math TeX Gyre";'
              'src:url("{}/css/pysite-math.woff2") format("woff2")}}</style>')
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_MATH_TAG = re.compile(r'<math xmlns="http://www.w3.org/1998/Math/MathML"')
_ANNOTATION = re.compile(r'(<annotation encoding="application/x-tex">).*?(</annotation>)', re.DOTALL)
# KaTeX ends an operator name (\\sin, \\arg, \\max_i) with U+2061, which MathML spaces by
# nothing: browsers draw "sinx", "argmin". TeX puts a thin space there, except before an
# opening delimiter (\\sin(x)); after the scripts when the name has some (\\max_i a_i).
_APPLY = "<mo>\u2061</mo>"
_SCRIPTED_NAME = re.compile(r"<(msub|msup|msubsup|munder|mover|munderover)><mrow><mi>[^<]*</mi><mo>\u2061</mo></mrow>")
_OPENING = re.compile(r"<mo(?: [^>]*)?>[(\[{\u27e8|\u2016\u230a\u2308]")
THIN_SPACE = '<mspace width="0.1667em"></mspace>'
_VARIANT = re.compile(r'<(mi|mn|mo|mtext)([^>]*?) mathvariant="([a-z-]+)"([^>]*)>([^<]*)</\1>')


def label_id(name: str) -> str:
    """The id a `\\label{name}` gets, as Franklin's refstring makes it: lower case, words
    joined by `_`, punctuation dropped ("Equation blah!" -> "equation_blah")."""
    text = re.sub(r"<[a-z/]+>|&#[0-9]+;", "", name)
    text = re.sub(r"[^\w\-\s]", "", text).strip().lower()
    return re.sub(r"\s+", "_", text).replace("__", "_") or "-".join(name.split())


def numbering(tex: str, franklin: bool) -> Numbering:
    """Whether a display equation is numbered. Franklin's rule: every one is, unless it
    says `\\nonumber` or `\\notag` or is a starred environment (`align*`). Elsewhere
    (MathJax's and KaTeX's AMS rule): one with a `\\label` or an unstarred numbered
    environment (`equation`, `align`...) is, unless it says `\\nonumber` or `\\notag`."""
    label = _LABEL.search(tex)
    begins = [m for m in _ENV.finditer(tex) if m.group(1) == "begin" and m.group(2) in _ENV_TARGETS]
    if franklin:
        numbered = not any(m.group(3) for m in begins)
    else:
        numbered = bool(label) or any(not m.group(3) for m in begins)
    return Numbering(numbered and not _NO_NUMBER.search(tex), label_id(label.group(1)) if label else None)


def with_math_font(document: str, prepath: str) -> str:
    """A page that shows math, with the published math font declared in its head."""
    if "<math" not in document:
        return document
    head = _HEAD_END.search(document)
    # Without a head, beside the first formula: never before a doctype, which would mean quirks mode.
    at = head.start() if head else document.index("<math")
    return document[:at] + _FONT_FACE.format(prepath) + document[at:]


@lru_cache(maxsize=4096)
def render_math(tex: str, display: bool) -> str:
    """KaTeX's MathML for `tex` in a `<span class="katex">`; `display` gives display style.

    Raises MathError for LaTeX KaTeX rejects. Cached: the same formulas recur across
    pages and rebuilds.
    """
    source = _ENV.sub(_rewrite_environment, _NO_NUMBER.sub("", _LABEL.sub("", tex)))
    if _SHOW.search(source):  # KaTeX's `\show` prints to the build's terminal: here it shows nothing
        source = "\\def\\show#1{}" + source
    try:
        rendered = pykatex.renderToString(source, displayMode=display, output="mathml", strict="ignore")
    except pykatex.ParseError as error:
        raise MathError(_describe(str(error))) from None
    rendered = _MATH_TAG.sub(rf'\g<0> style="font-family:{MATH_FONTS}"', rendered, count=1)
    # The annotation is the TeX a reader copies: the page's, not what KaTeX was given.
    source_text = html.escape(tex, quote=False)
    rendered = _ANNOTATION.sub(lambda m: m.group(1) + source_text + m.group(2), rendered, count=1)
    return _VARIANT.sub(_apply_variant, _space_operator_names(rendered))


def _space_operator_names(mathml: str) -> str:
    if _APPLY not in mathml:
        return mathml
    spaces, inside_scripts = [], set()  # where thin spaces go; U+2061s of scripted names
    for match in _SCRIPTED_NAME.finditer(mathml):
        inside_scripts.add(match.end() - len("</mrow>"))
        spaces.append(_closing_end(mathml, match.group(1), match.end()))
    spaces += [match.end() for match in re.finditer(_APPLY, mathml) if match.end() not in inside_scripts]
    for at in sorted(spaces, reverse=True):
        if not _OPENING.match(mathml, at):
            mathml = mathml[:at] + THIN_SPACE + mathml[at:]
    return mathml


def _closing_end(mathml: str, tag: str, start: int) -> int:
    """Where the `<tag>` element open at `start` ends, nested ones counted."""
    depth = 1
    for match in re.compile(rf"<(/?){tag}>").finditer(mathml, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end()
    return len(mathml)


def _rewrite_environment(match: re.Match) -> str:
    kind, name = match.group(1), match.group(2)
    if name not in _ENV_TARGETS:
        return match.group(0)
    target = _ENV_TARGETS[name]
    # alignat's `{n}` goes with it to alignedat; anything else's stays (pmatrix{2} is content).
    rest = match.group(4) or ""
    if target is None:
        return rest
    if target == "array":
        return (r"\begin{array}{rcl}" if kind == "begin" else r"\end{array}") + rest
    return rf"\{kind}{{{target}}}" + rest


def _describe(message: str) -> str:
    # "Undefined control sequence: \foo at position 1: \̲f̲o̲o̲" -> the part before the
    # position, whose underlined copy of the source reads badly in a terminal.
    message = re.sub(r"^KaTeX parse error: ", "", message)
    return re.split(r" at position | at end of input", message)[0].strip() or "invalid LaTeX"


# --- mathvariant: browsers draw <mi mathvariant="double-struck">R</mi> as a plain R -----

_VARIANT_NAMES = {
    "bold": "BOLD", "italic": "ITALIC", "bold-italic": "BOLD ITALIC",
    "double-struck": "DOUBLE-STRUCK", "script": "SCRIPT", "bold-script": "BOLD SCRIPT",
    "fraktur": "FRAKTUR", "bold-fraktur": "BOLD FRAKTUR", "sans-serif": "SANS-SERIF",
    "bold-sans-serif": "SANS-SERIF BOLD", "sans-serif-italic": "SANS-SERIF ITALIC",
    "sans-serif-bold-italic": "SANS-SERIF BOLD ITALIC", "monospace": "MONOSPACE",
}
# Text keeps its letters (search and copy read them) and gets the style instead.
_TEXT_STYLES = {
    "bold": "font-weight:bold", "italic": "font-style:italic",
    "bold-italic": "font-weight:bold;font-style:italic", "monospace": "font-family:monospace",
    "sans-serif": "font-family:sans-serif",
}


def _apply_variant(match: re.Match) -> str:
    tag, before, variant, after, text = match.groups()
    if variant == "normal":
        return match.group(0)
    if tag == "mtext":
        style = _TEXT_STYLES.get(variant)
        return f'<mtext{before}{after} style="{style}">{text}</mtext>' if style else match.group(0)
    letters = "".join(math_letter(char, variant) for char in html.unescape(text))
    return f"<{tag}{before}{after}>{html.escape(letters, quote=False)}</{tag}>"


@lru_cache(maxsize=2048)
def math_letter(char: str, variant: str) -> str:
    """`char` as the Unicode mathematical letter of `variant` ("R", "double-struck" -> "ℝ");
    `char` itself where Unicode has none."""
    prefix = _VARIANT_NAMES.get(variant)
    name = unicodedata.name(char, "")
    found = re.fullmatch(r"(?:LATIN|GREEK) (CAPITAL|SMALL) LETTER (\w+)|(DIGIT \w+)", name)
    if prefix is None or found is None:
        return char
    letter = found.group(3) or f"{found.group(1)} {found.group(2)}"
    # Letters Unicode encoded before the mathematical block keep their older names
    # (ℝ is DOUBLE-STRUCK CAPITAL R, ℭ BLACK-LETTER CAPITAL C, ℎ PLANCK CONSTANT).
    for candidate in (f"MATHEMATICAL {prefix} {letter}", f"{prefix} {letter}",
                      f"{prefix.replace('FRAKTUR', 'BLACK-LETTER')} {letter}"):
        try:
            return unicodedata.lookup(candidate)
        except KeyError:
            pass
    return "\u210e" if (variant, char) == ("italic", "h") else char
