# pysite's long-lived Julia worker: `julia worker.jl PROTOCOL ROOT REQUEST_FD REPLY_FD`.
# Requests and replies travel on their own pipes (see protocol.jl), never on
# stdout/stderr, so whatever a cell prints cannot break the protocol.

# A timeout is a SIGINT: it must interrupt the running cell, not end the worker.
Base.exit_on_sigint(false)

include(joinpath(@__DIR__, "PysiteBridge.jl"))

function serve(protocol::AbstractString, root::AbstractString, request_fd::Integer, reply_fd::Integer)
    # Children that cells spawn must not inherit the protocol pipes, or a
    # lingering child would hide the worker's death from pysite. fcntl is
    # variadic: its third argument is declared as such.
    for fd in (request_fd, reply_fd)
        ccall(:fcntl, Cint, (Cint, Cint, Cint...), fd, 2 #= F_SETFD =#, 1 #= FD_CLOEXEC =#)
    end
    requests = Base.fdio(request_fd)
    replies = Base.fdio(reply_fd)
    PysiteBridge.ROOT[] = root
    cd(root)
    # Compile the cell path now, so the first cell's time limit is not spent compiling the bridge.
    PysiteBridge.run_page(IOBuffer(), "warm-up", ["warm-up.md", "1024", "1", "f() = 1\nf()", "1", ""])
    PysiteBridge.write_message(replies, Any["ready", PysiteBridge.PROTOCOL_VERSION, string(VERSION), string(getpid())])
    protocol == PysiteBridge.PROTOCOL_VERSION || exit(2)
    while true
        request = PysiteBridge.read_message(requests)
        (request === nothing || request[1] == codeunits("quit")) && break
        PysiteBridge.handle(replies, request)
    end
end

serve(ARGS[1], ARGS[2], parse(Int, ARGS[3]), parse(Int, ARGS[4]))
