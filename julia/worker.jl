# pysite's long-lived Julia worker: `julia worker.jl REQUEST_FD REPLY_FD`.
# Requests and replies travel on their own pipes (see protocol.jl), never on
# stdout/stderr, so whatever a cell prints cannot break the protocol.

# A timeout is a SIGINT: it must interrupt the running cell, not end the worker.
Base.exit_on_sigint(false)

include(joinpath(@__DIR__, "PysiteBridge.jl"))

function serve(request_fd::Integer, reply_fd::Integer)
    # Children that cells spawn must not inherit the protocol pipes, or a
    # lingering child would hide the worker's death from pysite.
    for fd in (request_fd, reply_fd)
        ccall(:fcntl, Cint, (Cint, Cint, Cint), fd, 2 #= F_SETFD =#, 1 #= FD_CLOEXEC =#)
    end
    requests = Base.fdio(request_fd)
    replies = Base.fdio(reply_fd)
    PysiteBridge.write_message(replies, Any["ready", string(VERSION)])
    while true
        request = PysiteBridge.read_message(requests)
        (request === nothing || request[1] == codeunits("quit")) && break
        PysiteBridge.handle(replies, request)
    end
end

serve(parse(Int, ARGS[1]), parse(Int, ARGS[2]))
