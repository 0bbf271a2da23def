"""pysite: a Franklin.jl-style static site builder with Julia code cells evaluated at build time."""

__version__ = "0.1.0"
