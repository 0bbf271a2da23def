# Franklin's API as a site's utils.jl and a page's cells call it, without Franklin installed:
# `pagevar`, `globvar`, `locvar`, `fd2html`, `@delay`, `LxCom` and `content`, `PAGEVAR_DEPTH`,
# `path`, `parse_rpath`, `form_codepaths`, `html_err`, `html_code`. One module in the bridge:
# each site module (julia/franklin_api.jl) and each page's module binds it as `Franklin`.
# pysite (pysite/dialect/julia_utils.py, pysite/evaluate.py) sends the variables of the page,
# of the site and of every page before a function or a page's cells that read them run.

module Franklin

import Base64, Dates

export LxCom, content, stent, locvar, globvar, pagevar, fd2html, @delay, html_err, html_code

"The variables pysite sent: the current page's, the site's, every page's by path without extension."
const VARIABLES = Dict{String,Any}("vars" => Dict{String,Any}(), "site" => Dict{String,Any}(),
                                   "pages" => Dict{String,Any}())
"Functions marked `@delay`: pysite calls them once every page has been read."
const DELAYED = Set{String}()
"""
Franklin's guard for pages read on demand by `pagevar`. pysite reads every page's variables
before any function runs, so nothing is read on demand and the counter limits nothing; it
exists for the utils.jl files that reset it.
"""
const PAGEVAR_DEPTH = Ref(0)

"What an `lx_name(com, _)` function receives: the command's name and its brace contents."
struct LxCom
    name::String
    braces::Vector{String}
end
content(x) = string(x)
stent(x) = strip(content(x))

"""
The variables of the page whose cells are running, `(page, site)`, set by pysite before it
runs them and cleared after (`run_page`); `nothing` while utils.jl functions run.
"""
const CELL_VARIABLES = Ref{Any}(nothing)

variables(kind) = CELL_VARIABLES[] === nothing ? VARIABLES[kind] : CELL_VARIABLES[][kind == "vars" ? 1 : 2]

# `default` as Franklin 0.10 takes it (a keyword), and as earlier versions did (positional).
locvar(name, d = nothing; default = d) = get(variables("vars"), string(name), globvar(name; default = default))
globvar(name, d = nothing; default = d) = get(variables("site"), string(name), default)

function pagevar(rpath, name, d = nothing; default = d)
    stem = strip(string(rpath), '/')
    for extension in (".md", ".html")
        endswith(stem, extension) && (stem = chop(stem; tail = length(extension)))
    end
    stem = isempty(stem) ? "index" : stem
    pages = VARIABLES["pages"]
    page = get(pages, stem, get(pages, stem * "/index", nothing))
    return page === nothing ? default : get(page, string(name), default)
end

"""
Markdown with Franklin's dialect as HTML. pysite renders it once the function returns, through
its own renderer; until then it is a marker, which survives being written, joined and printed.
"""
function fd2html(markdown::AbstractString; internal::Bool = false, dir::AbstractString = "", nop::Bool = false)
    return string("<!--pysite-fd2html ", nop ? "nop" : "p", " ", Base64.base64encode(markdown), "-->")
end

"""
Franklin's folders, `path(:folder)`, `path(:assets)`, `path(:layout)`..., set before each call.
`path(:site)` is the page's part of the output: where pysite keeps the files its cells wrote
(`NAME.jl`, `output/NAME.out`, `output/NAME.res`) and publishes what is there with them, so
an hfun finds the files of the cells that ran just before it, at Franklin's paths.
"""
const PATHS = Dict{Symbol,String}()
path(name) = PATHS[Symbol(name)]

function set_paths!(folder::AbstractString, site::AbstractString)
    PATHS[:folder], PATHS[:site] = folder, site
    for name in (:assets, :css, :layout, :libs, :literate)
        PATHS[name] = joinpath(folder, "_" * string(name))
    end
end

"""
Franklin's reading of a path a page gives (its 0.2 folder structure): `/a/b` from the site's
root (`/_assets/` is `/assets/`), `./a` in the page's assets folder, `a` in the assets folder
(in code, in the page's `code/` folder). `canonical`: a path on disk, else an address.
"""
function parse_rpath(rpath::AbstractString; canonical::Bool = false, code::Bool = false)
    (isempty(rpath) || rpath in ("/", "./")) && error("relative path `$rpath` doesn't look right")
    if startswith(rpath, "/")
        rpath = replace(rpath, "/_assets" => "/assets")
        return canonical ? normpath(joinpath(PATHS[:site], rpath[2:end])) : rpath
    elseif startswith(rpath, "./")
        page = splitext(string(locvar("fd_rpath")))[1]
        canonical && return normpath(joinpath(PATHS[:site], "assets", page, rpath[3:end]))
        return "/assets/" * page * "/" * rpath[3:end]
    end
    code && return parse_rpath("./code/" * rpath; canonical = canonical)
    return canonical ? normpath(joinpath(PATHS[:site], "assets", rpath)) : "/assets/" * rpath
end

"Where the files of a page's cell `rpath` are (whether or not it ran), as Franklin names them."
function form_codepaths(rpath::AbstractString)
    script_path = parse_rpath(rpath; canonical = true, code = true)
    endswith(script_path, ".jl") || (script_path *= ".jl")
    script_dir, script_name = splitdir(script_path)
    out_dir = joinpath(script_dir, "output")
    stem = splitext(script_name)[1]
    return (script_path = script_path, script_dir = script_dir, script_name = script_name,
            out_dir = out_dir, out_path = joinpath(out_dir, stem * ".out"), res_path = joinpath(out_dir, stem * ".res"))
end

"A visible red message, as Franklin shows a problem in a page."
html_err(message::AbstractString = "") = "<p><span style=\"color:red;\">// $message //</span></p>"

# Franklin's escapes (src/utils/html.jl), Julia's Markdown's `htmlesc` and a few more.
const ESCAPES = Dict{Char,String}('<' => "&lt;", '>' => "&gt;", '"' => "&quot;", '&' => "&amp;",
                                  (c => "&#$(Int(c));" for c in "'`!\$%()=+{}[]")...)

"Code as a block, as Franklin writes one: its text is HTML already, but `html` code is escaped."
function html_code(code::AbstractString, lang::AbstractString = ""; class::AbstractString = "")
    isempty(code) && return ""
    lang == "html" && (code = join(get(ESCAPES, c, string(c)) for c in code))
    kind = strip((isempty(lang) ? "plaintext" : "language-" * lang) * " " * class)
    return "<pre><code class=\"$kind\">$code</code></pre>"
end

"Mark an hfun to be called once every page has been read (its variables are all known then)."
macro delay(definition)
    signature = definition.args[1]
    while signature isa Expr && signature.head in (:where, :(::))
        signature = signature.args[1]
    end
    push!(DELAYED, string(signature.args[1]))
    return esc(definition)
end

end # module
