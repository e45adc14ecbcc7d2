"""The check framework: exercises, cases, per-case PASS/FAIL with points and a targeted hint.

An *exercise* is one function a learner writes (``"01.least_squares_grad"``: set ``01``, function
``least_squares_grad``). It owns a few *cases*; a case is a function ``fn(f, rng)`` that draws its
inputs from ``rng``, calls the learner's function ``f`` through :func:`call` and compares the
answer with reference behaviour (the package's own implementation where one exists, otherwise the
math written out in the case). When an answer is wrong, the case tries to name the likely mistake
(a flipped sign, a missing ``1/n``, a wrong shape, an exclusive upper bound, ...) instead of only
saying "wrong".

Inputs come from one generator per case: :func:`case_rng` with ``seed=None`` gives the fixed
*practice* inputs of the notebook's ``check(...)``; the grader passes a seed of its own, drawn
afresh for every submission, so graded inputs are never the ones a notebook has seen.

The same case code serves both paths. In the notebook ``f`` is the learner's function. When a
notebook is graded (:mod:`w2v_course.grading`), the case runs twice in the grader's own process:
once with ``f`` = the reference solution, to record the inputs of every call, and once with ``f``
= a *replay* of what the learner's function returned for those inputs in the student's kernel
(data only). So a case must not make its inputs depend on an earlier call's output or on the
state a call leaves in a generator; the grader detects it if one does (a "check error").

Guarantees, because a learner runs these inside a notebook and a grader runs them unattended:

* a check never raises: every exception of the learner's code (including ``SystemExit`` and
  ``KeyboardInterrupt``) becomes a FAIL line;
* a stub that still raises ``NotImplementedError`` prints "not implemented yet" and scores 0;
* a runaway loop is stopped after ``timeout`` seconds per case (via ``SIGALRM``; on platforms or
  threads without it, no time limit applies);
* the learner's function receives copies of the inputs, so an in-place edit cannot corrupt the
  reference answer.

Rule for case writers: no case may be passable by a constant answer (0, an empty array, ``None``,
an input returned unchanged, doing nothing in place); ``tests/test_homework_checks.py`` tries
those on every case.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
import traceback
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DEFAULT_CASE_TIMEOUT = 5.0  # seconds per case; the reference solutions need milliseconds


# --------------------------------------------------------------------------------------------
# exceptions used inside cases
# --------------------------------------------------------------------------------------------
class CaseFailed(Exception):
    """Raised by a case to fail with a hint (the message is shown to the learner)."""


class CheckTimeout(BaseException):
    """The learner's code ran longer than the case's time limit.

    A ``BaseException`` so that a bare ``except Exception`` in the learner's loop cannot swallow it.
    """


class StudentError(Exception):
    """Wraps an exception raised by the learner's function (as opposed to by the check itself)."""

    def __init__(self, exc: BaseException, tb: str):
        super().__init__(repr(exc))
        self.exc = exc
        self.tb = tb


class NotImplementedYet(Exception):
    """The learner's function still raises ``NotImplementedError`` (the stub)."""


class ReplayedError(Exception):
    """An exception the learner's function raised in the student's kernel, replayed as data.

    ``type_name`` is the exception's class name, ``message`` its text, ``where`` the line of the
    learner's code it came from (all strings, as the kernel reported them).
    """

    def __init__(self, type_name: str, message: str, where: str = ""):
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name
        self.message = message
        self.where = where


class CheckError(Exception):
    """The check itself could not run as planned (a bug in a case, never the learner's fault)."""


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------
@dataclass
class CaseResult:
    name: str
    passed: bool
    points: float
    max_points: float
    message: str = ""
    status: str = "PASS"  # PASS | FAIL | TODO (not implemented) | ERROR (check could not run)

    def to_dict(self) -> dict:
        return dict(name=self.name, passed=self.passed, points=self.points,
                    max_points=self.max_points, message=self.message, status=self.status)


@dataclass
class ExerciseResult:
    exercise: str
    title: str
    cases: list[CaseResult] = field(default_factory=list)
    note: str = ""  # an exercise-level remark, e.g. "not implemented yet"

    @property
    def points(self) -> float:
        return float(sum(c.points for c in self.cases))

    @property
    def max_points(self) -> float:
        return float(sum(c.max_points for c in self.cases))

    def feedback(self) -> str:
        """One line for a spreadsheet cell: the note, then each failing case and its hint."""
        parts = [self.note] if self.note else []
        for c in self.cases:
            if c.status == "FAIL":
                parts.append(f"{c.name}: {c.message}" if c.message else c.name)
            elif c.status == "ERROR":
                parts.append(f"{c.name}: check error: {c.message}")
        if not parts:
            return "all cases pass"
        return " | ".join(p.replace("\n", " ") for p in parts)

    def report(self) -> str:
        """The multi-line text the learner sees under a ``check(...)`` call."""
        lines = [f"{self.exercise} - {self.title}"]
        if self.note:
            lines.append(f"  {self.note}")
        for c in self.cases:
            if c.status == "TODO":
                continue
            pts = f"{_fmt(c.points)}/{_fmt(c.max_points)}"
            lines.append(f"  {c.status:<4}  {c.name:<52} {pts:>7}")
            if c.message and c.status != "PASS":
                for k, msg_line in enumerate(c.message.splitlines()):
                    lines.append(("        hint: " if k == 0 else "              ") + msg_line)
        lines.append(f"  score: {_fmt(self.points)}/{_fmt(self.max_points)}"
                     + ("  - all cases pass" if self.points == self.max_points else ""))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return dict(exercise=self.exercise, title=self.title, points=self.points,
                    max_points=self.max_points, note=self.note, feedback=self.feedback(),
                    cases=[c.to_dict() for c in self.cases])


def _fmt(x: float) -> str:
    return f"{x:g}"


# --------------------------------------------------------------------------------------------
# exercises and the registry
# --------------------------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    # fn(student_function, rng) -> None, or raise CaseFailed(hint); inputs drawn from rng only
    fn: Callable[[Callable, np.random.Generator], None]
    points: float = 1.0
    timeout: float = DEFAULT_CASE_TIMEOUT


@dataclass
class Exercise:
    id: str  # "NN.function_name"
    title: str
    cases: list[Case]
    # the package's own answers to this exercise, as dotted names ("w2v_edu.objectives.f");
    # a graded function that calls one of them is flagged (see w2v_course.grading.policy)
    twins: tuple[str, ...] = ()

    @property
    def set_id(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def func_name(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def max_points(self) -> float:
        return float(sum(c.points for c in self.cases))


REGISTRY: dict[str, Exercise] = {}


def exercise(exercise_id: str, title: str, *, twins: tuple[str, ...] = ()):
    """Decorator: register ``build() -> list[Case]`` as the cases of ``exercise_id``.

    ``twins`` names the package functions that answer this exercise (dotted paths such as
    ``"w2v_edu.objectives.negative_sampling_loss_and_grad"``; a class counts with its methods).
    """

    def deco(build: Callable[[], list[Case]]):
        REGISTRY[exercise_id] = Exercise(exercise_id, title, build(), tuple(twins))
        return build

    return deco


def exercises_of_set(set_id: str) -> list[Exercise]:
    """The exercises of one set (``"01"``), in registration order (= notebook order)."""
    return [ex for ex in REGISTRY.values() if ex.set_id == set_id]


def case_rng(exercise_id: str, index: int, seed: int | None = None) -> np.random.Generator:
    """The generator of case ``index`` of ``exercise_id``.

    ``seed=None``: the fixed practice inputs of the notebook's ``check``. An int: the inputs of a
    graded run (a different stream from the practice one for every seed).
    """
    key = zlib.crc32(exercise_id.encode("utf-8"))
    if seed is None:
        return np.random.default_rng([key, index])
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"expected seed to be None or an int >= 0, got {seed!r}")
    return np.random.default_rng([int(seed), key, index, 1])


def draw_seed(rng: np.random.Generator) -> int:
    """A seed for a generator the learner's function receives (drawn from the case's rng)."""
    return int(rng.integers(2**32))


# --------------------------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Raise :class:`CheckTimeout` in the main thread after ``seconds`` (no-op where impossible)."""
    usable = (seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def handler(signum, frame):
        raise CheckTimeout()

    try:
        old_handler = signal.signal(signal.SIGALRM, handler)
    except (ValueError, OSError):  # not allowed here: run without a limit
        yield
        return
    old_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_timer[0] > 0:  # somebody else's timer was running: give it back what is left
            signal.setitimer(signal.ITIMER_REAL, max(old_timer[0], 1e-3), old_timer[1])


def _copy_arg(a: Any) -> Any:
    if isinstance(a, np.ndarray):
        return a.copy()
    if isinstance(a, list):
        return [_copy_arg(x) for x in a]
    if isinstance(a, tuple):
        return tuple(_copy_arg(x) for x in a)
    if isinstance(a, dict):
        return {k: _copy_arg(v) for k, v in a.items()}
    return a


_QUIET = threading.local()


def call(func: Callable, *args, copy: bool = True, **kwargs) -> Any:
    """Call the learner's ``func``; any exception it raises comes back as :class:`StudentError`.

    Inputs are copied unless ``copy=False`` (use that when the exercise *is* an in-place update).
    """
    if copy:
        args = tuple(_copy_arg(a) for a in args)
        kwargs = {k: _copy_arg(v) for k, v in kwargs.items()}
    try:
        return func(*args, **kwargs)
    except NotImplementedError as exc:
        raise NotImplementedYet() from exc
    except (CheckTimeout, CaseFailed, CheckError):
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
        raise StudentError(exc, _student_traceback(exc)) from None


def _student_traceback(exc: BaseException) -> str:
    """Where in the learner's code it went wrong: the last frame outside this package."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = __file__.rsplit("/", 1)[0]
    frames = [f for f in frames if not f.filename.startswith(own)]
    if not frames:
        return ""
    f = frames[-1]
    where = "your code" if f.filename.startswith("<") or "ipykernel" in f.filename else f.filename
    return f"{where}, line {f.lineno}: {f.line}" if f.line else f"{where}, line {f.lineno}"


def _error_type(exc: BaseException) -> str:
    return exc.type_name if isinstance(exc, ReplayedError) else type(exc).__name__


def _describe_student_error(err: StudentError) -> str:
    exc = err.exc
    kind = _error_type(exc)
    text = exc.message if isinstance(exc, ReplayedError) else str(exc)
    where = exc.where if isinstance(exc, ReplayedError) else err.tb
    if kind == "SystemExit":
        return "your function called sys.exit() / exit(); return a value instead"
    if kind == "KeyboardInterrupt":
        return "interrupted (KeyboardInterrupt)"
    if kind == "MemoryError":
        return "your function ran out of memory (an array far too large?)"
    msg = f"your function raised {kind}: {text}"
    if where:
        msg += f"\n(at {where})"
    if kind in ("ValueError", "IndexError") and any(
            w in text.lower() for w in ("shape", "broadcast", "align")):
        msg += "\ncheck the shapes: the docstring states each array's shape"
    return msg


def run_exercise(exercise_id: str, func: Any, *, timeout: float | None = None,
                 seed: int | None = None,
                 case_func: Callable[[int], Any] | None = None) -> ExerciseResult:
    """Run every case of ``exercise_id`` on ``func`` and return the result. Never raises.

    ``seed`` selects the inputs (``None``: the practice inputs, see :func:`case_rng`);
    ``case_func(k)``, when given, is the function to call in case ``k`` instead of ``func``
    (the grader passes one replay per case); ``timeout=0`` switches the time limit off.
    """
    try:
        return _run_exercise(exercise_id, func, timeout=timeout, seed=seed, case_func=case_func)
    except BaseException as exc:  # noqa: BLE001 - the promise is: a check never raises
        ex = REGISTRY.get(exercise_id)
        res = ExerciseResult(exercise_id, ex.title if ex else "?")
        res.note = f"the check itself failed ({type(exc).__name__}: {exc}); please report this"
        if ex:
            res.cases = [CaseResult(c.name, False, 0.0, c.points, "", "ERROR") for c in ex.cases]
        return res


def _run_exercise(exercise_id: str, func: Any, *, timeout: float | None, seed: int | None,
                  case_func: Callable[[int], Any] | None) -> ExerciseResult:
    if exercise_id not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        res = ExerciseResult(exercise_id, "unknown exercise")
        res.note = f"no exercise called {exercise_id!r}; known: {known}"
        return res
    ex = REGISTRY[exercise_id]
    res = ExerciseResult(exercise_id, ex.title)
    if case_func is None and not callable(func):
        res.note = (f"expected the function {ex.func_name} (a callable), got "
                    f"{type(func).__name__}; pass the function itself, without calling it")
        res.cases = [CaseResult(c.name, False, 0.0, c.points, "", "FAIL") for c in ex.cases]
        return res
    stop_reason = None
    for k, case in enumerate(ex.cases):
        if stop_reason is not None:
            res.cases.append(CaseResult(case.name, False, 0.0, case.points, stop_reason, "TODO"))
            continue
        limit = case.timeout if timeout is None else timeout
        t0 = time.perf_counter()
        try:
            f = case_func(k) if case_func is not None else func
            with time_limit(limit), np.errstate(all="ignore"):
                case.fn(f, case_rng(exercise_id, k, seed))
            res.cases.append(CaseResult(case.name, True, case.points, case.points))
        except NotImplementedYet:
            stop_reason = "not implemented yet"
            res.note = ("not implemented yet: replace `raise NotImplementedError()` with your "
                        "code, then run this cell again")
            res.cases.append(CaseResult(case.name, False, 0.0, case.points, stop_reason, "TODO"))
        except CheckTimeout as exc:
            # a replayed timeout carries the seconds the kernel measured
            took = exc.args[0] if exc.args and exc.args[0] else time.perf_counter() - t0
            res.cases.append(CaseResult(
                case.name, False, 0.0, case.points,
                f"stopped after {took:.1f} s (limit {limit or case.timeout:g} s): an endless "
                "loop? e.g. a while "
                "loop whose counter never changes, or iterating over a list you keep appending to",
                "FAIL"))
            stop_reason = "skipped after a timeout"
        except CaseFailed as exc:
            res.cases.append(CaseResult(case.name, False, 0.0, case.points, str(exc), "FAIL"))
        except StudentError as exc:
            res.cases.append(CaseResult(case.name, False, 0.0, case.points,
                                        _describe_student_error(exc), "FAIL"))
            if _error_type(exc.exc) == "KeyboardInterrupt":
                stop_reason = "skipped after an interrupt"
        except CheckError as exc:
            res.cases.append(CaseResult(case.name, False, 0.0, case.points, str(exc), "ERROR"))
        except KeyboardInterrupt:
            res.cases.append(CaseResult(case.name, False, 0.0, case.points, "interrupted", "FAIL"))
            stop_reason = "skipped after an interrupt"
        except BaseException as exc:  # noqa: BLE001 - a bug in the check, or odd learner output
            res.cases.append(CaseResult(
                case.name, False, 0.0, case.points,
                f"could not check the answer ({type(exc).__name__}: {exc}); does the function "
                "return what the docstring says (types and shapes)?", "FAIL"))
    return res


def check(exercise_id: str, func: Any = None, *, timeout: float | None = None) -> None:
    """Check the learner's function and print per-case PASS/FAIL, points and hints.

    Parameters
    ----------
    exercise_id : str
        ``"NN.function_name"``, as written in the exercise notebook.
    func : callable
        The function you wrote (pass the function, do not call it).
    timeout : float, optional
        Seconds per case before a runaway loop is stopped (default 5).

    Never raises; prints the report and returns ``None``.
    """
    try:
        res = run_exercise(exercise_id, func, timeout=timeout)
        print(res.report())
    except BaseException as exc:  # noqa: BLE001
        print(f"{exercise_id}: the check could not run ({type(exc).__name__}: {exc})")
    return None


# --------------------------------------------------------------------------------------------
# comparison helpers used by the cases
# --------------------------------------------------------------------------------------------
def as_array(got: Any, what: str) -> np.ndarray:
    """Turn the learner's answer into a float array or fail with a clear message."""
    if got is None:
        raise CaseFailed(f"{what} is None: did you forget `return`?")
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError) as exc:
        raise CaseFailed(f"{what} should be numbers, got {type(got).__name__} ({exc})") from None
    return arr


def expect_close(got: Any, want: np.ndarray | float, what: str, *, rtol: float = 1e-6,
                 atol: float = 1e-9, mistakes: dict[str, Any] | None = None,
                 n: int | None = None) -> None:
    """Fail unless ``got`` equals ``want`` to tolerance, naming the likely mistake when it does not.

    ``mistakes`` maps a hint to the value a typical wrong implementation would produce; the first
    one that matches ``got`` is the hint shown. Generic diagnoses come after: shape, a sign flip,
    a factor of ``n`` (missing 1/n) or ``1/n``, any other constant factor, NaN/inf.
    """
    want = np.asarray(want, dtype=float)
    arr = as_array(got, what)
    if arr.shape != want.shape:
        hint = f"{what} has shape {arr.shape}, expected {want.shape}"
        if arr.size == want.size:
            hint += " (same numbers of entries: a reshape, transpose or a (p, 1) column?)"
        elif arr.ndim == want.ndim + 1 or arr.ndim + 1 == want.ndim:
            hint += " (one axis too many or too few: summed/averaged over the wrong axis?)"
        # a wrong shape may still hide a known mistake (e.g. swapped gradients)
        for mhint, mval in (mistakes or {}).items():
            if mval is None:
                continue
            mval = np.asarray(mval, dtype=float)
            if mval.shape == arr.shape and np.allclose(arr, mval, rtol=1e-5, atol=1e-8):
                hint += f"\n{mhint}"
                break
        raise CaseFailed(hint)
    if not np.all(np.isfinite(arr)) and np.all(np.isfinite(want)):
        hint = f"{what} contains NaN or inf"
        for mhint, mval in (mistakes or {}).items():
            if mval is None:
                continue
            mval = np.asarray(mval, dtype=float)
            if mval.shape == arr.shape and np.array_equal(np.isfinite(arr), np.isfinite(mval)) \
                    and not np.all(np.isfinite(mval)):
                hint += f": {mhint}"
                break
        else:
            hint += ": an overflow (exp of a large number?) or a division by zero"
        raise CaseFailed(hint)
    if np.allclose(arr, want, rtol=rtol, atol=atol):
        return
    for mhint, mval in (mistakes or {}).items():
        if mval is None:
            continue
        mval = np.asarray(mval, dtype=float)
        if mval.shape == arr.shape and np.allclose(arr, mval, rtol=1e-5, atol=1e-8):
            raise CaseFailed(mhint)
    raise CaseFailed(f"{what} is wrong" + _generic_hint(arr, want, n))


def _generic_hint(arr: np.ndarray, want: np.ndarray, n: int | None) -> str:
    scale = float(np.max(np.abs(want))) if want.size else 0.0
    if scale > 0 and np.allclose(arr, -want, rtol=1e-5, atol=1e-8 * scale):
        return ": it is exactly -1 times the right answer - a flipped sign"
    nz = np.abs(want) > 1e-12 * max(scale, 1e-300)
    if np.any(nz):
        ratio = arr[nz] / want[nz]
        r = float(np.median(ratio))
        if np.allclose(arr, r * want, rtol=1e-5, atol=1e-8 * scale) and abs(r) > 1e-12:
            if n is not None and np.isclose(r, n, rtol=1e-6):
                return (f": it is {n} times too large - a missing 1/n (divide the sum by the "
                        f"number of examples, n = {n})")
            if n is not None and np.isclose(r, 1.0 / n, rtol=1e-6):
                return f": it is {n} times too small - divided by n once too often?"
            if np.isclose(r, -1.0, rtol=1e-6):
                return ": it is exactly -1 times the right answer - a flipped sign"
            return f": it is the right answer times {r:.4g} - a missing or extra factor?"
    idx = np.unravel_index(np.argmax(np.abs(arr - want)), want.shape) if want.ndim else ()
    return (f" (largest difference at index {tuple(int(i) for i in idx)}: "
            f"got {float(arr[idx]):.6g}, expected {float(want[idx]):.6g})")


def expect_true(cond: bool, hint: str) -> None:
    if not cond:
        raise CaseFailed(hint)
