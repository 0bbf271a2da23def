def hfun_sitename():
    return globvar("website_title").upper()


@delay
def hfun_recent():
    return "Latest notes: " + str(pagevar("pages/notes", "title"))


def lx_kbd(com, _):
    return "<kbd>" + com.braces[0] + "</kbd>"
