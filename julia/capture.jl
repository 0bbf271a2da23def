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

function render_rich(mod::Module, x)
    for mime in RICH_MIMES
        Base.invokelatest(showable, mime, x) && return mime => render(mod, mime, x)
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

function capture_file()
    if CAPTURE[] === nothing
        path = tempname()
        CAPTURE[] = open(path, "a+")
        atexit(() -> rm(path; force = true))
    end
    return CAPTURE[]
end

"""
Run `f()` with stdout and stderr (Julia's, the C library's and the logger's)
sent to one file; return the bytes written.
"""
function capture_output(f)
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
    seekstart(io)
    return read(io)
end
