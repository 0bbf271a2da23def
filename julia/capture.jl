# What a cell shows: its printed output (Julia and C level, stdout and stderr
# interleaved), the `display()` calls it makes, and the rich form of its value.

# Preferred rich forms of a value, best first; text/plain is always shown too.
const RICH_MIMES = ("image/svg+xml", "image/png", "text/html")

# invokelatest: the bridge runs in the world age from before the cell defined
# its `show` methods.
function render(mod::Module, mime::AbstractString, x)
    io = IOBuffer()
    Base.invokelatest(show, IOContext(io, :limit => true, :module => mod, :color => false), MIME(mime), x)
    return take!(io)
end

render_text(mod::Module, x) = String(render(mod, "text/plain", x))

"""
The best rich form of `x` as `mime => bytes`, or `nothing`. A `show` that throws
for one MIME type is reported as a warning in the cell's output and the next
form is tried, down to text/plain (always shown).
"""
function render_rich(mod::Module, x)
    for mime in RICH_MIMES
        Base.invokelatest(showable, mime, x) || continue
        try
            return mime => render(mod, mime, x)
        catch err
            err isa InterruptException && rethrow()
            message = sprint(showerror, err)
            @warn "show(io, MIME\"$mime\"(), ::$(typeof(x))) threw, so the value is shown in another form: $message" _module = nothing _file = nothing _line = nothing
        end
    end
    return nothing
end

"Records `display()` calls made while a cell runs (pushed on top of the display stack)."
struct CellDisplay <: AbstractDisplay
    mod::Module
    items::Vector{Pair{String,Vector{UInt8}}}
end
CellDisplay(mod::Module) = CellDisplay(mod, Pair{String,Vector{UInt8}}[])

# A value with a rich form is recorded; a text-only one is printed into the
# cell's output, as the REPL and Franklin do.
function Base.display(d::CellDisplay, x)
    rich = render_rich(d.mod, x)
    if rich === nothing
        println(stdout, render_text(d.mod, x))
    else
        push!(d.items, rich)
    end
    return nothing
end

function Base.display(d::CellDisplay, mime::MIME, x)
    push!(d.items, string(mime) => render(d.mod, string(mime), x))
    return nothing
end

# Cell output goes to a file, not a pipe: a pipe needs a reader task, which
# would take the SIGINT of a timeout (Julia 1.5 delivers it to whichever task
# wakes) and could deadlock on large C-level output. Opened for appending, so
# Julia's writes and C's land in order of their flushes.
const CAPTURE = Ref{Union{IOStream,Nothing}}(nothing)

# Unlinked as soon as it is open: nothing is left behind, even by a killed worker.
function capture_file()
    if CAPTURE[] === nothing
        path = tempname()
        CAPTURE[] = open(path, "a+")
        rm(path)
    end
    return CAPTURE[]
end

"""
Run `f()` with stdout and stderr (Julia's, the C library's and the logger's)
sent to one file; return at most `limit` bytes of what was written, with a note
where it was cut.
"""
function capture_output(f, limit::Integer)
    io = capture_file()
    # Back to the start as well: the redirected descriptors share this file offset, and
    # writing past the end of the truncated file would leave a run of NUL bytes.
    truncate(io, 0)
    seekstart(io)
    old_out, old_err = stdout, stderr
    redirect_stdout(io)
    redirect_stderr(io)
    try
        Logging.with_logger(f, Logging.ConsoleLogger(io))
    finally
        flush(io)
        Libc.flush_cstdio()
        redirect_stdout(old_out)
        redirect_stderr(old_err)
    end
    total = position(seekend(io))
    seekstart(io)
    return cut(read(io, min(total, limit)), total, limit)
end

"`data` (the first bytes of `total`), with a note when `total` is over `limit`."
function cut(data::Vector{UInt8}, total::Integer, limit::Integer)
    total <= limit && return data
    note = "\n[output cut here: the cell wrote $(megabytes(total)), more than the limit of $(megabytes(limit)) " *
           "per cell (page variable `cell_output_limit`, flag --output-limit, in MB)]\n"
    return vcat(data[1:min(end, limit)], Vector{UInt8}(codeunits(note)))
end

cut(text::String, limit::Integer) = sizeof(text) <= limit ? text : String(cut(Vector{UInt8}(codeunits(text)), sizeof(text), limit))

megabytes(n::Integer) = string(round(n / 2^20; digits = 2), " MB")
