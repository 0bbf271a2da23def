# Evaluating a page's cells: one fresh module per page, cells in order sharing
# it, file and line numbers of the .md file in errors and backtraces.

# The per-cell folder behind `@OUTPUT`, set before each cell runs.
const OUTPUT_DIR = Ref("")

function output_dir()
    isempty(OUTPUT_DIR[]) && error("@OUTPUT is only available while a page cell runs")
    mkpath(OUTPUT_DIR[])
    return OUTPUT_DIR[]
end

"The folder where the running cell writes its files (created on first use)."
macro OUTPUT()
    return :($output_dir())
end

"A module for one page: like a `module` block (`eval`, `include` relative to the page, `@OUTPUT`)."
function page_module(path::AbstractString)
    mod = Module(:PysitePage)
    dir = dirname(abspath(path))
    resolve(p) = isabspath(p) ? p : joinpath(dir, p)
    Core.eval(mod, :(eval(x) = $(Core.eval)($mod, x)))
    Core.eval(mod, :(include(p::AbstractString) = $(Base.include)($mod, $resolve(p))))
    Core.eval(mod, :(const $(Symbol("@OUTPUT")) = $(getfield(@__MODULE__, Symbol("@OUTPUT")))))
    return mod
end

struct CellSyntaxError <: Exception
    message::String
end
Base.showerror(io::IO, e::CellSyntaxError) = print(io, e.message)

"""
Parse a whole cell as top-level code whose first line is line `line` of `path`:
padding with newlines makes every line number (parse errors included) the .md's.
"""
function parse_cell(code::AbstractString, path::AbstractString, line::Integer)
    text = string("\n"^max(line - 1, 0), code)
    ex = try
        isdefined(Meta, :parseall) ? Meta.parseall(text; filename = path) :
        Base.parse_input_line(text; filename = path)
    catch err  # parsers that throw rather than return an :error expression
        throw(CellSyntaxError(sprint(showerror, err)))
    end
    for e in (ex isa Expr && ex.head === :toplevel ? ex.args : Any[ex])
        e isa Expr && e.head in (:error, :incomplete) && throw(syntax_error(e, text, path))
    end
    return ex
end

function syntax_error(e::Expr, text::AbstractString, path::AbstractString)
    detail = e.args[1]
    # Newer parsers carry their own located error; Julia 1.5 gives a bare string.
    detail isa AbstractString || return CellSyntaxError(sprint(showerror, detail))
    return CellSyntaxError("syntax: $detail\nin expression starting at $path:$(failing_line(text))")
end

"The line where the first unparsable statement of `text` starts."
function failing_line(text::AbstractString)
    pos = 1
    while pos <= ncodeunits(text)
        start = pos
        ex, pos = Meta.parse(text, pos; raise = false)
        if ex isa Expr && ex.head in (:error, :incomplete)
            first = something(findnext(!isspace, text, start), start)
            return count(==('\n'), SubString(text, 1, prevind(text, first))) + 1
        end
        (ex === nothing || pos <= start) && break
    end
    return count(==('\n'), text) + 1
end

"Where the statement that failed starts, for errors whose backtrace has no user frame."
struct Located <: Exception
    err::Any
    backtrace::String
end

"""
Evaluate top-level statements one by one (as `include` does, so a macro defined
in a statement is usable by the next); the value of the last one. An error is
rethrown as `Located`, with the user's backtrace and the statement's location.
"""
function run_user_code(mod::Module, ex)
    args = ex isa Expr && ex.head === :toplevel ? ex.args : Any[ex]
    where = nothing
    value = nothing
    for stmt in args
        if stmt isa LineNumberNode
            where = stmt
            continue
        end
        try
            value = Core.eval(mod, Expr(:toplevel, something(where, LineNumberNode(0)), stmt))
        catch err
            err isa InterruptException && rethrow()
            bt = user_backtrace(catch_backtrace())
            where === nothing || (bt = lstrip(bt * "\nin expression starting at $(where.file):$(where.line)"))
            throw(Located(err, bt))
        end
    end
    return value
end

const BRIDGE_DIR = @__DIR__

"The backtrace down to the first frame of the bridge (where user code was called)."
function user_backtrace(bt)
    frames = stacktrace(bt)
    cut = findfirst(f -> startswith(string(f.file), BRIDGE_DIR), frames)
    cut === nothing || (frames = frames[1:cut-1])
    # Core.eval's own frame sits right above the boundary; line-0 frames say nothing.
    filter!(f -> f.line > 0 && !(f.func === :eval && endswith(string(f.file), "boot.jl")), frames)
    isempty(frames) && return ""
    io = IOBuffer()
    print(io, "Stacktrace:")
    for (i, f) in enumerate(frames)
        print(io, "\n [", i, "] ")
        show_frame(io, f)
    end
    return String(take!(io))
end

# `show(frame)` keeps only the file's base name; the .md path is more useful.
function show_frame(io::IO, f::Base.StackTraces.StackFrame)
    try
        Base.StackTraces.show_spec_linfo(io, f)
    catch
        print(io, f.func)
    end
    file = string(f.file)
    print(io, " at ", startswith(file, "./") ? file[3:end] : file, ":", f.line)
end

"""
Does the cell end with `;` (ignoring trailing whitespace and comments)? Then its
value is not shown. Unlike REPL.ends_with_semicolon, a trailing comment is fine.
"""
function ends_with_semicolon(code::AbstractString)
    s = rstrip(code)
    while true
        if endswith(s, "=#")
            i = findlast("#=", s)
            i === nothing && break
            s = rstrip(SubString(s, 1, prevind(s, first(i))))
            continue
        end
        start = something(findlast(==('\n'), s), 0) + 1
        hash = comment_start(SubString(s, start))
        hash === nothing && break
        s = rstrip(SubString(s, 1, prevind(s, start + hash - 1)))
    end
    return endswith(s, ';')
end

"Index of a `#` starting a comment in one line, outside strings and the char literal `'#'`."
function comment_start(line::AbstractString)
    in_string = escaped = false
    prev = ' '
    for (i, c) in pairs(line)
        if in_string
            escaped ? (escaped = false) : c == '\\' ? (escaped = true) : c == '"' && (in_string = false)
        elseif c == '"'
            in_string = true
        elseif c == '#' && !(prev == '\'' && get(line, nextind(line, i), ' ') == '\'')
            return i
        end
        prev = c
    end
    return nothing
end

mutable struct CellOutcome
    status::String  # "ok", "error" or "interrupted"
    output::Vector{UInt8}
    value::Union{String,Nothing}
    rich::Union{Pair{String,Vector{UInt8}},Nothing}
    displays::Vector{Pair{String,Vector{UInt8}}}
    error::Union{String,Nothing}
    backtrace::Union{String,Nothing}
    seconds::Float64
end

"Run one cell in `mod`: its output, value, displays, or its error with a trimmed backtrace."
function run_cell(mod::Module, code::AbstractString, path::AbstractString, line::Integer, outdir::AbstractString)
    OUTPUT_DIR[] = outdir
    display = CellDisplay(mod)
    cell = CellOutcome("ok", UInt8[], nothing, nothing, display.items, nothing, nothing, 0.0)
    start = time_ns()
    cell.output = capture_output() do
        pushdisplay(display)
        try
            x = run_user_code(mod, parse_cell(code, path, line))
            if x !== nothing && !ends_with_semicolon(code)
                cell.value = render_text(mod, x)
                cell.rich = render_rich(mod, x)
            end
        catch err
            cell.status = err isa InterruptException ? "interrupted" : "error"
            cell.error = sprint(showerror, err isa Located ? err.err : err)
            cell.backtrace = err isa Located ? err.backtrace :
                             err isa CellSyntaxError ? nothing : user_backtrace(catch_backtrace())
        finally
            popdisplay(display)
        end
    end
    cell.seconds = (time_ns() - start) / 1e9
    OUTPUT_DIR[] = ""
    return cell
end
