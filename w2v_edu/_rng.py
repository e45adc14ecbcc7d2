"""Private helper: turn a ``seed`` or a ``numpy.random.Generator`` into a Generator.

Every random choice in w2v_edu takes either an integer seed or a Generator; this is the one
place that converts between the two, with a clear error for anything else.
"""

import numbers

import numpy as np


def as_generator(rng, name="rng"):
    """Return a ``numpy.random.Generator`` for ``rng``.

    Parameters
    ----------
    rng : int, numpy.random.Generator or None
        An integer seed (same seed -> same stream), a Generator (used as is, so its state
        advances), or None (a fresh, unseeded Generator).
    name : str
        The argument's name, used in the error message.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"expected {name} to be a non-negative integer seed, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"expected {name} to be an int seed or a numpy.random.Generator, "
        f"got {type(rng).__name__}"
    )
