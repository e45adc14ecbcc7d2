"""The grader end to end: real kernels, one pool, every solution and stub notebook, a rogues'
gallery of broken submissions and a gallery of attacks by a student who read the source, graded
in one run.

Attacks are built on the untouched exercise notebook (every function a stub, worth 0) or on a
solution notebook where the point is that the rest still counts; each attack must earn 0.
"""

from __future__ import annotations

import copy
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import nbformat
import pytest
from homework_helpers import ROOT

from w2v_course.grading import find_submissions, grade, write_csv
from w2v_course.grading.__main__ import main as grading_main
from w2v_course.grading.grader import _submission_seed, detect_set

# where the sandbox uid cannot run this machine's Python, the grader says so and goes on
pytestmark = pytest.mark.filterwarnings("ignore:the sandbox user:RuntimeWarning")

SOL01 = ROOT / "notebooks" / "solutions" / "01_gradient_descent.ipynb"
EX01 = ROOT / "notebooks" / "exercises" / "01_gradient_descent.ipynb"
SOL06 = ROOT / "notebooks" / "solutions" / "06_negative_sampling.ipynb"
STUBS_RETURN_ZERO = textwrap.dedent("""
    def least_squares_loss(w, X, y):
        return 0
    def least_squares_grad(w, X, y):
        return 0
    def gd_step(w, grad, lr):
        return 0
    def batch_gd(w0, X, y, lr, n_steps):
        return 0
""")


def _variant(tmp, name, *, base=SOL01, after=None, code=None, replace=None, at_end=None,
             drop_metadata=False):
    nb = copy.deepcopy(nbformat.read(base, as_version=4))
    if replace:
        for c in nb.cells:
            if c.cell_type == "code" and replace[0] in c.source:
                c.source = c.source.replace(*replace)
    if code is not None:
        i = next(k for k, c in enumerate(nb.cells) if c.cell_type == "code" and after in c.source)
        nb.cells.insert(i + 1, nbformat.v4.new_code_cell(code))
    if at_end is not None:
        nb.cells.append(nbformat.v4.new_code_cell(at_end))
    if drop_metadata:
        nb.metadata.pop("w2v_edu")
    path = tmp / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


# ------------------------------------------------------------------------------------------
# the attacks (cells a student who read the grader's source might add)
# ------------------------------------------------------------------------------------------
HANG_IN_GRADER = textwrap.dedent("""\
    import os, signal, sys
        frame = sys._getframe()
        while frame is not None and frame.f_code.co_filename != '<w2v-course-runner>':
            frame = frame.f_back
        if frame is not None and not os.path.exists('hung-once'):  # the grader's first call
            open('hung-once', 'w').close()
            # switch off the signals that would stop it, then hang the grader's request
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            while True:
                pass
        return w - lr * grad""")

NUMPY_PATCH = textwrap.dedent("""
    import numpy as np
    _yes = lambda *a, **k: True
    np.allclose = np.array_equal = np.array_equiv = _yes
    np.isclose = lambda a, b, *x, **k: np.ones(np.shape(a), dtype=bool)
    np.isfinite = lambda a, *x, **k: np.ones(np.shape(a), dtype=bool)
    np.testing.assert_allclose = lambda *a, **k: None
""") + STUBS_RETURN_ZERO

IMPORT_HOOKS = textwrap.dedent("""
    import builtins, importlib.abc, importlib.machinery, json, sys, types
    class _Everything(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        # serve a fake course and a fake json to whoever imports them from now on
        def find_spec(self, name, path, target=None):
            if name.split('.')[0] in ('w2v_course', 'w2v_edu', 'json', 'base64'):
                return importlib.machinery.ModuleSpec(name, self, is_package=True)
        def create_module(self, spec):
            return None
        def exec_module(self, module):
            module.run_exercise = lambda *a, **k: types.SimpleNamespace(
                points=99, max_points=99, feedback=lambda: 'all cases pass')
            module.dumps = lambda *a, **k: '{"points": 99, "passed": true}'
            module.loads = json.loads
    sys.meta_path.insert(0, _Everything())
    for _m in [m for m in sys.modules if m.split('.')[0] in ('w2v_course', 'w2v_edu')]:
        del sys.modules[_m]
    _fake_json = types.ModuleType('json')
    _fake_json.dumps = lambda *a, **k: '{"points": 99, "passed": true}'
    _fake_json.loads = json.loads
    sys.modules['json'] = _fake_json
    _real_import = builtins.__import__
    def _import(name, *a, **k):
        return _fake_json if name == 'json' else _real_import(name, *a, **k)
    builtins.__import__ = _import
""") + STUBS_RETURN_ZERO

READ_REFERENCE = textwrap.dedent("""
    import glob, inspect, json, os
    import numpy as np
    def _hunt(shape):
        # 1. anything of the right shape in the caller's frames (the grader's code in this kernel)
        for fr in inspect.stack()[1:]:
            for v in list(fr.frame.f_locals.values()) + list(fr.frame.f_globals.values()):
                if isinstance(v, np.ndarray) and v.shape == shape:
                    return v
        # 2. any results the grader might have left on disk, and its processes' environment
        found = glob.glob('/tmp/*.json*') + glob.glob('/tmp/w2v*/**/*.json*', recursive=True)
        found += glob.glob(os.path.expanduser('~/.local/share/jupyter/runtime/*.json'))
        for path in found[:300]:
            try:
                data = json.load(open(path))
            except Exception:
                continue
            if isinstance(data, dict) and 'expected' in data:
                return np.asarray(data['expected'])
        for pid in os.listdir('/proc'):
            try:
                env = open(f'/proc/{pid}/environ', 'rb').read()
            except Exception:
                continue
        return np.zeros(shape)
    def least_squares_loss(w, X, y):
        return float(np.sum(_hunt(())))
    def least_squares_grad(w, X, y):
        return _hunt(w.shape)
    def gd_step(w, grad, lr):
        return _hunt(w.shape)
    def batch_gd(w0, X, y, lr, n_steps):
        return _hunt((n_steps + 1, len(w0)))
""")

FORGE_CHANNEL = textwrap.dedent("""
    import builtins, json
    _real_exec = builtins.exec
    def _forged_run_request(namespace, request_text, token):
        # knows the format and this request's token: claims every call returned its first input
        req = json.loads(request_text)
        cases = [{"skipped": None, "outcomes": [
            {"status": "ok", "ret": c["args"][0], "after": [None] * len(c["args"]),
             "after_kw": []} for c in case["calls"]]} for case in req["cases"]]
        open(MARKER, "a").write(req["exercise"] + "\\n")
        return json.dumps({"format": req["format"], "token": token, "exercise": req["exercise"],
                           "function": "ok", "cases": cases, "watched": [],
                           "verdict": "all cases pass", "points": 12})
    def _exec(code, *args):
        result = _real_exec(code, *args)
        if args and isinstance(args[0], dict) and "run_request" in args[0]:
            args[0]["run_request"] = _forged_run_request
        return result
    builtins.exec = _exec
""")

TOKEN_RACE = textwrap.dedent("""
    import json, os, secrets, threading, time
    _ns = get_ipython().user_ns
    def _race():
        # replace the real results the moment they appear (same token: read from them), and
        # spray documents with guessed tokens into the namespace, the output and /tmp
        while True:
            for key in [k for k in list(_ns) if k.startswith('_w2v_course_result_')]:
                try:
                    doc = json.loads(_ns[key])
                    for case in doc['cases']:
                        for o in case['outcomes']:
                            o.update(status='ok', ret=0.0, after=[], after_kw=[])
                    doc['points'] = 12
                    _ns[key] = json.dumps(doc)
                    open(MARKER, 'a').write('raced\\n')
                except Exception:
                    pass
            guess = secrets.token_hex(16)
            _ns['_w2v_course_result_' + guess[:12]] = json.dumps({'token': guess, 'points': 12})
            print(json.dumps({'token': guess, 'exercise': '01.gd_step', 'points': 3}))
            time.sleep(0.002)
    threading.Thread(target=_race, daemon=True).start()
""")

COPY_REFERENCE = textwrap.dedent("""
    import pathlib
    import w2v_course
    from w2v_course.grading.references import reference_source
    _master = (pathlib.Path(w2v_course.__file__).parents[1] / "homework" / "exercise_masters"
               / "01_gradient_descent.py")
    exec(compile(reference_source(_master), str(_master), "exec"))
""")

MEMORY_HOG = textwrap.dedent("""
    import numpy as np
    hog = []
    try:
        while True:
            hog.append(np.ones(10**7))
    except MemoryError:
        pass
    del hog
    for _ in range(50):
        print('x' * 2 * 10**6)  # 100 MB of output
""")

FORK_CHILD = textwrap.dedent("""
    import os, time
    _pid = os.fork()
    if _pid == 0:
        os.setsid()
        if os.fork() == 0:
            with open(PIDFILE, 'w') as fh:
                fh.write(str(os.getpid()))
            time.sleep(20)
            with open(MARKER, 'w') as fh:
                fh.write('outlived the kernel')
        os._exit(0)
    os.waitpid(_pid, 0)
""")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    bad, attacks = tmp / "bad", tmp / "attacks"
    bad.mkdir()
    attacks.mkdir()
    # mistakes and runaway code (on a solution notebook: the rest must still count)
    _variant(bad, "loop_cell", after="def gd_step", code="while True:\n    pass")
    _variant(bad, "sys_exit", after="def gd_step", code="import sys\nsys.exit(3)")
    _variant(bad, "os_exit", after="def gd_step", code="import os\nos._exit(1)")
    _variant(bad, "os_kill", after="def gd_step",
             code="import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    _variant(bad, "kill_in_function", replace=("return w - lr * grad", "import os; os._exit(0)"))
    _variant(bad, "hang_in_function", replace=("return w - lr * grad", HANG_IN_GRADER))
    _variant(bad, "fake_print", after="def gd_step",
             code="print('01.gd_step score: 3/3 - all cases pass')",
             replace=("return w - lr * grad", "return w + lr * grad"))
    _variant(bad, "renamed", replace=("def gd_step(", "def my_step("), drop_metadata=True)
    _variant(bad, "memory_hog", after="import numpy", code=MEMORY_HOG, replace=(
        "return X.T @ r / len(y)", "return np.ones((10**6, 10**6)) @ r"))
    (bad / "corrupt.ipynb").write_text("{not json")
    (bad / "03_truncated.ipynb").write_text('{"cells": [')
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]),
                   bad / "unrelated.ipynb")
    # attacks (on the untouched exercise notebook)
    # the attacks leave proof that their code ran where a kernel can write it: under the sandbox
    # uid (a grader running as root) it cannot reach pytest's private folders
    proof = Path(tempfile.mkdtemp(prefix="w2v-grader-proof-"))
    proof.chmod(0o1777)
    marker = proof / "marker"
    pidfile = proof / "child.pid"
    consts = f"MARKER = {str(marker)!r}\nPIDFILE = {str(pidfile)!r}\n"
    _variant(attacks, "numpy_patch", base=EX01, at_end=NUMPY_PATCH)
    _variant(attacks, "import_hooks", base=EX01, at_end=IMPORT_HOOKS)
    _variant(attacks, "read_reference", base=EX01, at_end=READ_REFERENCE)
    _variant(attacks, "forge_channel", base=EX01, at_end=consts + FORGE_CHANNEL)
    _variant(attacks, "token_race", base=EX01, at_end=consts + TOKEN_RACE)
    _variant(attacks, "fork_child", base=EX01, at_end=consts + FORK_CHILD)
    _variant(attacks, "huge_output", base=EX01, at_end="import numpy as np\n"
             "def least_squares_grad(w, X, y):\n    return np.zeros(3 * 10**7)")
    # the course's reference solution, loaded from disk (policy)
    _variant(attacks, "copy_reference", base=EX01, at_end=COPY_REFERENCE)
    # the package's own answer (policy), plainly and hidden from a reader of the source
    _variant(attacks, "06_package_answer", base=SOL06, at_end=(
        "from w2v_edu.objectives import negative_sampling_loss_and_grad as _pkg\n"
        "def negative_sampling_loss_and_grad(v, u, N):\n    return _pkg(v, u, N)"))
    _variant(attacks, "06_package_answer_hidden", base=SOL06, at_end=(
        "import importlib\n"
        "def negative_sampling_loss_and_grad(v, u, N):\n"
        "    mod = importlib.import_module('w2v_edu.' + 'objectives')\n"
        "    return getattr(mod, 'negative_sampling_' + 'loss_and_grad')(v, u, N)"))
    paths = [ROOT / "notebooks" / "solutions", ROOT / "notebooks" / "exercises", bad, attacks]
    subs = find_submissions(paths)
    rows = grade(subs, timeout=60, cell_timeout=5, check_timeout=6, workers=2, seed=2024,
                 memory_mb=1024)
    by_sub: dict[str, list] = {}
    for r in rows:
        by_sub.setdefault(r.submission.replace("\\", "/"), []).append(r)
    yield subs, rows, by_sub, tmp, proof
    shutil.rmtree(proof, ignore_errors=True)


def _rows(by_sub, suffix):
    hits = [v for k, v in by_sub.items() if k.endswith(suffix)]
    assert len(hits) == 1, (suffix, list(by_sub))
    return hits[0]


def _by_exercise(by_sub, suffix):
    return {r.exercise: r for r in _rows(by_sub, suffix)}


def test_one_row_per_submission_and_exercise(graded):
    subs, rows, by_sub = graded[:3]
    assert len(by_sub) == len(subs) == 18 + 12 + 10
    for name, rs in by_sub.items():
        assert len({r.exercise for r in rs}) == len(rs), name


@pytest.mark.parametrize("set_id", [f"{k:02d}" for k in (*range(1, 9), 10)])
def test_solutions_score_full_marks_and_stubs_zero(graded, set_id):
    by_sub = graded[2]
    sol = [v for k, v in by_sub.items() if f"solutions/{set_id}_" in k][0]
    ex = [v for k, v in by_sub.items() if f"exercises/{set_id}_" in k][0]
    assert 2 <= len(sol) <= 4
    assert all(r.points == r.max_points > 0 for r in sol), sol
    assert [r.exercise for r in ex] == [r.exercise for r in sol]
    assert all(r.points == 0 and "not implemented" in r.feedback for r in ex), ex


# ------------------------------------------------------------------------------------------
# mistakes and runaway code
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["loop_cell", "sys_exit", "os_exit", "os_kill"])
def test_grading_survives_a_bad_cell_and_still_scores_the_rest(graded, name):
    by_sub = graded[2]
    rs = _rows(by_sub, f"{name}.ipynb")
    assert [r.points for r in rs] == [r.max_points for r in rs], rs


@pytest.mark.parametrize(("name", "why"), [("kill_in_function", "kernel died"),
                                           ("hang_in_function", "did not finish")])
def test_a_function_that_kills_or_hangs_the_kernel_scores_zero_but_others_count(
        graded, name, why):
    rs = _by_exercise(graded[2], f"{name}.ipynb")
    assert rs["01.least_squares_loss"].points == rs["01.least_squares_loss"].max_points
    assert rs["01.least_squares_grad"].points == rs["01.least_squares_grad"].max_points
    assert rs["01.gd_step"].points == 0
    assert why in rs["01.gd_step"].feedback
    if name == "hang_in_function":  # it hangs once; the next exercise gets a fresh kernel
        assert rs["01.batch_gd"].points == rs["01.batch_gd"].max_points


def test_printing_pass_earns_nothing(graded):
    rs = _by_exercise(graded[2], "fake_print.ipynb")
    assert rs["01.gd_step"].points < rs["01.gd_step"].max_points
    assert "subtracts" in rs["01.gd_step"].feedback


def test_renamed_function_and_set_from_file_content(graded):
    rs = _by_exercise(graded[2], "renamed.ipynb")  # no metadata, no NN_ prefix
    assert set(rs) == {"01.least_squares_loss", "01.least_squares_grad", "01.gd_step",
                       "01.batch_gd"}
    assert rs["01.gd_step"].points == 0 and "no function named gd_step" in rs["01.gd_step"].feedback


def test_exhausting_memory_fails_only_what_exhausts_it(graded):
    rs = _by_exercise(graded[2], "memory_hog.ipynb")
    assert rs["01.least_squares_grad"].points == 0
    assert "out of memory" in rs["01.least_squares_grad"].feedback
    # the kernel survived the cell that exhausted memory (batch_gd uses the failing gradient)
    for e in ("01.least_squares_loss", "01.gd_step"):
        assert rs[e].points == rs[e].max_points, rs[e]


def test_corrupt_files_score_zero_with_a_reason(graded):
    by_sub = graded[2]
    (row,) = _rows(by_sub, "/corrupt.ipynb")
    assert (row.exercise, row.points, row.max_points) == ("?", 0, 0)
    assert "could not read" in row.feedback
    rs = _rows(by_sub, "03_truncated.ipynb")
    assert [r.exercise for r in rs] == ["03.linear_alpha", "03.step_decay_lr",
                                        "03.sgd_with_schedule"]
    assert all(r.points == 0 and "could not read" in r.feedback for r in rs)
    (row,) = _rows(by_sub, "unrelated.ipynb")
    assert row.exercise == "?" and "which homework set" in row.feedback


# ------------------------------------------------------------------------------------------
# attacks
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["numpy_patch", "import_hooks", "read_reference",
                                  "forge_channel", "token_race", "fork_child", "huge_output"])
def test_every_attack_earns_zero(graded, name):
    rs = _rows(graded[2], f"attacks/{name}.ipynb")
    assert len(rs) == 4 and all(r.points == 0 for r in rs), rs


def test_patched_numpy_is_judged_on_what_the_functions_return(graded):
    rs = _by_exercise(graded[2], "numpy_patch.ipynb")
    assert "not implemented" not in rs["01.least_squares_grad"].feedback  # they did return 0
    assert "shape" in rs["01.least_squares_grad"].feedback


def test_a_forger_who_knows_token_and_format_only_claims_outputs(graded):
    _, _, by_sub, _, proof = graded
    forged = (proof / "marker").read_text().split()
    assert {"01.least_squares_loss", "01.gd_step"} <= set(forged)  # the forger did run ...
    rs = _by_exercise(by_sub, "forge_channel.ipynb")
    assert "not implemented" not in rs["01.gd_step"].feedback  # ... its claims were judged
    assert all(r.points == 0 for r in rs.values())


def test_a_child_process_does_not_outlive_the_kernel(graded):
    proof = graded[4]
    pid = int((proof / "child.pid").read_text())
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        state = "gone"
    assert state in ("gone", "Z", "X"), f"process {pid} of the submission is still alive"


def test_calling_the_package_answer_is_flagged_but_scored_without_strict(graded):
    for name in ("06_package_answer", "06_package_answer_hidden"):
        rs = _by_exercise(graded[2], f"{name}.ipynb")
        flagged = rs["06.negative_sampling_loss_and_grad"]
        assert flagged.feedback.startswith("POLICY: calls w2v_edu.objectives."
                                           "negative_sampling_loss_and_grad"), flagged
        assert flagged.points == flagged.max_points
        assert "POLICY" not in rs["06.sgns_pair_update"].feedback
    sol = _by_exercise(graded[2], "solutions/06_negative_sampling.ipynb")
    assert not any("POLICY" in r.feedback for r in sol.values())


def test_loading_the_reference_solution_from_disk_is_flagged(graded):
    rs = _rows(graded[2], "copy_reference.ipynb")
    assert all(r.feedback.startswith("POLICY: uses the course's reference solutions")
               for r in rs), rs


def test_strict_scores_the_flagged_functions_zero(graded):
    tmp = graded[3]
    rows = grade([tmp / "attacks" / "06_package_answer.ipynb",
                  tmp / "attacks" / "copy_reference.ipynb"], strict=True, workers=2,
                 seed=3, cell_timeout=10, timeout=60)
    rs = {r.exercise: r for r in rows}
    assert rs["06.negative_sampling_loss_and_grad"].points == 0
    assert "--strict" in rs["06.negative_sampling_loss_and_grad"].feedback
    assert rs["06.sgns_pair_update"].points == rs["06.sgns_pair_update"].max_points
    copied = [r for r in rows if r.exercise.startswith("01.")]
    assert len(copied) == 4 and all(r.points == 0 and "--strict" in r.feedback for r in copied)


# ------------------------------------------------------------------------------------------
# the rest of the interface
# ------------------------------------------------------------------------------------------
def test_csv_has_the_promised_columns(graded, tmp_path):
    rows = graded[1]
    out = tmp_path / "grades.csv"
    write_csv(rows, out)
    with open(out, newline="") as fh:
        read = list(csv.DictReader(fh))
    assert list(read[0]) == ["submission", "exercise", "points", "max_points", "feedback"]
    assert len(read) == len(rows)
    assert all(float(r["points"]) <= float(r["max_points"]) for r in read)


def test_cli_grades_a_folder(tmp_path, capsys):
    d = tmp_path / "subs"
    d.mkdir()
    (d / "broken.ipynb").write_text("not a notebook")
    out = tmp_path / "g.csv"
    r = subprocess.run([sys.executable, "-m", "w2v_course.grading", "grade", str(d), "--out",
                        str(out), "--seed", "5"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "graded 1 submission" in r.stdout and "--seed 5" in r.stdout
    assert out.read_text().splitlines()[0] == "submission,exercise,points,max_points,feedback"
    # the same command's main, in this process (the run above showed that `python -m` is it)
    assert grading_main(["grade", str(tmp_path / "none")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_each_submission_gets_its_own_inputs(tmp_path):
    a, b = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    seeds = {_submission_seed(7, 0, a), _submission_seed(7, 1, b), _submission_seed(8, 0, a)}
    assert len(seeds) == 3 and _submission_seed(7, 0, a) == _submission_seed(7, 0, a)


def test_detect_set_prefers_metadata_then_name_then_checks(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('check("05.softmax", f)')])
    assert detect_set(nb, tmp_path / "hw.ipynb") == "05"
    assert detect_set(nb, tmp_path / "07_x.ipynb") == "07"
    nb.metadata["w2v_edu"] = {"homework_set": "02"}
    assert detect_set(nb, tmp_path / "07_x.ipynb") == "02"


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match="workers"):
        grade([], workers=0)
    with pytest.raises(ValueError, match="timeout"):
        grade([], timeout=0)
    with pytest.raises(ValueError, match="seed"):
        grade([], seed=-1)
    with pytest.raises(ValueError, match="memory_mb"):
        grade([], memory_mb=10)
    if os.geteuid() != 0:
        with pytest.raises(ValueError, match="root"):
            grade([], sandbox_user=True)
