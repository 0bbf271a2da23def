"""Code cells shown as Franklin shows them, with the real Julia: `\\output`, `\\show`,
`\\textoutput`, ```` ```! ````, `showall`, the REPL-mode fences, and the commands that read
files beside cells (`\\input` without hidden lines, a script's `output/NAME.out`, `\\fig`)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from conftest import run_pysite, write_tree

pytestmark = pytest.mark.julia

PAGE = r"""# Cells

```julia:ex
x = 5
println("hello")
x^2
```

\output{ex}

\show{ex}

```julia:shown
a = [1, 2]
@show a
```

\show{shown}

```julia:quiet
q = 3;
```

\show{quiet}

```!
x + 1
```

\newcommand{\dot}[1]{~~~<i class="dot">!#1</i>~~~}

```julia:table
#hideall
println("@@simple-table")
println("Name | Number")
println(":--- | :---")
println("Ada | 1")
println("@@")
print(join(("\\dot{$c}" for c in ("red", "blue"))))
```

\textoutput{table}

```>
x = 5
y = x^2
function f(z)
    z + 1
end
f(1);
```

```;
echo hello
```

```]
st
```

```?
sqrt
```

\input{julia}{/_assets/scripts/hidden.jl}

\output{/_assets/scripts/script1.jl}

\show{/_assets/scripts/script1}

\fig{plot}

\style{color:red}{**styled** and `code`}

In: \input{output}{ex} \input{output:plain}{/_assets/scripts/script1} \input{code:julia}{/_assets/scripts/hidden.jl}
"""

SITE = {
    "config.md": "",
    "index.md": PAGE,
    "all.md": "@def showall = true\n\n```julia:one\n1 + 1\n```\n",
    "_literate/demo.jl": "# Some prose.\nx = 6 * 7\n# More prose.\nprintln(x + 1)\n",
    "literate-shown.md": "@def showall = true\n\n\\literate{/_literate/demo.jl}\n",
    "literate-code.md": "\\literate{/_literate/demo.jl}\n",
    "_assets/scripts/hidden.jl": "using LinearAlgebra # hide\nv = [1, 2]\nw = 2v # HIDE\nprintln(v)\n",
    "_assets/scripts/script1.jl": "println(\"run before\")\n42\n",
    "_assets/scripts/output/script1.out": "run before\n",
    "_assets/scripts/output/script1.res": "42",
    "_assets/index/code/output/plot.png": b"\x89PNG\r\n\x1a\n",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory, julia_install):
    site = write_tree(tmp_path_factory.mktemp("franklin-cells") / "site", SITE)
    result = run_pysite("build", site, cwd=site)
    assert result.returncode == 0, result.stderr
    return site, result


def main(site, rel: str = "index.html") -> str:
    html = (site / "__site" / rel).read_text()
    return html[html.index("<main"):html.index("</main>")]


def outputs(html: str) -> list[str]:
    return [unescape(text) for text in re.findall(r'<code class="plaintext code-output">(.*?)</code>', html, re.S)]


def test_output_shows_what_was_printed_and_show_adds_the_value(built):
    site, _ = built
    found = outputs(main(site))
    assert found[:3] == ["hello\n", "hello\n25", "a = [1, 2]\n"]   # \output, \show, @show last: no value
    assert "3" not in found                                          # `;`: nothing


def test_bang_cell_and_showall_show_the_value(built):
    site, _ = built
    assert "6" in outputs(main(site))
    assert outputs(main(site, "all/index.html")) == ["2"]


def test_literate_cells_show_their_output_with_showall_only(built):
    site, _ = built
    assert outputs(main(site, "literate-shown/index.html")) == ["42", "43\n"]
    code_only = main(site, "literate-code/index.html")
    assert outputs(code_only) == [] and "More prose." in code_only


def test_textoutput_reads_the_printed_text_as_dialect_and_markdown(built):
    site, _ = built
    html = main(site)
    assert re.search(r'<div class="simple-table"><table><tr><th align="left">Name</th>', html), html
    assert '<i class="dot">red</i><i class="dot">blue</i>' in html
    assert "@@" not in html and "\\dot" not in html


def test_repl_mode_is_a_session(built):
    site, _ = built
    sessions = [unescape(re.sub(r"<[^>]+>", "", body))
                for body in re.findall(r'<code class="language-julia-repl">(.*?)</code></pre>', main(site), re.S)]
    assert sessions[0] == ("julia> x = 5\n5\n\njulia> y = x^2\n25\n\n"
                           "julia> function f(z)\n    z + 1\nend\nf (generic function with 1 method)\n\n"
                           "julia> f(1);\n")
    assert sessions[1] == "shell> echo hello\nhello\n"
    assert re.match(r"\(\S+\) pkg> st\n", sessions[2])
    assert sessions[3] == "help?> sqrt\n"


def test_help_mode_shows_the_documentation(built):
    site, _ = built
    help_div = re.search(r'<div class="julia-help">(.*?)</div>', main(site), re.S)
    assert help_div and "square root" in help_div.group(1)
    assert 'class="language-julia"' in help_div.group(1)


def test_input_drops_hidden_lines(built):
    site, _ = built
    html = main(site)
    code = unescape(re.sub(r"<[^>]+>", "", html.split("help?&gt;")[1]))
    assert "v = [1, 2]\nprintln(v)" in code
    assert "LinearAlgebra" not in code and "w = 2v" not in code


def test_output_of_a_script_run_before_the_build(built):
    site, result = built
    found = outputs(main(site))
    assert "run before\n" in found and "run before\n42" in found
    assert "script1" not in result.stderr


def test_fig_found_in_the_page_code_output_folder(built):
    site, result = built
    assert '<img src="/assets/index/code/output/plot.png" alt="">' in main(site)
    assert "\\fig" not in result.stderr


def test_input_reads_what_franklin_reads_in_its_other_forms(built):
    site, _ = built
    html = main(site)
    found = outputs(html)
    assert found.count("hello\n") == 2 and found.count("run before\n") == 2   # {output}: as \output
    assert html.count('<code class="language-julia"><span class="n">v</span>') == 2   # {code:julia}: as {julia}


def test_style_reads_markdown(built):
    site, _ = built
    assert '<span style="color:red"><strong>styled</strong> and <code>code</code></span>' in main(site)


CELL_FILES_PAGE = """```julia:ex
x = 1 + 1
println("hi")
x * 3
```

```julia:./sub/two
y = 2;
```

```!
error("boom")
```

```>
1 + 1
```
"""


def test_cells_write_the_files_franklin_writes_and_they_go_with_the_cells(tmp_path, julia_install):
    site = write_tree(tmp_path / "site", {"config.md": "", "pages/a.md": CELL_FILES_PAGE})
    assert run_pysite("build", site, cwd=site).returncode == 0
    code = site / "__site" / "assets" / "pages" / "a" / "code"
    header = "# This file was generated, do not modify it. # hide\n"
    assert (code / "ex.jl").read_text() == header + 'x = 1 + 1\nprintln("hi")\nx * 3'
    assert (code / "output" / "ex.out").read_text() == "hi\n"
    assert (code / "output" / "ex.res").read_text() == "6"
    two = site / "__site" / "assets" / "pages" / "a" / "sub"      # ./path: in the page's assets, not code/
    assert (two / "two.jl").read_text() == header + "y = 2;"
    assert (two / "output" / "two.res").read_text() == "nothing"  # `;`: no value
    assert (code / "output" / "_ceval_1.out").read_text() == "boom\n"   # ```!``` cells are counted
    assert (code / "output" / "_ceval_1.res").read_text() == "nothing"
    assert (code / "_ceval_2.jl").read_text() == header + "1 + 1"       # a REPL-mode cell: its script only
    assert not (code / "output" / "_ceval_2.out").exists()

    (site / "pages" / "a.md").write_text(CELL_FILES_PAGE.replace('```!\nerror("boom")\n```\n', ""))
    assert run_pysite("build", site, cwd=site).returncode == 0
    assert (code / "_ceval_1.jl").read_text() == header + "1 + 1" and not (code / "_ceval_2.jl").exists()
    assert not (code / "output" / "_ceval_1.out").exists()
    (site / "pages" / "a.md").unlink()
    assert run_pysite("build", site, cwd=site).returncode == 0
    assert not (site / "__site" / "assets" / "pages").exists() or not any((site / "__site" / "assets").rglob("*.jl"))


# An hfun reading the files of the page's cells, as sites do (`Franklin.form_codepaths`,
# `Franklin.path(:site)`); Franklin runs a page's hfuns, body and layout, after its cells.
CELL_FILES_UTILS = r'''
function hfun_res(params)
    p = Franklin.form_codepaths(params[1])
    isfile(p.res_path) || return Franklin.html_err("no output for $(params[1])")
    return "<b class=\"res\">" * read(p.res_path, String) * "|" * read(p.out_path, String) * "</b>"
end
function hfun_byhand(params)
    page = splitext(locvar("fd_rpath"))[1]
    file = joinpath(Franklin.path(:site), "assets", page, "code", "output", params[1] * ".res")
    return "<i class=\"byhand\">" * (isfile(file) ? read(file, String) : "missing") * "</i>"
end
hfun_state() = "<u class=\"state\">" * string(isdefined(Main, :pysite_cell_state) ? Main.pysite_cell_state : "none") * "</u>"
hfun_folder() = "<s class=\"folder\">" * string(isfile(joinpath(Franklin.path(:folder), "config.md"))) * "</s>"
hfun_linkto() = "/x/"
hfun_nested() = Franklin.fd2html("Nested: {{state}}"; internal = true, nop = true)
'''

CELL_FILES_HFUN_PAGE = """{{res ex}}

```julia:ex
@eval Main pysite_cell_state = 41
println("printed")
6 * 7
```

Inline {{byhand ex}} and {{state}} {{folder}}

{{res nosuch}}

A [link]({{linkto}}), whose address Markdown reads, and <a href="{{linkto}}">one</a> HTML reads.

{{nested}}
"""


def test_hfuns_see_the_files_and_state_of_the_cells_that_ran_before_them(tmp_path, julia_install):
    site = write_tree(tmp_path / "site", {
        "config.md": "", "utils.jl": CELL_FILES_UTILS, "pages/a.md": CELL_FILES_HFUN_PAGE,
        "_layout/head.html": "<html><body><main>", "_layout/foot.html": "</main><footer>{{res ex}}</footer></body></html>",
    })
    result = run_pysite("build", site, cwd=site)
    assert result.returncode == 0, result.stderr
    html = (site / "__site" / "pages" / "a" / "index.html").read_text()
    assert html.count('<b class="res">42|printed\n</b>') == 2, html   # the body's call and the layout's
    assert '<i class="byhand">42</i>' in html and '<u class="state">41</u>' in html
    assert '<s class="folder">true</s>' in html
    assert '<p><span style="color:red;">// no output for nosuch //</span></p>' in html
    assert '<a href="/x/">link</a>' in html and '<a href="/x/">one</a>' in html
    assert 'Nested: <u class="state">41</u>' in html and "<pysite-" not in html   # a call in fd2html's text

    # A changed cell runs again, and so do the hfuns that read its files.
    (site / "pages" / "a.md").write_text(CELL_FILES_HFUN_PAGE.replace("6 * 7", "6 * 8"))
    assert run_pysite("build", site, cwd=site).returncode == 0
    html = (site / "__site" / "pages" / "a" / "index.html").read_text()
    assert html.count('<b class="res">48|printed\n</b>') == 2 and '<i class="byhand">48</i>' in html


def test_output_beside_the_script_dates_and_page_variables_in_cells_as_in_franklin(tmp_path, julia_install):
    page = ('```julia:pic\nwrite(joinpath(@OUTPUT, "pic.svg"), "<svg/>")\nwrite(joinpath(@OUTPUT, "pic2.svg"), "<svg/>")\n```\n\n'
            '```julia:/_assets/shared/plot\nwrite(joinpath(@OUTPUT, "plot.png"), "png")\n```\n\n'
            'A \\input{plot}{pic} and \\input{plot:2}{pic}\n\n'
            '```!\nDate(2021, 3, 4) + Day(1)\n```\n\n'   # Dates in use, as in Franklin's page modules
            '```!\nprintln(locvar("va") + locvar("vb"), " by ", globvar("author"), " on ", locvar(:fd_rpath))\n```\n')
    site = write_tree(tmp_path / "site", {"config.md": '@def author = "Ada"\n',
                                          "pages/a.md": '@def va = 5\n@def vb = 7\n' + page})
    result = run_pysite("build", site, cwd=site)
    assert result.returncode == 0, result.stderr
    out = site / "__site"
    assert (out / "assets/pages/a/code/output/pic.svg").read_text() == "<svg/>"
    assert (out / "assets/shared/output/plot.png").read_text() == "png"
    html = main(site, "pages/a/index.html")
    assert ('<img src="/assets/pages/a/code/output/pic.svg" alt=""> and '
            '<img src="/assets/pages/a/code/output/pic2.svg" alt="">') in html
    assert "2021-03-05" in outputs(html)
    assert "12 by Ada on pages/a.md\n" in outputs(html)   # Franklin's locvar and globvar, as in its cells


WRITER_UTILS = r'''
function lx_drawing(com, _)
    name = Franklin.content(com.braces[1])
    rpath = joinpath("assets", splitext(locvar(:fd_rpath))[1], name * ".svg")
    out = joinpath(Franklin.path(:site), rpath)
    mkpath(dirname(out))
    write(out, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
    return "\\fig{/" * rpath * "}"
end
'''


def test_a_file_a_utils_function_writes_at_path_site_is_published_on_a_page_without_cells(tmp_path, julia_install):
    site = write_tree(tmp_path / "site", {"config.md": "", "utils.jl": WRITER_UTILS,
                                          "pages/tikz.md": "A drawing: \\drawing{circle}\n"})
    result = run_pysite("build", site, cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / "__site/assets/pages/tikz/circle.svg").read_text().startswith("<svg")
    assert '<img src="/assets/pages/tikz/circle.svg" alt="">' in main(site, "pages/tikz/index.html")
