# A *literate* script: its comments are prose.
x = 6 * 7
# And its code runs.
println(x + 1)
