"""The registry of concepts: name -> Concept (parameters, presets, compute, scene).

A concept registers itself in its package's ``__init__``; :func:`concepts` imports every
package under ``deepviz.concepts`` once, so adding a folder is all it takes. Nothing here
imports torch or Manim: compute and scene load by dotted path when a command needs them.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .params import ParamError, ParamSet, quote

if TYPE_CHECKING:
    from .trace import Trace

# The course: the order in which the gallery and the studio's gallery show the concepts (each builds on
# the ones before). A concept not named here follows, by name: a new folder needs no edit here.
COURSE = ("perceptron", "activations", "linear-map", "space-folding", "approximation", "autodiff",
          "gradient-descent", "mlp-convexity", "ravines", "overfitting", "convolution", "pooling", "cnn",
          "adversarial", "batch-norm", "transposed-conv", "rnn", "lstm", "long-memory", "attention",
          "self-attention", "positional-encoding", "transformer", "autoencoder", "vae", "gan", "training", "model-forward")


@dataclass(frozen=True)
class Preset:
    """A named example of a concept: the values that differ from the parameters' defaults.

    Examples:
        >>> Preset("second-batch", "the second batch in detail", {"batch": 2}).values
        {'batch': 2}
    """

    name: str
    summary: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Concept:
    """One explainable idea: its parameters, presets, and where its compute and scene live.

    ``compute`` and ``scene`` are dotted paths, loaded only when a trace or a render needs them,
    so listing concepts imports neither torch nor Manim.

    Examples:
        >>> from deepviz import catalog
        >>> bn = catalog.get("batch-norm")
        >>> bn.preset_names()
        ['three-batches', 'second-batch']
        >>> bn.resolve("second-batch")[1]["momentum"]
        0.5
    """

    name: str
    title: str
    summary: str  # one line, for `deepviz list`
    description: str  # one paragraph, for the gallery
    params: ParamSet
    presets: tuple[Preset, ...]
    compute: str  # "module:function" taking (values, preset) -> Trace
    scene: str  # "module:Class"

    @property
    def default_preset(self) -> Preset:
        """The first preset: what a concept shows with no options."""
        return self.presets[0]

    def preset(self, name: str) -> Preset:
        """The preset called ``name``; a :class:`ParamError` on ``preset`` lists the others."""
        for p in self.presets:
            if p.name == name:
                return p
        raise ParamError("preset", f"{self.name} has no preset {quote(name)}; choose from {', '.join(self.preset_names())}")

    def preset_names(self) -> list[str]:
        """The presets' names, the default first."""
        return [p.name for p in self.presets]

    def resolve(self, preset: str | None = None, /, **values: Any) -> tuple[str | None, dict[str, Any]]:
        """Validated parameter values: defaults, then the preset, then the user's values.

        With no preset and no values the default preset is used. The returned preset name
        is None when the user changed anything, so outputs are not mislabelled.
        """
        if preset is None and not values:
            preset = self.default_preset.name
        layers = [self.preset(preset).values] if preset else []
        resolved = self.params.resolve(*layers, values)
        return (preset if not values else None), resolved

    def trace(self, preset: str | None = None, /, **values: Any) -> "Trace":
        """Resolve the values, compute the trace with torch and stamp it with the values as typed.

        Every way of making a trace (the API, the CLI, the gallery, the studio) comes through here.
        A computation that overflows on the user's numbers is a ParamError naming the parameter.
        """
        from .trace import NonFiniteError

        preset_name, resolved = self.resolve(preset, **values)
        try:
            result = self.load_compute()(resolved, preset_name)
        except (NonFiniteError, ArithmeticError) as err:  # the user's numbers beyond what floats hold
            if not values:  # a preset that fails so is a bug, not bad input
                raise
            if isinstance(err, NonFiniteError):
                raise self.params.overflow_error(values, f"{err.where.lstrip('.')} is {err.value}") from None
            what = "overflows" if isinstance(err, OverflowError) else "fails"  # e.g. 5e-324 / 1e-324 (underflow)
            raise self.params.overflow_error(values, str(err), what) from None
        result.params = self.params.format_values(resolved)  # as the user would type them
        return result

    def load_compute(self) -> Callable[..., Any]:
        """The compute function ``(values, preset) -> Trace`` (imports torch)."""
        return _load(self.compute)

    def load_scene(self) -> type:
        """The Manim scene class (imports Manim)."""
        return _load(self.scene)


_REGISTRY: dict[str, Concept] = {}
_DISCOVERED = False


def register(concept: Concept) -> Concept:
    """Add ``concept`` to the registry (a concept's package calls it once) and return it.

    Registering a different concept under a taken name is a ``ValueError``.
    """
    if concept.name in _REGISTRY and _REGISTRY[concept.name] != concept:
        raise ValueError(f"concept {concept.name!r} is registered twice")
    _REGISTRY[concept.name] = concept
    return concept


def _discover() -> None:
    global _DISCOVERED
    if _DISCOVERED:
        return
    pkg = importlib.import_module(f"{__package__}.concepts")

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.ispkg:
            importlib.import_module(f"{pkg.__name__}.{info.name}")
    _DISCOVERED = True


def concepts() -> list[Concept]:
    """Every registered concept, by name (import order must not change listings)."""
    _discover()
    return sorted(_REGISTRY.values(), key=lambda c: c.name)


def course() -> list[Concept]:
    """Every registered concept in the course's order (:data:`COURSE`), then the others by name."""
    return sorted(concepts(), key=_course_position)


def _course_position(c: Concept) -> tuple[int, str]:
    return (COURSE.index(c.name) if c.name in COURSE else len(COURSE)), c.name


def next_in_course(name: str) -> Concept | None:
    """The concept to watch after ``name`` (None after the last)."""
    order = course()
    n = [c.name for c in order].index(name)
    return order[n + 1] if n + 1 < len(order) else None


def get(name: str) -> Concept:
    """The concept called ``name``; an unknown name is a :class:`ParamError` suggesting close ones.

    Examples:
        >>> get("batchnorm")
        Traceback (most recent call last):
        ...
        deepviz.params.ParamError: --concept: unknown concept 'batchnorm'; did you mean batch-norm? ...
    """
    _discover()
    try:
        return _REGISTRY[name]
    except KeyError:
        close = get_close_matches(name, list(_REGISTRY), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        # the whole list once it is long would make the line unreadable: `deepviz list` shows it
        known = (f"known: {', '.join(sorted(_REGISTRY))}" if len(_REGISTRY) <= 12 else
                 f"{len(_REGISTRY)} concepts: `deepviz list` shows them")
        raise ParamError("concept", f"unknown concept {quote(name)}{hint} ({known})") from None


def _load(dotted: str) -> Any:
    module, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module), attr)
