"""Homework for the course: exercise checks with instant feedback, the notebook build, the grader.

In an exercise notebook::

    from w2v_course.homework import check
    check("01.least_squares_grad", least_squares_grad)

prints one PASS/FAIL line per case with points and, on a failure, a hint aimed at the likely
mistake. ``check`` never raises. The exercises live in ``homework/NN_name.py`` masters (see
:mod:`w2v_course.homework.master`); ``python -m w2v_course.homework build`` generates the notebooks;
``python -m w2v_course.grading grade PATH... --out grades.csv`` grades submissions.
"""

from . import sets as _sets  # noqa: F401  (registers every exercise)
from .core import REGISTRY, ExerciseResult, check, exercises_of_set, run_exercise

__all__ = ["check", "run_exercise", "exercises_of_set", "REGISTRY", "ExerciseResult"]
