"""Load the user's model from ``path/to/file.py:name`` and parse ``--input`` shapes.

Every failure is a :class:`~deepviz.params.ParamError`: one line that names the option and,
when the user's own code failed, includes its exception message.
"""
from __future__ import annotations

import contextlib
import importlib.util
import inspect
import re
import sys
from pathlib import Path

from ..params import ParamError

DTYPES = {"float32": "float32", "float": "float32", "float64": "float64", "double": "float64", "float16": "float16",
          "bfloat16": "bfloat16", "long": "int64", "int64": "int64", "int": "int32", "int32": "int32",
          "bool": "bool"}
_MODULE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")
_SHAPE = re.compile(r"^\s*\d+(\s*[,x\u00d7]\s*\d+)*\s*$")


def parse_input(text: str, default_dtype: str = "float32"):
    """``1,3,224,224`` or ``1,128:long`` -> ((1, 3, 224, 224), torch dtype)."""
    import torch

    shape_text, _, dtype_text = text.partition(":")
    if not _SHAPE.match(shape_text):
        raise ParamError("input", f"expected sizes separated by commas, such as 1,3,224,224 (optionally "
                                  f"':long'); got {text!r}")
    shape = tuple(int(v) for v in re.split(r"[,x\u00d7]", shape_text))
    if any(v < 1 for v in shape):
        raise ParamError("input", f"every size must be at least 1; got {text!r}")
    name = (dtype_text or default_dtype).strip().lower()
    if name not in DTYPES:
        raise ParamError("dtype", f"must be one of {', '.join(sorted(set(DTYPES)))}; got {name!r}")
    return shape, getattr(torch, DTYPES[name])


_NAME = re.compile(r"^[A-Za-z_]\w*$")


def parse_inputs(texts, default_dtype: str = "float32") -> tuple[list, dict]:
    """``--input`` values -> (positional inputs, keyword inputs). Each is a shape (``1,128:long``),
    a list of shapes in brackets (``[3,320,320;3,256,256]``: one input that is a list, as a
    detector takes), or either after ``name=`` (a keyword input: ``attention_mask=1,128:long``)."""
    args, kwargs = [], {}
    for text in texts:
        name, eq, value = text.partition("=")
        if eq and not _NAME.match(name.strip()):
            raise ParamError("input", f"a name before '=' must be a Python identifier such as attention_mask; "
                                      f"got {name.strip()!r}")
        value = value if eq else text
        if value.strip().startswith("["):
            if not value.strip().endswith("]") or not value.strip()[1:-1].strip():
                raise ParamError("input", f"a list is shapes in brackets separated by ';', such as "
                                          f"[3,320,320;3,256,256]; got {value!r}")
            parsed = [parse_input(v, default_dtype) for v in value.strip()[1:-1].split(";")]
        else:
            parsed = parse_input(value, default_dtype)
        if eq:
            kwargs[name.strip()] = parsed
        else:
            args.append(parsed)
    return args, kwargs


def load_model(spec: str, device: str = "cpu"):
    """Import ``file.py:name`` and build the model (call the function, or the class with no arguments).

    With ``device="meta"`` the model is built under ``torch.device("meta")``: no memory for weights.
    ``spec`` may also name an importable module: ``deepviz.diagrams.examples:small_cnn``.
    """
    path_text, sep, name = spec.rpartition(":")
    if not sep or not path_text or not name:
        raise ParamError("model", f"expected path/to/file.py:name (a function or class in that file); got {spec!r}")
    path = Path(path_text)
    if not path_text.endswith(".py") and not path.exists() and _MODULE.match(path_text):
        module = _import_module(path_text)  # an installed module, e.g. deepviz.diagrams.examples
        module_name = module.__name__
        return _build(module, module_name, path_text, name, device)
    if not path.is_file():
        raise ParamError("model", f"no such file: {path_text}")
    module_name = f"_deepviz_user_{abs(hash(str(path.resolve())))}"
    try:
        loader_spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(loader_spec)
        sys.path.insert(0, str(path.parent.resolve()))  # the file may import its neighbours
        try:
            loader_spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(path.parent.resolve()))
    except Exception as err:  # noqa: BLE001 - the user's code: report its message
        raise ParamError("model", f"importing {path_text} failed: {type(err).__name__}: {_line(err)}") from None
    return _build(module, module_name, path_text, name, device)


def _import_module(dotted: str):
    try:
        return importlib.import_module(dotted)
    except Exception as err:  # noqa: BLE001 - the user's code: report its message
        raise ParamError("model", f"importing {dotted} failed: {type(err).__name__}: {_line(err)}") from None


def _build(module, module_name: str, path_text: str, name: str, device: str):
    import torch
    from torch import nn

    target = getattr(module, name, None)
    if target is None:
        names = [n for n, v in vars(module).items() if not n.startswith("_") and callable(v)
                 and getattr(v, "__module__", None) == module_name]
        raise ParamError("model", f"{path_text} has no {name!r}" + (f" (it defines: {', '.join(names)})" if names else ""))
    if not callable(target):
        raise ParamError("model", f"{name!r} in {path_text} is not a function or class")
    ctx = torch.device("meta") if device == "meta" else contextlib.nullcontext()
    try:
        with ctx:
            model = target() if not isinstance(target, nn.Module) else target
    except TypeError as err:
        if inspect.isclass(target) or inspect.isfunction(target):
            raise ParamError("model", f"building {name}() failed: {_line(err)} (deepviz calls it with no "
                                      f"arguments)") from None
        raise
    except Exception as err:  # noqa: BLE001
        raise ParamError("model", f"building {name}() failed: {type(err).__name__}: {_line(err)}") from None
    if not isinstance(model, nn.Module):
        raise ParamError("model", f"{name}() returned a {type(model).__name__}, not a torch.nn.Module")
    return model


def _line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__
