"""The data format between a student's kernel and the grader: what crosses, and what is refused."""

from __future__ import annotations

import base64
import collections
import json

import numpy as np
import pytest

from w2v_course import wire
from w2v_course.wire import Formula, Unsupported, WireError, decode, dumps, encode, loads


def _round_trip(value, **kw):
    return decode(loads(dumps(encode(value, **kw))), **kw)


@pytest.mark.parametrize("dtype", wire.DTYPES)
def test_arrays_of_every_allowed_dtype_round_trip_exactly(dtype):
    rng = np.random.default_rng(0)
    a = (rng.normal(size=(3, 4)) * 100).astype(dtype)
    b = _round_trip(a)
    assert isinstance(b, np.ndarray) and b.dtype == a.dtype and b.shape == a.shape
    assert np.array_equal(a, b, equal_nan=dtype.startswith(("float", "complex")))


def test_scalars_containers_and_special_floats_round_trip():
    Pair = collections.namedtuple("Pair", "a b")
    value = [None, True, 3, -2**62, 1.5, float("nan"), float("inf"), -float("inf"), 2 + 3j,
             "text", (1, [2.0]), {"k": np.float64(0.25)}, np.int32(7), Pair(1, 2),
             np.zeros((0, 3)), np.array(5.0), np.array([True, False])]
    back = _round_trip(value)
    assert back[:5] == value[:5] and np.isnan(back[5]) and back[6:9] == value[6:9]
    assert back[9:11] == ["text", (1, [2.0])]
    assert back[11] == {"k": 0.25} and type(back[11]["k"]) is np.float64
    assert type(back[12]) is np.int32 and back[12] == 7
    assert back[13] == (1, 2) and type(back[13]) is tuple  # a named tuple crosses as a tuple
    assert back[14].shape == (0, 3) and back[15].shape == () and back[16].dtype == bool


def test_big_endian_arrays_are_sent_little_endian():
    a = np.arange(4, dtype=">f8")
    assert np.array_equal(_round_trip(a), a)


def test_generators_keep_their_state_and_identity_within_a_case():
    g = np.random.default_rng(42)
    g.integers(10)  # advanced: the state, not the seed, is what crosses
    objects: dict = {}
    enc = [encode(g, objects=objects, inputs=True), encode(g, objects=objects, inputs=True)]
    assert "state" in enc[0]["$rng"] and "state" not in enc[1]["$rng"]
    got: dict = {}
    a, b = (decode(loads(dumps(e)), objects=got, inputs=True) for e in enc)
    assert a is b
    assert np.array_equal(a.integers(0, 1000, 5), g.integers(0, 1000, 5))


def test_formulas_cross_as_data_and_behave_like_the_package_schedules():
    from w2v_edu.schedules import constant, linear_decay

    s = np.linspace(0, 1, 7)
    lin = _round_trip(Formula("linear", 0.05, 0.001), objects={}, inputs=True)
    assert isinstance(lin, Formula)
    assert np.array_equal(lin(s), linear_decay(0.05, 0.001)(s))
    assert lin(0.5) == pytest.approx(linear_decay(0.05, 0.001)(0.5)) and isinstance(lin(0.5),
                                                                                   float)
    assert np.array_equal(Formula("constant", 0.1)(s), constant(0.1)(s))
    with pytest.raises(WireError, match="kind"):
        Formula("exec", 1.0)


def test_what_cannot_cross_becomes_unsupported_never_a_pickle():
    class Thing:
        pass

    for value in (Thing(), print, np.array([object()]), np.array(["a"]), {1: 2},
                  np.random.default_rng(0), Formula("constant", 1.0)):
        enc = encode(value, objects={})
        assert set(enc) == {"$unsupported"}, value
        assert isinstance(decode(enc), Unsupported)


def _nested(depth):
    v: list = [0]
    for _ in range(depth):
        v = [v]
    return v


@pytest.mark.parametrize(("value", "match"), [
    (np.zeros(wire.LIMITS["max_elements"] + 1, dtype=np.int8), "entries"),
    ("x" * (wire.LIMITS["max_str"] + 1), "characters"),
    (2**70, "2\\*\\*63"),
    (_nested(30), "nested"),
    ([0] * (wire.LIMITS["max_items"] + 1), "values"),
])
def test_encoding_past_a_limit_raises(value, match):
    with pytest.raises(WireError, match=match):
        encode(value)


def _arr(dtype="float64", shape=(2,), data=None):
    raw = np.zeros(shape, dtype=dtype).tobytes() if data is None else data
    return {"$array": {"dtype": dtype, "shape": list(shape),
                       "data": base64.b64encode(raw).decode()}}


@pytest.mark.parametrize(("doc", "match"), [
    ({"$pickle": "gASV"}, "unknown tag"),
    ({"$array": {"dtype": "object", "shape": [1], "data": ""}}, "not allowed"),
    ({"$array": {"dtype": "<U3", "shape": [1], "data": ""}}, "not allowed"),
    (_arr(data=b"\0" * 8), "does not fit"),
    (_arr(shape=(2,), data=b"\0" * 24), "longer than its shape"),
    ({"$array": {"dtype": "float64", "shape": [1], "data": "!!!"}}, "base64"),
    ({"$array": {"dtype": "float64", "shape": [-1], "data": ""}}, "shape"),
    ({"$array": {"dtype": "float64", "shape": [1 << 40], "data": ""}}, "entries"),
    ({"$array": {"dtype": "float64", "shape": [1], "data": "", "extra": 1}}, "malformed"),
    ({"$rng": {"id": 0, "state": {}}}, "unknown tag"),  # outputs may not hold generators
    ({"$formula": {"kind": "linear", "params": [1, 2]}}, "unknown tag"),
    ({"a": 1}, "unknown tag"),
    ({"$tuple": [1], "$dict": []}, "tagged object"),
    ({"$float": "1e308"}, "expected a float"),
    ({"$dict": [[1, 2]]}, "keys"),
    (2**64, "2\\*\\*63"),
])
def test_decoding_refuses_anything_outside_the_format(doc, match):
    with pytest.raises(WireError, match=match):
        decode(doc)


def test_decoding_inputs_refuses_a_generator_used_before_it_was_sent():
    with pytest.raises(WireError, match="before it was sent"):
        decode({"$rng": {"id": 3}}, objects={}, inputs=True)
    with pytest.raises(WireError, match="PCG64"):
        decode({"$rng": {"id": 0, "state": {"bit_generator": "MT19937"}}}, objects={},
               inputs=True)


def test_documents_are_size_limited_and_strict_json():
    with pytest.raises(WireError, match="characters"):
        loads(" " * (wire.LIMITS["max_bytes"] + 1))
    with pytest.raises(WireError, match="NaN"):
        loads("[NaN]")
    with pytest.raises(WireError, match="not valid JSON"):
        loads("{'a': 1}")
    with pytest.raises(WireError, match="not valid JSON"):
        loads("[" * 100_000 + "]" * 100_000)
    assert json.loads(dumps(encode([float("nan")]))) == [{"$float": "nan"}]


def test_the_total_of_all_arrays_in_one_document_is_limited():
    half = np.zeros(wire.LIMITS["max_elements"], dtype=np.int8)
    budget = wire._Budget(wire.LIMITS)
    encode(half, _budget=budget)
    encode(half, _budget=budget)
    with pytest.raises(WireError, match="one document"):
        encode(np.zeros(1, dtype=np.int8), _budget=budget)
