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

"""
A module for one page: like a `module` block (`eval`, `include` relative to the page, `@OUTPUT`),
with `Dates` in use and Franklin's `locvar`, `globvar` and `pagevar`, as Franklin's page modules
have them.
"""
function page_module(path::AbstractString)
    mod = Module(:PysitePage)
    Core.eval(mod, :(using Dates))
    Core.eval(mod, :(const Franklin = $Franklin))
    Core.eval(mod, :(using .Franklin: locvar, globvar, pagevar))
    dir = dirname(abspath(path))
    resolve(p) = isabspath(p) ? p : joinpath(dir, p)
    Core.eval(mod, :(eval(x) = $(Core.eval)($mod, x)))
    Core.eval(mod, :(include(p::AbstractString) = $(Base.include)($mod, $resolve(p))))
    Core.eval(mod, :(const $(Symbol("@OUTPUT")) = $(getfield(@__MODULE__, Symbol("@OUTPUT")))))
    return mod
end

struct CellSyntaxError <: Exception
    message::String
    line::Int
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
        throw(CellSyntaxError(sprint(showerror, err), line))
    end
    for e in (ex isa Expr && ex.head === :toplevel ? ex.args : Any[ex])
        e isa Expr && e.head in (:error, :incomplete) && throw(syntax_error(e, text, path))
    end
    return ex
end

function syntax_error(e::Expr, text::AbstractString, path::AbstractString)
    detail = e.args[1]
    line = failing_line(text)
    # Newer parsers carry their own located error; Julia 1.5 gives a bare string.
    detail isa AbstractString || return CellSyntaxError(sprint(showerror, detail), line)
    return CellSyntaxError("syntax: $detail\nin expression starting at $path:$line", line)
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

"An error in user code, with the user's backtrace and the line of the page where it happened."
struct Located <: Exception
    err::Any
    backtrace::String
    line::Int
end

# Soft scope at a cell's top level, as the REPL has it (`s = 0; for i in 1:3; s += i; end`
# updates the global `s`). REPL.softscope arrived in Julia 1.5.
const SOFTSCOPE = isdefined(REPL, :softscope) ? REPL.softscope : identity

"""
Evaluate top-level statements one by one (as `include` does, so a macro defined
in a statement is usable by the next); the value of the last one. An error is
rethrown as `Located`, with the user's backtrace and the page line that failed:
the innermost frame in the page's file, else the statement's first line.
"""
function run_user_code(mod::Module, ex, path::AbstractString)
    args = ex isa Expr && ex.head === :toplevel ? ex.args : Any[ex]
    where = nothing
    value = nothing
    for stmt in args
        if stmt isa LineNumberNode
            where = stmt
            continue
        end
        try
            value = Core.eval(mod, Expr(:toplevel, something(where, LineNumberNode(0)), SOFTSCOPE(stmt)))
        catch err
            err isa InterruptException && rethrow()
            head, omitted, tail = user_frames(catch_backtrace())
            bt = format_backtrace(head, omitted, tail)
            where === nothing || (bt = lstrip(bt * "\nin expression starting at $(where.file):$(where.line)"))
            inner = findfirst(f -> frame_file(f) == path, vcat(head, tail))
            line = inner !== nothing ? vcat(head, tail)[inner].line : where === nothing ? 0 : where.line
            throw(Located(err, bt, line))
        end
    end
    return value
end

const BRIDGE_DIR = @__DIR__
const SHOWN_FRAMES = (15, 5)  # innermost, outermost

"""
The frames of `bt` above the bridge (the user's) as (innermost, omitted, outermost):
at most SHOWN_FRAMES of each end, and how many backtrace entries between them were
left out. A stack overflow leaves
tens of thousands of entries: only those shown are looked up.
"""
function user_frames(bt)
    n = bridge_start(bt) - 1
    frames(i) = filter(shown_frame, Base.StackTraces.lookup(bt[i]))
    head, tail = Base.StackTraces.StackFrame[], Base.StackTraces.StackFrame[]
    i, j = 1, n
    while i <= j && length(head) < SHOWN_FRAMES[1]
        append!(head, frames(i))
        i += 1
    end
    while i <= j && length(tail) < SHOWN_FRAMES[2]
        prepend!(tail, frames(j))
        j -= 1
    end
    return head, j - i + 1, tail
end

# Line-0 frames say nothing; Core.eval's own frame sits right above the bridge.
shown_frame(f) = !f.from_c && f.line > 0 && !(f.func === :eval && endswith(string(f.file), "boot.jl"))

"""
Index of the innermost entry of `bt` in the bridge's own files. The bridge's frames
are the outermost: scan from the end, and stop once well past the last one seen.
"""
function bridge_start(bt)
    start, since = length(bt) + 1, 0
    for i in length(bt):-1:1
        if any(f -> startswith(string(f.file), BRIDGE_DIR), Base.StackTraces.lookup(bt[i]))
            start, since = i, 0
        elseif start <= length(bt) && (since += 1) > 30
            break
        end
    end
    return start
end

function format_backtrace(head, omitted::Integer, tail)
    isempty(head) && return ""
    io = IOBuffer()
    print(io, "Stacktrace:")
    for (i, f) in enumerate(head)
        print(io, "\n [", i, "] ")
        show_frame(io, f)
    end
    omitted > 0 && print(io, "\n [... ", omitted, omitted == 1 ? " frame" : " frames", " omitted]")
    for f in tail
        print(io, "\n [...] ")
        show_frame(io, f)
    end
    return String(take!(io))
end

user_backtrace(bt) = format_backtrace(user_frames(bt)...)

# `show(frame)` keeps only the file's base name; the .md path is more useful. Other
# absolute paths (Julia's own, packages') keep only theirs: the page is published.
function show_frame(io::IO, f::Base.StackTraces.StackFrame)
    try
        Base.StackTraces.show_spec_linfo(io, f)
    catch
        print(io, f.func)
    end
    file = frame_file(f)
    inside = isabspath(file) && startswith(file, joinpath(ROOT[], ""))
    print(io, " at ", isabspath(file) && !inside ? basename(file) : file, ":", f.line)
end

# Julia writes a method's relative file as "./file" (Base's own files too).
frame_file(f) = (file = string(f.file); startswith(file, "./") ? file[3:end] : file)

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
    line::Int  # the page line of the error, 0 when unknown
    seconds::Float64
end

"""
Run one cell in `mod`: its output and value (at most `limit` bytes each), displays,
or its error with a trimmed backtrace.
"""
function run_cell(mod::Module, code::AbstractString, path::AbstractString, line::Integer,
                  outdir::AbstractString, limit::Integer)
    OUTPUT_DIR[] = outdir
    display = CellDisplay(mod)
    cell = CellOutcome("ok", UInt8[], nothing, nothing, display.items, nothing, nothing, 0, 0.0)
    start = time_ns()
    cell.output = capture_output(limit) do
        pushdisplay(display)
        try
            x = run_user_code(mod, parse_cell(code, path, line), path)
            if x !== nothing && !ends_with_semicolon(code)
                cell.value = cut(render_text(mod, x), limit)
                cell.rich = render_rich(mod, x)
            end
        catch err
            cell.status = err isa InterruptException ? "interrupted" : "error"
            cell.error = cut(sprint(showerror, err isa Located ? err.err : err), limit)
            cell.backtrace = err isa Located ? err.backtrace :
                             err isa CellSyntaxError ? nothing : user_backtrace(catch_backtrace())
            cell.line = err isa Located || err isa CellSyntaxError ? err.line : 0
        finally
            popdisplay(display)
        end
    end
    cell.seconds = (time_ns() - start) / 1e9
    OUTPUT_DIR[] = ""
    return cell
end
