"""The Python API: ``deepviz.trace(...)``, ``deepviz.render(...)``, ``deepviz.list_concepts()``."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from . import catalog
from .params import ParamError, quote
from .trace import Trace


def trace(concept: str, /, preset: str | None = None, **values: Any) -> Trace:
    """Compute a concept's trace. Values override the preset (or the default preset).

    Examples:
        >>> import deepviz
        >>> t = deepviz.trace("transposed-conv", preset="padding-strided")
        >>> t["transposed"]["output_size"]
        [3, 4]
    """
    return _concept(concept, preset).trace(preset, **values)


def render(concept: str, /, preset: str | None = None, *, quality: str = "low", theme: str = "dark",
           format: str = "mp4", burn_captions: bool = False, output: str | Path = "media", voice: bool = False,
           **values: Any):
    """Render a concept to video (or GIF/PNG) with captions and trace; returns the paths.

    ``voice=True`` speaks the narration into the video's sound track (an offline synthesiser:
    Debian's festival with festvox-us-slt-hts, or espeak-ng). In Jupyter the returned object
    shows the video inline.
    """
    from .render import render_concept

    _concept(concept, preset).resolve(preset, **values)  # unknown keywords are parameters the concept lacks
    return render_concept(concept, preset, quality=quality, theme=theme, fmt=format,
                          burn_captions=burn_captions, output=output, voice=voice, **values)


def _concept(name: Any, preset: Any) -> catalog.Concept:
    if not isinstance(name, str):
        raise ParamError("concept", f"expected a concept's name, got {quote(name)}")
    if preset is not None and not isinstance(preset, str):
        raise ParamError("preset", f"expected a preset's name, got {quote(preset)}")
    return catalog.get(name)


def list_concepts() -> list[catalog.Concept]:
    """Every registered concept, by name.

    Examples:
        >>> import deepviz
        >>> [c.name for c in deepviz.list_concepts()][:3]
        ['activations', 'adversarial', 'approximation']
    """
    return catalog.concepts()
