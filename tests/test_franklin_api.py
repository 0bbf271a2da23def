"""The Franklin API a site's utils.jl calls, with the real Julia: `pagevar` (from any hfun, of
any page, read or not yet), `globvar`, `locvar`, `fd2html`, `@delay`, `Franklin.PAGEVAR_DEPTH`,
`lx_` functions with Franklin's signature, `hfun_` with and without parameters, Franklin's
`html_code`, `html_err` and `parse_rpath`."""

from __future__ import annotations

import re

import pytest

from conftest import run_pysite, write_tree

pytestmark = pytest.mark.julia

UTILS = '''\
using Franklin
using Dates

function hfun_firsttitle(params)
    # not delayed: runs while pages are read, before `zz-last.md` is
    return pagevar(params[1], params[2])
end

hfun_answer() = string(pagevar("zz-last", :answer) + 1)

function hfun_defaults()
    Franklin.PAGEVAR_DEPTH[] = 0
    a = pagevar("zz-last", "missing_var"; default = "kw-default")
    b = pagevar("no/such/page", "title", "positional-default")
    c = pagevar("/zz-last/", :title)
    return join([a, b, c], "|")
end

hfun_vars() = "$(locvar(:title))|$(globvar("author"))|$(locvar("nope"; default = "none"))|$(globvar(:nope))"

hfun_params(params) = "params=" * join(params, ",")

hfun_noparams() = "no params"

@delay function hfun_postlist()
    io = IOBuffer()
    for post in ("posts/a", "posts/b")
        println(io, "* [", pagevar(post, "title"), "](/", post, "/) on ", Dates.format(pagevar(post, :date), "yyyy-mm-dd"))
    end
    return fd2html(String(take!(io)); internal = true)
end

hfun_inline() = "<span>" * Franklin.fd2html("**bold** \\\\shout{x}"; internal = true, nop = true) * "</span>"

function lx_upper(com, _)
    brace_content = Franklin.content(com.braces[1])
    return uppercase(brace_content)
end

lx_pair(com, _) = "(" * Franklin.content(com.braces[1]) * " & " * Franklin.content(com.braces[2]) * ")"

hfun_broken() = error("broken on purpose")

hfun_html() = Franklin.html_code("<a href=\\"x\\">(1)</a>", "html") * html_code("x + 1", "julia") * html_err("oops")

hfun_rpaths() = join([Franklin.parse_rpath(p) for p in ("./im.png", "/_assets/x.png", "a/b.png")], " ")
'''

SITE = {
    "config.md": '@def author = "Ada"\n\\newcommand{\\shout}[1]{**!#1!**}\n',
    "utils.jl": UTILS,
    "_layout/head.html": "<html><body>\n",
    "_layout/foot.html": "\n</body></html>\n",
    "index.md": """\
@def title = "Home"

First: {{firsttitle zz-last title}}

Answer: {{answer}}

Defaults: {{defaults}}

Vars: {{vars}}

{{params x y}} / {{noparams}}

{{postlist}}

{{inline}}

{{html}}

Paths: {{rpaths}}

Upper: \\upper{shout} and \\pair{a}{b}
""",
    "zz-last.md": '@def title = "The last page"\n@def answer = 40 + 1\n\nBroken: {{broken}}\n',
    "posts/a.md": '@def title = "Post A"\n@def date = Date(2021, 3, 4)\n\nA.\n',
    "posts/b.md": '@def title = "Post B"\n@def date = Date(2022, 5, 6)\n\nB.\n',
}


@pytest.fixture(scope="module")
def built(tmp_path_factory, julia_install):
    site = write_tree(tmp_path_factory.mktemp("franklin-api") / "site", SITE)
    result = run_pysite("build", site, cwd=site)
    return site, result


def page(site, rel: str) -> str:
    return (site / "__site" / rel).read_text()


def test_pagevar_reads_a_page_not_read_yet(built):
    site, result = built
    html = page(site, "index.html")
    assert "First: The last page" in html
    assert "Answer: 42" in html          # another page's Julia-expression variable, evaluated


def test_pagevar_defaults_and_depth(built):
    site, _ = built
    assert "Defaults: kw-default|positional-default|The last page" in page(site, "index.html")


def test_locvar_and_globvar(built):
    site, _ = built
    assert "Vars: Home|Ada|none|nothing" in page(site, "index.html")


def test_hfun_with_and_without_params(built):
    site, _ = built
    assert "params=x,y / no params" in page(site, "index.html")


def test_fd2html_renders_markdown_and_dialect(built):
    site, _ = built
    html = page(site, "index.html")
    assert re.search(r'<ul>\s*<li><p><a href="/posts/a/">Post A</a> on 2021-03-04</p>\s*</li>\s*'
                     r'<li><p><a href="/posts/b/">Post B</a> on 2022-05-06</p>\s*</li>\s*</ul>', html), html
    assert "<span><strong>bold</strong> <strong>x!</strong></span>" in html   # nop: no <p>
    assert "pysite-fd2html" not in html


def test_lx_functions(built):
    site, _ = built
    assert "Upper: SHOUT and (a &amp; b)" in page(site, "index.html")


def test_a_throwing_hfun_is_a_warning_with_its_frame(built):
    site, result = built
    assert re.search(r"zz-last.md:4: hfun_broken \(utils.jl\) threw: broken on purpose\n.*utils\.jl:\d+",
                     result.stderr), result.stderr
    assert "<p>Broken:</p>" in page(site, "zz-last/index.html")
    assert "Traceback" not in result.stderr


def test_html_helpers_and_paths_as_franklin_writes_them(built):
    site, _ = built
    html = page(site, "index.html")
    assert ('<pre><code class="language-html">&lt;a href&#61;&quot;x&quot;&gt;&#40;1&#41;&lt;/a&gt;</code></pre>'
            '<pre><code class="language-julia">x + 1</code></pre><p><span style="color:red;">// oops //</span></p>') in html
    assert "Paths: /assets/index/im.png /assets/x.png /assets/a/b.png" in html
