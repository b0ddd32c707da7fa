"""Typed parameter declarations: parsing, validation and help text, declared once per concept.

Each concept lists its parameters as :class:`Param` objects. The CLI, the Python API, the
gallery and the studio all parse and validate through them, so a bad value is reported the
same way everywhere: a :class:`ParamError` naming the parameter and what is allowed.
"""
from __future__ import annotations

import difflib
import math
import numbers
import re
import reprlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

QUOTE_LIMIT = 60  # characters of the user's value an error message repeats


class ParamError(ValueError):
    """A parameter value that is not allowed. ``str(err)`` is one line for the user.

    ``param`` is the parameter's name (as declared, with underscores), ``message`` what is wrong.

    Examples:
        >>> err = ParamError("batch_size", "must be from 2 to 6, got 9")
        >>> str(err), err.param
        ('--batch-size: must be from 2 to 6, got 9', 'batch_size')
    """

    def __init__(self, param: str, message: str):
        self.param = param
        self.message = " ".join(message.split())  # one line, whatever the user's text held
        flag = param if len(param) <= QUOTE_LIMIT else param[:QUOTE_LIMIT - 3] + "..."  # an unknown keyword's
        super().__init__(f"--{flag.replace('_', '-')}: {self.message}")


class _ShortRepr(reprlib.Repr):
    """reprlib with room for a typical value; integers too long to print are described instead."""

    def __init__(self):
        super().__init__()
        self.maxstring = self.maxother = self.maxlong = QUOTE_LIMIT

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 3 * QUOTE_LIMIT:  # str() of a huge int is slow, and fails over 4300 digits
            return f"an integer of about {int(x.bit_length() * math.log10(2)) + 1} digits"
        return super().repr_int(x, level)


_SHORT = _ShortRepr()


def quote(value: Any) -> str:
    """``repr(value)`` cut to about 60 characters: errors quote what the user gave, never all of it."""
    return _SHORT.repr(value)


PATH_LIMIT = 240  # a file's path is quoted whole unless it is absurd


def quote_path(path: Any) -> str:
    """A file's path for a one-line message, quoted whole (only an absurdly long one is shortened)."""
    return repr(short(str(path), PATH_LIMIT))


def short(text: str, limit: int = QUOTE_LIMIT) -> str:
    """The user's text for a one-line message, unquoted: one line, at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


@dataclass(frozen=True)
class Param:
    """Base declaration. Subclasses implement :meth:`parse` (from text) and :meth:`check`.

    ``names_files``: a value may name a file or a module on the machine that runs deepviz (a CSV
    path, a model's code). A server such as the studio accepts for it only what names nothing.
    """

    name: str
    default: Any
    help: str = ""
    names_files: bool = field(default=False, kw_only=True)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def type_name(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def allowed(self) -> str:
        """What values are allowed, in words (shown in help and errors)."""
        return ""

    def parse(self, text: str) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def check(self, value: Any) -> Any:
        """Validate (and normalise) an already-typed value."""
        return value

    def coerce(self, value: Any) -> Any:
        """Accept text (CLI, URL) or a Python value (API) and return the checked value."""
        if isinstance(value, str) and not isinstance(self, Str):
            value = self.parse(value)
        return self.check(value)

    def format(self, value: Any) -> str:
        """The value as a user would type it on the command line."""
        return str(value)

    def describe(self) -> str:
        allowed = self.allowed()
        default = "auto" if self.default is None else self.format(self.default)
        parts = [self.type_name()]
        if allowed:
            parts.append(allowed)
        parts.append(f"default {default}")
        return f"{self.help} ({'; '.join(parts)})" if self.help else f"({'; '.join(parts)})"

    def _fail(self, message: str) -> ParamError:
        return ParamError(self.name, message)


@dataclass(frozen=True)
class Int(Param):
    """An integer in ``[min, max]`` (either bound may be None).

    Examples:
        >>> steps = Int("steps", 30, "gradient descent steps", min=1, max=200)
        >>> steps.coerce("40")
        40
        >>> steps.coerce("0")
        Traceback (most recent call last):
        ...
        deepviz.params.ParamError: --steps: must be from 1 to 200, got 0
    """

    min: int | None = None
    max: int | None = None

    def type_name(self) -> str:
        return "int"

    def allowed(self) -> str:
        return _range_words(self.min, self.max)

    def parse(self, text: str) -> int:
        try:
            return int(text.strip())
        except ValueError:
            raise self._fail(f"expected an integer, got {quote(text)}") from None

    def check(self, value: Any) -> int:
        if not _integer(value):
            raise self._fail(f"expected an integer, got {quote(value)}")
        _check_range(self, value, self.min, self.max)
        return int(value)


@dataclass(frozen=True)
class Float(Param):
    """A finite number in ``[min, max]``; integers are accepted and become floats.

    Examples:
        >>> Float("lr", 0.8, "learning rate", min=0.01, max=2.0).coerce("0.5")
        0.5
    """

    min: float | None = None
    max: float | None = None

    def type_name(self) -> str:
        return "float"

    def allowed(self) -> str:
        return _range_words(self.min, self.max)

    def parse(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            raise self._fail(f"expected a number, got {quote(text)}") from None

    def check(self, value: Any) -> float:
        if not _real(value):
            raise self._fail(f"expected a number, got {quote(value)}")
        _check_range(self, value, self.min, self.max)  # before float(): 10**400 is no float
        return _finite(self, value)


@dataclass(frozen=True)
class Bool(Param):
    """True or false; text accepts true/false, yes/no, on/off, 1/0.

    Examples:
        >>> Bool("affine", True).coerce("no")
        False
    """

    def type_name(self) -> str:
        return "bool"

    def allowed(self) -> str:
        return "true or false"

    def parse(self, text: str) -> bool:
        low = text.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise self._fail(f"expected true or false, got {quote(text)}")

    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self._fail(f"expected true or false, got {quote(value)}")
        return value

    def format(self, value: Any) -> str:
        return "true" if value else "false"


@dataclass(frozen=True)
class Choice(Param):
    """One of a fixed list of words; an error lists them.

    Examples:
        >>> Choice("attention", "additive", choices=("additive", "dot")).coerce("cosine")
        Traceback (most recent call last):
        ...
        deepviz.params.ParamError: --attention: must be one of additive, dot; got 'cosine'
    """

    choices: tuple[str, ...] = ()

    def type_name(self) -> str:
        return "choice"

    def allowed(self) -> str:
        return "one of " + ", ".join(self.choices)

    def parse(self, text: str) -> str:
        return text.strip()

    def check(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.choices:  # an array's == is no answer
            raise self._fail(f"must be one of {', '.join(self.choices)}; got {quote(value)}")
        return value


@dataclass(frozen=True)
class Str(Param):
    """Free text of at most ``max_length`` characters (what it means is checked by the concept).

    Examples:
        >>> Str("sentence", "I eat apples").coerce("she reads books")
        'she reads books'
    """

    max_length: int = 200

    def type_name(self) -> str:
        return "text"

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise self._fail(f"expected text, got {quote(value)}")
        if len(value) > self.max_length:
            raise self._fail(f"at most {self.max_length} characters, got {len(value)}")
        return value


PUNCTUATION = ".,!?;:\"'()"


def split_words(text: str) -> list[str]:
    """Lower-cased words; punctuation around a word is ignored ("Thankful!" is "thankful")."""
    return [w for w in (part.strip(PUNCTUATION).lower() for part in text.split()) if w]


@dataclass(frozen=True)
class Words(Str):
    """A sentence whose every word is in a vocabulary, from 1 to ``max_words`` words.

    ``vocabulary`` is called when a value is checked (so a corpus loads only when needed);
    an unknown word is an error that lists the closest known words.
    """

    vocabulary: Callable[[], Sequence[str]] = tuple
    max_words: int = 10

    def allowed(self) -> str:
        return f"1 to {self.max_words} words of the vocabulary"

    def check(self, value: Any) -> str:
        value = super().check(value)
        self.words(value)
        return value

    def words(self, value: str) -> list[str]:
        words = split_words(value)
        if not 1 <= len(words) <= self.max_words:
            raise self._fail(f"needs 1 to {self.max_words} words, got {len(words)}")
        known = [w for w in self.vocabulary() if not w.startswith("<")]
        lookup = set(known)
        for w in words:
            if w not in lookup:
                close = difflib.get_close_matches(w, known, n=3, cutoff=0.0)
                raise self._fail(f"unknown word {quote(w)} (the vocabulary has {len(known)} words); "
                                 f"closest known words: {', '.join(close)}")
        return words


_PAIR = re.compile(r"^\s*(-?\d+)\s*(?:[xX×,]\s*(-?\d+)\s*)?$")


@dataclass(frozen=True)
class Pair(Param):
    """Two integers per axis (height, width), written ``N`` (both axes) or ``HxW``.

    A default of ``None`` means "derived" (e.g. output padding); the user may still set it.
    """

    min: int | None = None
    max: int | None = None

    def type_name(self) -> str:
        return "N or HxW"

    def allowed(self) -> str:
        return "each " + _range_words(self.min, self.max) if (self.min, self.max) != (None, None) else ""

    def parse(self, text: str) -> tuple[int, int]:
        m = _PAIR.match(text)
        if not m:
            raise self._fail(f"expected N or HxW such as 3 or 3x4, got {quote(text)}")
        try:
            h = int(m.group(1))
            w = int(m.group(2)) if m.group(2) is not None else h
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            raise self._fail(f"expected N or HxW such as 3 or 3x4, got a number of {len(text)} characters") from None
        return (h, w)

    def check(self, value: Any) -> tuple[int, int] | None:
        if value is None and self.default is None:
            return None
        if _integer(value):
            value = (value, value)
        if (
            not isinstance(value, (tuple, list))
            or len(value) != 2
            or not all(_integer(v) for v in value)
        ):
            raise self._fail(f"expected N or HxW such as 3 or 3x4, got {quote(value)}")
        for v in value:
            _check_range(self, v, self.min, self.max)
        return (int(value[0]), int(value[1]))

    def format(self, value: Any) -> str:
        if value is None:
            return "auto"
        h, w = value
        return str(h) if h == w else f"{h}x{w}"


def _range_words(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"from {lo} to {hi}"
    if lo is not None:
        return f"at least {lo}"
    if hi is not None:
        return f"at most {hi}"
    return ""


def _check_range(param: Param, value: float, lo: float | None, hi: float | None) -> None:
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise param._fail(f"must be {_range_words(lo, hi)}, got {quote(value) if isinstance(value, int) else value}")


def _integer(value: Any) -> bool:
    """An int, numpy's included; not a bool (True is no count)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _real(value: Any) -> bool:
    """A real number, numpy's included; not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _finite(param: Param, value: float) -> float:
    """``float(value)``, refusing what is no finite float (NaN, infinities, integers beyond 1.8e308)."""
    try:
        value = float(value)
    except OverflowError:
        raise param._fail(f"expected a finite number, got {quote(value)}") from None
    if not math.isfinite(value):
        raise param._fail(f"expected a finite number, got {value}")
    return value


@dataclass(frozen=True)
class ParamSet:
    """A concept's declared parameters plus an optional cross-parameter check.

    Examples:
        >>> ps = ParamSet((Int("batch", 1, min=1, max=20), Float("momentum", 0.1, min=0.0, max=1.0)))
        >>> ps.resolve({"momentum": "0.5"})
        {'batch': 1, 'momentum': 0.5}
        >>> ps.format_values({"batch": 2, "momentum": 0.5})
        {'batch': '2', 'momentum': '0.5'}
    """

    params: tuple[Param, ...]
    cross_check: Callable[[dict[str, Any]], None] | None = field(default=None, compare=False)
    # the parameters that carry the user's numbers, blamed first when a computation overflows
    numbers_in: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Param]:
        return iter(self.params)

    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def get(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        # the name is the user's: shortened, so a 300-character keyword is not echoed whole
        raise ParamError(short(str(name)), f"unknown parameter; known: {', '.join(self.names())}")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def resolve(self, *layers: Mapping[str, Any]) -> dict[str, Any]:
        """Merge defaults with each layer in turn (preset, then user values) and validate."""
        values = self.defaults()
        for layer in layers:
            for key, value in layer.items():
                name = key.replace("-", "_")
                param = self.get(name)
                values[name] = param.coerce(value)
        if self.cross_check is not None:
            self.cross_check(values)
        return values

    def overflow_error(self, given: Mapping[str, Any], detail: str, what: str = "overflows") -> ParamError:
        """The error for a computation that overflowed (or ``what`` else) with the user's ``given`` values.

        It names the first given parameter of ``numbers_in``, else the first given one that holds
        the user's own numbers (a float, numbers or text such as data rows), else the first given
        one, and quotes all that was given.
        """
        names = [k.replace("-", "_") for k in given]
        params = [self.get(n) for n in names]
        blamed = next((self.get(n) for n in self.numbers_in if n in names), None) or next(
            (p for p in params if isinstance(p, (Float, Numbers, Str)) and not isinstance(p, Words)), params[0])
        shown = " ".join(f"{p.flag} {short(v) if isinstance(v, str) else quote(v)}"
                         for p, v in zip(params, given.values()))
        return blamed._fail(f"the computation {what} with {shown}: {detail}; use numbers of moderate size")

    def format_values(self, values: Mapping[str, Any]) -> dict[str, str]:
        return {p.name: p.format(values[p.name]) for p in self.params}


def pairs_to_text(values: Sequence[int]) -> str:
    """(3, 4) -> '3x4', (2, 2) -> '2x2' (always both axes, for labels)."""
    return "x".join(str(v) for v in values)


def _fmt_float(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


@dataclass(frozen=True)
class Numbers(Param):
    """A fixed-shape block of numbers typed as rows: ``'1,2;2,1'`` (2 x 2) or ``'0.5,-1'`` (one row).

    One row gives a flat tuple, several rows a tuple of rows. Every entry must lie in ``[min, max]``.
    """

    rows: int = 1
    cols: int = 1
    min: float | None = None
    max: float | None = None

    def type_name(self) -> str:
        return "numbers"

    def example(self) -> str:
        return self.format(self.default)

    def shape_words(self) -> str:
        if self.rows == 1:
            return f"{self.cols} numbers separated by commas"
        return f"{self.rows} rows of {self.cols} numbers ('a,b;c,d': commas within a row, ';' between rows)"

    def allowed(self) -> str:
        bounds = _range_words(self.min, self.max)
        return self.shape_words() + (f", each {bounds}" if bounds else "")

    def parse(self, text: str) -> Any:
        rows = [r for r in text.strip().split(";")]
        try:
            values = [[float(v) for v in r.split(",")] for r in rows]
        except ValueError:
            values = None
        if values is None or len(values) != self.rows or any(len(r) != self.cols for r in values):
            raise self._fail(f"expected {self.shape_words()} such as {self.example()!r}, got {quote(text)}")
        return values

    def check(self, value: Any) -> Any:
        rows = value
        if self.rows == 1 and isinstance(value, (tuple, list)) and value and not isinstance(value[0], (tuple, list)):
            rows = [value]
        ok = (isinstance(rows, (tuple, list)) and len(rows) == self.rows
              and all(isinstance(r, (tuple, list)) and len(r) == self.cols for r in rows)
              and all(_real(v) for r in rows for v in r))
        if not ok:
            raise self._fail(f"expected {self.shape_words()} such as {self.example()!r}, got {quote(value)}")
        for r in rows:
            for v in r:
                if v != v:
                    raise self._fail("expected finite numbers, got nan")
                _check_range(self, v, self.min, self.max)
        out = tuple(tuple(_finite(self, v) for v in r) for r in rows)
        return out[0] if self.rows == 1 else out

    def format(self, value: Any) -> str:
        rows = [value] if self.rows == 1 else value
        return ";".join(",".join(_fmt_float(v) for v in r) for r in rows)
