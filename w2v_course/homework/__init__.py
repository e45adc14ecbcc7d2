"""Homework for the course: exercise checks with instant feedback and the notebook build.

In an exercise notebook::

    from w2v_course.homework import check
    check("01.least_squares_grad", least_squares_grad)

prints one PASS/FAIL line per case with points and, on a failure, a hint aimed at the likely
mistake. ``check`` never raises; it uses fixed *practice* inputs. The exercises live in
``homework/exercise_masters/NN_name.py`` masters (see :mod:`w2v_course.homework.master`), their
checks in :mod:`w2v_course.homework.sets`; ``python -m w2v_course.homework build`` generates the
notebooks. Grading for credit (:mod:`w2v_course.grading`) runs the same checks on fresh inputs,
in the grader's own process, on the outputs a submission's functions return in its kernel.
"""

from . import sets as _sets  # noqa: F401  (registers every exercise)
from .core import REGISTRY, ExerciseResult, check, exercises_of_set, run_exercise

__all__ = ["check", "run_exercise", "exercises_of_set", "REGISTRY", "ExerciseResult"]
