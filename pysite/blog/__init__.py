"""Blog features built from the whole site: post lists, tag and category pages, pagination,
feeds, sitemap and robots.txt, redirects, and the prepath applied to links in content.

`outputs(view, copied, diagnostics)` gives every file these features add to the output;
the rest of the package is functions over page views (the dicts layouts see).
"""

from __future__ import annotations

from typing import Any

from pysite.blog.links import origin
from pysite.dialect import franklin_layout
from pysite.errors import Diagnostic, PysiteError

# The feature modules are imported by the functions that use them: a rebuild of one page whose
# generated files are unchanged needs none of them (`posts`, `taxonomy` and `paginate` serve pages too).


def url_hint(config: Any) -> str:
    """How this site sets its URL, in its own config file's words."""
    if config.generator is not None:
        return "add `url: https://example.com` to _config.yml"
    return ('add `@def website_url = "https://example.com"` to config.md, or '
            "`@def generate_rss = false` and `@def generate_sitemap = false`")


def reads_every_page(view: Any) -> bool:
    """Whether `outputs` reads more of each page than its listed facts: feeds and the sitemap read
    many of its variables, Franklin's tag.html and Jekyll's and Hexo's layouts anything."""
    if view.config.generator is not None or franklin_layout.applies(view.config, {}):
        return True
    if not origin(view.site):  # no feeds and no sitemap without the site's URL
        return False
    from pysite.blog import feeds, sitemap

    return feeds.enabled(view.site) or sitemap.enabled(view.site)


def outputs(view: Any, copied: set[str], diagnostics: list[Diagnostic]) -> dict[str, str]:
    """Tag pages, paginated lists, redirects, feeds, sitemap and robots.txt.

    A file the site already has (a page or a copied file at the same path) wins.
    """
    from pysite.blog import feeds, franklin_feeds, paginate, redirects, sitemap, taxonomy
    from pysite.hexo import listings as hexo_listings
    from pysite.jekyll import paginate as jekyll_paginate

    made: dict[str, str] = {}
    # A Franklin site's tag pages and feed are Franklin's: from its `tag.html` and `_rss/`.
    franklin = franklin_layout.applies(view.config, {})
    if franklin:
        makers = [lambda v: taxonomy.franklin_pages(v, diagnostics), lambda v: franklin_feeds.files(v, diagnostics)]
        own_feeds = False
    else:
        makers = [taxonomy.pages]
        own_feeds = feeds.enabled(view.site)
    makers += [paginate.pages, jekyll_paginate.pages, redirects.pages, hexo_listings.pages]
    if own_feeds or sitemap.enabled(view.site):
        if origin(view.site):
            makers += [feeds.files] if own_feeds else []
            makers.append(lambda v: sitemap.files(v, copied, terms_listed=not franklin))
        elif view.posts and own_feeds:
            diagnostics.append(Diagnostic(
                "feeds and sitemap.xml need the site's URL; left out", view.config.path, None, "warning",
                hint=url_hint(view.config)))
    for make in makers:
        try:
            made.update(make(view))
        except PysiteError as error:  # a broken tag.html or taxonomy.html: report it, build the rest
            diagnostics.append(Diagnostic.from_error(error))
    taken = copied | view.page_outputs
    return {rel: data for rel, data in made.items() if rel not in taken}
