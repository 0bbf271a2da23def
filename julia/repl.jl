# Franklin's REPL-mode fences (```>, ```], ```;, ```?): a cell's code run as that REPL
# mode runs it, and the session printed as the page shows it.

import Markdown

const PKG_ID = Base.PkgId(Base.UUID("44cfe95a-1eb2-52ea-b672-e2afdf69b78f"), "Pkg")

"""
Run `code` (lines `line...` of `path`) in `mod` as the REPL `mode` ("repl", "pkg", "shell",
"help") would, and print the session: each input after its prompt, then what it printed
and showed; inputs apart by a blank line. Help mode prints the documentation as HTML.
"""
function repl_session(mod::Module, mode::AbstractString, code::AbstractString, path::AbstractString, line::Integer)
    if mode == "help"
        doc = Markdown.html(Core.eval(mod, Meta.parse("@doc " * strip(code))))
        # As Franklin shows it: doctests as REPL sessions, signatures as Julia, no cross-references.
        for (from, to) in (r"<a href=\"@ref(.*?)\">" => "", "</code></a>" => "</code>",
                           "language-jldoctest" => "language-julia-repl",
                           "<pre><code>" => "<pre><code class=\"language-julia\">")
            doc = replace(doc, from => to)
        end
        print(doc)
        return nothing
    end
    chunks = mode == "repl" ? julia_inputs(code, line) :
             [(l, 0) for l in split(code, r"\r?\n") if !isempty(strip(l))]
    prompt = mode == "repl" ? "julia> " : mode == "shell" ? "shell> " : "($(project_name())) pkg> "
    for (i, (input, at)) in enumerate(chunks)
        i > 1 && println()
        output = captured() do
            mode == "repl" ? show_input(mod, input, path, at) :
            mode == "shell" ? Base.repl_cmd(Cmd(string.(split(input))), nothing) :
            Base.require(PKG_ID).REPLMode.pkgstr(String(input))
        end
        print(prompt, mode == "repl" ? input : strip(input) * "\n")
        mode == "repl" ? print(output) : print(strip(output), "\n")
    end
    return nothing
end

"The complete inputs of `code` as the REPL reads them, line by line, each with its first line."
function julia_inputs(code::AbstractString, line::Integer)
    inputs, chunk, start = Tuple{String,Int}[], "", line
    for (i, text) in enumerate(split(code, r"\r?\n"))
        isempty(chunk) && isempty(strip(text)) && continue
        isempty(chunk) && (start = line + i - 1)
        chunk *= text * "\n"
        parsed = Base.parse_input_line(chunk)
        parsed isa Expr && parsed.head === :incomplete && continue
        push!(inputs, (chunk, start))
        chunk = ""
    end
    isempty(chunk) || push!(inputs, (chunk, start))
    return inputs
end

"Evaluate one input and print what the REPL shows after it: its value, or its error."
function show_input(mod::Module, input::AbstractString, path::AbstractString, line::Integer)
    value = try
        run_user_code(mod, parse_cell(input, path, line), path)
    catch err
        println(sprint(showerror, err isa Located ? err.err : err))
        return
    end
    (value === nothing || ends_with_semicolon(input)) && return
    show(stdout, MIME"text/plain"(), value)
    println()
end

"What `f()` prints to stdout and stderr, Julia's and its child processes' alike."
function captured(f)
    path, io = mktemp()
    try
        redirect_stdout(io) do
            redirect_stderr(io) do
                f()
            end
        end
        close(io)
        return read(path, String)
    finally
        isopen(io) && close(io)
        rm(path; force = true)
    end
end

project_name() = basename(dirname(something(Base.active_project(), "@v#.#/Project.toml")))
