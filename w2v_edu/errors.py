"""Typed errors shared by every part of the course.

Bad input raises the built-in ``ValueError`` / ``TypeError`` / ``KeyError`` with a message
that says what was expected and what was given. The one error of our own is for training
that blows up: a learning rate so large that the loss stops being finite.
"""


class DivergenceError(ArithmeticError):
    """Training diverged: the loss became non-finite or exploded.

    The message names the learning rate and the step and suggests a smaller rate.
    Parameters are left as they were before the failing step, never full of NaN.
    """
