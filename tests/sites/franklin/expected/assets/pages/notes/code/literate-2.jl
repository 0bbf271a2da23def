# This file was generated, do not modify it. # hide
println(x + 1)