"""The Python API: ``deepviz.trace(...)``, ``deepviz.render(...)``, ``deepviz.list_concepts()``."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from . import catalog
from .trace import Trace


def trace(concept: str, preset: str | None = None, **values: Any) -> Trace:
    """Compute a concept's trace. Values override the preset (or the default preset).

    >>> import deepviz
    >>> t = deepviz.trace("transposed-conv", preset="padding-strided")
    >>> t["transposed"]["output_size"]
    [3, 4]
    """
    c = catalog.get(concept)
    preset_name, resolved = c.resolve(preset, **values)
    result = c.load_compute()(resolved, preset_name)
    result.params = c.params.format_values(resolved)  # as the user would type them
    return result


def render(concept: str, preset: str | None = None, *, quality: str = "low", theme: str = "dark",
           format: str = "mp4", burn_captions: bool = False, output: str | Path = "media", **values: Any):
    """Render a concept to video (or GIF/PNG) with captions and trace; returns the paths.

    In Jupyter the returned object shows the video inline.

    >>> import deepviz
    >>> out = deepviz.render("batch-norm", batch=2, quality="low", output="media")  # doctest: +SKIP
    """
    from .render import render_concept

    return render_concept(concept, preset, quality=quality, theme=theme, fmt=format,
                          burn_captions=burn_captions, output=output, **values)


def list_concepts() -> list[catalog.Concept]:
    """Every registered concept, by name.

    >>> import deepviz
    >>> [c.name for c in deepviz.list_concepts()][:3]
    ['activations', 'approximation', 'attention']
    """
    return catalog.concepts()
