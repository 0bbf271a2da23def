# Keeping pages apart: what a page changes in the worker's process is put back
# (working folder, ENV) or, when it cannot be put back (methods added to
# functions the page does not own, tasks, timers, processes), reported so that
# pysite starts a fresh worker before the next page.

"The worker's state before a page, to restore and compare against afterwards."
struct PageState
    cwd::String
    env::Dict{String,String}
    handles::Int
    world::UInt
end

PageState() = PageState(pwd(), Dict(ENV), active_handles(), world())

# Bumped by every method definition: no change, no method to look for.
world() = ccall(:jl_get_world_counter, UInt, ())

"Put back the working folder and ENV as they were before the page."
function restore!(state::PageState)
    cd(state.cwd)
    for name in collect(keys(ENV))
        haskey(state.env, name) || delete!(ENV, name)
    end
    for (name, value) in state.env
        get(ENV, name, nothing) == value || (ENV[name] = value)
    end
end

"""
Why the worker cannot serve another page after this one, or "" when it can.
Run after `restore!`, from the bridge (outside any cell).
"""
function leftovers(state::PageState, page::Module)
    # Let tasks the page scheduled run up to their next wait, so they show.
    yield()
    threads() > 1 && return "the worker runs more than one thread, whose tasks it cannot see"
    runnable_tasks() && return "a task the page started is still running"
    active_handles() > state.handles && return "a timer, task, process or stream the page started is still active"
    pirate = world() == state.world ? nothing : foreign_method(page, state.world)
    pirate === nothing || return "the page added the method $pirate to a function it does not own"
    return ""
end

threads() = isdefined(Threads, :maxthreadid) ? Threads.maxthreadid() : Threads.nthreads()

# Tasks ready to run wait in the scheduler's per-thread queues.
runnable_tasks() = isdefined(Base, :Workqueues) && any(q -> !isempty(q), Base.Workqueues)

# The number of libuv handles that keep the event loop alive (timers, processes,
# sockets...): `active_handles` is the second field of the public uv_loop_t.
active_handles() = Int(unsafe_load(Ptr{Cuint}(Base.eventloop() + sizeof(Ptr{Cvoid}))))

"Is `mod` the page's module or a module defined inside it?"
function owned_by(mod::Module, page::Module)
    while true
        mod === page && return true
        parent = parentmodule(mod)
        (parent === mod || parent === Main) && return false
        mod = parent
    end
end

"Does the type `t` (a signature or one of its parts) name a type the page defined?"
function mentions_page_type(@nospecialize(t), page::Module)
    if t isa UnionAll
        return mentions_page_type(t.body, page)
    elseif t isa Union
        return mentions_page_type(t.a, page) || mentions_page_type(t.b, page)
    elseif t isa DataType
        owned_by(t.name.module, page) && return true
        return any(p -> mentions_page_type(p, page), t.parameters)
    end
    return false
end

"""
A method the page defined on a function it does not own, for no type of its
own (so other pages would call it), or `nothing`. Methods of a page's own
functions or for a page's own types are unreachable from other pages.
"""
function foreign_method(page::Module, since::UInt)
    found = Ref{Any}(nothing)
    visit_methods() do m
        # Only methods defined since the page began can be the page's (a field of Method
        # in Julia 1.5 through 1.12; without it every method is looked at).
        (!hasfield(Method, :primary_world) || m.primary_world > since) && found[] === nothing &&
            foreign(m, page) && (found[] = m)
    end
    return found[]
end

function foreign(m::Method, page::Module)
    owned_by(m.module, page) || return false
    sig = Base.unwrap_unionall(m.sig)
    sig isa DataType && !isempty(sig.parameters) || return false
    owned_by(function_module(sig.parameters[1]), page) && return false
    return !mentions_page_type(m.sig, page)
end

function_module(@nospecialize(t)) = t isa DataType ? t.name.module : Main

"""
Call `f` on every method. Julia 1.12 keeps them in one table (`Core.methodtable`,
`Core.GlobalMethods` in its release candidates); earlier Julias have a table per
function, reached from the names of every loaded module (found again only when a
module was loaded since).
"""
function visit_methods(f)
    for name in (:methodtable, :GlobalMethods)
        isdefined(Core, name) && return Base.visit(f, getfield(Core, name))
    end
    count = length(Base.loaded_modules_array())
    TABLES[].first == count || (TABLES[] = count => method_tables())
    foreach(mt -> Base.visit(f, mt), TABLES[].second)
end

const TABLES = Ref{Pair{Int,Vector{Any}}}(-1 => Any[])

function method_tables()
    found = Any[]
    seen = Set{Any}()
    for mod in loaded_modules()
        for name in names(mod; all = true)
            isdefined(mod, name) || continue
            x = getfield(mod, name)
            x isa Function || x isa DataType || continue
            tn = (x isa Function ? typeof(x) : x).name
            isdefined(tn, :mt) && !(tn.mt in seen) || continue
            push!(seen, tn.mt)
            push!(found, tn.mt)
        end
    end
    return found
end

function loaded_modules()
    found = Module[]
    walk(mod) = if !(mod in found)
        push!(found, mod)
        for name in names(mod; all = true)
            isdefined(mod, name) || continue
            x = getfield(mod, name)
            x isa Module && parentmodule(x) === mod && walk(x)
        end
    end
    foreach(walk, (Core, Base, Main))
    foreach(walk, Base.loaded_modules_array())
    return found
end
