"""The CNN page's exports: the network's ``state_dict`` and a standalone PyTorch script that builds the same
network, loads that file with ``torch.load(weights_only=True)`` and prints the prediction for the input the
page shows (its pixels written into the script), so a reader can check every number outside deepviz.
"""
from __future__ import annotations

import functools
import inspect
import io
import json
import threading
from string import Template

import torch

from .cnn import Network, Refused
from .export import float_literal

STATE_FILE = "cnn_state_dict.pt"

SCRIPT = Template('''\
"""$title: the network of deepviz's CNN page, its weights, and the input the page showed.

Run it beside $state (the page's other export): python cnn_model.py
It prints the class probabilities the page showed for this input.
"""
import torch
$build

INPUT = [  # $shape, row by row
$pixels
]

model = build()
model.load_state_dict(torch.load("$state", map_location="cpu", weights_only=True))
model.eval()
x = torch.tensor(INPUT, dtype=torch.float32).reshape(1, $shape_args)
with torch.no_grad():
    probs = torch.softmax(model(x)[0], 0)
print("prediction:", int(probs.argmax()), "probabilities:", [round(p, 6) for p in probs.tolist()])
''')


def state_dict_bytes(net: Network) -> bytes:
    """The weights as ``torch.save`` writes a state_dict."""
    buffer = io.BytesIO()
    torch.save(net.model.state_dict(), buffer)
    return buffer.getvalue()


def script(net: Network, x: torch.Tensor) -> str:
    """The standalone script for input ``x`` (C, H, W)."""
    if net.source is None and net.spec is None:
        raise Refused("export", f"{net.name} has no source the script could build it from")
    rows = [", ".join(float_literal(v) for v in row) for channel in x.tolist() for row in channel]
    return SCRIPT.substitute(title=net.name, state=STATE_FILE, build=net.source or _import_build(net),
                             pixels="\n".join(f"    {r}," for r in rows), shape="×".join(map(str, x.shape)),
                             shape_args=", ".join(map(str, x.shape)))


def _import_build(net: Network) -> str:
    """The user's own model: the script imports the file the studio's command line named."""
    path, _, name = (net.spec or ":").rpartition(":")
    if not path.endswith(".py"):  # an importable module, such as deepviz.diagrams.examples
        return f"from {path} import {name} as build\n"
    return (f"import importlib.util\n\n_spec = importlib.util.spec_from_file_location(\"user_model\", {json.dumps(path)})\n"
            f"_module = importlib.util.module_from_spec(_spec)\n_spec.loader.exec_module(_module)\n"
            f"build = _module.{name}\n")


def class_source(cls: type, constants: dict[str, object], kwargs: dict[str, object] | None = None) -> str:
    """A model class's own source with the module constants it reads, and ``build()`` calling it with ``kwargs``:
    for a shipped model."""
    head = "".join(f"{k} = {v!r}\n" for k, v in constants.items())
    args = ", ".join(f"{k}={v!r}" for k, v in (kwargs or {}).items())
    return (f"from torch import nn\n\n{head}\n\n{_source(cls)}\n\ndef build():\n"
            f"    return {cls.__name__}({args})\n")


_PARSING = threading.Lock()


@functools.cache
def _source(cls: type) -> str:
    """A class's source, read once: inspect parses its module with ast, and CPython 3.11.7's parser is not
    safe in two threads at once (CI: "AST constructor recursion depth mismatch" in the studio's threads)."""
    with _PARSING:
        return inspect.getsource(cls)
