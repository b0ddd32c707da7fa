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


def _is_shape(v: Any) -> bool:
    return isinstance(v, (tuple, list)) and bool(v) and all(isinstance(x, int) and not isinstance(x, bool) for x in v)


def _checked_shape(shape: tuple[int, ...], dtype: Any, where: str) -> tuple[int, ...]:
    """A shape deepviz may allocate an example input of (the CLI's ``--input`` check, shared)."""
    from .loader import input_size_problem

    problem = (input_size_problem(shape, dtype) if all(v >= 1 for v in shape)
               else f"every size must be at least 1; got {shape}")
    if problem:
        raise DiagramError(f"{where}: {problem}")
    return shape


def example_value(example: Any, dtype: Any, where: str = "example_input") -> Any:
    """One argument as capture takes it.

    A tensor, a shape (a tuple or list of ints, made with ``dtype``), a ``(shape, dtype)`` pair, or
    a list or dict of these (a detector's list of images).
    """
    import torch

    if isinstance(example, torch.Tensor):
        return example
    if _is_shape(example):
        return (_checked_shape(tuple(example), dtype, where), dtype)
    if (isinstance(example, tuple) and len(example) == 2 and isinstance(example[1], torch.dtype)
            and _is_shape(example[0])):
        return (_checked_shape(tuple(example[0]), example[1], where), example[1])
    if isinstance(example, list) and example:
        return [example_value(v, dtype, where) for v in example]
    if isinstance(example, dict) and example:
        return {k: example_value(v, dtype, where) for k, v in example.items()}
    raise DiagramError(f"{where}: expected a tensor, a shape such as (1, 3, 224, 224), or a list or dict of them; "
                       f"got {type(example).__name__}")


def example_inputs(example: Any, dtype: Any = None) -> list:
    """The positional inputs.

    One tensor, shape, list or dict is one input; a tuple of them is several
    (``(ids_shape, mask_shape)``), except a tuple of ints, which is a shape.
    """
    import torch

    dtype = dtype or torch.float32
    if example is None:
        return []
    if isinstance(example, tuple) and not _is_shape(example) and not (
            len(example) == 2 and isinstance(example[1], torch.dtype)):
        return [example_value(v, dtype) for v in example]
    return [example_value(example, dtype)]


def diagram(model, example_input: Any = None, style: str = "block", depth: int | None = None, theme: str = "light",
            device: str = "auto", dtype: Any = None, input_names: Sequence[str] | None = None,
            inputs: dict[str, Any] | None = None) -> Diagram:
    """Capture ``model(*example_input, **inputs)`` and draw it.

    ``example_input``: a tensor or a shape (one input), a list or dict of them (one input that is a
    list, as a detector's images: ``[torch.randn(3, 320, 320)]``), or a tuple of these (several
    inputs). ``inputs``: keyword inputs, e.g. ``{"attention_mask": torch.ones(1, 128, dtype=torch.long)}``.

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
    if inputs is not None and not isinstance(inputs, dict):
        raise DiagramError(f"inputs: expected a dict of keyword inputs (name -> tensor or shape); got "
                           f"{type(inputs).__name__}")
    if example_input is None and not inputs:
        raise DiagramError("example_input: give the model's example input (a tensor or a shape), or inputs={...}")
    import torch

    keywords = {k: example_value(v, dtype or torch.float32, f"inputs[{k!r}]") for k, v in (inputs or {}).items()}
    cap = capture(model, example_inputs(example_input, dtype),
                  device="real" if style == "node-link" and device == "auto" else device,
                  input_names=input_names, kwargs=keywords)
    if style == "block":
        from .block import draw_block

        return draw_block(cap, th, depth)
    if style == "node-link":
        from .nodelink import draw_node_link

        return draw_node_link(cap, model, th)
    from .volumes import draw_volumes

    return draw_volumes(cap, th)
