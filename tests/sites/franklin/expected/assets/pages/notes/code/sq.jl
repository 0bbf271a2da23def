# This file was generated, do not modify it. # hide
squares = [i^2 for i in 1:4]
println(sum(squares))