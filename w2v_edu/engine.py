"""The one interface both SGD engines implement, and what passes through it.

An engine is a module with

- ``run_epoch(weights, jobs, plan, draws, on_step) -> EpochStats``: train one epoch on ``jobs``
  (:func:`w2v_edu.training_corpus.epoch_jobs`, the same text -> windows pipeline for every
  engine and every lesson), drawing noise words from ``draws``
  (:mod:`w2v_edu.random_streams`), calling ``on_step(step)`` after every step;
- ``APPLIES_BEFORE_REPORT``: True if a step's updates are already in the weights when
  ``on_step`` sees it (the per-pair engine: a job of pairs, each applied at once), False if they
  are handed over in ``Step.pending`` and applied after ``on_step`` returns (the mini-batch engine).
  :class:`w2v_edu.divergence.DivergenceGuard` uses it to decide between checking first and
  rolling back.

Two engines are registered in :data:`ENGINES`: ``"per_pair"`` (:mod:`w2v_edu.per_pair_engine`,
gensim's order, one pair at a time) and ``"minibatch"`` (:mod:`w2v_edu.minibatch_engine`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np


@dataclass
class Weights:
    """The trained parameters. Rows are words; shapes (V, d), float32.

    ``syn0`` input vectors (the word vectors), ``syn1neg`` output vectors of negative sampling,
    ``syn1`` inner-node vectors of hierarchical softmax (V rows, inner nodes 0..V-2), each None
    when its output layer is off.
    """

    syn0: np.ndarray
    syn1neg: np.ndarray | None = None
    syn1: np.ndarray | None = None

    def matrices(self) -> list[np.ndarray]:
        """The arrays that exist, in the order syn0, syn1neg, syn1."""
        return [m for m in (self.syn0, self.syn1neg, self.syn1) if m is not None]


@dataclass(frozen=True)
class Step:
    """What one engine step (a job of the per-pair engine, a mini-batch) did.

    loss : float
        Sum over the step's training examples and targets of ``-log sigma(+-f)`` (every target,
        saturated ones included; exact sigma, float64).
    pairs : int
        Training examples: (context, centre) pairs for skip-gram, centre words for CBOW.
    words : int
        Effective words (after vocabulary and subsampling) the step covered.
    raw_words_done : int
        Raw words of the epoch done after this step (progress).
    alpha : float
        The learning rate the step applied.
    pending : tuple
        Updates not applied yet: ``(matrix, rows, delta)`` triples meaning ``matrix[rows] +=
        delta`` (repeated rows summed); empty when the engine applies before reporting.
    """

    loss: float
    pairs: int
    words: int
    raw_words_done: int
    alpha: float
    pending: tuple = field(default=(), repr=False)


@dataclass
class EpochStats:
    """Totals of one epoch: summed ``loss``, ``pairs``, effective ``words``, ``alphas`` per step."""

    loss: float = 0.0
    pairs: int = 0
    words: int = 0
    alphas: list = field(default_factory=list)

    def add(self, step: Step) -> None:
        self.loss += step.loss
        self.pairs += step.pairs
        self.words += step.words
        self.alphas.append(step.alpha)


class Engine(Protocol):
    """What :class:`~w2v_edu.word2vec.Word2Vec` expects of an engine module."""

    APPLIES_BEFORE_REPORT: bool

    def run_epoch(self, weights: Weights, jobs, plan, draws, on_step) -> EpochStats: ...


def get_engine(name: str) -> Engine:
    """The engine module registered under ``name`` (``"per_pair"`` or ``"minibatch"``)."""
    from w2v_edu import minibatch_engine, per_pair_engine

    return {"per_pair": per_pair_engine, "minibatch": minibatch_engine}[name]


ENGINES = ("minibatch", "per_pair")
