"""Plan the inputs, read the kernel's reply as data, and reach the verdict in the grader's process.

The check cases of :mod:`w2v_course.homework` are written once, as ``fn(f, rng)``: draw inputs,
call ``f`` through ``call(...)``, compare. Grading runs each case twice, in the grader's own
process, around the kernel:

1. **plan** (:func:`plan_set`): the case runs with ``f`` = a *recorder* around the reference
   solution (:mod:`w2v_course.grading.references`). The recorder writes down the inputs of every
   call (encoded with :mod:`w2v_course.wire`) and returns the reference's answer so the case goes
   on to its next call. The case's generator is seeded with the submission's seed, drawn afresh
   per submission, so the inputs are new for every graded notebook. What goes to the kernel is
   the *inputs only*; the reference's outputs are dropped (planning runs in a short-lived process
   that exits before the student's kernel starts).
2. the kernel runs the student's function on those inputs (:mod:`w2v_course.grading.runner`) and
   replies with what it returned, as data;
3. **judge** (:func:`judge_exercise`): the case runs again with ``f`` = a *replay*: the k-th call
   checks that its inputs are the planned ones, then returns the student's k-th output (decoded
   data: numbers, arrays, lists, tuples), writes the arrays the student's call changed in place
   back into the case's arguments, or raises what the student's call raised. The case compares
   with its reference values - computed now, in this process, with the grader's own imports -
   exactly as ``check`` does in the notebook, hints included.

Nothing of the submission is imported or executed here; the replay only hands over decoded data.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

import numpy as np

from w2v_course import wire
from w2v_course.homework.core import (
    REGISTRY,
    CaseFailed,
    CaseResult,
    CheckError,
    CheckTimeout,
    ExerciseResult,
    ReplayedError,
    case_rng,
    exercises_of_set,
    run_exercise,
)

STATUSES = ("ok", "error", "todo", "timeout", "unreadable")


@dataclass
class ExercisePlan:
    exercise: str
    func: str
    cases: list[dict] = field(default_factory=list)  # {"timeout": s, "calls": [...], "error"?}

    def to_dict(self) -> dict:
        return {"exercise": self.exercise, "func": self.func, "cases": self.cases}

    @classmethod
    def from_dict(cls, d: dict) -> ExercisePlan:
        return cls(d["exercise"], d["func"], d["cases"])


def _encode_call(args: tuple, kwargs: dict, objects: dict) -> dict:
    enc = {"args": [wire.encode(a, objects=objects, inputs=True) for a in args],
           "kwargs": [[k, wire.encode(v, objects=objects, inputs=True)]
                      for k, v in sorted(kwargs.items())]}
    if "$unsupported" in wire.dumps(enc):
        raise CheckError("a case passes an input the grader cannot send to a kernel "
                         f"({[type(a).__name__ for a in args]})")
    return enc


class _Recorder:
    """Stands in for the learner's function while planning: notes the inputs, answers as the
    reference does."""

    def __init__(self, reference):
        self.reference = reference
        self.calls: list[dict] = []
        self.objects: dict = {}

    def __call__(self, *args, **kwargs):
        self.calls.append(_encode_call(args, kwargs, self.objects))
        return self.reference(*args, **kwargs)


def plan_exercise(exercise_id: str, reference, seed: int) -> ExercisePlan:
    """The inputs of every call of every case of one exercise, for ``seed``."""
    ex = REGISTRY[exercise_id]
    plan = ExercisePlan(exercise_id, ex.func_name)
    for k, case in enumerate(ex.cases):
        rec = _Recorder(reference)
        entry: dict = {"timeout": case.timeout, "calls": rec.calls}
        try:
            with np.errstate(all="ignore"):
                case.fn(rec, case_rng(exercise_id, k, seed))
        except BaseException as exc:  # noqa: BLE001 - the reference must pass its own cases
            entry["error"] = (f"the reference solution fails this case ({type(exc).__name__}: "
                              f"{str(exc)[:200]}); please report this")
        plan.cases.append(entry)
    return plan


def plan_set(set_id: str, seed: int, references: dict) -> list[ExercisePlan]:
    """One plan per exercise of the set, in notebook order."""
    return [plan_exercise(ex.id, references[set_id][ex.func_name], seed)
            for ex in exercises_of_set(set_id)]


def request_text(plan: ExercisePlan, watch: list) -> str:
    """The request the kernel's runner reads (inputs only, never an expected value)."""
    return wire.dumps({"format": wire.FORMAT, "exercise": plan.exercise, "func": plan.func,
                       "watch": watch,
                       "cases": [{"timeout": c["timeout"], "calls": c["calls"]}
                                 for c in plan.cases]})


# ---------------------------------------------------------------------------------------------
# the reply
# ---------------------------------------------------------------------------------------------
@dataclass
class Reply:
    function: str  # "ok" | "missing" | "not callable: ..."
    cases: list[dict]  # per case: {"outcomes": [decoded outcome], "skipped": ...}
    watched: list


def parse_reply(text: str, token: str, plan: ExercisePlan) -> Reply:
    """Validate and decode the kernel's reply; :class:`wire.WireError` says what is wrong.

    The reply must name the request's token (compared in constant time) and exercise, hold one
    entry per planned case and no more outcomes than planned calls, and every value must decode.
    """
    doc = wire.loads(text)
    if type(doc) is not dict or doc.get("format") != wire.FORMAT:
        raise wire.WireError("not a results document")
    got_token = doc.get("token")
    if type(got_token) is not str or not hmac.compare_digest(got_token.encode(), token.encode()):
        raise wire.WireError("the results do not carry this request's token")
    if doc.get("exercise") != plan.exercise:
        raise wire.WireError(f"results for {doc.get('exercise')!r}, expected {plan.exercise!r}")
    function = doc.get("function")
    if type(function) is not str:
        raise wire.WireError("malformed 'function' field")
    cases = doc.get("cases")
    if function != "ok":
        return Reply(function[:200], [], [])
    if type(cases) is not list or len(cases) != len(plan.cases):
        raise wire.WireError(f"expected results for {len(plan.cases)} cases")
    budget = wire._Budget(wire.LIMITS)
    out = []
    for case, planned in zip(cases, plan.cases, strict=True):
        if type(case) is not dict or type(case.get("outcomes")) is not list:
            raise wire.WireError("malformed case")
        if len(case["outcomes"]) > len(planned["calls"]):
            raise wire.WireError("more outcomes than calls")
        out.append({"outcomes": [_outcome(o, budget) for o in case["outcomes"]],
                     "skipped": case.get("skipped")})
    watched = doc.get("watched", [])
    return Reply("ok", out, watched if type(watched) is list else [])


def _outcome(o, budget) -> dict:
    if type(o) is not dict or o.get("status") not in STATUSES:
        raise wire.WireError("malformed outcome")
    status = o["status"]

    def text(key, limit=2000):
        v = o.get(key, "")
        return v[:limit] if type(v) is str else ""

    if status == "ok":
        after = o.get("after", [])
        after_kw = o.get("after_kw", [])
        if type(after) is not list or type(after_kw) is not list:
            raise wire.WireError("malformed outcome")
        return {"status": "ok", "ret": wire.decode(o.get("ret"), _budget=budget),
                "after": [None if a is None else wire.decode(a, _budget=budget) for a in after],
                "after_kw": {str(kv[0]): wire.decode(kv[1], _budget=budget) for kv in after_kw
                             if type(kv) is list and len(kv) == 2}}
    if status == "error":
        return {"status": "error", "type": text("type", 100) or "Exception",
                "message": text("message"), "where": text("where", 300)}
    if status == "timeout":
        seconds = o.get("seconds")
        return {"status": "timeout",
                "seconds": float(seconds) if type(seconds) in (int, float) else None}
    if status == "unreadable":
        return {"status": "unreadable", "reason": text("reason", 600)}
    return {"status": status}


def _unsupported_in(value) -> str | None:
    if isinstance(value, wire.Unsupported):
        return value.what
    if isinstance(value, (list, tuple)):
        for v in value:
            what = _unsupported_in(v)
            if what:
                return what
    if isinstance(value, dict):
        for v in value.values():
            what = _unsupported_in(v)
            if what:
                return what
    return None


class _Replay:
    """Stands in for the learner's function while judging: hands back what the kernel reported."""

    def __init__(self, planned: dict, reported: dict | None):
        self.planned = planned["calls"]
        self.outcomes = reported["outcomes"] if reported else []
        self.objects: dict = {}
        self.k = 0

    def __call__(self, *args, **kwargs):
        k = self.k
        self.k += 1
        if k >= len(self.planned) or _encode_call(args, kwargs, self.objects) != self.planned[k]:
            raise CheckError("the case's inputs differ from the planned ones (a case must not "
                             "make its inputs depend on outputs); please report this")
        if k >= len(self.outcomes):
            raise CaseFailed("no result was reported for this call (the kernel stopped, or its "
                             "report was tampered with)")
        o = self.outcomes[k]
        status = o["status"]
        if status == "todo":
            raise NotImplementedError()
        if status == "timeout":
            raise CheckTimeout(o.get("seconds"))
        if status == "error":
            raise ReplayedError(o["type"], o["message"], o["where"])
        if status == "unreadable":
            raise CaseFailed(f"the grader could not read what your function returned: "
                             f"{o['reason']} (return numbers, arrays, lists or tuples of them)")
        for i, new in enumerate(o["after"]):
            if new is not None:
                _write_back(args, i, new)
        for name, new in o["after_kw"].items():
            if name in kwargs:
                _write_back(kwargs, name, new)
        what = _unsupported_in(o["ret"])
        if what:
            raise CaseFailed(f"your function returned a {what}, which cannot be checked: return "
                             "numbers, arrays, lists or tuples of them")
        return o["ret"]


def _write_back(container, key, new) -> None:
    """Apply an in-place change the student's call made to argument ``key``."""
    try:
        target = container[key]
    except (IndexError, KeyError):
        raise CaseFailed("the report names an argument the call did not have") from None
    if not (isinstance(target, np.ndarray) and isinstance(new, np.ndarray)
            and new.shape == target.shape):
        raise CaseFailed("your function changed the shape of an input array in place "
                         "(resize?); update its entries instead")
    target[...] = new


def judge_exercise(plan: ExercisePlan, reply: Reply | None, seed: int, *,
                   failure: str | None = None) -> ExerciseResult:
    """The verdict on one exercise, from the plan and the kernel's (decoded) reply.

    ``reply=None`` with a ``failure`` reason scores 0 with that reason (the kernel died, the
    reply was unreadable, ...).
    """
    ex = REGISTRY[plan.exercise]
    res = ExerciseResult(ex.id, ex.title)
    if reply is None or reply.function != "ok":
        if reply is None:
            res.note = failure or "no results"
        elif reply.function == "missing":
            res.note = (f"no function named {ex.func_name} in the notebook (was it renamed, or "
                        "did its cell fail?)")
        else:
            res.note = (f"{ex.func_name} is not a function ({reply.function}); keep the `def` "
                        "with this name")
        # not run: listed in the notebook's report, left out of the feedback column
        res.cases = [CaseResult(c.name, False, 0.0, c.points, "not run", "TODO")
                     for c in ex.cases]
        return res
    errors = {k: c["error"] for k, c in enumerate(plan.cases) if c.get("error")}

    def case_func(k):
        if k in errors:
            raise CheckError(errors[k])
        return _Replay(plan.cases[k], reply.cases[k] if k < len(reply.cases) else None)

    return run_exercise(ex.id, None, seed=seed, timeout=0, case_func=case_func)
