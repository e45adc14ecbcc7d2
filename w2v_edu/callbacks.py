"""Callbacks: code of yours that :class:`~w2v_edu.word2vec.Word2Vec` runs at fixed moments.

One shape, gensim's ``CallbackAny2Vec``: every hook receives the model and nothing else, so a
callback written for gensim runs here too (any object with some of these methods will do).
``model.history[-1]`` holds the epoch that just ended (its mean loss, the alphas applied, pairs,
words and seconds); in ``on_batch_end``, ``model.last_step`` holds the engine step just done (a
job of the per-pair engine, a mini-batch of the mini-batch engine: loss, pairs, alpha, progress).
"""

from __future__ import annotations


class Callback:
    """Base class: override the hooks you need; the others do nothing."""

    def on_train_begin(self, model) -> None:
        """Before the first epoch of a ``train()`` call."""

    def on_epoch_begin(self, model) -> None:
        """Before every epoch."""

    def on_batch_end(self, model) -> None:
        """After every engine step; ``model.last_step`` is that step."""

    def on_epoch_end(self, model) -> None:
        """After every epoch; ``model.history[-1]`` is that epoch's record."""

    def on_train_end(self, model) -> None:
        """After the last epoch of a ``train()`` call."""


def run_callbacks(callbacks, hook: str, model) -> None:
    """Call ``callback.<hook>(model)`` on every callback that has that hook."""
    for cb in callbacks:
        method = getattr(cb, hook, None)
        if method is not None:
            method(model)


class LossPrinter(Callback):
    """Print one line per epoch: mean loss per pair, alpha at start and end, seconds."""

    def on_epoch_end(self, model) -> None:
        h = model.history[-1]
        print(
            f"epoch {h['epoch']:>2}: loss/pair {h['loss']:.4f}  "
            f"alpha {h['alpha_start']:.5f} -> {h['alpha_end']:.5f}  "
            f"{h['pairs']:,} pairs  {h['seconds']:.1f} s"
        )
