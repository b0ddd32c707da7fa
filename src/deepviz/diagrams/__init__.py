"""Diagrams of your own model: ``deepviz.diagram(model, example_input, style="block")``.

Capture one forward pass (``capture.py``), then draw it in one of three styles:
``block`` (``block.py``), ``node-link`` (``nodelink.py``) or ``volumes`` (``volumes.py``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

STYLES = ("block", "node-link", "volumes")
FORMATS = ("svg", "png", "pdf", "dot")


class DiagramError(ValueError):
    """A bad argument to :func:`diagram`; ``str(err)`` is one line naming it."""


@dataclass
class Diagram:
    """A drawn model. Shows itself in Jupyter; ``save("net.svg" | ".png" | ".pdf")``."""

    style: str
    svg: str
    width: float  # points
    height: float
    depth: int | None = None
    boxes: int = 0
    dot: str | None = None  # the Graphviz source, for styles drawn by Graphviz
    engine: str | None = None

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str | Path) -> Path:
        """Write the diagram as SVG, PNG, PDF or Graphviz source, chosen by the suffix, atomically."""
        path = Path(path)
        fmt = path.suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise DiagramError(f"-o: the file must end in {', '.join('.' + f for f in FORMATS)}; got {path.name!r}")
        if fmt == "svg":
            data = self.svg.encode()
        elif fmt == "dot":
            if self.dot is None:
                raise DiagramError(f"-o: the {self.style} style is not drawn by Graphviz; save .svg, .png or .pdf")
            data = self.dot.encode()
        elif self.dot is not None:
            from .block import render

            data = render(self.dot, self.engine or "dot", fmt)
        else:
            import cairosvg

            data = (cairosvg.svg2png if fmt == "png" else cairosvg.svg2pdf)(bytestring=self.svg.encode(), scale=2.0  # pyright: ignore[reportArgumentType]
                                                                             if fmt == "png" else 1.0)
        _write_atomic(path, data)  # pyright: ignore[reportArgumentType]
        return path


def _write_atomic(path: Path, data: bytes) -> None:
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def example_inputs(example: Any, dtype: Any = None) -> list:
    """Tensors, or shapes (a tuple of ints, or a list of them) with ``dtype``, as capture takes them."""
    import torch

    dtype = dtype or torch.float32
    if isinstance(example, torch.Tensor):
        return [example]
    if (isinstance(example, tuple) and len(example) == 2 and isinstance(example[1], torch.dtype)
            and isinstance(example[0], tuple)):
        return [example]  # (shape, dtype)
    if isinstance(example, (tuple, list)) and example and all(isinstance(v, int) for v in example):
        from .loader import input_size_problem

        problem = (input_size_problem(tuple(example), dtype) if all(v >= 1 for v in example)
                   else f"every size must be at least 1; got {tuple(example)}")
        if problem:
            raise DiagramError(f"example_input: {problem}")
        return [(tuple(example), dtype)]
    if isinstance(example, (tuple, list)):
        out = []
        for item in example:
            out += example_inputs(item, dtype)
        return out
    raise DiagramError(f"example_input: expected a tensor, a shape such as (1, 3, 224, 224), or a list of them; "
                       f"got {type(example).__name__}")


def diagram(model, example_input: Any, style: str = "block", depth: int | None = None, theme: str = "light",
            device: str = "auto", dtype: Any = None, input_names: Sequence[str] | None = None) -> Diagram:
    """Capture ``model`` on ``example_input`` and draw it.

    ``style``: ``block`` (one box per layer or module; ``depth`` folds the hierarchy, default the
    deepest that stays readable), ``node-link`` (neurons and weights, for small fully connected
    networks), ``volumes`` (feature maps as boxes, for CNNs). ``device="meta"`` captures shapes
    only (no memory for weights or activations); ``"auto"`` falls back to a real pass if needed.
    """
    from ..style.theme import get_theme
    from .capture import capture

    if style not in STYLES:
        raise DiagramError(f"style: must be one of {', '.join(STYLES)}; got {style!r}")
    if device not in ("auto", "meta", "real"):
        raise DiagramError(f"device: must be auto, meta or real; got {device!r}")
    th = get_theme(theme)
    inputs = example_inputs(example_input, dtype)
    cap = capture(model, inputs, device="real" if style == "node-link" and device == "auto" else device,
                  input_names=input_names)
    if style == "block":
        from .block import draw_block

        return draw_block(cap, th, depth)
    if style == "node-link":
        from .nodelink import draw_node_link

        return draw_node_link(cap, model, th)
    from .volumes import draw_volumes

    return draw_volumes(cap, th)
