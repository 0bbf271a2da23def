"""`pysite serve`: build the site, serve it on 127.0.0.1, rebuild on every save, reload the browser.

session.py runs it; live.py keeps the site between rebuilds; server.py answers HTTP;
watch.py watches the sources; reload.py/reload.js are the live reload; errorpage.py
shows a page that failed to build.
"""

from pysite.serve.session import ServeOptions, Session, serve

__all__ = ["ServeOptions", "Session", "serve"]
