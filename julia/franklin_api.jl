# Franklin's API as a site's utils.jl calls it, without Franklin installed: `pagevar`,
# `globvar`, `locvar`, `fd2html`, `@delay`, `LxCom` and `content`, `PAGEVAR_DEPTH`.
# Included into the bridge's site module before utils.jl, as a module `Franklin` (for
# `using Franklin` and `Franklin.name`) whose names are also in scope unqualified, as they
# are for a utils.jl under Franklin. pysite (pysite/dialect/julia_utils.py) sends the
# variables of the page, of the site and of every page before it calls a function.

module Franklin

import Base64, Dates

export LxCom, content, stent, locvar, globvar, pagevar, fd2html, @delay

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

# `default` as Franklin 0.10 takes it (a keyword), and as earlier versions did (positional).
locvar(name, d = nothing; default = d) = get(VARIABLES["vars"], string(name), globvar(name; default = default))
globvar(name, d = nothing; default = d) = get(VARIABLES["site"], string(name), default)

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

using .Franklin

"The `hfun_` and `lx_` functions of utils.jl, then after `|` those marked `@delay`."
function __pysite_names(_)
    found = [string(name) for name in names(@__MODULE__, all = true) if occursin(r"^(hfun|lx)_", string(name))]
    return join(found, " ") * "|" * join(collect(Franklin.DELAYED), " ")
end

"Replace one of the sent dictionaries, `[key, source]` (an empty source: Julia holds it already)."
function __pysite_set(args)
    key, source = args
    isempty(source) || (Franklin.VARIABLES[key] = Core.eval(@__MODULE__, Meta.parse(source)))
    return ""
end

"""
Call `hfun_name(params)` (`hfun_name()` without params) or `lx_name(com, _)` as Franklin does:
`ok\\0result`, or `error\\0message\\0the frames in utils.jl`.
"""
function __pysite_call(args)
    name, variables, site = args[1], args[2], args[3]
    try
        __pysite_set(("vars", variables))
        __pysite_set(("site", site))
        f = getfield(@__MODULE__, Symbol(name))
        rest = args[4:end]
        result = if startswith(name, "lx_")
            Base.invokelatest(f, LxCom(name[4:end], rest), nothing)
        elseif isempty(rest) && applicable(f)
            Base.invokelatest(f)
        else
            Base.invokelatest(f, rest)
        end
        return "ok\0" * string(result)
    catch err
        frames = [string(frame) for frame in stacktrace(catch_backtrace())
                  if occursin("utils.jl", string(frame.file)) && !startswith(string(frame.func), "__pysite")]
        return "error\0" * sprint(showerror, err) * "\0" * join(frames, "\n")
    end
end
