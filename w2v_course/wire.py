"""The data format between a student's kernel and the grader: values as plain JSON, never pickle.

A check case sends inputs to the learner's function and gets outputs back. When a notebook is
graded, the function runs in the student's kernel and the verdict is reached in the grader's own
process, so both directions cross a process boundary *as data*. This module is the whole format,
on both sides. It is deliberately self-contained (the standard library and NumPy only): the grader
sends its source text to the kernel, so the kernel never needs to import anything of the course
to speak it.

Encoding (``encode``), value -> JSON:

* ``None``, ``bool``, ``int`` (|x| < 2**63), ``str`` (at most ``max_str`` characters): themselves;
* a finite ``float``: itself; nan, inf, -inf: ``{"$float": "nan" | "inf" | "-inf"}``;
* ``complex``: ``{"$complex": [re, im]}`` (each a float as above);
* ``list``: a JSON array; ``tuple`` (named tuples too): ``{"$tuple": [...]}``;
* ``dict`` with str keys: ``{"$dict": [[key, value], ...]}``;
* ``numpy.ndarray`` of a numeric or bool dtype (:data:`DTYPES`):
  ``{"$array": {"dtype": "float64", "shape": [2, 3], "data": base64 of the little-endian,
  C-order bytes}}``; a NumPy scalar: ``{"$scalar": {"dtype": ..., "data": ...}}``;
* inputs only: a ``numpy.random.Generator`` (PCG64) ``{"$rng": {"id": k, "state": {...}}}``, and
  ``{"$rng": {"id": k}}`` when the same generator is passed again in the same case (it decodes to
  the *same* object); a :class:`Formula` ``{"$formula": {"kind": "linear", "params": [...]}}``;
* anything else: ``{"$unsupported": "<type name>"}``.

Decoding (``decode``) accepts exactly these shapes and nothing else: an object with an unknown
``$`` key, an object dtype, a shape that does not match the bytes, a value past a limit, nested
deeper than ``max_depth`` or with more than ``max_items`` items in total raises :class:`WireError`.
Decoding never calls anything named by the data: the only objects it builds are the containers
above, NumPy arrays and scalars of whitelisted dtypes, generators whose state it sets, and
:class:`Formula` objects of a fixed table of kinds.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np

FORMAT = "w2v-course-wire/1"

#: Size limits, the same on both sides (the grader checks again what the kernel promised).
LIMITS = {
    "max_bytes": 48 << 20,  # one JSON document (the results of one exercise)
    "max_elements": 1 << 22,  # entries of one array (4M: 32 MB of float64)
    "max_total_elements": 1 << 23,  # entries of all arrays of one document
    "max_depth": 24,  # nesting of containers
    "max_items": 200_000,  # containers, scalars and strings in one document
    "max_str": 20_000,  # characters of one string
}

#: dtypes that may cross: numbers and booleans, never objects, strings or records.
DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64", "complex64", "complex128")

_INT_LIMIT = 2 ** 63


class WireError(ValueError):
    """A value cannot be encoded, or a document is not in the format (the message says why)."""


class Formula:
    """A learning-rate schedule as data: ``kind`` from a fixed table and its ``params``.

    ``Formula("linear", alpha, min_alpha)(s) = alpha - (alpha - min_alpha) * s`` (gensim's alpha);
    ``Formula("constant", lr)(s) = lr``. Called with a float it returns a float, with an array an
    array of the same shape.
    """

    KINDS = {"linear": 2, "constant": 1}

    def __init__(self, kind: str, *params: float):
        if kind not in self.KINDS:
            raise WireError(f"expected a formula kind in {sorted(self.KINDS)}, got {kind!r}")
        if len(params) != self.KINDS[kind]:
            raise WireError(f"formula {kind!r} takes {self.KINDS[kind]} parameter(s), "
                            f"got {len(params)}")
        self.kind = kind
        self.params = tuple(float(p) for p in params)

    def __call__(self, progress):
        s = np.asarray(progress, dtype=float)
        if self.kind == "linear":
            alpha, min_alpha = self.params
            # alpha_s = alpha - (alpha - min_alpha) * s
            rate = alpha - (alpha - min_alpha) * s
        else:
            rate = np.full(s.shape, self.params[0])
        return float(rate) if rate.ndim == 0 else rate

    def __repr__(self) -> str:
        names = {"linear": ("alpha", "min_alpha"), "constant": ("lr",)}[self.kind]
        args = ", ".join(f"{n}={p:g}" for n, p in zip(names, self.params, strict=True))
        return f"{self.kind}_schedule({args})"


class _Budget:
    """Counts what one document holds, so that no limit can be passed by nesting or repetition."""

    def __init__(self, limits: dict):
        self.limits = limits
        self.items = 0
        self.elements = 0

    def item(self) -> None:
        self.items += 1
        if self.items > self.limits["max_items"]:
            raise WireError(f"more than {self.limits['max_items']} values in one document")

    def array(self, size: int) -> None:
        if size > self.limits["max_elements"]:
            raise WireError(f"an array of {size} entries (limit {self.limits['max_elements']})")
        self.elements += size
        if self.elements > self.limits["max_total_elements"]:
            raise WireError(f"more than {self.limits['max_total_elements']} array entries in "
                            "one document")


def _float(x: float):
    if math.isfinite(x):
        return x
    return {"$float": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def _b64(a: np.ndarray) -> str:
    a = np.ascontiguousarray(a)
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    return base64.b64encode(a.tobytes()).decode("ascii")


def encode(value, *, objects: dict | None = None, inputs: bool = False,
           limits: dict | None = None, _budget: _Budget | None = None, _depth: int = 0):
    """The JSON-able form of ``value`` (see the module docstring).

    ``objects`` maps ``id(generator)`` to its number within one case, so that a generator passed
    twice is sent once; ``inputs=True`` allows generators and formulas (outputs may not hold them).
    An unsupported type becomes ``{"$unsupported": name}``; a value past a limit raises
    :class:`WireError`.
    """
    limits = limits or LIMITS
    budget = _budget or _Budget(limits)
    if _depth > limits["max_depth"]:
        raise WireError(f"nested deeper than {limits['max_depth']} levels")
    budget.item()

    def rec(v):
        return encode(v, objects=objects, inputs=inputs, limits=limits, _budget=budget,
                      _depth=_depth + 1)

    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, np.generic):
        name = value.dtype.name
        if name not in DTYPES:
            return {"$unsupported": f"numpy {name} scalar"}
        return {"$scalar": {"dtype": name, "data": _b64(np.asarray(value))}}
    if isinstance(value, int):
        if -_INT_LIMIT < value < _INT_LIMIT:
            return int(value)
        raise WireError(f"an integer beyond +-2**63 ({value.bit_length()} bits)")
    if isinstance(value, float):
        return _float(float(value))
    if isinstance(value, complex):
        return {"$complex": [_float(value.real), _float(value.imag)]}
    if isinstance(value, str):
        if len(value) > limits["max_str"]:
            raise WireError(f"a string of {len(value)} characters (limit {limits['max_str']})")
        return str(value)
    if isinstance(value, np.ndarray):
        name = value.dtype.name
        if name not in DTYPES:
            return {"$unsupported": f"numpy array of dtype {name}"}
        budget.array(int(value.size))
        return {"$array": {"dtype": name, "shape": [int(n) for n in value.shape],
                           "data": _b64(value)}}
    if isinstance(value, list):
        return [rec(v) for v in value]
    if isinstance(value, tuple):  # a named tuple crosses as a plain tuple
        return {"$tuple": [rec(v) for v in value]}
    if isinstance(value, dict):
        if not all(type(k) is str for k in value):
            return {"$unsupported": "dict with non-string keys"}
        return {"$dict": [[rec(k), rec(v)] for k, v in value.items()]}
    if inputs and isinstance(value, np.random.Generator):
        if objects is None:
            raise WireError("a generator can only be encoded with an objects table")
        key = id(value)
        if key in objects:
            return {"$rng": {"id": objects[key][0]}}
        state = value.bit_generator.state
        if state.get("bit_generator") != "PCG64":
            raise WireError(f"expected a PCG64 generator, got {state.get('bit_generator')}")
        objects[key] = (len(objects), value)  # keep the object alive: ids stay unique
        return {"$rng": {"id": objects[key][0], "state": state}}
    if inputs and isinstance(value, Formula):
        return {"$formula": {"kind": value.kind, "params": [_float(p) for p in value.params]}}
    return {"$unsupported": type(value).__name__}


def dumps(doc) -> str:
    """One JSON document as ASCII text (no NaN tokens: they are tagged by :func:`encode`)."""
    return json.dumps(doc, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def loads(text: str, *, limits: dict | None = None):
    """Parse one JSON document, refusing one larger than ``max_bytes``."""
    limits = limits or LIMITS
    if not isinstance(text, str):
        raise WireError(f"expected a JSON text, got {type(text).__name__}")
    if len(text) > limits["max_bytes"]:
        raise WireError(f"a document of {len(text)} characters (limit {limits['max_bytes']})")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"not valid JSON ({type(exc).__name__}: {str(exc)[:200]})") from None


def _no_constant(name):
    raise WireError(f"JSON constant {name} is not allowed (floats are tagged)")


def _tagged_float(x):
    if type(x) is float:
        return x
    if type(x) is int and not isinstance(x, bool):
        return float(x)
    if type(x) is dict and set(x) == {"$float"} and x["$float"] in ("nan", "inf", "-inf"):
        return float(x["$float"])
    raise WireError(f"expected a float, got {_short(x)}")


def _short(x) -> str:
    s = repr(x)
    return s if len(s) <= 80 else s[:77] + "..."


def _array_from(spec, budget: _Budget, scalar: bool):
    if type(spec) is not dict or set(spec) != ({"dtype", "data"} if scalar else
                                               {"dtype", "shape", "data"}):
        raise WireError(f"malformed array {_short(spec)}")
    name, data = spec["dtype"], spec["data"]
    if name not in DTYPES:
        raise WireError(f"dtype {name!r} is not allowed (allowed: {', '.join(DTYPES)})")
    shape = [] if scalar else spec["shape"]
    if type(shape) is not list or len(shape) > 32 or not all(
            type(n) is int and 0 <= n < _INT_LIMIT for n in shape):
        raise WireError(f"malformed shape {_short(shape)}")
    size = math.prod(shape)
    budget.array(size)
    if type(data) is not str:
        raise WireError("array data must be a base64 string")
    dtype = np.dtype(name).newbyteorder("<")
    if len(data) > 4 * (size * dtype.itemsize + 2) // 3 + 4:
        raise WireError("array data longer than its shape")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise WireError("array data is not base64") from None
    if len(raw) != size * dtype.itemsize:
        raise WireError(f"array data of {len(raw)} bytes does not fit shape {shape} of {name}")
    arr = np.frombuffer(raw, dtype=dtype).astype(np.dtype(name), copy=True).reshape(shape)
    return arr[()] if scalar else arr


def decode(data, *, objects: dict | None = None, inputs: bool = False,
           limits: dict | None = None, _budget: _Budget | None = None, _depth: int = 0):
    """The value that ``data`` (parsed JSON) encodes; :class:`WireError` when it is not valid.

    ``objects`` maps generator numbers to the generators already built in this case.
    ``inputs=True`` allows generators and formulas (the kernel decodes inputs; the grader decodes
    outputs, where they are refused).
    """
    limits = limits or LIMITS
    budget = _budget or _Budget(limits)
    if _depth > limits["max_depth"]:
        raise WireError(f"nested deeper than {limits['max_depth']} levels")
    budget.item()

    def rec(v):
        return decode(v, objects=objects, inputs=inputs, limits=limits, _budget=budget,
                      _depth=_depth + 1)

    t = type(data)
    if data is None or t is bool or t is float:
        return data
    if t is int:
        if not -_INT_LIMIT < data < _INT_LIMIT:
            raise WireError("an integer beyond +-2**63")
        return data
    if t is str:
        if len(data) > limits["max_str"]:
            raise WireError(f"a string of {len(data)} characters (limit {limits['max_str']})")
        return data
    if t is list:
        return [rec(v) for v in data]
    if t is not dict or len(data) != 1:
        raise WireError(f"expected a value or a tagged object, got {_short(data)}")
    (tag, body), = data.items()
    if tag == "$float":
        return _tagged_float(data)
    if tag == "$complex":
        if type(body) is not list or len(body) != 2:
            raise WireError(f"malformed complex {_short(body)}")
        return complex(_tagged_float(body[0]), _tagged_float(body[1]))
    if tag == "$tuple":
        if type(body) is not list:
            raise WireError(f"malformed tuple {_short(body)}")
        return tuple(rec(v) for v in body)
    if tag == "$dict":
        if type(body) is not list or not all(type(kv) is list and len(kv) == 2 for kv in body):
            raise WireError(f"malformed dict {_short(body)}")
        out = {}
        for k, v in body:
            if type(k) is not str:
                raise WireError("dict keys must be strings")
            out[rec(k)] = rec(v)
        return out
    if tag == "$array":
        return _array_from(body, budget, scalar=False)
    if tag == "$scalar":
        return _array_from(body, budget, scalar=True)
    if tag == "$unsupported":
        if type(body) is not str:
            raise WireError("malformed $unsupported")
        return Unsupported(body[:200])
    if inputs and tag == "$rng":
        return _rng_from(body, objects)
    if inputs and tag == "$formula":
        if type(body) is not dict or set(body) != {"kind", "params"} or type(body["params"]) \
                is not list:
            raise WireError(f"malformed formula {_short(body)}")
        return Formula(body["kind"], *[_tagged_float(p) for p in body["params"]])
    raise WireError(f"unknown tag {tag!r}")


def _rng_from(body, objects: dict | None):
    if objects is None:
        raise WireError("a generator can only be decoded with an objects table")
    if type(body) is not dict or type(body.get("id")) is not int:
        raise WireError(f"malformed generator {_short(body)}")
    key = body["id"]
    if "state" not in body:
        if key not in objects:
            raise WireError(f"generator {key} used before it was sent")
        return objects[key]
    state = body["state"]
    if type(state) is not dict or state.get("bit_generator") != "PCG64":
        raise WireError("expected the state of a PCG64 generator")
    gen = np.random.Generator(np.random.PCG64())
    try:
        gen.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise WireError(f"invalid generator state ({exc})") from None
    objects[key] = gen
    return gen


class Unsupported:
    """What the kernel could not encode (``what`` names the type); the check fails on it."""

    def __init__(self, what: str):
        self.what = what

    def __repr__(self) -> str:
        return f"<unsupported: {self.what}>"
