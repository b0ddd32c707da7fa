"""The Python API: ``deepviz.trace(...)``, ``deepviz.render(...)``, ``deepviz.list_concepts()``."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from . import catalog
from .params import ParamError, quote
from .trace import NonFiniteError, Trace


def trace(concept: str, /, preset: str | None = None, **values: Any) -> Trace:
    """Compute a concept's trace. Values override the preset (or the default preset).

    >>> t = deepviz.trace("transposed-conv", preset="padding-strided")
    >>> t["transposed"]["output_size"]
    [3, 4]
    """
    c = _concept(concept, preset)
    preset_name, resolved = c.resolve(preset, **values)
    try:
        result = c.load_compute()(resolved, preset_name)
    except (NonFiniteError, ArithmeticError) as err:  # the user's numbers beyond what floats hold
        if not values:  # a preset that fails so is a bug, not bad input
            raise
        if isinstance(err, NonFiniteError):
            raise c.params.overflow_error(values, f"{err.where.lstrip('.')} is {err.value}") from None
        what = "overflows" if isinstance(err, OverflowError) else "fails"  # e.g. 5e-324 / 1e-324 (underflow)
        raise c.params.overflow_error(values, str(err), what) from None
    result.params = c.params.format_values(resolved)  # as the user would type them
    return result


def render(concept: str, /, preset: str | None = None, *, quality: str = "low", theme: str = "dark",
           format: str = "mp4", burn_captions: bool = False, output: str | Path = "media", **values: Any):
    """Render a concept to video (or GIF/PNG) with captions and trace; returns the paths.

    In Jupyter the returned object shows the video inline.
    """
    from .render import render_concept

    _concept(concept, preset).resolve(preset, **values)  # unknown keywords are parameters the concept lacks
    return render_concept(concept, preset, quality=quality, theme=theme, fmt=format,
                          burn_captions=burn_captions, output=output, **values)


def _concept(name: Any, preset: Any) -> catalog.Concept:
    if not isinstance(name, str):
        raise ParamError("concept", f"expected a concept's name, got {quote(name)}")
    if preset is not None and not isinstance(preset, str):
        raise ParamError("preset", f"expected a preset's name, got {quote(preset)}")
    return catalog.get(name)


def list_concepts() -> list[catalog.Concept]:
    return catalog.concepts()
