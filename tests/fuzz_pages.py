"""Hypothesis strategies for pages: front matter (YAML, TOML, `@def`), Franklin's dialect,
Markdown, and mutations of the test sites' pages; and the property every input must hold:
it builds, or pysite says where it went wrong. Used by tests/test_fuzz.py (a bounded run)
and benchmarks/fuzz_pages.py (a long one)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from pysite.build import Builder
from pysite.options import BuildOptions

SITES = Path(__file__).resolve().parent / "sites"
CONFIG = '+++\ntitle = "Fuzzed"\n+++\n\\newcommand{\\R}{\\mathbb{R}}\n@def authors = ["A", "B"]\n'
OTHER = "# Other\n\nThis page is fine, whatever its neighbour does.\n"

NAMES = st.sampled_from(["title", "date", "tags", "layout", "draft", "cell_timeout", "reeval", "hasmath",
                         "rss", "paginate", "redirect_from", "aliases", "x", "n", "lang", "toc"])
SCALARS = st.one_of(st.text(max_size=12), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.booleans(), st.dates().map(str), st.sampled_from(["2020-01-01 25:00:00", "", "~", "[", "{"]))
YAML_VALUE = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4), max_leaves=8)
JULIA_VALUES = st.sampled_from([
    '"a string"', "42", "-3.5", "1e300", "true", "nothing", '["a", "b"]', "[1, 2", "(1, 2)", '"unclosed',
    'Date(2020, 1, 1)', ":symbol", "[" * 20 + "]" * 20, "[" * 150, "x -> x", '"a" => 1', '"""multi\nline"""',
    "Dict(1 => 2)", ".nan", "[[1, 2], [3]]", '"$x"', "#= comment =# 1",
])
DIALECT = st.sampled_from([
    "\\newcommand{\\a}{A}", "\\newcommand{\\b}[1]{<b>#1</b>}", "\\a", "\\b{x}", "\\b", "\\R", "\\unknown",
    "\\newcommand{\\c}{\\c}", "\\c", "{{fill title}}", "{{fill nothing}}", "{{if x}}", "{{else}}", "{{end}}",
    "{{for x in authors}}", "{{x}}", "{{for x in n}}", "{{isdef title}}", "{{insert nothing.html}}", "{{toc}}",
    "{{redirect /old/}}", "{{taglist}}", "@@note", "@@", "@@a,b", "$x^2$", "$$\\int_0^1 f$$", "$", "$$",
    "\\begin{align}a &= b\\end{align}", "\\begin{nothing}", "\\end{align}", "~~~<b>raw</b>~~~", "~~~",
    "\\output{c1}", "\\show{c1}", "\\textoutput{c1}", "\\input{julia}{x.jl}", "\\fig{/x.png}", "\\label{a}",
    "\\eqref{a}", "\\cite{a}", "\\biblabel{a}{A}", "\\\\", "\\{", "<!-- c -->", "<!--", "<pysite-x></pysite-x>",
    "{{", "}}", "{", "}", "\\", "@def", "+++", "---",
])
MARKDOWN = st.sampled_from([
    "# Heading", "## Sub", "*em*", "**strong**", "_", "`code`", "``", "[link](/x/)", "[ref][r]", "[r]: /r/",
    "![img](/i.png)", "<https://x.org>", "https://x.org/a?b", "www.x.org", "a@b.co", "- item", "1. item",
    "> quote", "| a | b |\n|---|---|\n| 1 | 2 |", "```julia\nx = 1\n```", "```!\n1 + 1\n```",
    "```julia:c1\nprintln(1)\n```", "```", "    indented", "---", "<div>", "</div>", "<b>", "&amp;", "&#0;",
    "[^1]", "[^1]: note", "Term\n: definition", "- [ ] task", "~~strike~~", "<!-- more -->", "\t", "\u00a0",
    "\ufeff", "\u202e", "\0",
])
PIECES = st.one_of(DIALECT, MARKDOWN, st.text(max_size=8), st.sampled_from(["\n", "\n\n", " ", "\r\n"]))


@st.composite
def yaml_front_matter(draw) -> str:
    import yaml

    data = draw(st.dictionaries(NAMES, YAML_VALUE, max_size=5))
    text = yaml.safe_dump(data, allow_unicode=True) if draw(st.booleans()) else "".join(
        f"{name}: {draw(st.text(max_size=15))}\n" for name in data)
    return f"---\n{text}---\n"


@st.composite
def toml_front_matter(draw) -> str:
    values = st.sampled_from(['"t"', "1", "[1, 2]", "2020-01-01", "true", "[", '"x', "1979-05-27T07:32:00Z"])
    lines = [f"{draw(NAMES)} = {draw(values)}" for _ in range(draw(st.integers(0, 4)))]
    return "+++\n" + "\n".join(lines) + "\n+++\n"


@st.composite
def defs(draw) -> str:
    return "".join(f"@def {draw(NAMES)} = {draw(JULIA_VALUES)}\n" for _ in range(draw(st.integers(0, 4))))


@st.composite
def new_page(draw) -> str:
    head = draw(st.one_of(st.just(""), yaml_front_matter(), toml_front_matter(), defs()))
    body = "".join(draw(st.lists(PIECES, max_size=40)))
    return head + body


def test_pages() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(SITES.rglob("*.md"))]


@st.composite
def mutated_page(draw) -> str:
    text = draw(st.sampled_from(test_pages()))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        to = draw(st.integers(at, min(len(text), at + 40)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "replace"]))
        if kind == "insert":
            text = text[:at] + draw(PIECES) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[to:]
        elif kind == "duplicate":
            text = text[:to] + text[at:to] + text[at:]
        else:
            text = text[:at] + draw(PIECES) + text[to:]
    return text


PAGES = st.one_of(new_page(), mutated_page())


class Site:
    """A real site on disk whose index page is each input in turn, rebuilt by one Builder (as
    `build` after an edit): its layouts are compiled once, and incremental rebuilds are fuzzed too."""

    def __init__(self, root: Path):
        self.root = root
        (root / "pages").mkdir(parents=True)
        (root / "config.md").write_text(CONFIG, encoding="utf-8")
        (root / "pages" / "other.md").write_text(OTHER, encoding="utf-8")
        self.builder = Builder(BuildOptions(site=root, jobs=1))
        self.built = 0

    def close(self) -> None:
        self.builder.close()

    def check(self, text: str):
        """The property: the page builds, or every problem is pysite's own and located, and
        the other page of the site is built all the same."""
        index = self.root / "index.md"
        index.unlink(missing_ok=True)  # a new file each time: never the same size and time as the last
        index.write_text(text, encoding="utf-8", errors="surrogatepass")
        report = self.builder.build()
        self.built += 1
        for diagnostic in report.diagnostics:
            assert diagnostic.path is not None, f"a problem without a place: {diagnostic.message}"
            assert "internal error" not in diagnostic.message, diagnostic.render()
        out = self.root / "__site"
        assert (out / "pages" / "other" / "index.html").is_file(), [d.render() for d in report.diagnostics]
        if not report.errors and not self.builder.state.pages["index.md"].is_draft:
            assert "index.html" in {p.name for p in out.iterdir()}
        return report
