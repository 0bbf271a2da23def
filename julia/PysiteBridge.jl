# The Julia side of pysite's bridge: evaluates pages' cells, page variables and
# site utilities for the Python builder. Base and the standard library only; runs
# on Julia 1.5 and current releases. Both transports (the worker subprocess and
# juliacall in-process) go through `handle`.
module PysiteBridge

import Base64, Dates, Logging

# The bridge is glue: compiling it fast matters more than running it fast.
@static if isdefined(Base, :Experimental) && isdefined(Base.Experimental, Symbol("@optlevel"))
    Base.Experimental.@optlevel 0
end

include("protocol.jl")
include("capture.jl")
include("evaluate.jl")
include("repl.jl")

# The site module holding utils.jl (`hfun_*` functions) over Franklin's API, replaced on each load.
const SITE = Ref{Module}(Module(:PysiteSite))

"""
Answer one request, writing the response message(s) to `out`. Request kinds
(first field) and their replies:
- `page path n (code line outdir)×n` -> one `cell` message per cell, in order
- `eval code path line`              -> `value` + encoded value, or `error message backtrace`
- `load_utils code path`             -> `ok`, or `error message backtrace`
- `call name args...`                -> `ok string`, or `error message backtrace`
- `version`                          -> `ok version`
"""
function handle(out::IO, request::Message)
    kind, args = String(request[1]), String.(request[2:end])  # (String(bytes) takes the bytes)
    if kind == "page"
        run_page(out, args)
    elseif kind == "eval"
        reply(out) do
            x = Core.eval(value_module(), parse_cell(args[1], args[2], parse(Int, args[3])))
            encode_value!(Any["value"], x)
        end
    elseif kind == "load_utils"
        reply(out) do
            SITE[] = value_module()
            Base.include(SITE[], joinpath(@__DIR__, "franklin_api.jl"))
            Core.eval(SITE[], parse_cell(args[1], args[2], 1))
            Any["ok"]
        end
    elseif kind == "call"
        reply(out) do
            f = getfield(SITE[], Symbol(args[1]))
            result = length(args) > 1 ? Base.invokelatest(f, args[2:end]) : Base.invokelatest(f)
            Any["ok", string(result)]
        end
    elseif kind == "version"
        write_message(out, Any["ok", string(VERSION)])
    else
        write_message(out, Any["error", "unknown request kind: $kind", ""])
    end
end

"A fresh module for page variables and utilities, with Dates at hand as in Franklin."
function value_module()
    mod = Module(:PysiteValues)
    Core.eval(mod, :(using Dates))
    return mod
end

function reply(f, out::IO)
    message = try
        f()
    catch err
        Any["error", sprint(showerror, err), err isa CellSyntaxError ? "" : user_backtrace(catch_backtrace())]
    end
    write_message(out, message)
end

function run_page(out::IO, args::Vector{String})
    path = args[1]
    mod = page_module(path)
    interrupted = false
    for i in 1:parse(Int, args[2])
        code, line, outdir = args[3i:3i+2]
        if interrupted
            write_message(out, Any["cell", "not-evaluated", "0", UInt8[], UInt8[], UInt8[], UInt8[], UInt8[], UInt8[]])
            continue
        end
        cell = run_cell(mod, code, path, parse(Int, line), outdir)
        interrupted = cell.status == "interrupted"
        message = Any["cell", cell.status, string(cell.seconds), cell.output, optional(cell.value),
                      optional(cell.rich === nothing ? nothing : cell.rich.first),
                      optional(cell.rich === nothing ? nothing : cell.rich.second),
                      optional(cell.error), optional(cell.backtrace)]
        for (mime, data) in cell.displays
            push!(message, mime, data)
        end
        write_message(out, message)
    end
end

"The in-process entry point (juliacall): a base64 request in, base64 replies out."
function handle_base64(request::AbstractString)
    out = IOBuffer()
    handle(out, read_message(IOBuffer(Base64.base64decode(request))))
    return Base64.base64encode(take!(out))
end

end # module
