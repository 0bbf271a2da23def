"""Page variables: front matter, `@def`, `+++` blocks, Julia literals and their errors."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from conftest import seeds
from pysite.errors import ParseError
from pysite.julia_literal import JuliaExpr, parse_julia_value
from pysite.variables import PageSource, read_variables

PAGE = Path("pages/post.md")


def read(text: str) -> PageSource:
    page = read_variables(text, PAGE, True)
    assert len(page.body.split("\n")) == len(text.removeprefix("\ufeff").split("\n"))
    return page


def error_of(text: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        read_variables(text, PAGE, True)
    assert caught.value.path == PAGE
    return caught.value


# --- Julia literals -----------------------------------------------------------

@pytest.mark.parametrize("src, expected", [
    ('"hello"', "hello"),
    (r'"tab\there \"q\" \$5 \u00e9 \x41 \101"', 'tab\there "q" $5 é A A'),
    ('"line one\nline two"', "line one\nline two"),
    ('"""\n    indented\n      more\n    """', "indented\n  more\n"),
    ('"""no newline"""', "no newline"),
    ('"""first\n  a\n  b"""', "first\na\nb"),
    ('raw"C:\\path\\$x"', "C:\\path\\$x"),
    ('raw"say \\"hi\\""', 'say "hi"'),
    ("'c'", "c"),
    (r"'\n'", "\n"),
    (r"'\''", "'"),
    ("'$'", "$"),
    ("['a', 'b']", ["a", "b"]),
    ("42", 42),
    ("1_000_000", 1000000),
    ("007", 7),
    ("0x1f", 31),
    ("0b101", 5),
    ("-3", -3),
    ("+3", 3),
    ("1.5", 1.5),
    ("1.", 1.0),
    (".5", 0.5),
    ("1e3", 1000.0),
    ("-2.5e-1", -0.25),
    ("1f0", 1.0),
    ("Inf", math.inf),
    ("-Inf", -math.inf),
    ("true", True),
    ("false", False),
    ("nothing", None),
    ("missing", None),
    (":name", "name"),
    ("[]", []),
    ('["a", "b"]', ["a", "b"]),
    ('["a", "b",]', ["a", "b"]),
    ("[1; 2]", [1, 2]),
    ('[\n  "julia",\n  "web",\n]', ["julia", "web"]),
    ("[[1, 2], [3]]", [[1, 2], [3]]),
    ("(1, 2)", [1, 2]),
    ("(1,)", [1]),
    ("()", []),
    ("(1)", 1),
    ('"a" => 1', ("a", 1)),
    ('["Home" => "/", "Blog" => "/blog/"]', [("Home", "/"), ("Blog", "/blog/")]),
    ('Dict("a" => 1, :b => [2, 3])', {"a": 1, "b": [2, 3]}),
    ("Dict()", {}),
    ("Date(2020, 6, 6)", dt.date(2020, 6, 6)),
    ("Date(2020)", dt.date(2020, 1, 1)),
    ('Date("2020-06-06")', dt.date(2020, 6, 6)),
    ("DateTime(2020, 6, 6, 0, 45, 22)", dt.datetime(2020, 6, 6, 0, 45, 22)),
    ("DateTime(2020, 6, 6, 0, 45, 22, 5)", dt.datetime(2020, 6, 6, 0, 45, 22, 5000)),
    ('DateTime("2020-06-06T00:45:22")', dt.datetime(2020, 6, 6, 0, 45, 22)),
    ("5 # a Julia comment", 5),
    ("5;", 5),
    ("false   <!-- mostly no maths -->", False),
    ("  [1, #= inline =# 2]  ", [1, 2]),
])
def test_julia_literal(src, expected):
    assert parse_julia_value(src, 7) == expected


@pytest.mark.parametrize("src", [
    "1:3", "rand(3)", "x -> x", '"$x"', '"total: $(n + 1)"', "[1 2]", "2x", "pi",
    "[1, 2] .* 2", "Dates.today()", "(a = 1, b = 2)", 'Date("06/06/2020", "mm/dd/yyyy")',
    'md"**bold**"', "-true", "Dict([1] => 2)", "[x for x in 1:3]", "Dict(1, 2)",
    "[" * 100 + "]" * 100,
])
def test_julia_expression_is_kept_as_code(src):
    assert parse_julia_value(src, 7) == JuliaExpr(src, 7)


@pytest.mark.parametrize("src, message", [
    ("[1, 2", "unclosed `[`"),
    ("[" * 2000 + "]" * 2000, "brackets nested more than 100 deep"),  # Julia would take minutes
    ('Dict("a" => (1, 2)', "unclosed `(`"),
    ('"no end', "unterminated string"),
    ('"""no end', "unterminated string"),
    ("[1, 2)", "unexpected `)`"),
    ("1)", "unexpected `)`"),
    (r'"C:\Users"', "invalid escape sequence `\\U` in a string"),
    ("'ab'", "invalid character literal"),
    ("Date(2020, 13, 1)", "invalid Date: month must be in 1..12"),
])
def test_broken_julia_literal(src, message):
    with pytest.raises(ParseError) as caught:
        parse_julia_value(src, 7)
    assert (caught.value.message, caught.value.line, caught.value.path) == (message, 7, None)


# --- YAML front matter --------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("---\ntitle: about\ndate: 2020-06-06 00:45:22\n---\n", {"title": "about", "date": dt.datetime(2020, 6, 6, 0, 45, 22)}),
    ("---\ndate: 2020-06-06\n---\n", {"date": dt.date(2020, 6, 6)}),
    ("---\ntags:\n  - a\n  - b\ncategories: [x, y]\n---\n", {"tags": ["a", "b"], "categories": ["x", "y"]}),
    ("---\nids:\n  youtube: abc\n---\n", {"ids": {"youtube": "abc"}}),
    ("\ufeff---\ntitle: bom\n---\n", {"title": "bom"}),
    ("---\ntitle: dots\n...\n# Body\n", {"title": "dots"}),
    ("---   \ntitle: trailing spaces\n---  \n", {"title": "trailing spaces"}),
    ("---\n---\nbody\n", {}),
    ("---\n# only a comment\n---\n", {}),
    ("---\r\ntitle: crlf\r\n---\r\nbody\r\n", {"title": "crlf"}),
])
def test_yaml_front_matter(text, expected):
    page = read(text)
    assert page.variables == expected
    assert page.front_matter == "yaml"


def test_yaml_front_matter_lines_and_blanked_body():
    page = read("---\ntitle: a\n\ntags:\n  - x\n---\n# Heading\n")
    assert page.lines == {"title": 2, "tags": 4}
    assert page.body == "\n\n\n\n\n\n# Heading\n"


@pytest.mark.parametrize("text", [
    "# Title\n\nText\n\n---\n\nmore: text\n\n---\n",
    "\n---\ntitle: not front matter\n---\n",
    "Plain text, no variables at all.",
    "",
])
def test_no_front_matter(text):
    page = read(text)
    assert (page.variables, page.front_matter, page.body) == ({}, None, text)


# --- TOML and the `+++` rule --------------------------------------------------

def test_hugo_toml_front_matter():
    page = read('+++\ntitle = "Hugo"\ndate = 2021-03-04T05:06:07Z\ntags = ["a", "b"]\n\n[params]\nx = 1\n+++\nBody\n')
    assert page.front_matter == "toml"
    assert page.variables == {
        "title": "Hugo", "date": dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=dt.timezone.utc),
        "tags": ["a", "b"], "params": {"x": 1}}
    assert page.lines == {"title": 2, "date": 3, "tags": 4, "params": 6}
    assert page.body == "\n" * 8 + "Body\n"


def test_top_block_valid_in_both_is_toml():
    page = read('+++\ntitle = "Both"\ntags = ["a", "b"]\nhascode = true\n+++\n')
    assert page.front_matter == "toml"
    assert page.variables == {"title": "Both", "tags": ["a", "b"], "hascode": True}


@pytest.mark.parametrize("block, name, expected", [
    ("date = Date(2020, 1, 1)", "date", dt.date(2020, 1, 1)),
    ("x = nothing", "x", None),
    ('menu = ["Home" => "/"]', "menu", [("Home", "/")]),
    ('d = Dict("a" => 1)', "d", {"a": 1}),
    ("r = 1:3", "r", JuliaExpr("1:3", 3)),
    ("t = (1, 2)", "t", [1, 2]),
    ('s = "\\$5"', "s", "$5"),
])
def test_top_block_with_julia_syntax_is_franklin(block, name, expected):
    page = read(f'+++\ntitle = "Franklin"\n{block}\n+++\n')
    assert page.front_matter == "franklin"
    assert page.variables == {"title": "Franklin", name: expected}
    assert page.lines == {"title": 2, name: 3}


def test_franklin_block_later_in_the_page_is_julia_even_when_toml_valid():
    text = '# Title\n\n+++\ntitle = "x"\ndate = 2020-01-01\nusing Dates\nmenu = [\n  "A" => "/a/",\n]\n+++\nafter\n'
    page = read(text)
    assert page.front_matter == "franklin"
    assert page.variables == {"title": "x", "date": JuliaExpr("2020-01-01", 5), "menu": [("A", "/a/")]}
    assert page.lines == {"title": 4, "date": 5, "menu": 7}
    assert page.body == "# Title\n\n" + "\n" * 8 + "after\n"


def test_franklin_block_after_yaml_front_matter():
    page = read("---\ntitle: yaml\n---\ntext\n+++\nhasmath = true\n+++\n")
    assert page.front_matter == "yaml"
    assert page.variables == {"title": "yaml", "hasmath": True}
    assert page.lines == {"title": 2, "hasmath": 6}


# --- `@def` -------------------------------------------------------------------

def test_def_lines():
    text = ('@def title = "Hi"\n@def tags = ["a", "b"]\n\n# Hi\n\n@def hasmath = false   <!-- no maths -->\n'
            "@def title = \"Again\"\n")
    page = read(text)
    assert page.variables == {"title": "Again", "tags": ["a", "b"], "hasmath": False}
    assert page.lines == {"title": 7, "tags": 2, "hasmath": 6}
    assert page.body == "\n\n\n# Hi\n\n\n\n"
    assert page.front_matter == "franklin"


def test_def_values_spanning_lines():
    text = ('@def authors = [\n  "A",\n\n  "B",\n]\n@def abstract = """\n    First.\n    Second.\n    """\n'
            "@def menu = Dict(\n    :home => \"/\")\n@def long = \"x\"\n    * \"y\"\nText\n")
    page = read(text)
    assert page.variables == {"authors": ["A", "B"], "abstract": "First.\nSecond.\n",
                              "menu": {"home": "/"}, "long": JuliaExpr('"x"\n    * "y"', 12)}
    assert page.lines == {"authors": 1, "abstract": 6, "menu": 10, "long": 12}
    assert page.body == "\n" * 13 + "Text\n"


@pytest.mark.parametrize("text", [
    "```julia\n@def x = 1\n```\n",
    "~~~~\n@def x = 1\n~~~\n~~~~\n",
    "````md\n```\n@def x = 1\n````\n",
    "Para\n\n    @def x = 1\n",
    "<!--\n@def x = 1\n-->\n",
    "text @def x = 1\n",
    "@default = 3\n",
])
def test_def_ignored_in_code_comments_and_text(text):
    page = read(text)
    assert (page.variables, page.body) == ({}, text)


def test_def_after_fence_and_inline_raw_html():
    text = "```\ncode\n```\n~~~<br>~~~\n@def x = 1\n"
    page = read(text)
    assert page.variables == {"x": 1}
    assert page.lines == {"x": 5}


def test_def_with_crlf_line_ends():
    page = read('@def title = "Win"\r\n@def tags = [\r\n  "a",\r\n]\r\nText\r\n')
    assert page.variables == {"title": "Win", "tags": ["a"]}
    assert page.body == "\r\n\r\n\r\n\r\nText\r\n"


def test_def_expression_keeps_its_line():
    page = read("\n\n@def n = length(readdir())\n")
    assert page.variables == {"n": JuliaExpr("length(readdir())", 3)}


# --- the seed pages -----------------------------------------------------------

def seed(prefix: str) -> str:
    (path,) = seeds().glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def test_seed_hexo_page():
    page = read(seed("000"))
    assert page.variables == {"title": "about", "date": dt.datetime(2020, 6, 6, 0, 45, 22)}
    assert page.body.startswith("\n\n\n\n\n# About the founder")


def test_seed_wordpress_export_has_no_variables():
    text = seed("001")
    page = read(text)
    assert (page.variables, page.front_matter, page.body) == ({}, None, text)


def test_seed_franklin_page():
    text = seed("002")
    page = read(text)
    assert page.variables == {"hascode": True}
    assert page.lines == {"hascode": 1}
    assert page.body == text.replace("@def hascode = true", "", 1)


def test_seed_fastpages_post():
    page = read(seed("003"))
    assert page.variables["categories"] == ["MLArchitect", "Start"]
    assert (page.variables["toc"], page.variables["layout"], page.variables["title"]) == (True, "post", "The Beginning")


def test_seed_podcast_transcript():
    text = seed("004")
    page = read(text)
    assert page.variables["title"] == "From Software Engineering to Machine Learning"
    assert page.variables["ids"]["youtube"] == "xVYOdRrN7hw"
    transcript = page.variables["transcript"]
    assert transcript[0]["time"] == "2:39" and transcript[0]["who"] == "Alexey"
    assert transcript[2] == {"header": "Santiago\u2019s background"}
    assert [entry.get("sec") for entry in transcript[:5]] == [159, 196, None, 199, 208]
    assert len(transcript) == 159
    assert transcript[-1]["time"] == "1:02:03"
    assert page.lines["transcript"] == 21
    assert page.body.split("\n")[1140] == "Links:"


# --- errors -------------------------------------------------------------------

@pytest.mark.parametrize("text, message, line, hint", [
    ("---\ntitle: a\nbody text\n", "front matter opened with `---` is never closed", 1,
     "Did you forget the closing `---`?"),
    ("+++\ntitle = 1\n", "front matter opened with `+++` is never closed", 1,
     "Did you forget the closing `+++`?"),
    ("text\n\n+++\nx = 1\n", "`+++` block is never closed", 3, "Did you forget the closing `+++`?"),
    ("---\ntitle: a\ntags: [a, b\nx: 1\n---\n", "invalid YAML front matter: did not find expected ',' or ']'", 4,
     "while parsing a flow sequence (line 3)"),
    ("---\n- a\n- b\n---\n", "front matter must be `name: value` lines, found a list", 2,
     "Front matter maps names to values, e.g. `title: My page`."),
    ("---\njust text\n---\n", "front matter must be `name: value` lines, found a single value", 2,
     "Front matter maps names to values, e.g. `title: My page`."),
    ('+++\ntitle = "a"\n[params\n+++\n', "invalid TOML front matter: Expected ']' at the end of a table declaration", 3,
     "Read as a Franklin block it fails too: pages/post.md:3: expected `name = value` in a `+++` block"),
    ('+++\ntitle = "a\n+++\n', "invalid TOML front matter: Unterminated string", 2,
     "Read as a Franklin block it fails too: pages/post.md:2: unterminated string in the value of `title`"),
    ("@def title\n", "`@def` needs `name = value`", 1, 'For example `@def title = "My page"`.'),
    ('\n@def title "x"\n', "`@def` needs `name = value`", 2, 'For example `@def title = "My page"`.'),
    ("@def x =\n", "`x` has no value", 1, None),
    ("# T\n@def tags = [\"a\",\n\nmore text\n", "unclosed `[` in `@def tags`", 2, None),
    ('@def title = "oops\n\ntext\n', "unterminated string in `@def title`", 1, None),
    ("@def x = [1, 2))\n", "unexpected `)` in `@def x`", 1, None),
    ('\n\n@def path = "C:\\Users"\n', "invalid escape sequence `\\U` in a string", 3, None),
    ("@def d = Date(2020, 2, 30)\n", "invalid Date: day is out of range for month", 1, None),
    ("x\n+++\nusing Dates\nf(x) = 2x\n+++\n", "expected `name = value` in a `+++` block", 4,
     'Franklin `+++` blocks hold Julia assignments like `title = "My page"`.'),
    ("x\n+++\na = [1,\n+++\n", "unclosed `[` in the value of `a`", 3, None),
])
def test_errors(text, message, line, hint):
    error = error_of(text)
    assert (error.message, error.line, error.hint) == (message, line, hint)


# libyaml and the pure-Python parser word these differently, so only the start of the message is fixed.
@pytest.mark.parametrize("text, message, line", [
    ("---\ntitle: ok\nsub: title: a: b\n---\n", "invalid YAML front matter: mapping values are not allowed", 3),
    ("---\ntitle: ok\n\ttags: [a]\n---\n", "invalid YAML front matter: found a", 3),
    ("---\ntitle: ok\nbell: \x07\n---\n", "invalid YAML front matter:", 3),
])
def test_yaml_error_names_the_file_line(text, message, line):
    error = error_of(text)
    assert error.message.startswith(message)
    assert error.line == line


def test_pure_python_yaml_loader_reads_the_seeds_alike(monkeypatch):
    import yaml

    import pysite.variables

    fast = {prefix: read(seed(prefix)) for prefix in ("000", "003", "004")}
    monkeypatch.setattr(pysite.variables, "_YamlLoader", yaml.SafeLoader)
    for prefix, page in fast.items():
        assert read(seed(prefix)) == page


SCALARS = ["", "~", "null", "Null", "NULL", "nul", "yes", "Yes", "YES", "no", "No", "on", "On", "OFF", "off", "y", "n",
           "true", "True", "TRUE", "tRue", "false", "0", "012", "0o12", "0x1F", "0b101", "1_000", "+12", "-3", "1:30",
           "190:20:30", "1.5", "1.5e3", "1e3", "6.8523015e+5", ".5", "-.inf", ".Inf", ".NaN", ".nan", "1.", "._",
           "2002-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2020-1-1", "<<", "=", "!", "&a",
           "*a", "plain text", "Title of a post", "0.1.2", "1,000", "\u00e9t\u00e9", "12 monkeys"]


@pytest.mark.parametrize("value", SCALARS)
def test_yaml_scalars_are_typed_as_pyyaml_types_them(value):
    # pysite's loader finds a scalar's tag in tables joined once; PyYAML's resolver is the definition.
    import yaml

    import pysite.variables

    ours, pyyaml = pysite.variables._YamlLoader(""), yaml.SafeLoader("")
    for implicit in ((True, False), (False, True), (False, False)):
        assert ours.resolve(yaml.ScalarNode, value, implicit) == pyyaml.resolve(yaml.ScalarNode, value, implicit)
    for kind in (yaml.SequenceNode, yaml.MappingNode):
        assert ours.resolve(kind, None, (True, False)) == pyyaml.resolve(kind, None, (True, False))
    text = f"---\nplain: {value}\nquoted: '{value}'\nlist: [{value}]\n---\n" if value[:1] not in "!&*" else None
    if text is not None and value not in ("<<", "="):
        assert read(text).variables == yaml.load(text.split("---\n")[1], Loader=yaml.SafeLoader)


# --- yaml-rs and PyYAML read front matter alike -------------------------------------------------

def _scalar_text(value: str, style: str, indent: str) -> str:
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style == "double":
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if style in ("|", ">", "|-", ">+"):
        return style + "".join(f"\n{indent}  {line}" for line in value.split("\n"))
    return value


def _yaml_documents():
    from hypothesis import strategies as st

    words = st.sampled_from([*SCALARS, "2:39", "159", "Yes, I did", "No, never", "2019 was", "a # b", "#c",
                             "[a]", "{a: 1}", "a: b", "? x", "- x", "x\ty", "x\r\ny", "x\x85y", "x\u2028y",
                             "x\x07", "'", '"', "\\u00e9", "key:", "", " ", "a\nb", "line one\n  line two"])
    texts = st.text(alphabet=" abyYnNo01279.:-+#,[]{}?!&*|>'\"\\\t\n\r\u00e9", max_size=12)
    prose = st.text(alphabet=" abcyno019.,'\u00e9", min_size=1, max_size=30).map(str.strip).filter(bool)
    scalars = st.tuples(st.one_of(prose, words, texts), st.sampled_from(["plain", "single", "double", "|", ">"]))
    keys = st.one_of(st.sampled_from(["title", "tags", "sec", "time", "line", "yes", "1", "2020-06-06", "a b",
                                      "-x", "'q'", '"d"', "x#y", "[k]", "? k"]), st.from_regex(r"[a-z]{1,8}", fullmatch=True),
                     texts)
    values = st.recursive(scalars.map(lambda pair: ("scalar", pair)),
                          lambda inner: st.one_of(
                              st.lists(st.tuples(keys, inner), min_size=1, max_size=4).map(lambda x: ("map", x)),
                              st.lists(inner, min_size=1, max_size=4).map(lambda x: ("seq", x)),
                              st.lists(st.one_of(scalars, st.lists(scalars, max_size=3)), max_size=4).map(
                                  lambda x: ("flow", x))),
                          max_leaves=12)

    def flow(items: list, indent: str) -> str:
        return "[" + ", ".join(flow(item, indent) if isinstance(item, list) else
                               _scalar_text(item[0], "plain" if item[1] in "|>" else item[1], indent)
                               for item in items) + "]"

    def lines(node, indent: str, compact: bool = False) -> str:
        kind, content = node
        if kind == "scalar":
            return " " + _scalar_text(content[0], content[1], indent)
        if kind == "flow":
            return " " + flow(content, indent)
        if kind == "map":
            return "".join(f"\n{indent}{key}:{lines(value, indent + '  ')}" for key, value in content)
        step = "" if compact else "  "
        return "".join(f"\n{indent}{step}-{lines(value, indent + step + '  ')}" for value in content)

    documents = st.lists(st.tuples(keys, values, st.booleans()), min_size=1, max_size=5).map(
        lambda entries: "".join(f"{key}:{lines(value, '', compact)}\n" for key, value, compact in entries))
    return st.one_of(documents, st.text(alphabet=" abyn01:-#,[]{}'\"\t\n\r\u00e9", max_size=60))


def test_yaml_rs_reads_front_matter_as_pyyaml_or_leaves_it_to_pyyaml():
    from hypothesis import HealthCheck, given, settings

    from pysite.variables import _library_yaml, _quick_yaml

    @settings(max_examples=600, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(_yaml_documents())
    def alike(src: str) -> None:
        quick = _quick_yaml(src)
        try:
            library = _library_yaml(src, Path("page.md"))
        except ParseError:
            assert quick is None
            return
        assert quick is None or repr(quick) == repr(library)   # repr: 1, 1.0 and True apart

    alike()


@pytest.mark.parametrize("prefix, quick", [("000", False), ("003", True), ("004", True)])
def test_seed_front_matter_is_read_by_yaml_rs_unless_it_has_a_date(prefix, quick):
    # the podcast's transcript (64 KB) is what costs; a plain date is read apart, so PyYAML reads it
    from pysite.variables import _quick_yaml

    lines = seed(prefix).split("\n")
    assert (_quick_yaml("\n".join(lines[1:lines.index("---", 1)])) is not None) == quick
