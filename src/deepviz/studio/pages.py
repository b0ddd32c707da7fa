"""The studio's pages: HTML shells around the front end built into ``static/``."""
from __future__ import annotations

from importlib import resources

STATIC = resources.files("deepviz.studio").joinpath("static")


def playground_page() -> str:
    app = STATIC.joinpath("playground.js")
    if not app.is_file():
        return ("<!doctype html><title>deepviz studio</title><p>The front end is not built: run "
                "<code>make setup</code> (it runs <code>npm ci && npm run build</code> in "
                "<code>src/deepviz/studio/frontend</code>).</p>")
    return STATIC.joinpath("playground.html").read_text(encoding="utf-8")
