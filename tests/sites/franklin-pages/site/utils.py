def hfun_page_tags():
    tags = (globvar("fd_page_tags") or {}).get(locvar("fd_rpath").rsplit(".", 1)[0], [])
    return " ".join(f'<a href="/tag/{tag}/">{tag}</a>' for tag in sorted(tags))
