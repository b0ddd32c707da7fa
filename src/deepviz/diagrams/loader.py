"""Load the user's model from ``path/to/file.py:name`` and parse ``--input`` shapes.

Every failure is a :class:`~deepviz.params.ParamError`: one line that names the option and,
when the user's own code failed, includes its exception message.
"""
from __future__ import annotations

import contextlib
import importlib.util
import math
import re
import signal
import sys
import threading
import time
from pathlib import Path

from ..params import PATH_LIMIT, ParamError, quote, short

DTYPES = {"float32": "float32", "float": "float32", "float64": "float64", "double": "float64", "float16": "float16",
          "bfloat16": "bfloat16", "long": "int64", "int64": "int64", "int": "int32", "int32": "int32",
          "bool": "bool"}
_MODULE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")
_SHAPE = re.compile(r"^\s*\d+(\s*[,x\u00d7]\s*\d+)*\s*$")


MAX_INPUT_BYTES = 2**30  # an example input larger than 1 GiB is a typo, not an example


def parse_input(text: str, default_dtype: str = "float32"):
    """``1,3,224,224`` or ``1,128:long`` -> ((1, 3, 224, 224), torch dtype).

    The shape must fit in memory as a real tensor (at most 1 GiB): the model-forward video and
    ``deepviz diagram``'s real pass both allocate it.
    """
    import torch

    shape_text, _, dtype_text = text.partition(":")
    if not _SHAPE.match(shape_text):
        raise ParamError("input", f"expected sizes separated by commas, such as 1,3,224,224 (optionally "
                                  f"':long'); got {quote(text)}")
    sizes = re.split(r"[,x\u00d7]", shape_text)
    if any(len(v.strip()) > 18 for v in sizes):  # beyond any tensor's size, and int() of 4300 digits fails
        raise ParamError("input", f"a size of {max(len(v.strip()) for v in sizes)} digits is too large; got "
                                  f"{quote(text)}")
    shape = tuple(int(v) for v in sizes)
    if any(v < 1 for v in shape):
        raise ParamError("input", f"every size must be at least 1; got {quote(text)}")
    name = (dtype_text or default_dtype).strip().lower()
    if name not in DTYPES:  # a dtype after ':' is part of --input; otherwise it is the default, --dtype
        raise ParamError("input" if dtype_text else "dtype", f"the dtype must be one of "
                                                            f"{', '.join(sorted(set(DTYPES)))}; got {quote(name)}")
    dtype = getattr(torch, DTYPES[name])
    problem = input_size_problem(shape, dtype)
    if problem:
        raise ParamError("input", problem)
    return shape, dtype


def input_size_problem(shape: tuple[int, ...], dtype) -> str | None:
    """Why an example input of ``shape`` and ``dtype`` is too large to allocate, or None."""
    size = math.prod(shape) * dtype.itemsize
    if size <= MAX_INPUT_BYTES:
        return None
    text = ",".join(map(str, shape))
    return (f"a {str(dtype).removeprefix('torch.')} tensor of shape {short(text)} takes {_bytes(size)}; an example "
            f"input may take at most {_bytes(MAX_INPUT_BYTES)}")


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024:
            return f"{size:.3g} {unit}" if unit != "bytes" else f"{n} bytes"
        size /= 1024
    return f"{size:.3g} TiB"


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
        raise ParamError("model", f"expected path/to/file.py:name (a function or class in that file); got {quote(spec)}")
    path = Path(path_text)
    if not path_text.endswith(".py") and not path.exists() and _MODULE.match(path_text):
        with user_code(f"importing {path_text}"):
            module = _import_module(path_text)  # an installed module, e.g. deepviz.diagrams.examples
        with user_code(f"building {spec}"):
            return _build(module, module.__name__, path_text, name, device)
    if not path.is_file():
        raise ParamError("model", f"no such file: {short(path_text, PATH_LIMIT)}")
    module_name = f"_deepviz_user_{abs(hash(str(path.resolve())))}"
    try:
        loader_spec = importlib.util.spec_from_file_location(module_name, path)
        if loader_spec is None or loader_spec.loader is None:
            raise ParamError("model", f"{short(path_text, PATH_LIMIT)} is not a Python file (.py)")
        module = importlib.util.module_from_spec(loader_spec)
        sys.path.insert(0, str(path.parent.resolve()))  # the file may import its neighbours
        try:
            with user_code(f"importing {path_text}"):
                loader_spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(path.parent.resolve()))
    except ParamError:
        raise
    except Exception as err:  # noqa: BLE001 - the user's code: report its message
        raise ParamError("model", f"importing {path_text} failed: {type(err).__name__}: {_line(err)}") from None
    with user_code(f"building {spec}"):
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
        raise ParamError("model", f"{path_text} has no {quote(name)}" + (f" (it defines: {', '.join(names)})" if names else ""))
    if not callable(target):
        raise ParamError("model", f"{quote(name)} in {path_text} is not a function or class")
    ctx = torch.device("meta") if device == "meta" else contextlib.nullcontext()
    try:
        with ctx:
            model = target() if not isinstance(target, nn.Module) else target
    except TypeError as err:
        raise ParamError("model", f"building {name}() failed: {_line(err)} (deepviz calls it with no "
                                  f"arguments)") from None
    except Exception as err:  # noqa: BLE001
        raise ParamError("model", f"building {name}() failed: {type(err).__name__}: {_line(err)}") from None
    if not isinstance(model, nn.Module):
        raise ParamError("model", f"{name}() returned a {type(model).__name__}, not a torch.nn.Module")
    return model


# -- running the user's code: contained ------------------------------------------------------------
USER_CODE_SECONDS = 60.0  # for each of: importing the file, building the model, the example forward pass


class _OutOfTime(BaseException):
    """Raised inside the user's code when its time is up. A BaseException, so that the user's own
    ``except Exception`` does not swallow it (as with KeyboardInterrupt)."""


@contextlib.contextmanager
def user_code(what: str, seconds: float | None = None):
    """Run the user's code (``what``: "importing net.py") under a time limit; its ``sys.exit()``
    and the limit become one-line ParamErrors naming ``what``.

    In the main thread (the CLI, a notebook, a gallery worker) SIGALRM interrupts it, even in
    ``time.sleep``; in another thread a watchdog raises the same exception in that thread. Both
    interrupt Python code between bytecodes, which is where an endless loop spends its time; a
    single C call that runs for minutes is interrupted when it returns. A subprocess could kill
    anything, but the model it builds is needed here, in this process.
    """
    seconds = USER_CODE_SECONDS if seconds is None else seconds
    limit = _alarm if threading.current_thread() is threading.main_thread() else _watchdog
    try:
        with limit(seconds):
            yield
    except _OutOfTime:
        raise ParamError("model", f"{what} took longer than {seconds:g} s; deepviz stopped it (an endless "
                                  f"loop?)") from None
    except SystemExit as err:
        raise ParamError("model", f"{what} called sys.exit({quote(err.code) if err.code is not None else ''}); "
                                  f"the model's code must not exit") from None


@contextlib.contextmanager
def _alarm(seconds: float):
    def out_of_time(signum, frame):
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, out_of_time)
    start = time.monotonic()
    outer = signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)  # again every second, should the code catch it
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer[0]:  # someone else's alarm (a test runner's timeout, say) goes on, a little late at worst
            signal.setitimer(signal.ITIMER_REAL, max(outer[0] - (time.monotonic() - start), 1e-3), outer[1])


@contextlib.contextmanager
def _watchdog(seconds: float):
    import ctypes

    target, lock, state = threading.get_ident(), threading.Lock(), {"running": True}

    def out_of_time():
        with lock:
            if state["running"]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(_OutOfTime))

    timer = threading.Timer(seconds, out_of_time)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["running"] = False
        timer.cancel()


def _line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__
