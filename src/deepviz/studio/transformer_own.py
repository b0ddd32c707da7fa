"""Your own transformer on the transformer page: ``deepviz studio --model gpt.py:build [--weights w.pt] --input 1,64:long``.

The model is built, given its weights and run once on the example input before the studio starts; the
attention maps of every layer and head (:func:`deepviz.diagrams.attention.attention_maps`) are what the
page shows. Token ids (an integer input) are drawn at random below the smallest embedding table's size,
seeded, so that the maps show tokens that differ. A model that does not build, weights that do not fit,
a forward that fails or no attention the capture can see: one :class:`~deepviz.params.ParamError` line.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..params import PATH_LIMIT, ParamError, short

SEED = 0
MAX_POSITIONS = 256  # queries or keys a map may have: beyond, the page's JSON and pictures grow past use


def _weights(model, path: str) -> None:
    import torch

    if not Path(path).is_file():
        raise ParamError("weights", f"no such file: {short(path, PATH_LIMIT)}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(state.get("state_dict", state) if isinstance(state, dict) else state)
    except Exception as err:  # noqa: BLE001 - not a state_dict, or one of another model
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ParamError("weights", f"{short(path, PATH_LIMIT)} does not load into the model: {first}") from None


def _example(spec, model):
    """A tensor for an input given as (shape, dtype): random normal, or token ids below the vocabulary's size."""
    import torch
    from torch import nn

    if not (isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], torch.dtype)):
        return [_example(s, model) for s in spec]  # a list of shapes
    shape, dtype = spec
    g = torch.Generator().manual_seed(SEED)
    if dtype.is_floating_point:
        return torch.randn(shape, generator=g).to(dtype)
    if dtype == torch.bool:
        return torch.ones(shape, dtype=torch.bool)
    sizes = [m.num_embeddings for m in model.modules() if isinstance(m, nn.Embedding)]
    return torch.randint(0, min(sizes) if sizes else 2, shape, generator=g).to(dtype)


def layers_of(spec: str, input_text: str, weights: str | None = None) -> tuple[list, list]:
    """The attention layers (:class:`~deepviz.diagrams.attention.Layer`) of one forward pass of ``spec``'s model
    on an example of ``input_text``'s shape, and the positional inputs it ran on; one ParamError line when the
    model does not build or run, or has no attention the capture can see."""
    import torch

    from ..diagrams.attention import Unsupported, attention_maps
    from ..diagrams.capture import CaptureError
    from ..diagrams.loader import load_model, parse_inputs, user_code

    inputs, keywords = parse_inputs([input_text])
    model = load_model(spec, "cpu")
    if weights:
        _weights(model, weights)
    args = [_example(s, model) for s in inputs]
    kwargs = {k: _example(v, model) for k, v in keywords.items()}
    try:
        with user_code(f"running {spec} on the example input"), torch.no_grad():
            layers = attention_maps(model.eval(), args, kwargs)
    except (CaptureError, Unsupported) as err:
        raise ParamError("model", str(err)) from None
    if not layers:
        raise ParamError("model", f"{spec} has no attention the capture can see (no F.scaled_dot_product_attention "
                                  f"or nn.MultiheadAttention ran in its forward)")
    return layers, args


def user_attention(spec: str, input_text: str, weights: str | None = None) -> dict:
    """The maps of ``spec``'s model on ``input_text`` as the page's JSON: each layer's name, kind and
    (heads, queries, keys) weights of the first example."""
    from ..diagrams.loader import parse_inputs

    layers, _ = layers_of(spec, input_text, weights)
    inputs, _ = parse_inputs([input_text])
    longest = max(max(la.weights.shape[1:]) for la in layers)
    if longest > MAX_POSITIONS:
        raise ParamError("input", f"the attention maps are {longest} positions wide; the page shows at most "
                                  f"{MAX_POSITIONS}: give a shorter --input")
    return {"model": spec, "input": list(inputs[0][0]) if inputs and isinstance(inputs[0], tuple) else [],
            "layers": [{"name": la.name, "kind": la.kind, "heads": la.weights.shape[0], "tokens": la.weights.shape[1],
                        "weights": [[[float(f"{v:.4g}") for v in row] for row in head] for head in la.weights.tolist()]}
                       for la in layers]}


def from_args(args) -> Callable[[], dict] | None:
    """``deepviz studio``'s --model, --weights, --input: the page's maps (computed now), or None without --model."""
    if args.model is None:
        for option in ("weights", "input"):
            if getattr(args, option, None) is not None:
                raise ParamError(option, "goes with --model FILE.py:NAME (your own transformer)")
        return None
    if args.input is None:
        raise ParamError("input", "--model needs the input's shape, e.g. --input 1,64:long")
    maps = user_attention(args.model, args.input, args.weights)
    return lambda: maps
