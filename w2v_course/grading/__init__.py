"""Grade homework submissions: ``python -m w2v_course.grading grade PATH... --out grades.csv``.

See :mod:`w2v_course.grading.grader` for how a submission is executed and scored.
"""

from .grader import GradeRow, find_submissions, grade, grade_submission, write_csv

__all__ = ["grade", "grade_submission", "find_submissions", "write_csv", "GradeRow"]
