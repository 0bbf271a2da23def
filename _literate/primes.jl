# ## A sieve of Eratosthenes
#
# Cross out the multiples of every number still standing; what remains is prime.

function sieve(n)
    standing = trues(n)
    standing[1] = false
    for k in 2:isqrt(n)
        standing[k] && (standing[k*k:k:n] .= false)
    end
    return findall(standing)
end
println(sieve(60))

# The count of primes up to 10ᵏ grows roughly as 10ᵏ / ln(10ᵏ):

for k in 2:5
    println("up to 10^", k, ": ", length(sieve(10^k)), " primes (estimate ", round(Int, 10^k / log(10^k)), ")")
end
