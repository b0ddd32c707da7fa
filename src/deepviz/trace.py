"""The Trace: everything a scene shows, computed by torch, serialisable to JSON."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TRACE_FORMAT = 1


@dataclass
class Trace:
    """One concept's computed example.

    ``data`` holds nested lists and numbers only (no tensors), under self-explaining keys;
    each concept types it in its ``schema.py`` and documents it in ``docs/traces/<concept>.md``.
    ``narration`` maps a step key to the caption text the scene shows and the subtitles carry,
    in order.

    Examples:
        >>> t = Trace("batch-norm", {"batch": "1"}, {"eps": 1e-05}, {"intro": "A 2-2-1 network."})
        >>> Trace.from_dict(json.loads(t.to_json())) == t
        True
        >>> t["eps"], t.caption("intro")
        (1e-05, 'A 2-2-1 network.')
    """

    concept: str
    params: dict[str, str]
    data: Any  # the concept's schema.DATA (a TypedDict): compute builds it, the scene annotates it
    narration: dict[str, str] = field(default_factory=dict)
    preset: str | None = None
    format: int = TRACE_FORMAT

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dicts and lists (what :meth:`from_dict` reads back)."""
        return asdict(self)

    def to_json(self) -> str:
        """Pretty JSON with each row of numbers on one line (matrices read as matrices)."""
        return _dumps(self.to_dict(), 0)

    def save(self, path: str | Path) -> Path:
        """Write :meth:`to_json` to ``path`` and return the path."""
        path = Path(path)
        path.write_text(self.to_json() + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Trace":
        """The Trace of a :meth:`to_dict` (or parsed JSON); another format version is a ``ValueError``."""
        if d.get("format") != TRACE_FORMAT:
            raise ValueError(f"trace format {d.get('format')!r} is not supported (expected {TRACE_FORMAT})")
        return cls(**{k: d[k] for k in ("concept", "params", "data", "narration", "preset", "format")})

    @classmethod
    def load(cls, path: str | Path) -> "Trace":
        """Read a trace saved by :meth:`save` (or ``deepviz trace -o``)."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def caption(self, key: str) -> str:
        """The narration text of step ``key``."""
        return self.narration[key]


class NonFiniteError(ValueError):
    """A trace value that is NaN or infinite: the computation overflowed (or divided by zero).

    ``where`` is the value's place in the trace, e.g. ``raw.J_path[3]``; :func:`deepviz.api.trace`
    turns this into a :class:`~deepviz.params.ParamError` naming the parameters the user set.
    """

    def __init__(self, value: float, where: str = ""):
        self.value, self.where = value, where
        super().__init__(value, where)

    def __str__(self) -> str:
        return f"trace values must be finite: {self.where.lstrip('.') or 'a value'} is {self.value}"


def to_plain(value: Any) -> Any:
    """Tensors and numpy arrays to nested lists of Python numbers (JSON-ready)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().tolist()
    elif hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NonFiniteError(value)
        return 0.0 if value == 0 else value  # no -0.0 in labels
    if isinstance(value, (list, tuple)):
        return [_plain_at(v, i, "[{}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _plain_at(v, k, ".{}") for k, v in value.items()}
    return value


def _plain_at(value: Any, key: Any, place: str) -> Any:
    try:
        return to_plain(value)
    except NonFiniteError as err:
        err.where = place.format(key) + err.where  # the path is built only when a value fails
        raise


def _dumps(value: Any, level: int) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "  " * (level + 1)
        items = [f"{pad}{json.dumps(k)}: {_dumps(v, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    if isinstance(value, list) and value and any(isinstance(v, (list, dict)) for v in value):
        pad = "  " * (level + 1)
        return "[\n" + ",\n".join(pad + _dumps(v, level + 1) for v in value) + "\n" + "  " * level + "]"
    return json.dumps(value, allow_nan=False, ensure_ascii=False)
