# This file was generated, do not modify it. # hide
x = 6 * 7