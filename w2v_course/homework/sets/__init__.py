"""The checks of every homework set, one module per set (importing registers them)."""

from . import (  # noqa: F401
    set01_gradient_descent,
    set02_sgd_and_minibatch,
    set03_learning_rates,
    set04_text_to_pairs,
    set05_softmax_skipgram,
    set06_negative_sampling,
    set07_hierarchical_softmax,
    set08_minibatch_sgd,
)
