# The documentation site's Julia functions: pages call them as {{name ...}}, and Julia
# runs them when the site builds.

"""`{{collatz n}}`: how many steps the Collatz sequence from n takes to reach 1."""
function hfun_collatz(params)
    n, steps = parse(Int, params[1]), 0
    while n != 1
        n = iseven(n) ? n ÷ 2 : 3n + 1
        steps += 1
    end
    return string(steps)
end

"""`{{julia_version}}`: the version of the Julia that builds the site."""
hfun_julia_version() = string(VERSION)
