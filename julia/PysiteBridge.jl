# The Julia side of pysite's bridge: evaluates pages' cells, page variables and
# site utilities for the Python builder. Base and the standard library only; runs
# on Julia 1.5 and current releases, choosing between APIs by what is defined,
# never by version number. Both transports (the worker subprocess and juliacall
# in-process) go through `handle`.
module PysiteBridge

import Base64, Dates, Logging, REPL

# The bridge is glue: compiling it fast matters more than running it fast.
@static if isdefined(Base, :Experimental) && isdefined(Base.Experimental, Symbol("@optlevel"))
    Base.Experimental.@optlevel 0
end

include("protocol.jl")
include("franklin.jl")
include("capture.jl")
include("evaluate.jl")
include("repl.jl")
include("isolation.jl")

# The site module holding utils.jl (`hfun_*` functions) over Franklin's API, replaced on each load.
const SITE = Ref{Module}(Module(:PysiteSite))

# The site's folder: cells run in it, and it is left out of the paths they publish.
const ROOT = Ref("")

"""
Answer one request, writing the response message(s) to `out`. Every request's
second field is its id, which every reply repeats. Request kinds (first field)
and their replies:
- `page id path limit n (code line outdir)×n` -> one `cell` message per cell, in
  order, then `done id why` (`why` is empty when the worker can serve another page)
- `eval id code path line`  -> `value id` + encoded value, or `error id message backtrace`
- `load_utils id code path` -> `ok id`, or `error id message backtrace`
- `call id name args...`    -> `ok id string`, or `error id message backtrace`
"""
function handle(out::IO, request::Message)
    kind, id, args = String(request[1]), String(request[2]), String.(request[3:end])  # (String(bytes) takes the bytes)
    if kind == "page"
        run_page(out, id, args)
    elseif kind == "eval"
        reply(out, id) do
            x = Core.eval(value_module(), parse_cell(args[1], args[2], parse(Int, args[3])))
            encode_value!(Any["value", id], x)
        end
    elseif kind == "load_utils"
        reply(out, id) do
            SITE[] = value_module()
            empty!(Franklin.DELAYED)   # the functions of the utils.jl loaded before
            Core.eval(SITE[], :(const Franklin = $Franklin))
            Base.include(SITE[], joinpath(@__DIR__, "franklin_api.jl"))
            Core.eval(SITE[], parse_cell(args[1], args[2], 1))
            Any["ok", id]
        end
    elseif kind == "call"
        reply(out, id) do
            # invokelatest: in Julia 1.12 a global defined after this world began is not yet visible.
            f = Base.invokelatest(getfield, SITE[], Symbol(args[1]))
            result = length(args) > 1 ? Base.invokelatest(f, args[2:end]) : Base.invokelatest(f)
            Any["ok", id, publish(string(result))]
        end
    else
        write_message(out, Any["error", id, "unknown request kind: $kind", ""])
    end
end

"A fresh module for page variables and utilities, with Dates at hand as in Franklin."
function value_module()
    mod = Module(:PysiteValues)
    Core.eval(mod, :(using Dates))
    return mod
end

function reply(f, out::IO, id::String)
    message = try
        f()
    catch err
        Any["error", id, publish(sprint(showerror, err)), err isa CellSyntaxError ? "" : publish(user_backtrace(catch_backtrace()))]
    end
    write_message(out, message)
end

"""
Text as a page may show it: paths in the site's folder relative to it (the folder
itself as `.`), the home folder as `~`.
"""
function publish(text::AbstractString)
    for (folder, name) in ((ROOT[], "."), (homedir(), "~"))
        folder = rstrip(folder, '/')
        isempty(folder) && continue
        # The folder, followed by `/` or by no further character of a name.
        pattern = Regex("\\Q" * folder * "\\E(/|(?![\\w.-]))")
        text = replace(text, pattern => m -> !endswith(m, "/") ? name : name == "." ? "" : name * "/")
    end
    return text
end

publish(data::Vector{UInt8}) = Vector{UInt8}(codeunits(publish(String(copy(data)))))

function run_page(out::IO, id::String, args::Vector{String})
    path, limit = args[1], parse(Int, args[2])
    mod = page_module(path)
    # After the module: its own `eval` and `include` bump the world counter, and a changed world
    # costs a scan of every method (about 10 ms) at the end of the page.
    state = PageState()
    interrupted = false
    for i in 1:parse(Int, args[3])
        code, line, outdir = args[3i+1:3i+3]
        if interrupted
            write_message(out, Any["cell", id, "not-evaluated", "0", UInt8[], UInt8[], UInt8[], UInt8[], UInt8[], UInt8[], "0"])
            continue
        end
        cell = run_cell(mod, code, path, parse(Int, line), outdir, limit)
        interrupted = cell.status == "interrupted"
        message = Any["cell", id, cell.status, string(cell.seconds), publish(cell.output),
                      optional(cell.value === nothing ? nothing : publish(cell.value)),
                      optional(cell.rich === nothing ? nothing : cell.rich.first),
                      optional(cell.rich === nothing ? nothing : cell.rich.second),
                      optional(cell.error === nothing ? nothing : publish(cell.error)),
                      optional(cell.backtrace === nothing ? nothing : publish(cell.backtrace)),
                      string(cell.line)]
        for (mime, data) in cell.displays
            push!(message, mime, data)
        end
        write_message(out, message)
    end
    restore!(state)
    Franklin.CELL_VARIABLES[] = nothing
    write_message(out, Any["done", id, leftovers(state, mod)])
end

"The in-process entry point (juliacall): a base64 request in, base64 replies out."
function handle_base64(request::AbstractString)
    out = IOBuffer()
    handle(out, read_message(IOBuffer(Base64.base64decode(request))))
    return Base64.base64encode(take!(out))
end

end # module
