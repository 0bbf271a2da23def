# The wire format between pysite (Python) and this bridge, and how Julia values
# cross it. Julia's standard library has no JSON, so a message is framed by
# hand: the 4 bytes MAGIC, a UInt32 field count, then each field as a UInt32
# byte length and the raw bytes (all little-endian). Fields are binary-safe, so
# nothing is escaped or base64-encoded on the hot path.

# pysite and the worker check at start that they speak the same version.
const PROTOCOL_VERSION = "2"
const MAGIC = b"PYS\x02"

const Message = Vector{Vector{UInt8}}

"Read one message, or `nothing` at a clean end of input."
function read_message(io::IO)
    eof(io) && return nothing
    read!(io, Vector{UInt8}(undef, 4)) == MAGIC || error("pysite's request is not framed as protocol $PROTOCOL_VERSION")
    n = ltoh(read(io, UInt32))
    fields = Message(undef, n)
    for i in 1:n
        # read! takes exactly `len` bytes; read(io, len) would then wait for more.
        fields[i] = read!(io, Vector{UInt8}(undef, ltoh(read(io, UInt32))))
    end
    return fields
end

field_bytes(x::AbstractVector{UInt8}) = x
field_bytes(x::AbstractString) = codeunits(x)
field_bytes(x) = codeunits(string(x))

"Write one message in a single write, so a reader never sees half of it."
function write_message(io::IO, fields)
    buf = IOBuffer()
    write(buf, MAGIC)
    write(buf, htol(UInt32(length(fields))))
    for f in fields
        b = field_bytes(f)
        write(buf, htol(UInt32(length(b))))
        write(buf, b)
    end
    write(io, take!(buf))
    flush(io)
    return nothing
end

"An optional field: empty for `nothing`, else a 0x01 marker byte then the data."
optional(::Nothing) = UInt8[]
optional(x) = vcat(UInt8[0x01], Vector{UInt8}(field_bytes(x)))

"""
Flatten a value into tagged fields in prefix order, so Python can rebuild it:
`s` string, `i` integer, `f` float, `b` bool, `n` nothing, `l` list (count, items),
`d` dict (count, key/value pairs), `D` date, `T` datetime (ISO 8601).
Anything else travels as its `string(x)`.
"""
function encode_value!(out::Vector{Any}, x)
    if x isa AbstractString || x isa Symbol || x isa AbstractChar
        push!(out, "s", string(x))
    elseif x isa Bool
        push!(out, "b", x ? "1" : "0")
    elseif x isa Integer
        push!(out, "i", string(x))
    elseif x isa AbstractFloat || x isa Rational
        push!(out, "f", repr(Float64(x)))
    elseif x === nothing
        push!(out, "n")
    elseif x isa Dates.DateTime
        push!(out, "T", string(x))
    elseif x isa Dates.Date
        push!(out, "D", string(x))
    elseif x isa AbstractDict
        push!(out, "d", string(length(x)))
        for (k, v) in x
            encode_value!(out, k)
            encode_value!(out, v)
        end
    elseif x isa Union{AbstractVector,Tuple}
        push!(out, "l", string(length(x)))
        foreach(v -> encode_value!(out, v), x)
    else
        push!(out, "s", string(x))
    end
    return out
end
