"""``Word2Vec``: skip-gram trained with SGD, with gensim's parameter names and behaviour.

    from w2v_edu import Word2Vec
    model = Word2Vec(sentences, vector_size=100, window=5, min_count=5, negative=5, seed=1)
    model.wv.most_similar("france")
    model.history[-1]["loss"]          # mean loss per training pair in the last epoch

The class holds the state -- the vocabulary, the input vectors ``syn0`` (shared with
``model.wv.vectors``, as in gensim), the output vectors ``syn1neg`` / ``syn1`` -- and hands each
epoch to one of two engines that apply the same SGD:

- ``engine="per_pair"`` (:mod:`w2v_edu.per_pair_engine`): one (context, centre) pair at a
  time in gensim's order, alpha once per 10,000-word job. Read it to see what gensim does.
- ``engine="minibatch"`` (:mod:`w2v_edu.minibatch_engine`): ``batch_size`` centre words at a
  time, vectorised; alpha once per mini-batch. Use it to train real text.

Learning rate, as in gensim: within one ``train()`` call alpha falls linearly from ``alpha``
to ``min_alpha`` with progress = (epoch + fraction of the epoch done) / epochs; the per-pair
engine counts the fraction in sentences per 10k-word job (gensim's way for a list of
sentences), the mini-batch engine in raw words per batch.
"""

from __future__ import annotations

import numbers
import time

import numpy as np
from tqdm import tqdm

from w2v_edu import minibatch_engine, per_pair_engine
from w2v_edu.callbacks import Callback
from w2v_edu.errors import DivergenceError
from w2v_edu.huffman import build_huffman_tree
from w2v_edu.keyedvectors import KeyedVectors
from w2v_edu.noise import NoiseSampler
from w2v_edu.random_streams import GensimDraws, NumpyDraws
from w2v_edu.schedules import linear_decay
from w2v_edu.subsampling import keep_probability
from w2v_edu.training_corpus import EncodedCorpus
from w2v_edu.vocab import Vocabulary

ENGINES = ("minibatch", "per_pair")


def _int_param(name, value, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"expected {name} to be an integer >= {low}, got {value!r}")
    if value < low:
        raise ValueError(f"expected {name} >= {low}, got {name}={value}")
    return int(value)


def _float_param(name, value, low, strict):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"expected {name} to be a number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < low or (strict and value == low):
        relation = ">" if strict else ">="
        raise ValueError(f"expected {name} {relation} {low}, got {name}={value}")
    return value


def initial_vectors(vocab_size: int, vector_size: int, seed: int, dtype=np.float32) -> np.ndarray:
    """gensim's initial input vectors: uniform in [-1/d, 1/d), shape (V, d).

    Drawn exactly as gensim 4.4 does (``np.random.default_rng(seed).random((V, d))``, then
    ``* 2 - 1`` and ``/ d``), so the same vocabulary and seed start from the same vectors.
    """
    rng = np.random.default_rng(seed=seed)
    vectors = rng.random((vocab_size, vector_size), dtype=np.float32)
    vectors *= 2.0
    vectors -= 1.0
    vectors /= vector_size
    return vectors.astype(dtype, copy=False)


class Word2Vec:
    """Skip-gram word2vec trained with SGD (negative sampling and/or hierarchical softmax).

    Parameters (gensim's names and defaults)
    ----------------------------------------
    sentences : iterable of list of str, optional
        If given, the vocabulary is built and the model trained at once, like gensim.
    vector_size : int
        d, the dimension of the word vectors.
    window : int
        Largest distance between centre and context word; each centre word uses a reduced
        window drawn uniformly from 1..window (``shrink_windows=True``).
    min_count, max_final_vocab : int, int or None
        Vocabulary pruning, as :meth:`w2v_edu.vocab.Vocabulary.build`.
    sample : float
        Subsampling threshold (0 switches subsampling off).
    sg : int
        1 for skip-gram, the model this course teaches (CBOW, sg=0, is not implemented).
    hs : int
        1 to train with hierarchical softmax (output matrix ``syn1``).
    negative : int
        k noise words per pair (output matrix ``syn1neg``); 0 switches negative sampling off.
    ns_exponent : float
        Noise distribution ~ count ** ns_exponent.
    alpha, min_alpha : float
        Learning rate at the start and at the end of each ``train()`` call.
    epochs : int
        Passes over the corpus.
    seed : int
        Seeds the initial vectors (exactly gensim's) and every random draw of training.
    shrink_windows : bool
        gensim's switch for reduced windows.
    batch_words : int
        Raw words per job of the per-pair engine (gensim's jobs; one alpha per job).
    engine : {"minibatch", "per_pair"}
    batch_size : int
        Centre words per mini-batch of the mini-batch engine.
    callbacks : sequence of :class:`~w2v_edu.callbacks.Callback`
    progress : bool
        Show a tqdm progress bar while training.
    max_exp : float or None
        gensim skips updates of targets whose score has |f| >= 6; None updates all.
    exp_table : bool
        Per-pair engine only: use gensim's 1000-entry sigmoid table instead of the exact one.
    gensim_rng : bool
        Per-pair engine only: replay gensim's own random streams (subsampling, windows, noise
        words; :class:`~w2v_edu.random_streams.GensimDraws`) instead of NumPy's. With
        ``exp_table=True`` this reproduces gensim's training on its default, random settings.

    Attributes
    ----------
    wv : KeyedVectors
        The word vectors; ``wv.vectors`` is ``syn0`` (V, d), float32.
    syn1neg, syn1 : ndarray, shape (V, d), or None (syn1: inner nodes 0..V-2, as gensim)
    vocab : :class:`w2v_edu.vocab.Vocabulary`
    history : list of dict
        One record per epoch trained: ``epoch``, ``loss`` (mean loss per training pair, every
        term counted, float64), ``alpha_start``, ``alpha_end``, ``alphas`` (one per job or
        batch), ``pairs``, ``words`` (effective words, after subsampling), ``raw_words``,
        ``seconds``.
    """

    def __init__(
        self,
        sentences=None,
        vector_size: int = 100,
        window: int = 5,
        min_count: int = 5,
        max_final_vocab: int | None = None,
        sample: float = 1e-3,
        sg: int = 1,
        hs: int = 0,
        negative: int = 5,
        ns_exponent: float = 0.75,
        alpha: float = 0.025,
        min_alpha: float = 0.0001,
        epochs: int = 5,
        seed: int = 1,
        shrink_windows: bool = True,
        batch_words: int = 10000,
        engine: str = "minibatch",
        batch_size: int = 128,
        callbacks=(),
        progress: bool = True,
        max_exp: float | None = 6.0,
        exp_table: bool = False,
        gensim_rng: bool = False,
    ):
        self.vector_size = _int_param("vector_size", vector_size, 1)
        self.window = _int_param("window", window, 1)
        self.min_count = _int_param("min_count", min_count, 1)
        self.max_final_vocab = (
            None if max_final_vocab is None else _int_param("max_final_vocab", max_final_vocab, 1)
        )
        self.sample = _float_param("sample", sample, 0.0, strict=False)
        if sg != 1:
            raise ValueError(
                f"expected sg=1 (skip-gram, the model this course teaches), got sg={sg!r}; "
                "CBOW (sg=0) is not implemented in w2v_edu"
            )
        self.sg = 1
        if hs not in (0, 1):
            raise ValueError(f"expected hs to be 0 or 1, got hs={hs!r}")
        self.hs = int(hs)
        self.negative = _int_param("negative", negative, 0)
        if not self.hs and not self.negative:
            raise ValueError(
                "expected an output layer: hs=1 and/or negative > 0, got hs=0 with negative=0"
            )
        self.ns_exponent = _float_param("ns_exponent", ns_exponent, -np.inf, strict=False)
        self.alpha = _float_param("alpha", alpha, 0.0, strict=True)
        self.min_alpha = _float_param("min_alpha", min_alpha, 0.0, strict=False)
        if self.min_alpha > self.alpha:
            raise ValueError(
                f"expected min_alpha <= alpha, got min_alpha={self.min_alpha} > alpha={self.alpha}"
            )
        self.epochs = _int_param("epochs", epochs, 1)
        self.seed = _int_param("seed", seed, 0)
        self.shrink_windows = bool(shrink_windows)
        self.batch_words = _int_param("batch_words", batch_words, 1)
        if engine not in ENGINES:
            raise ValueError(f"expected engine to be one of {ENGINES}, got {engine!r}")
        self.engine = engine
        self.batch_size = _int_param("batch_size", batch_size, 1)
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"expected callbacks to be w2v_edu.callbacks.Callback instances, got "
                    f"{type(cb).__name__}"
                )
        self.progress = bool(progress)
        self.max_exp = None if max_exp is None else _float_param("max_exp", max_exp, 0.0, True)
        self.exp_table = bool(exp_table)
        self.gensim_rng = bool(gensim_rng)
        if self.gensim_rng and engine != "per_pair":
            raise ValueError(
                f"expected engine='per_pair' with gensim_rng=True (gensim's random streams are "
                f"replayed pair by pair), got engine={engine!r}"
            )

        self.vocab = None
        self.wv = None
        self.syn1neg = None
        self.syn1 = None
        self.history: list[dict] = []
        self._corpus = None
        self._draws = None
        if sentences is not None:
            self.build_vocab(sentences)
            self.train()
        # gensim accepts Word2Vec() with no corpus: build_vocab and train come later.

    # ------------------------------------------------------------------ vocabulary
    def build_vocab(self, sentences) -> Word2Vec:
        """Count words, prune, and initialise the weights (like gensim's ``build_vocab``).

        Also prepares what training draws from: keep probabilities (subsampling), the noise
        distribution (negative sampling) and the Huffman tree (hierarchical softmax).
        """
        if sentences is None:
            raise TypeError("expected sentences as an iterable of lists of str, got None")
        if isinstance(sentences, (str, bytes)):
            raise TypeError(
                "expected sentences as an iterable of lists of str tokens, got a plain string; "
                "tokenize it first, e.g. [w2v_edu.text.tokenize(line) for line in lines]"
            )
        sentences = sentences if isinstance(sentences, list) else list(sentences)
        self.vocab = Vocabulary.build(
            sentences, min_count=self.min_count, max_final_vocab=self.max_final_vocab
        )
        counts = self.vocab.counts
        self.keep_prob = keep_probability(counts, self.sample) if self.sample > 0 else None
        self.noise = NoiseSampler(counts, self.ns_exponent) if self.negative else None
        self.huffman = build_huffman_tree(counts) if self.hs else None
        self._corpus = EncodedCorpus.from_sentences(sentences, self.vocab)
        self._corpus_source = sentences
        self.reset_weights()
        return self

    def reset_weights(self) -> None:
        """Initial state: input vectors as gensim draws them, output vectors zero."""
        V, d = len(self.vocab), self.vector_size
        syn0 = initial_vectors(V, d, self.seed)
        self.wv = KeyedVectors(self.vocab.index_to_key, syn0, counts=self.vocab.counts)
        self.syn1neg = np.zeros((V, d), dtype=np.float32) if self.negative else None
        # syn1 has V rows like gensim's; the V - 1 inner nodes use rows 0..V-2
        self.syn1 = np.zeros((V, d), dtype=np.float32) if self.hs else None
        # every random draw of training comes from one seeded stream (continues across calls)
        if self.gensim_rng:
            self._draws = GensimDraws(self.seed, self.vocab.counts, self.ns_exponent)
        else:
            self._draws = NumpyDraws(np.random.default_rng([self.seed, 1]), self.noise)
        self.history = []

    @property
    def syn0(self) -> np.ndarray:
        """Input vectors, shape (V, d): the same array as ``wv.vectors``."""
        return self.wv.vectors

    # ------------------------------------------------------------------ training
    def initial_loss_per_pair(self) -> float:
        """Loss of one pair at the start of training, when every output vector is zero.

        All scores are 0 and sigmoid(0) = 1/2, so each target costs log 2:
        (1 + negative) log 2 for negative sampling, E[code length] log 2 for hierarchical
        softmax (averaged over centre words by frequency). The divergence check compares
        against it.
        """
        loss = 0.0
        if self.negative:
            loss += (1 + self.negative) * np.log(2.0)
        if self.hs:
            loss += self.huffman.expected_code_length() * np.log(2.0)
        return float(loss)

    def train(self, sentences=None, epochs: int | None = None, progress: bool | None = None):
        """Train for ``epochs`` passes (defaults: the build corpus and ``self.epochs``).

        Alpha falls from ``alpha`` to ``min_alpha`` over *this call's* epochs, as in gensim:
        a second ``train()`` call starts again from ``alpha``.

        Raises
        ------
        DivergenceError
            The loss became non-finite or exploded (mean loss of a batch or job above 10x its
            initial value): alpha is too large. The vectors are left as before the failing step.
        """
        if self.vocab is None:
            raise RuntimeError("call build_vocab(sentences) before train()")
        if sentences is not None and sentences is not self._corpus_source:
            if isinstance(sentences, (str, bytes)):
                raise TypeError(
                    "expected sentences as an iterable of lists of str tokens, got a plain string"
                )
            sentences = sentences if isinstance(sentences, list) else list(sentences)
            self._corpus = EncodedCorpus.from_sentences(sentences, self.vocab)
            self._corpus_source = sentences
        epochs = self.epochs if epochs is None else _int_param("epochs", epochs, 1)
        progress = self.progress if progress is None else bool(progress)
        corpus = self._corpus
        raw_total = corpus.total_raw_words
        schedule = linear_decay(self.alpha, self.min_alpha)
        limit = 10.0 * self.initial_loss_per_pair()

        bar = tqdm(total=epochs * raw_total, unit="word", unit_scale=True, disable=not progress,
                   desc=f"Word2Vec ({self.engine})", leave=False)
        for cb in self.callbacks:
            cb.on_train_begin(self)
        try:
            for epoch in range(epochs):
                for cb in self.callbacks:
                    cb.on_epoch_begin(self)
                record = self._train_epoch(epoch, epochs, corpus, schedule, limit, bar)
                self.history.append(record)
                for cb in self.callbacks:
                    cb.on_epoch_end(self)
        finally:
            bar.close()
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self

    def _train_epoch(self, epoch, epochs, corpus, schedule, limit, bar) -> dict:
        raw_total = corpus.total_raw_words
        done = {"raw": 0}

        def alpha_at(epoch_fraction: float) -> float:
            # alpha_t = alpha - (alpha - min_alpha) * progress,  progress in [0, 1]
            return float(schedule((epoch + epoch_fraction) / epochs))

        def check(loss, pairs, raw_words_done, alpha, updates=()):
            mean = loss / max(pairs, 1)
            finite = np.isfinite(loss) and all(
                np.isfinite(d_in).all() and np.isfinite(d_out).all()
                for d_in, _, _, d_out in updates
            )
            if not finite or mean > limit:
                what = "a non-finite loss" if not finite else f"mean loss per pair {mean:.3g}"
                raise DivergenceError(
                    f"training diverged with alpha={self.alpha} (alpha applied {alpha:.4g}) in "
                    f"epoch {epoch}, after {raw_words_done} of {raw_total} raw words: {what} "
                    f"(it starts at {limit / 10:.3g}). Try a smaller alpha, e.g. "
                    f"alpha={self.alpha / 10:g}."
                )
            bar.update(raw_words_done - done["raw"])
            done["raw"] = raw_words_done

        start = time.perf_counter()
        common = dict(
            window=self.window, negative=self.negative, keep_prob=self.keep_prob,
            alpha_at=alpha_at, shrink_windows=self.shrink_windows, max_exp=self.max_exp,
        )
        if self.engine == "minibatch":
            paths = self.huffman.padded() if self.hs else (None, None, None)
            stats = minibatch_engine.run_epoch(
                self.syn0, self.syn1neg, self.syn1, corpus,
                huffman_points=paths[0], huffman_codes=paths[1],
                huffman_lengths=None if paths[2] is None else self.huffman.code_lengths,
                draws=self._draws, batch_size=self.batch_size, on_batch=check, **common,
            )
        else:
            snapshot = {}

            def check_job(loss, pairs, raw_words_done, alpha):
                try:
                    finite = all(np.isfinite(m).all() for m in self._matrices())
                    if not finite:
                        loss = float("nan")
                    check(loss, pairs, raw_words_done, alpha)
                except DivergenceError:
                    for m, saved in zip(self._matrices(), snapshot["m"], strict=True):
                        m[...] = saved
                    raise
                snapshot["m"] = [m.copy() for m in self._matrices()]

            snapshot["m"] = [m.copy() for m in self._matrices()]
            stats = per_pair_engine.run_epoch(
                self.syn0, self.syn1neg, self.syn1, corpus,
                huffman_points=self.huffman.points if self.hs else None,
                huffman_codes=self.huffman.codes if self.hs else None,
                draws=self._draws, batch_words=self.batch_words, exp_table=self.exp_table,
                on_job=check_job, **common,
            )
        bar.update(raw_total - done["raw"])
        alphas = stats["alphas"]
        return {
            "epoch": len(self.history),
            "loss": stats["loss"] / max(stats["pairs"], 1),
            "alpha_start": alphas[0] if alphas else float("nan"),
            "alpha_end": alphas[-1] if alphas else float("nan"),
            "alphas": alphas,
            "pairs": stats["pairs"],
            "words": stats["words"],
            "raw_words": raw_total,
            "seconds": time.perf_counter() - start,
        }

    def _matrices(self):
        return [m for m in (self.syn0, self.syn1neg, self.syn1) if m is not None]

    def __repr__(self) -> str:
        vocab = "no vocabulary yet" if self.vocab is None else f"V={len(self.vocab)}"
        output = " + ".join(
            name for name, on in (("hs", self.hs), (f"negative={self.negative}", self.negative))
            if on
        )
        return (
            f"Word2Vec({vocab}, vector_size={self.vector_size}, window={self.window}, "
            f"{output}, engine={self.engine!r}, epochs trained={len(self.history)})"
        )
