"""Ordinary Markdown stays ordinary: every example of the CommonMark spec (0.31.2) and the
GFM extension examples (0.29), built as pages of a site that is not a Franklin site, through
the whole page pipeline (discovery, variables, dialect decision, Markdown, layout, writing).

The specs are read from ../shared/spec at run time, never copied into the project. The
comparison sets aside how pysite writes the HTML, not how it reads the Markdown: heading ids
and their permalink, Pygments' spans in code blocks, HTML comments (never published),
`<s>` for `<del>`, `style="text-align:..."` for `align`, `&quot;` for `"`, and newlines
between tags. The examples pysite reads otherwise, on purpose, are listed in DEVIATIONS.
"""

from __future__ import annotations

import re

import pytest

from conftest import run_pysite, shared, write_tree

EXAMPLE = re.compile(r"^`{32} example( \w+)?\n(.*?)^\.\n(.*?)^`{32}$", re.M | re.S)
GFM_EXTENSIONS = {"table", "strikethrough", "autolink", "tagfilter"}

FRONT_MATTER = "a page that starts with a `---` line closed by another is front matter, as Jekyll and Hugo read it"
GFM_AUTOLINK = "bare URLs and e-mail addresses are links on ordinary sites, as GitHub links them (GFM's extension)"
AUTOLINK_PLUGIN = "mdit-py-plugins' GFM autolinks do not link ftp:// URLs, or e-mail addresses whose name has `_` or `-`"
# Spec example -> why pysite reads it otherwise.
DEVIATIONS = {
    "commonmark-96": FRONT_MATTER,
    "commonmark-98": FRONT_MATTER,
    "commonmark-608": GFM_AUTOLINK,
    "commonmark-611": GFM_AUTOLINK,
    "commonmark-612": GFM_AUTOLINK,
    "gfm-628": AUTOLINK_PLUGIN,
    "gfm-631": AUTOLINK_PLUGIN,
    "gfm-652": "raw HTML is kept whole (GFM's tag filter is not applied): pages carry their own <style> and <script>",
}


def examples(name: str, kinds: set[str] | None) -> list[tuple[str, str, str]]:
    """(id, markdown, html) of each example in the spec file, `→` read as a tab."""
    text = (shared("spec") / name).read_text(encoding="utf-8")
    found = []
    for number, match in enumerate(EXAMPLE.finditer(text), start=1):
        kind = (match.group(1) or "").strip()
        if kinds is None or kind in kinds:
            found.append((f"{name.split('-')[0]}-{number}", *(part.replace("→", "\t") for part in match.group(2, 3))))
    return found


HEADING_ID = re.compile(r'(<h[1-6]) id="[^"]*"')
PERMALINK = re.compile(r' <a class="anchor" href="#[^"]*" aria-label="Permalink">#</a>')
HIGHLIGHT = re.compile(r'<pre class="highlight">(<code[^>]*>)(.*?)</code></pre>', re.S)
COMMENT = re.compile(r"<!--(?:>|->|.*?-->)", re.S)  # `<!-->` and `<!--->` are whole comments
WRITTEN = [(re.compile(r"<(/?)del>"), r"<\1s>"), (re.compile(r' align="(\w+)"'), r' style="text-align:\1"'),
           (re.compile("&quot;"), '"'), (re.compile(r">\n+<"), "><")]


def normalise(html: str) -> str:
    html = HEADING_ID.sub(r"\1", PERMALINK.sub("", html))
    html = HIGHLIGHT.sub(lambda m: f"<pre>{m.group(1)}{re.sub(r'</?span[^>]*>', '', m.group(2))}</code></pre>", html)
    html = COMMENT.sub("", html)
    for pattern, replacement in WRITTEN:
        html = pattern.sub(replacement, html)
    return "\n".join(line for line in html.split("\n") if line.strip())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cases = examples("commonmark-0.31.2.txt", None) + examples("gfm-0.29.txt", GFM_EXTENSIONS)
    files = {f"{ident}.md": markdown for ident, markdown, _ in cases}
    site = write_tree(tmp_path_factory.mktemp("spec") / "site", {"_layout/default.html": "{{ content }}", **files})
    result = run_pysite("build", site, "--quiet")
    return site, result, {ident: html for ident, _, html in cases}


def spec_ids(name, kinds):
    try:
        return [ident for ident, _, _ in examples(name, kinds)]
    except pytest.skip.Exception:
        return ["spec-files-absent"]


@pytest.mark.parametrize("ident", spec_ids("commonmark-0.31.2.txt", None) + spec_ids("gfm-0.29.txt", GFM_EXTENSIONS))
def test_example(built, ident):
    site, result, expected = built
    if ident in DEVIATIONS:
        pytest.skip(DEVIATIONS[ident])
    page = site / "__site" / ident / "index.html"
    assert page.is_file(), result.stderr
    assert normalise(page.read_text(encoding="utf-8")) == normalise(expected[ident])
