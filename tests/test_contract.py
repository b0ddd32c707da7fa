"""The concept contract: checks that every registered concept must pass.

In the spirit of scikit-learn's common estimator checks: one suite, parametrised over
``catalog.concepts()``, so a new concept folder is checked without writing a line here.
Nothing here imports Manim; each preset is traced once per session (some train at first use).
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import math
from functools import cache
from pathlib import Path
from typing import get_args

import pytest
from pydantic import ConfigDict, TypeAdapter, ValidationError
from typing_extensions import is_typeddict

from deepviz import api, catalog
from deepviz.params import Float, Int, Numbers, Pair, ParamError
from deepviz.trace import Trace

DOCS = Path(__file__).resolve().parents[1] / "docs" / "traces"
CONCEPTS = {c.name: c for c in catalog.concepts()}
PRESETS = [(c.name, p) for c in CONCEPTS.values() for p in c.preset_names()]
NUMERIC = (Int, Float, Pair, Numbers)


@cache
def traced(concept: str, preset: str) -> Trace:
    return api.trace(concept, preset=preset)


def folder(concept: str) -> str:
    """The concept's package, e.g. ``deepviz.concepts.batch_norm``."""
    return CONCEPTS[concept].compute.partition(":")[0].rpartition(".")[0]


def schema_type(concept: str):
    """``schema.DATA``: the TypedDict of the trace's data (or a union of them, one per shape)."""
    module = importlib.import_module(folder(concept) + ".schema")
    return module.DATA


def schema_dicts(concept: str) -> list[type]:
    schema = schema_type(concept)
    return [schema] if is_typeddict(schema) else list(get_args(schema))


# --- presets, identity, JSON -------------------------------------------------------------


@pytest.mark.parametrize("concept,preset", PRESETS)
def test_preset_resolves_and_traces(concept, preset):
    name, values = CONCEPTS[concept].resolve(preset)
    assert name == preset and values
    t = traced(concept, preset)
    assert t.concept == concept
    assert t.preset == preset
    assert t.data and t.narration


@pytest.mark.parametrize("concept,preset", PRESETS)
def test_trace_json_round_trips(concept, preset):
    t = traced(concept, preset)
    assert Trace.from_dict(json.loads(t.to_json())) == t


# --- parameter bounds ---------------------------------------------------------------------


def _out_of_range(param) -> list[tuple[str, object]]:
    """(side, value) just past each declared bound: min - 1 / max + 1, the next float for floats."""
    integral = isinstance(param, (Int, Pair))
    cases = []
    if param.min is not None:
        cases.append(("below", param.min - 1 if integral else math.nextafter(param.min, -math.inf)))
    if param.max is not None:
        cases.append(("above", param.max + 1 if integral else math.nextafter(param.max, math.inf)))
    return [(side, _shaped(param, v)) for side, v in cases]


def _shaped(param, v):
    if isinstance(param, Pair):
        return (v, v)
    if isinstance(param, Numbers):  # the default with its first entry moved out of range
        rows = [list(r) for r in ([param.default] if param.rows == 1 else param.default)]
        rows[0][0] = v
        return rows[0] if param.rows == 1 else rows
    return v


BOUNDS = [
    pytest.param(c.name, p.name, value, id=f"{c.name}-{p.name}-{side}")
    for c in CONCEPTS.values() for p in c.params if isinstance(p, NUMERIC)
    for side, value in _out_of_range(p)
]


@pytest.mark.parametrize("concept,param,value", BOUNDS)
def test_numeric_parameter_rejects_values_out_of_range(concept, param, value):
    with pytest.raises(ParamError) as err:
        CONCEPTS[concept].resolve(**{param: value})
    assert err.value.param == param
    assert "--" + param.replace("_", "-") in str(err.value) and "\n" not in str(err.value)


def test_every_numeric_parameter_is_bounded():
    unbounded = [f"{c.name} --{p.name}" for c in CONCEPTS.values() for p in c.params
                 if isinstance(p, NUMERIC) and p.min is None and p.max is None]
    assert not unbounded, f"numeric parameters without a range: {unbounded}"


# --- documentation and schema -------------------------------------------------------------


@pytest.mark.parametrize("concept", CONCEPTS)
def test_docs_name_every_top_level_key(concept):
    doc = DOCS / f"{concept}.md"
    assert doc.is_file(), f"{doc} is missing"
    text = doc.read_text(encoding="utf-8")
    keys = {k for d in schema_dicts(concept) for k in d.__annotations__}
    keys |= {k for c, p in PRESETS if c == concept for k in traced(c, p).data}
    missing = sorted(k for k in keys if f"`{k}`" not in text)
    assert not missing, f"{doc.name} does not name {missing}"


def _strict(concept: str) -> TypeAdapter:
    """A validator that refuses missing, extra and mistyped keys at every level of the schema."""
    module = importlib.import_module(folder(concept) + ".schema")
    for obj in vars(module).values():
        if is_typeddict(obj):
            obj.__pydantic_config__ = ConfigDict(extra="forbid", strict=True)
    return TypeAdapter(module.DATA)


@pytest.mark.parametrize("concept,preset", PRESETS)
def test_trace_data_matches_schema(concept, preset):
    dicts = schema_dicts(concept)
    assert dicts and all(is_typeddict(d) for d in dicts), f"{schema_type(concept)!r} is not a TypedDict (or a union)"
    try:
        _strict(concept).validate_python(traced(concept, preset).data)
    except ValidationError as e:
        pytest.fail(f"{concept}/{preset}: the trace does not match its schema.DATA:\n{e}")


# --- import boundaries (read from the source, nothing is imported) -------------------------


def _imports(module: str) -> set[str]:
    """Absolute names of the modules ``module`` imports anywhere in its source."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin, module
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    package = module if spec.submodule_search_locations else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                if node.level else node.module or ""
            names.add(base)
            names |= {f"{base}.{a.name}" for a in node.names}  # `from . import data` names a module
    return names


def _reached(module: str, within: str) -> set[str]:
    """Every module ``module`` imports, following the imports of modules inside ``within``."""
    seen, todo, found = set(), [module], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name in _imports(current):
            found.add(name)
            if name.startswith(within + ".") and _is_module(name):
                todo.append(name)
    return found


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # `from .data import check` also yields "….data.check"
        return False


def _offending(module: str, within: str, banned: tuple[str, ...]) -> list[str]:
    return sorted(n for n in _reached(module, within) if n.split(".")[0] in banned)


@pytest.mark.parametrize("concept", CONCEPTS)
def test_compute_imports_no_manim(concept):
    assert not _offending(CONCEPTS[concept].compute.partition(":")[0], folder(concept), ("manim",))


@pytest.mark.parametrize("concept", CONCEPTS)
def test_scene_imports_no_torch(concept):
    assert not _offending(CONCEPTS[concept].scene.partition(":")[0], folder(concept), ("torch",))


@pytest.mark.parametrize("concept", CONCEPTS)
def test_schema_imports_neither_torch_nor_manim(concept):
    assert not _offending(folder(concept) + ".schema", folder(concept), ("torch", "manim"))
