"""The studio's pages: HTML shells around the front end built into ``static/``."""
from __future__ import annotations

import re
from importlib import resources

STATIC = resources.files("deepviz.studio").joinpath("static")

NOT_BUILT = ("<!doctype html><title>deepviz studio</title><p>The front end is not built: run "
             "<code>make setup</code> (it runs <code>npm ci && npm run build</code> in "
             "<code>src/deepviz/studio/frontend</code>).</p>")


# The studio's pages in the order of the navigation bar: (file name, path, link text). A page lists
# itself here once; every page's <nav class="pages"> is made from this list.
PAGES = (("playground", "/", "playground"), ("gallery", "/gallery", "gallery"), ("optimise", "/optimise", "optimiser"),
         ("cnn", "/cnn", "CNN"), ("transformer", "/transformer", "transformer"), ("gan", "/gan", "GAN"),
         ("runs", "/runs", "runs"))
_NAV = re.compile(r'<nav class="pages">.*?</nav>', re.S)


def nav(current: str) -> str:
    """The navigation bar: every page whose HTML is present, ``current`` marked."""
    mark = {current: ' aria-current="page"'}
    links = "".join(f'<a href="{path}"{mark.get(name, "")}>{text}</a>'
                    for name, path, text in PAGES if STATIC.joinpath(f"{name}.html").is_file())
    return f'<nav class="pages">{links}</nav>'


def page(name: str) -> str:
    """``static/{name}.html`` with the shared navigation bar, or how to build the front end when its
    ``{name}.js`` is missing."""
    if not STATIC.joinpath(f"{name}.js").is_file():
        return NOT_BUILT
    html = STATIC.joinpath(f"{name}.html").read_text(encoding="utf-8")
    return _NAV.sub(lambda _: nav(name), html, count=1)


def playground_page() -> str:
    return page("playground")


def gallery_page() -> str:
    return page("gallery")
