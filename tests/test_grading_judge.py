"""Judging in the grader's process, without kernels: plan -> runner -> reply -> replay.

The runner is called in-process here (as the kernel would call it); the verdicts must equal what
``check`` reports on the same inputs, and nothing the reply claims beyond data may count.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys

import numpy as np
import pytest
import test_homework_checks as catalogue
from homework_helpers import ROOT, namespace_of

from w2v_course import wire
from w2v_course.grading import judge, policy
from w2v_course.grading.references import load_references, reference_source
from w2v_course.grading.runner import run_request
from w2v_course.homework import REGISTRY, exercises_of_set, run_exercise
from w2v_course.homework.build import master_paths
from w2v_course.homework.core import Case, call, exercise, expect_close

SETS = sorted({ex.set_id for ex in REGISTRY.values()})
SEED = 424242


@pytest.fixture(scope="module")
def refs():
    return load_references()


def _notebook_ns(kind, set_id):
    return namespace_of(next((ROOT / "notebooks" / kind).glob(f"{set_id}_*.ipynb")))


def _grade_in_process(namespace, set_id, refs, seed=SEED, tamper=None):
    """Plan, run the runner on ``namespace`` as the kernel would, parse, judge."""
    out = {}
    twins = policy.twins_of_set(set_id)
    for plan in judge.plan_set(set_id, seed, refs):
        token = secrets.token_hex(16)
        text = run_request(namespace, judge.request_text(plan, policy.watch_list(twins)), token)
        if tamper:
            text = tamper(text, token)
        reply = judge.parse_reply(text, token, plan)
        out[plan.exercise] = (judge.judge_exercise(plan, reply, seed), reply)
    return out


def test_references_are_the_masters_definitions_only(refs):
    assert sorted(refs) == SETS
    for path in master_paths(ROOT):
        src = reference_source(path)
        assert "check(" not in src and "make_linear_regression(" not in src, path
    for set_id in SETS:
        for ex in exercises_of_set(set_id):
            res = run_exercise(ex.id, refs[set_id][ex.func_name], seed=SEED)
            assert res.points == res.max_points, res.report()


@pytest.mark.parametrize("set_id", SETS)
def test_solutions_score_full_and_stubs_zero_through_the_data_path(refs, set_id):
    for (res, _) in _grade_in_process(_notebook_ns("solutions", set_id), set_id, refs).values():
        assert res.points == res.max_points > 0, res.report()
    for (res, _) in _grade_in_process(_notebook_ns("exercises", set_id), set_id, refs).values():
        assert res.points == 0 and "not implemented" in res.note, res.report()


@pytest.mark.parametrize(("ex_id", "func", "hint"), catalogue.WRONG,
                         ids=[f"{e}-{f.__name__}" for e, f, _ in catalogue.WRONG])
def test_replayed_verdicts_equal_the_in_notebook_check(refs, ex_id, func, hint):
    """Same inputs, same points, same hints: the replay hands the case exactly the outputs."""
    ex = REGISTRY[ex_id]
    graded = _grade_in_process({ex.func_name: func}, ex.set_id, refs)[ex_id][0]
    direct = run_exercise(ex_id, func, seed=SEED)
    assert graded.points == direct.points < graded.max_points
    assert graded.feedback() == direct.feedback()
    assert hint.lower() in graded.feedback().lower()


def _arrays(value):
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _arrays(v)
    elif value is not None:
        yield np.asarray(value)


def test_the_request_holds_inputs_but_no_expected_output(refs):
    """Run the reference on the request's own inputs: none of its outputs is in the request."""
    checked = 0
    for set_id in SETS:
        for plan in judge.plan_set(set_id, SEED, refs):
            text = judge.request_text(plan, [])
            for case in plan.cases:
                objects: dict = {}
                for c in case["calls"]:
                    args = [wire.decode(a, objects=objects, inputs=True) for a in c["args"]]
                    with np.errstate(all="ignore"):
                        ret = call(refs[set_id][plan.func], *args, copy=False)
                    for a in _arrays(ret):
                        if a.dtype.kind == "f" and a.size >= 3:
                            enc = wire.encode(a)["$array"]["data"]
                            assert enc not in text, (plan.exercise, "output in the request")
                            checked += 1
    assert checked > 30


def _reply(text):
    return json.loads(text)


def test_a_reply_without_this_requests_token_is_refused(refs):
    plan = judge.plan_set("01", SEED, refs)[1]
    ns = _notebook_ns("solutions", "01")
    token = secrets.token_hex(16)
    text = run_request(ns, judge.request_text(plan, []), token)
    assert judge.parse_reply(text, token, plan).function == "ok"
    for bad in ("0" * 32, token[:-1] + ("0" if token[-1] != "0" else "1"), token[:16], "",
                token + "0"):
        with pytest.raises(wire.WireError, match="token"):
            judge.parse_reply(text, bad, plan)
    doc = _reply(text)
    doc["exercise"] = "01.gd_step"
    with pytest.raises(wire.WireError, match="expected"):
        judge.parse_reply(json.dumps(doc), token, plan)


def test_tokens_are_compared_in_constant_time(refs, monkeypatch):
    plan = judge.plan_set("01", SEED, refs)[0]
    token = secrets.token_hex(16)
    text = run_request(_notebook_ns("solutions", "01"), judge.request_text(plan, []), token)
    seen = []

    def spy(a, b):
        seen.append((a, b))
        return a == b

    monkeypatch.setattr(judge.hmac, "compare_digest", spy)
    judge.parse_reply(text, token, plan)
    assert seen == [(token.encode(), token.encode())]


@pytest.mark.parametrize("forge", [
    # claims of success in any form are not part of the format
    lambda doc: doc.update(points=12, passed=True),
    lambda doc: [c.update(outcomes=[{"status": "pass"}]) for c in doc["cases"]],
    lambda doc: [c.update(outcomes=[{"status": "ok", "ret": {"$pickle": "gASV"}}])
                 for c in doc["cases"]],
    lambda doc: doc.update(cases=doc["cases"] + doc["cases"]),
    lambda doc: doc.update(format="w2v-course-wire/0"),
])
def test_forged_replies_are_refused(refs, forge):
    plan = judge.plan_set("01", SEED, refs)[0]
    token = secrets.token_hex(16)
    doc = _reply(run_request({}, judge.request_text(plan, []), token))
    doc["function"] = "ok"
    doc["cases"] = [{"outcomes": [], "skipped": None} for _ in plan.cases]
    forge(doc)
    try:
        reply = judge.parse_reply(json.dumps(doc), token, plan)
    except wire.WireError:
        return
    assert judge.judge_exercise(plan, reply, SEED).points == 0


def test_a_reply_with_well_formed_made_up_outputs_earns_what_those_outputs_earn(refs):
    """A forger who knows the token and the format can claim outputs - and is judged on them."""
    for plan in judge.plan_set("06", SEED, refs):
        token = secrets.token_hex(16)
        doc = _reply(run_request({}, judge.request_text(plan, []), token))
        doc["function"] = "ok"
        doc["cases"] = [{"skipped": None, "outcomes": [
            {"status": "ok", "ret": c["args"][0], "after": [None] * len(c["args"]),
             "after_kw": []} for c in case["calls"]]} for case in plan.cases]
        res = judge.judge_exercise(plan, judge.parse_reply(json.dumps(doc), token, plan), SEED)
        assert res.points == 0, res.report()


def test_missing_outcomes_fail_the_case_not_the_grader(refs):
    def drop_second_case(text, token):
        doc = json.loads(text)
        doc["cases"][1]["outcomes"] = []
        return json.dumps(doc)

    got = _grade_in_process(_notebook_ns("solutions", "01"), "01", refs, tamper=drop_second_case)
    res = got["01.least_squares_grad"][0]
    assert [c.status for c in res.cases] == ["PASS", "FAIL", "PASS"]
    assert "no result was reported" in res.cases[1].message


def test_outputs_that_cannot_cross_fail_with_a_clear_hint(refs):
    got = _grade_in_process({"least_squares_grad": lambda w, X, y: print,
                             "least_squares_loss": lambda w, X, y: np.zeros(1 << 23)},
                            "01", refs)
    assert "cannot be checked" in got["01.least_squares_grad"][0].feedback()
    assert "could not read" in got["01.least_squares_loss"][0].feedback()
    missing = got["01.gd_step"][0]
    assert missing.points == 0 and "no function named gd_step" in missing.feedback()


def test_exceptions_and_exits_in_the_kernel_are_replayed_as_failures(refs):
    def leave(*a):
        sys.exit(3)

    def boom(w, X, y):
        raise ValueError("shapes (3,) and (2,) not aligned")

    def oom(*a):
        raise MemoryError()

    got = _grade_in_process({"least_squares_grad": boom, "gd_step": leave, "batch_gd": oom,
                             "least_squares_loss": "not a function"}, "01", refs)
    fb = {k: v[0].feedback() for k, v in got.items()}
    assert "raised ValueError" in fb["01.least_squares_grad"] and "check the shapes" in \
        fb["01.least_squares_grad"]
    assert 'raise ValueError("shapes' in fb["01.least_squares_grad"]  # the line it came from
    assert "sys.exit" in fb["01.gd_step"]
    assert "out of memory" in fb["01.batch_gd"]
    assert "not a function" in fb["01.least_squares_loss"]
    assert all(v[0].points == 0 for v in got.values())


def test_the_runners_time_limit_stops_a_loop_and_skips_the_rest(refs):
    plan = judge.plan_set("01", SEED, refs)[2]  # gd_step
    for case in plan.cases:
        case["timeout"] = 0.3

    def endless(*args):
        while True:
            try:
                pass
            except:  # noqa: E722 - a bare except must not swallow the limit
                pass

    token = secrets.token_hex(16)
    reply = judge.parse_reply(run_request({"gd_step": endless}, judge.request_text(plan, []),
                                          token), token, plan)
    res = judge.judge_exercise(plan, reply, SEED)
    assert [c.status for c in res.cases] == ["FAIL", "TODO", "TODO"]
    assert "endless loop" in res.cases[0].message and "0.3 s" in res.cases[0].message


def test_a_case_whose_inputs_depend_on_outputs_is_a_check_error(refs):
    @exercise("99.chained", "a badly written case")
    def _cases():
        def chained(f, rng):
            a = call(f, rng.normal(size=3))
            expect_close(call(f, np.asarray(a) * 2), 2 * np.asarray(a) + 1, "x")
        return [Case("chained", chained)]

    try:
        refs = dict(refs, **{"99": {"chained": lambda x: x + 1}})
        plan = judge.plan_exercise("99.chained", refs["99"]["chained"], SEED)
        token = secrets.token_hex(16)
        reply = judge.parse_reply(run_request({"chained": lambda x: x + 2},
                                              judge.request_text(plan, []), token), token, plan)
        res = judge.judge_exercise(plan, reply, SEED)
        assert res.cases[0].status == "ERROR" and "differ from the planned" in res.cases[0].message
    finally:
        del REGISTRY["99.chained"]


# ---------------------------------------------------------------------------------------------
# policy: the package's own answers
# ---------------------------------------------------------------------------------------------
NS = "w2v_edu.objectives.negative_sampling_loss_and_grad"


@pytest.mark.parametrize(("cells", "flagged"), [
    (["from w2v_edu.objectives import negative_sampling_loss_and_grad as ref\n"
      "def negative_sampling_loss_and_grad(v, u, N):\n    return ref(v, u, N)"], True),
    (["import w2v_edu.objectives as o", "def negative_sampling_loss_and_grad(v, u, N):\n"
      "    return o.negative_sampling_loss_and_grad(v, u, N)"], True),
    (["import w2v_edu\ndef helper(*a):\n    return w2v_edu.objectives."
      "negative_sampling_loss_and_grad(*a)\n",
      "def negative_sampling_loss_and_grad(v, u, N):\n    return helper(v, u, N)"], True),
    (["from w2v_edu.objectives import negative_sampling_loss_and_grad"], True),
    (["from w2v_edu.objectives import *\ndef negative_sampling_loss_and_grad(v, u, N):\n"
      "    return negative_sampling_loss_and_grad_batch(v[None], u[None], N[None])"], True),
    (["def negative_sampling_loss_and_grad(v, u, N):\n"
      "    from w2v_edu import objectives as ob\n"
      "    return ob.negative_sampling_loss_and_grad(v, u, N)"], True),
    (["%matplotlib inline\nfrom w2v_edu.objectives import sigmoid, log_sigmoid\n"
      "def negative_sampling_loss_and_grad(v, u, N):\n    return sigmoid(u @ v)"], False),
    (["def negative_sampling_loss_and_grad(v, u, N):\n    return 0", "this is ( not python"],
     False),
])
def test_static_policy_follows_imports_aliases_and_helpers(cells, flagged):
    flags = policy.static_flags(cells, ["negative_sampling_loss_and_grad"],
                                policy.twins_of_set("06"))
    assert bool(flags["negative_sampling_loss_and_grad"]) is flagged, flags
    if flagged:
        assert flags["negative_sampling_loss_and_grad"] <= {
            NS, "w2v_edu.objectives.negative_sampling_loss_and_grad_batch"}


def test_the_master_solutions_are_not_flagged():
    for path in master_paths(ROOT):
        set_id = path.name[:2]
        funcs = [ex.func_name for ex in exercises_of_set(set_id)]
        sources = [reference_source(path)]
        flags = policy.static_flags(sources, funcs, policy.twins_of_set(set_id))
        assert not any(flags.values()), (path.name, flags)


def test_dynamic_policy_sees_a_call_hidden_from_the_parser(refs):
    def hidden(v, u, N):
        import importlib

        mod = importlib.import_module("w2v_edu." + "objectives")
        return getattr(mod, "negative_sampling_" + "loss_and_grad")(v, u, N)

    got = _grade_in_process({"negative_sampling_loss_and_grad": hidden}, "06", refs)
    res, reply = got["06.negative_sampling_loss_and_grad"]
    assert res.points == res.max_points  # the answer is right ...
    assert policy.dynamic_flags(reply.watched, policy.twins_of_set("06")) == {NS}  # ... flagged
    ok = _grade_in_process(_notebook_ns("solutions", "06"), "06", refs)
    assert not any(r.watched for _, r in ok.values())
    assert "--strict" in policy.flag_text({NS}, True) and NS in policy.flag_text({NS}, False)


def test_running_the_course_reference_code_is_flagged(refs, tmp_path):
    """Loading a master's solution from disk (or calling a check's reference helper)."""
    from w2v_course.homework.sets import set01_gradient_descent as checks

    master = master_paths(ROOT)[0]
    ns: dict = {}
    exec(compile(reference_source(master), str(master), "exec"), ns)  # as a student could
    got = _grade_in_process(ns, "01", refs)
    res, reply = got["01.least_squares_loss"]
    assert res.points == res.max_points
    assert policy.REFERENCE in policy.dynamic_flags(reply.watched, policy.twins_of_set("01"))
    got = _grade_in_process({"least_squares_grad": checks._ref_grad}, "01", refs)
    assert policy.REFERENCE in policy.dynamic_flags(got["01.least_squares_grad"][1].watched, [])
    cell = ("from w2v_course.grading.references import reference_source\n"
            "exec(reference_source('homework/exercise_masters/01_gradient_descent.py'))")
    flags = policy.static_flags([cell], ["gd_step"], policy.twins_of_set("01"))
    assert flags["gd_step"] == {policy.REFERENCE}
    assert "reference solutions" in policy.flag_text({policy.REFERENCE}, False)


def test_every_twin_resolves_to_package_code():
    for set_id in SETS:
        for t in policy.twins_of_set(set_id):
            assert t.dotted.startswith("w2v_edu.") and t.file_suffix.startswith("w2v_edu/")


def test_the_library_never_imports_the_course_tooling():
    for f in (ROOT / "w2v_edu").rglob("*.py"):
        assert "w2v_course" not in f.read_text(encoding="utf-8"), f
    r = subprocess.run([sys.executable, "-c", "import sys, w2v_edu, w2v_edu.word2vec; "
                        "print(any(m.startswith('w2v_course') for m in sys.modules))"],
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.stdout.strip() == "False", r.stderr
