"""One training loop that is batch, stochastic or mini-batch gradient descent.

The batch size B alone decides which one it is:

* B = n  -> batch gradient descent (BGD): one step per epoch, the exact gradient;
* B = 1  -> stochastic gradient descent (SGD): n noisy steps per epoch, what
  word2vec does (one training pair at a time);
* 1 < B < n -> mini-batch gradient descent.

Every epoch the examples are reshuffled (with the ``seed``) and cut into consecutive
batches of B (the last batch of an epoch is smaller when B does not divide n). At step
t, with batch :math:`\\mathcal{B}_t` and learning rate :math:`\\eta_t`:

.. math:: w_{t+1} = w_t - \\eta_t \\, \\nabla L_{\\mathcal{B}_t}(w_t), \\qquad
          L_{\\mathcal{B}}(w) = \\text{loss of } w \\text{ on the examples in } \\mathcal{B}

With momentum :math:`\\mu` (heavy ball, an aside; word2vec does not use it):

.. math:: v_{t+1} = \\mu v_t - \\eta_t \\nabla L_{\\mathcal{B}_t}(w_t), \\qquad
          w_{t+1} = w_t + v_{t+1}

Training that blows up raises :class:`w2v_edu.errors.DivergenceError`; the partial
history (every parameter in it finite) is attached to the error as ``.history``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import DivergenceError
from .schedules import as_schedule
from .toy_problems import check_problem

__all__ = ["GDHistory", "minibatch_gd", "batch_gd", "sgd"]

LossAndGrad = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[float, np.ndarray]]


@dataclass
class GDHistory:
    """Everything recorded by :func:`minibatch_gd`. T = total number of steps.

    Attributes
    ----------
    step_loss : ndarray, shape (T,)
        Mini-batch loss :math:`L_{\\mathcal{B}_t}(w_t)` at each step, before its update.
    epoch_loss : ndarray, shape (epochs + 1,)
        Full-data loss :math:`L(w)` at the start (entry 0) and after every epoch.
    trajectory : ndarray, shape (T + 1, p)
        Parameters :math:`w_0, w_1, \\dots, w_T`.
    lr : ndarray, shape (T,)
        Learning rate :math:`\\eta_t` used at each step.
    grad_evals : ndarray of int, shape (T,)
        Cumulative number of per-example gradients evaluated after each step
        (batch sizes summed). The monitoring of ``epoch_loss`` is not counted.
    step_time : ndarray, shape (T,)
        Wall-clock seconds of each step (gradient + update; monitoring excluded).
    batch_size, epochs, n_samples : int
        The settings of the run.
    """

    step_loss: np.ndarray
    epoch_loss: np.ndarray
    trajectory: np.ndarray
    lr: np.ndarray
    grad_evals: np.ndarray
    step_time: np.ndarray
    batch_size: int
    epochs: int
    n_samples: int

    @property
    def w(self) -> np.ndarray:
        """Final parameters :math:`w_T`, shape (p,)."""
        return self.trajectory[-1]

    @property
    def n_steps(self) -> int:
        """T, the number of update steps taken."""
        return len(self.step_loss)

    @property
    def steps_per_epoch(self) -> int:
        """:math:`\\lceil n / B \\rceil`."""
        return -(-self.n_samples // self.batch_size)

    @property
    def epoch_grad_evals(self) -> np.ndarray:
        """Cumulative gradient evaluations at each ``epoch_loss`` entry, shape (epochs + 1,)."""
        return self.n_samples * np.arange(len(self.epoch_loss))

    @property
    def epoch_time(self) -> np.ndarray:
        """Cumulative training seconds at each ``epoch_loss`` entry, shape (epochs + 1,)."""
        ends = np.cumsum(self.step_time)[self.steps_per_epoch - 1::self.steps_per_epoch]
        return np.concatenate([[0.0], ends[: len(self.epoch_loss) - 1]])

    def __repr__(self) -> str:
        return (f"GDHistory(batch_size={self.batch_size}, epochs={self.epochs}, "
                f"n_steps={self.n_steps}, final epoch loss={self.epoch_loss[-1]:.6g})")


def _divergence(step: int, epoch: int, lr: float, what: str, history: GDHistory):
    err = DivergenceError(
        f"training diverged at step t={step} (epoch {epoch}) with learning rate lr={lr:.4g}: "
        f"{what}. Try a smaller learning rate, e.g. lr={lr / 2:.4g} (half) or "
        f"lr={lr / 10:.4g} (10x smaller).")
    err.step, err.epoch, err.lr, err.history = step, epoch, lr, history
    return err


def minibatch_gd(loss_and_grad: LossAndGrad, w0, X, y, *, lr, batch_size: int, epochs: int,
                 seed: int | np.random.Generator = 0, momentum: float = 0.0,
                 shuffle: bool = True, divergence_factor: float = 1e6) -> GDHistory:
    """Mini-batch gradient descent; batch GD for ``batch_size=n``, SGD for ``batch_size=1``.

    .. math:: w_{t+1} = w_t - \\eta_t \\, \\nabla L_{\\mathcal{B}_t}(w_t)

    Parameters
    ----------
    loss_and_grad : callable ``(w, X_batch, y_batch) -> (loss, grad)``
        Mean loss over the batch and its gradient, shape (p,), e.g.
        :func:`w2v_edu.toy_problems.least_squares_loss_and_grad`.
    w0 : array_like, shape (p,)
        Starting parameters (not modified).
    X : array_like, shape (n, p)
    y : array_like, shape (n,)
    lr : float or callable
        :math:`\\eta`: a positive float, or a schedule ``progress -> rate`` from
        :mod:`w2v_edu.schedules`; step t of T uses ``lr(t / T)``.
    batch_size : int
        B, 1 <= B <= n.
    epochs : int
        Passes over the data (>= 1).
    seed : int or numpy.random.Generator
        Drives the reshuffling; the same seed gives an identical history (apart from
        ``step_time``).
    momentum : float
        :math:`\\mu` in [0, 1); 0 (default) is plain gradient descent.
    shuffle : bool
        Reshuffle every epoch (default). False walks the data in order.
    divergence_factor : float
        Stop when a loss exceeds ``divergence_factor`` times the initial full-data loss
        (or becomes NaN/inf).

    Returns
    -------
    GDHistory

    Raises
    ------
    ValueError
        bad shapes, NaN in the data, batch_size outside [1, n], epochs < 1, a
        non-positive learning rate, momentum outside [0, 1).
    DivergenceError
        the loss became non-finite or exploded; the message names the learning rate
        and the step. ``err.history`` holds the finite part of the run.
    """
    if not callable(loss_and_grad):
        raise TypeError(f"expected loss_and_grad to be callable (w, X, y) -> (loss, grad), "
                        f"got {type(loss_and_grad).__name__}")
    w, X, y = check_problem(w0, X, y)
    w = w.copy()
    n, p = X.shape
    for name, value in (("batch_size", batch_size), ("epochs", epochs)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"expected {name} to be an int, got {value!r}")
    if not 1 <= batch_size <= n:
        raise ValueError(f"expected 1 <= batch_size <= n = {n} (the number of examples), "
                         f"got batch_size={batch_size}")
    if epochs < 1:
        raise ValueError(f"expected epochs >= 1, got epochs={epochs}")
    if not (isinstance(momentum, (int, float, np.integer, np.floating))
            and not isinstance(momentum, bool) and 0 <= momentum < 1):
        raise ValueError(f"expected momentum in [0, 1), got momentum={momentum!r}")
    if not (divergence_factor > 1):
        raise ValueError(f"expected divergence_factor > 1, got {divergence_factor!r}")
    schedule = as_schedule(lr)
    rng = np.random.default_rng(seed)

    steps_per_epoch = -(-n // batch_size)
    T = steps_per_epoch * epochs
    step_loss = np.full(T, np.nan)
    lrs = np.full(T, np.nan)
    grad_evals = np.zeros(T, dtype=np.int64)
    step_time = np.zeros(T)
    trajectory = np.empty((T + 1, p))
    trajectory[0] = w
    epoch_loss = [float(loss_and_grad(w, X, y)[0])]
    if not math.isfinite(epoch_loss[0]):
        raise ValueError(f"expected a finite loss at w0, got {epoch_loss[0]!r}")
    limit = divergence_factor * max(epoch_loss[0], np.finfo(float).tiny)
    velocity = np.zeros(p)

    def partial(t_done: int) -> GDHistory:
        return GDHistory(step_loss[:t_done].copy(), np.array(epoch_loss),
                         trajectory[: t_done + 1].copy(), lrs[:t_done].copy(),
                         grad_evals[:t_done].copy(), step_time[:t_done].copy(),
                         batch_size, epochs, n)

    t = 0
    seen = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(epochs):
            order = rng.permutation(n) if shuffle else np.arange(n)
            for start in range(0, n, batch_size):
                tic = time.perf_counter()
                idx = order[start:start + batch_size]
                eta = schedule(t / T)
                if not (isinstance(eta, (int, float, np.integer, np.floating))
                        and math.isfinite(eta) and eta > 0):
                    raise ValueError(f"expected the schedule {schedule!r} to give a positive "
                                     f"learning rate, got {eta!r} at progress {t / T:.4g}")
                loss, grad = loss_and_grad(w, X[idx], y[idx])
                if not math.isfinite(loss) or loss > limit or not np.all(np.isfinite(grad)):
                    raise _divergence(t, epoch, eta, f"the mini-batch loss became {loss:.3g} "
                                      f"(initial loss {epoch_loss[0]:.3g})", partial(t))
                # v <- mu v - eta_t grad L_B(w_t);  w_{t+1} = w_t + v   (mu = 0: plain GD)
                velocity = momentum * velocity - eta * grad
                w_new = w + velocity
                if not np.all(np.isfinite(w_new)):
                    raise _divergence(t, epoch, eta, "the parameters became non-finite",
                                      partial(t))
                w = w_new
                seen += len(idx)
                step_time[t] = time.perf_counter() - tic
                step_loss[t], lrs[t], grad_evals[t] = loss, eta, seen
                trajectory[t + 1] = w
                t += 1
            full = float(loss_and_grad(w, X, y)[0])
            if not math.isfinite(full) or full > limit:
                raise _divergence(t - 1, epoch, float(lrs[t - 1]),
                                  f"the full-data loss after epoch {epoch} became {full:.3g} "
                                  f"(initial loss {epoch_loss[0]:.3g})", partial(t))
            epoch_loss.append(full)
    return partial(T)


def batch_gd(loss_and_grad: LossAndGrad, w0, X, y, *, lr, epochs: int,
             momentum: float = 0.0, **kwargs) -> GDHistory:
    """Batch gradient descent: :func:`minibatch_gd` with ``batch_size = n`` (one step per epoch).

    Parameters and return value as :func:`minibatch_gd`.
    """
    n = np.shape(X)[0] if np.ndim(X) >= 1 else 0
    return minibatch_gd(loss_and_grad, w0, X, y, lr=lr, batch_size=n, epochs=epochs,
                        momentum=momentum, **kwargs)


def sgd(loss_and_grad: LossAndGrad, w0, X, y, *, lr, epochs: int,
        seed: int | np.random.Generator = 0, momentum: float = 0.0, **kwargs) -> GDHistory:
    """Stochastic gradient descent: :func:`minibatch_gd` with ``batch_size = 1``.

    Parameters and return value as :func:`minibatch_gd`.
    """
    return minibatch_gd(loss_and_grad, w0, X, y, lr=lr, batch_size=1, epochs=epochs,
                        seed=seed, momentum=momentum, **kwargs)
