"""LaTeX math to MathML at build time, so pages need no JavaScript to show math.

Owns the TeX clean-up latex2mathml needs (labels, numbering commands, amsmath
environments it does not know) and the decision whether a display equation is
numbered. Markdown parsing of `$...$` lives in pysite/markdown.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from latex2mathml.converter import convert


class MathError(ValueError):
    """LaTeX that cannot be turned into MathML; the message names the problem."""


@dataclass(frozen=True)
class Numbering:
    """How a display equation is numbered: `label` from `\\label{...}`, if any."""

    numbered: bool
    label: str | None


_LABEL = re.compile(r"\\label\s*\{([^{}]*)\}")
_NO_NUMBER = re.compile(r"\\(?:nonumber|notag)(?![A-Za-z])")
# `\begin{name}` / `\begin{name*}`, and a `{n}` after it (alignat's column count).
_ENV = re.compile(r"\\(begin|end)\s*\{([A-Za-z]+)(\*?)\}(\{\d+\})?")
# Environments that number their equation in LaTeX when not starred.
_NUMBERED_ENVS = {"equation", "align", "alignat", "flalign", "gather", "multline", "eqnarray"}
# What latex2mathml is given instead: `align*` lays out `&` columns without
# numbering rows itself (pysite numbers the whole block once); `array` stacks
# centred rows, which latex2mathml has no `gather` for; None drops the wrapper.
_ENV_TARGETS = {
    "equation": None,
    "align": "align*", "aligned": "align*", "alignat": "align*", "alignedat": "align*",
    "flalign": "align*", "eqnarray": "align*", "split": "align*",
    "gather": "array", "gathered": "array", "multline": "array",
}
_UNKNOWN_COMMAND = re.compile(r"<mi>(\\[A-Za-z]+)")
_MTEXT = re.compile(r"(<mtext[^>]*>)(.*?)(</mtext>)", re.DOTALL)
_RAW_AMP = re.compile(r"&(?!#x[0-9A-Fa-f]+;)")


def numbering(tex: str) -> Numbering:
    """Whether a display equation gets a number: it has a `\\label` or an
    unstarred numbered environment, and no `\\nonumber`/`\\notag`."""
    label = _LABEL.search(tex)
    if _NO_NUMBER.search(tex):
        return Numbering(False, label.group(1).strip() if label else None)
    numbered_env = any(m.group(1) == "begin" and m.group(2) in _NUMBERED_ENVS and not m.group(3)
                       for m in _ENV.finditer(tex))
    return Numbering(bool(label) or numbered_env, label.group(1).strip() if label else None)


@lru_cache(maxsize=4096)
def render_math(tex: str, display: bool) -> str:
    """MathML for `tex`; `display` gives `<math display="block">`.

    Raises MathError for LaTeX latex2mathml rejects, and for what it would
    silently get wrong: unknown commands and `&` outside an alignment.
    Cached: the same formulas recur across pages and rebuilds.
    """
    _check_braces(tex)
    source = _ENV.sub(_rewrite_environment, _NO_NUMBER.sub("", _LABEL.sub("", tex)))
    try:
        mathml = convert(source, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises many kinds, some not its own
        raise MathError(_describe(error)) from None
    unknown = _UNKNOWN_COMMAND.search(mathml)
    if unknown:
        raise MathError(f"unknown LaTeX command {unknown.group(1)}")
    if "<mi>&</mi>" in mathml:
        raise MathError("'&' outside an alignment environment (write \\& for an ampersand)")
    # latex2mathml copies \text{...} verbatim: escape it, or `\text{a<b}` opens a tag.
    return _MTEXT.sub(_escape_mtext, mathml)


def _rewrite_environment(match: re.Match) -> str:
    kind, name = match.group(1), match.group(2)
    if name not in _ENV_TARGETS:
        return match.group(0)
    target = _ENV_TARGETS[name]
    # alignat's `{n}` goes with it; anything else's stays (pmatrix{2} is content).
    rest = "" if name in ("alignat", "alignedat") else (match.group(4) or "")
    if target is None:
        return rest
    if target == "array":
        return (r"\begin{array}{c}" if kind == "begin" else r"\end{array}") + rest
    return rf"\{kind}{{{target}}}" + rest


def _escape_mtext(match: re.Match) -> str:
    text = _RAW_AMP.sub("&amp;", match.group(2)).replace("<", "&lt;").replace(">", "&gt;")
    return match.group(1) + text + match.group(3)


# latex2mathml's exceptions carry no message, only a class name.
_MESSAGES = {
    "NumeratorNotFoundError": "a fraction without a numerator",
    "DenominatorNotFoundError": "a fraction without a denominator",
    "ExtraLeftOrMissingRightError": "\\left without a matching \\right (or the reverse)",
    "MissingSuperScriptOrSubscriptError": "'^' or '_' with nothing after it",
    "DoubleSubscriptsError": "double subscript: write x_{a_b} or {x_a}_b",
    "DoubleSuperscriptsError": "double superscript: write x^{a^b} or {x^a}^b",
    "NoAvailableTokensError": "a command is missing its argument",
    "MissingEndError": "\\begin{...} without its \\end{...}",
    "LimitsMustFollowMathOperatorError": "\\limits must follow an operator such as \\sum",
}


def _describe(error: Exception) -> str:
    name = type(error).__name__
    return _MESSAGES.get(name) or str(error) or f"invalid LaTeX ({name})"


def _check_braces(tex: str) -> None:
    depth = 0
    for char in re.sub(r"\\.", "", tex):  # drop escapes: \{ is a literal brace, \\ a line break
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            raise MathError("a '}' without its '{'")
    if depth:
        raise MathError("a '{' without its '}'")
