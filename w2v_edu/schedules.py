"""Learning-rate schedules as callables of training progress.

Every schedule is a callable ``schedule(progress) -> learning rate`` where
``progress`` in [0, 1] is the fraction of training done (0 before the first step,
1 at the very end). It accepts a float (returns a float) or an array of progresses
(returns an array of the same shape), so a schedule can be plotted before use.

A training loop with T steps in total uses ``schedule(t / T)`` at step t = 0..T-1;
gensim's Word2Vec does the same with progress = (epoch + fraction of the epoch done)
/ epochs, see :func:`linear_decay`.

=================  ===========================================================
schedule           :math:`\\eta(\\text{progress})`, progress :math:`= s \\in [0, 1]`
=================  ===========================================================
``constant``       :math:`\\eta_0`
``step_decay``     :math:`\\eta_0 \\cdot \\text{drop}^{\\min(\\lfloor s K \\rfloor, K-1)}`
``inverse_time``   :math:`\\eta_0 / (1 + \\text{decay} \\cdot s)`
``exponential``    :math:`\\eta_0 (\\eta_1 / \\eta_0)^{s}`
``linear_decay``   :math:`\\alpha - (\\alpha - \\alpha_{min}) \\, s`   (gensim)
=================  ===========================================================
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "Schedule",
    "constant",
    "step_decay",
    "inverse_time",
    "exponential",
    "linear_decay",
    "as_schedule",
]


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"expected {name} to be a positive number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"expected {name} > 0 (a finite positive number), got {name}={value!r}")
    return float(value)


class Schedule:
    """Base class: validates ``progress`` and keeps a readable ``repr``.

    Subclasses implement ``_rate(progress)`` on a float64 array of progress values.
    """

    def _rate(self, s: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _params(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, progress):
        """Learning rate at ``progress``.

        Parameters
        ----------
        progress : float or array_like, any shape
            Fraction of training done, each value in [0, 1].

        Returns
        -------
        float, or ndarray of the same shape as ``progress``
        """
        s = np.asarray(progress, dtype=np.float64)
        if not np.all(np.isfinite(s)) or np.any(s < 0) or np.any(s > 1):
            raise ValueError(f"expected progress in [0, 1] (fraction of training done), "
                             f"got {progress!r}")
        out = self._rate(s)
        return float(out) if out.ndim == 0 else out

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v!r}"
                         for k, v in self._params().items())
        return f"{type(self).__name__}({args})"


class constant(Schedule):  # lower-case: used like a function
    """Constant learning rate :math:`\\eta(s) = \\eta_0`.

    Parameters
    ----------
    lr : float
        :math:`\\eta_0 > 0`.
    """

    def __init__(self, lr: float):
        self.lr = _positive("lr", lr)

    def _rate(self, s):
        return np.full_like(s, self.lr)

    def _params(self):
        return {"lr": self.lr}


class step_decay(Schedule):
    """Piecewise-constant rate: multiply by ``drop`` at evenly spaced points.

    Training is cut into ``n_steps`` equal stages; stage k = 0..n_steps-1 uses

    .. math:: \\eta(s) = \\eta_0 \\cdot \\text{drop}^{k}, \\quad
              k = \\min(\\lfloor s \\cdot \\text{n\\_steps} \\rfloor, \\text{n\\_steps} - 1)

    Parameters
    ----------
    lr : float
        :math:`\\eta_0 > 0`, the rate of the first stage.
    drop : float
        Factor in (0, 1] applied at the start of each later stage.
    n_steps : int
        Number of stages (>= 1); the last stage uses ``lr * drop**(n_steps - 1)``.
    """

    def __init__(self, lr: float, drop: float = 0.5, n_steps: int = 3):
        self.lr = _positive("lr", lr)
        self.drop = _positive("drop", drop)
        if self.drop > 1:
            raise ValueError(f"expected drop in (0, 1], got drop={drop!r}")
        if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
            raise ValueError(f"expected n_steps to be an int >= 1, got n_steps={n_steps!r}")
        self.n_steps = int(n_steps)

    def _rate(self, s):
        k = np.minimum(np.floor(s * self.n_steps), self.n_steps - 1)
        return self.lr * self.drop**k

    def _params(self):
        return {"lr": self.lr, "drop": self.drop, "n_steps": self.n_steps}


class inverse_time(Schedule):
    """Inverse-time ("1/t") decay :math:`\\eta(s) = \\eta_0 / (1 + \\text{decay} \\cdot s)`.

    Parameters
    ----------
    lr : float
        :math:`\\eta_0 > 0`.
    decay : float
        >= 0. The final rate is ``lr / (1 + decay)``; the default 9.0 ends at lr / 10.
    """

    def __init__(self, lr: float, decay: float = 9.0):
        self.lr = _positive("lr", lr)
        if isinstance(decay, bool) or not isinstance(decay, (int, float, np.integer, np.floating)) \
                or not math.isfinite(decay) or decay < 0:
            raise ValueError(f"expected decay >= 0, got decay={decay!r}")
        self.decay = float(decay)

    def _rate(self, s):
        return self.lr / (1.0 + self.decay * s)

    def _params(self):
        return {"lr": self.lr, "decay": self.decay}


class exponential(Schedule):
    """Exponential decay from ``lr`` to ``final_lr``: :math:`\\eta(s) = \\eta_0 e^{-r s}`.

    Give either ``final_lr`` (then :math:`r = \\ln(\\eta_0 / \\eta_1)`, so
    :math:`\\eta(s) = \\eta_0 (\\eta_1/\\eta_0)^s`) or ``rate`` r, not both. With neither,
    ``final_lr = lr / 100``.

    Parameters
    ----------
    lr : float
        :math:`\\eta_0 > 0`.
    final_lr : float, optional
        :math:`\\eta_1 > 0`, the rate at progress 1.
    rate : float, optional
        r >= 0.
    """

    def __init__(self, lr: float, final_lr: float | None = None, *, rate: float | None = None):
        self.lr = _positive("lr", lr)
        if final_lr is not None and rate is not None:
            raise ValueError(f"expected either final_lr or rate, not both; "
                             f"got final_lr={final_lr!r} and rate={rate!r}")
        if rate is None:
            final = self.lr / 100 if final_lr is None else _positive("final_lr", final_lr)
            self.rate = math.log(self.lr / final)
            self.final_lr = final
        else:
            if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer,
                                                                np.floating)) \
                    or not math.isfinite(rate):
                raise ValueError(f"expected rate to be a finite number, got rate={rate!r}")
            self.rate = float(rate)
            self.final_lr = self.lr * math.exp(-self.rate)

    def _rate(self, s):
        return self.lr * np.exp(-self.rate * s)

    def _params(self):
        return {"lr": self.lr, "final_lr": self.final_lr}


class linear_decay(Schedule):
    """word2vec's schedule: linear decay from ``alpha`` to ``min_alpha``.

    .. math:: \\alpha(s) = \\alpha - (\\alpha - \\alpha_{min}) \\, s

    exactly as gensim's Word2Vec, where s = (epoch + fraction of the epoch done) /
    epochs. gensim evaluates it once per job of at most ``batch_words`` = 10000 words,
    so on a small corpus its alpha moves in steps and never quite reaches min_alpha.

    Parameters
    ----------
    alpha : float
        Initial rate (> 0), gensim's default 0.025.
    min_alpha : float
        Final rate, 0 <= min_alpha <= alpha, gensim's default 0.0001.
    """

    def __init__(self, alpha: float = 0.025, min_alpha: float = 0.0001):
        self.alpha = _positive("alpha", alpha)
        if isinstance(min_alpha, bool) or not isinstance(min_alpha, (int, float, np.integer,
                                                                       np.floating)) \
                or not math.isfinite(min_alpha) or not 0 <= min_alpha <= self.alpha:
            raise ValueError(f"expected 0 <= min_alpha <= alpha={self.alpha!r}, "
                             f"got min_alpha={min_alpha!r}")
        self.min_alpha = float(min_alpha)

    def _rate(self, s):
        return self.alpha - (self.alpha - self.min_alpha) * s

    def _params(self):
        return {"alpha": self.alpha, "min_alpha": self.min_alpha}


def as_schedule(lr):
    """Turn a learning rate into a schedule.

    Parameters
    ----------
    lr : float or callable
        A positive float becomes :class:`constant`; a callable of progress is returned
        unchanged.

    Returns
    -------
    callable ``progress -> float``

    Raises
    ------
    ValueError
        for a non-positive or non-finite float.
    TypeError
        for anything that is neither a number nor callable.
    """
    if callable(lr):
        return lr
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)):
        raise TypeError(f"expected lr to be a positive float or a schedule callable, got {lr!r}")
    return constant(lr)
