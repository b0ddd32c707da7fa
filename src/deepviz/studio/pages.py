"""The studio's pages: HTML shells around the front end built into ``static/``."""
from __future__ import annotations

from importlib import resources

STATIC = resources.files("deepviz.studio").joinpath("static")

NOT_BUILT = ("<!doctype html><title>deepviz studio</title><p>The front end is not built: run "
             "<code>make setup</code> (it runs <code>npm ci && npm run build</code> in "
             "<code>src/deepviz/studio/frontend</code>).</p>")


def page(name: str) -> str:
    """``static/{name}.html``, or how to build the front end when its ``{name}.js`` is missing."""
    if not STATIC.joinpath(f"{name}.js").is_file():
        return NOT_BUILT
    return STATIC.joinpath(f"{name}.html").read_text(encoding="utf-8")


def playground_page() -> str:
    return page("playground")


def gallery_page() -> str:
    return page("gallery")
