"""Catching a diverging learning rate, the same way for both engines.

A step *diverges* when its loss is not finite, when its mean loss per training example exceeds
10x the loss every example costs at the start (all output vectors zero: ``(1 + k) log 2`` for
negative sampling, ``E[L] log 2`` for hierarchical softmax), or when its updates are not finite.
Then :class:`DivergenceGuard` raises :class:`~w2v_edu.errors.DivergenceError`, naming alpha, and
leaves the weights as they were before the failing step -- never full of NaN:

- an engine that hands its updates over before applying them (``Step.pending``) is checked
  first, and nothing needs undoing;
- an engine that applies as it goes (the per-pair engine) is snapshotted after every step that
  passed, and restored from the snapshot when a step fails.
"""

from __future__ import annotations

import numpy as np

from w2v_edu.errors import DivergenceError


class DivergenceGuard:
    """Check every step of one epoch; restore the last good weights on divergence.

    Parameters
    ----------
    weights : :class:`~w2v_edu.engine.Weights`
    initial_loss : float
        Loss of one training example at the start (see the module docstring).
    alpha : float
        The run's starting alpha, quoted in the error.
    applies_before_report : bool
        The engine's ``APPLIES_BEFORE_REPORT``.
    where : str
        Names the epoch in the error (e.g. ``"epoch 3"``).
    raw_total : int
        Raw words per epoch, quoted in the error.
    """

    def __init__(self, weights, initial_loss, alpha, applies_before_report, where, raw_total):
        self.weights = weights
        self.initial_loss = initial_loss
        self.limit = 10.0 * initial_loss
        self.alpha = alpha
        self.where = where
        self.raw_total = raw_total
        self.snapshot = [m.copy() for m in weights.matrices()] if applies_before_report else None

    def check(self, step) -> None:
        """Raise :class:`DivergenceError` (after restoring the weights) if ``step`` diverged."""
        mean = step.loss / max(step.pairs, 1)
        if self.snapshot is not None:
            finite = np.isfinite(step.loss) and all(
                np.isfinite(m).all() for m in self.weights.matrices()
            )
        else:
            finite = np.isfinite(step.loss) and all(
                np.isfinite(delta).all() for _, _, delta in step.pending
            )
        if finite and mean <= self.limit:
            if self.snapshot is not None:
                for saved, m in zip(self.snapshot, self.weights.matrices(), strict=True):
                    saved[...] = m
            return
        if self.snapshot is not None:
            for saved, m in zip(self.snapshot, self.weights.matrices(), strict=True):
                m[...] = saved
        what = "a non-finite loss or update" if not finite else f"mean loss {mean:.3g} per example"
        raise DivergenceError(
            f"training diverged with alpha={self.alpha} (alpha applied {step.alpha:.4g}) in "
            f"{self.where}, after {step.raw_words_done} of {self.raw_total} raw words: {what} "
            f"(it starts at {self.initial_loss:.3g}). Try a smaller alpha, e.g. "
            f"alpha={self.alpha / 10:g}."
        )
