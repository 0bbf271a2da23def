using Franklin

hfun_square(params) = string(parse(Int, params[1])^2)

function lx_jupper(com, _)
    return uppercase(Franklin.content(com.braces[1]))
end

@delay function hfun_count_pages()
    return string(length([p for p in ("index", "pages/notes") if pagevar(p, "title") !== nothing]))
end
