# The glue between pysite and a site's utils.jl, included into the bridge's site module before
# utils.jl, once the bridge's `Franklin` (julia/franklin.jl) is bound there: its names are in
# scope unqualified, as they are for a utils.jl under Franklin.

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
Call `hfun_name(params)` (`hfun_name()` without params) or `lx_name(com, _)` as Franklin does,
`[name, page variables, site variables, site folder, the page's part of the output, params...]`:
`ok\\0result`, or `error\\0message\\0the frames in utils.jl`.
"""
function __pysite_call(args)
    name, variables, site = args[1], args[2], args[3]
    try
        Franklin.CELL_VARIABLES[] = nothing   # left set only by a page's cells that did not run
        __pysite_set(("vars", variables))
        __pysite_set(("site", site))
        Franklin.set_paths!(args[4], args[5])
        f = getfield(@__MODULE__, Symbol(name))
        rest = args[6:end]
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
