"""``Word2Vec``: word2vec trained with SGD, with gensim's API, parameter names and defaults.

gensim's default model is CBOW (``sg=0``), and so is ours; pass ``sg=1`` for skip-gram.

    from w2v_edu import Word2Vec                 # instead of: from gensim.models import Word2Vec
    model = Word2Vec(sentences, vector_size=100, window=5, min_count=5, negative=5, seed=1)
    model.wv.most_similar("france")
    model.history[-1]["loss"]                    # mean loss per training example, last epoch

or gensim's three steps::

    model = Word2Vec(vector_size=100, window=5, min_count=5)
    model.build_vocab(corpus)
    model.train(corpus, total_examples=model.corpus_count, epochs=model.epochs)

The class holds the state -- the vocabulary, the weights (input vectors ``syn0``, shared with
``model.wv.vectors`` as in gensim; output vectors ``syn1neg`` / ``syn1``), the random streams --
and the one way through a training run:

1. :meth:`train` builds one :class:`~w2v_edu.training_plan.TrainingPlan` for the call;
2. every epoch, :func:`~w2v_edu.training_corpus.epoch_jobs` turns the encoded corpus into jobs
   (subsampling, reduced windows, one alpha per job -- the pipeline lessons 04-07 teach);
3. the engine (:mod:`w2v_edu.engine`: ``"per_pair"``, gensim's order, or ``"minibatch"``,
   vectorised) applies SGD to the jobs and reports every step;
4. :class:`~w2v_edu.divergence.DivergenceGuard` checks every step, the progress bar advances,
   callbacks run, and the epoch's record goes to ``model.history``.

Saved models (:meth:`save` / :meth:`load`) are NumPy ``.npz`` archives of plain arrays plus one
JSON document of settings; loading never unpickles anything.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from w2v_edu.callbacks import run_callbacks
from w2v_edu.checks import check_choice, check_corpus, check_flag, check_float, check_int
from w2v_edu.divergence import DivergenceGuard
from w2v_edu.engine import ENGINES, Weights, get_engine
from w2v_edu.huffman import build_huffman_tree
from w2v_edu.keyedvectors import KeyedVectors
from w2v_edu.noise import NoiseSampler
from w2v_edu.per_pair_engine import CBOW_UPDATES
from w2v_edu.random_streams import GensimDraws, NumpyDraws
from w2v_edu.subsampling import keep_probability
from w2v_edu.text import LineSentence
from w2v_edu.training_corpus import EncodedCorpus, epoch_jobs
from w2v_edu.training_plan import TrainingPlan
from w2v_edu.vocab import Vocabulary

logger = logging.getLogger(__name__)

FORMAT = "w2v_edu.Word2Vec"
FORMAT_VERSION = 1


def initial_vectors(vocab_size: int, vector_size: int, seed: int, dtype=np.float32) -> np.ndarray:
    """gensim's initial input vectors: uniform in [-1/d, 1/d), shape (V, d).

    Drawn exactly as gensim 4.4 does (``np.random.default_rng(seed).random((V, d))``, then
    ``* 2 - 1`` and ``/ d``), so the same vocabulary and seed start from the same vectors. After
    an online vocabulary update gensim draws the whole (V_new, d) block again and keeps the old
    rows, so a new word's vector is row w of ``initial_vectors(V_new, d, seed)``.
    """
    rng = np.random.default_rng(seed=seed)
    vectors = rng.random((vocab_size, vector_size), dtype=np.float32)
    vectors *= 2.0
    vectors -= 1.0
    vectors /= vector_size
    return vectors.astype(dtype, copy=False)


class Word2Vec:
    """word2vec trained with SGD: CBOW or skip-gram, negative sampling and/or hierarchical softmax.

    Parameters (gensim's names and defaults)
    ----------------------------------------------------------------
    sentences : iterable of list of str, optional
        Any re-iterable corpus: a list, or an object whose ``__iter__`` yields token lists
        (streamed: read once per :meth:`build_vocab` and once per :meth:`train`, kept as integer
        arrays, never as a list of strings). If given, the vocabulary is built and the model
        trained at once, as in gensim. A generator (one pass only) is refused with a TypeError.
    corpus_file : str, optional
        A text file with one sentence per line, tokens separated by whitespace (read like
        gensim's ``LineSentence``).
    vector_size, window, min_count, max_vocab_size, sample, seed, min_alpha, alpha : as gensim
        ``min_count=0`` keeps every word.
    workers : int
        Accepted for gensim compatibility; w2v_edu trains on one thread (logged once).
    sg : {0, 1}
        0 CBOW (gensim's default): the mean (or sum) of the context vectors predicts the centre
        word, one update per centre word; 1 skip-gram: every context word predicts it.
    cbow_mean : {1, 0}
        CBOW only: 1 the mean of the context vectors (default), 0 their sum.
    hs, negative, ns_exponent, epochs, trim_rule, sorted_vocab, batch_words,
    compute_loss, callbacks, comment, max_final_vocab, shrink_windows : as gensim
        ``hashfxn`` is accepted and unused (gensim 4's initial vectors do not use it either);
        ``null_word`` other than 0 raises ``NotImplementedError``.
    engine : {"minibatch", "per_pair"}
        Which SGD engine trains (w2v_edu's own; see :mod:`w2v_edu.engine`).
    batch_size : int or None
        Centre words per mini-batch of the mini-batch engine: they all read the parameters as
        they were at the start of the batch (staleness). None (default): 256 for skip-gram, 1024
        for CBOW, where a centre word is one prediction rather than about ``window`` of them.
        Both learn what gensim learns (``benchmarks/``); lesson 08 measures the trade-off.
    noise_group, noise_pool : int
        Skip-gram with negative sampling, mini-batch engine: every ``noise_group`` (16)
        consecutive input positions of a batch share ``noise_pool`` (48) noise words, each
        weighted ``negative / noise_pool`` -- gensim's expected update, computed as matrix
        products (gensim draws ``negative`` per pair; CBOW draws ``negative`` per centre word
        in both). Lesson 08 measures what sharing costs.
    cbow_update : {"gensim", "exact_gradient"}
        CBOW only: how the context vectors are updated. ``"gensim"`` (default) applies gensim's
        rule: every context vector gets the whole error ``work``, i.e. ``m`` times the gradient
        step with the mean (``1/m`` of it with the sum); ``"exact_gradient"`` applies SGD on the
        CBOW loss exactly (lesson 10 compares them).
    progress : bool
        Show a tqdm progress bar while training.
    max_exp : float or None
        gensim skips updates of targets whose score has |f| >= 6; None updates all.
    exp_table : bool
        Per-pair engine: read sigma from gensim's 1000-entry table instead of computing it.
    gensim_rng : bool
        Per-pair engine: replay gensim's own random streams
        (:class:`~w2v_edu.random_streams.GensimDraws`). With ``exp_table=True`` this reproduces
        gensim's training to float32 rounding.

    Attributes
    ----------
    wv : KeyedVectors
        The word vectors; ``wv.vectors`` is ``syn0`` (V, d), float32.
    syn1neg, syn1 : ndarray, shape (V, d), or None (syn1: inner nodes 0..V-2, as gensim)
    vocab : :class:`w2v_edu.vocab.Vocabulary`
    corpus_count, corpus_total_words : int
        Sentences and raw words of the last corpus given to :meth:`build_vocab`.
    history : list of dict
        One record per epoch trained: ``epoch``, ``loss`` (mean loss per training example, every
        term counted, float64), ``alpha_start``, ``alpha_end``, ``alphas`` (one per step),
        ``pairs``, ``words`` (effective words, after subsampling), ``raw_words``, ``seconds``.
    last_step : :class:`~w2v_edu.engine.Step` or None
        The step just reported (what ``on_batch_end`` callbacks see).
    """

    def __init__(
        self,
        sentences=None,
        corpus_file=None,
        vector_size: int = 100,
        alpha: float = 0.025,
        window: int = 5,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        sample: float = 1e-3,
        seed: int = 1,
        workers: int = 3,
        min_alpha: float = 0.0001,
        sg: int = 0,
        hs: int = 0,
        negative: int = 5,
        ns_exponent: float = 0.75,
        cbow_mean: int = 1,
        hashfxn=hash,
        epochs: int = 5,
        null_word: int = 0,
        trim_rule=None,
        sorted_vocab: int = 1,
        batch_words: int = 10000,
        compute_loss: bool = False,
        callbacks=(),
        comment: str | None = None,
        max_final_vocab: int | None = None,
        shrink_windows: bool = True,
        *,
        engine: str = "minibatch",
        batch_size: int | None = None,
        progress: bool = True,
        max_exp: float | None = 6.0,
        exp_table: bool = False,
        gensim_rng: bool = False,
        cbow_update: str = "gensim",
        noise_group: int = 16,
        noise_pool: int = 48,
    ):
        self.vector_size = check_int("vector_size", vector_size, 1)
        self.alpha = check_float("alpha", alpha, 0.0, strict=True)
        self.window = check_int("window", window, 1)
        self.min_count = check_int("min_count", min_count, 0)
        self.max_vocab_size = (None if max_vocab_size is None
                               else check_int("max_vocab_size", max_vocab_size, 1))
        self.sample = check_float("sample", sample, 0.0)
        self.seed = check_int("seed", seed, 0)
        self.workers = check_int("workers", workers, 1)
        self.min_alpha = check_float("min_alpha", min_alpha, 0.0)
        if self.min_alpha > self.alpha:
            raise ValueError(f"expected min_alpha <= alpha, got min_alpha={self.min_alpha} > "
                             f"alpha={self.alpha}")
        self.sg = check_flag("sg", sg)
        self.hs = check_flag("hs", hs)
        self.negative = check_int("negative", negative, 0)
        if not self.hs and not self.negative:
            raise ValueError(
                "expected an output layer: hs=1 and/or negative > 0, got hs=0 with negative=0"
            )
        self.ns_exponent = check_float("ns_exponent", ns_exponent)
        self.cbow_mean = check_flag("cbow_mean", cbow_mean)
        if not callable(hashfxn):
            raise TypeError(f"expected hashfxn to be callable, got {hashfxn!r}")
        self.hashfxn = hashfxn
        self.epochs = check_int("epochs", epochs, 1)
        if null_word:
            raise NotImplementedError(
                f"null_word={null_word!r} (a padding word for concatenated contexts) is not "
                "implemented in w2v_edu; leave null_word=0"
            )
        self.null_word = 0
        self.trim_rule = trim_rule
        self.sorted_vocab = bool(sorted_vocab)
        self.batch_words = check_int("batch_words", batch_words, 1)
        self.compute_loss = bool(compute_loss)
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not any(callable(getattr(cb, hook, None))
                       for hook in ("on_epoch_end", "on_train_end", "on_batch_end")):
                raise TypeError(
                    "expected callbacks to be w2v_edu.callbacks.Callback (or gensim "
                    f"CallbackAny2Vec) instances, got {type(cb).__name__}"
                )
        self.comment = comment
        self.max_final_vocab = (None if max_final_vocab is None
                                else check_int("max_final_vocab", max_final_vocab, 1))
        self.shrink_windows = bool(shrink_windows)
        self.engine = check_choice("engine", engine, ENGINES)
        self.batch_size = None if batch_size is None else check_int("batch_size", batch_size, 1)
        self.cbow_update = check_choice("cbow_update", cbow_update, CBOW_UPDATES)
        self.noise_group = check_int("noise_group", noise_group, 1)
        self.noise_pool = check_int("noise_pool", noise_pool, 1)
        self.progress = bool(progress)
        self.max_exp = None if max_exp is None else check_float("max_exp", max_exp, 0.0,
                                                                 strict=True)
        self.exp_table = bool(exp_table)
        self.gensim_rng = bool(gensim_rng)
        if self.gensim_rng and engine != "per_pair":
            raise ValueError(
                f"expected engine='per_pair' with gensim_rng=True (gensim's random streams are "
                f"replayed pair by pair), got engine={engine!r}"
            )

        self.vocab = None
        self.wv = None
        self.weights = None
        self.keep_prob = None
        self.huffman = None
        self.noise = None
        self.history: list[dict] = []
        self.corpus_count = 0
        self.corpus_total_words = 0
        self.running_training_loss = 0.0
        self.min_alpha_yet_reached = self.alpha
        self.train_count = 0
        self.last_step = None
        self._draws = None
        self._encoded = None  # (corpus object, EncodedCorpus) of the last corpus read
        self._build_corpus = None  # the corpus build_vocab read: train() defaults to it
        self._logged_workers = False
        if sentences is not None and corpus_file is not None:
            raise TypeError("expected sentences or corpus_file, got both")
        if corpus_file is not None:
            sentences = LineSentence(corpus_file)
        if sentences is not None:
            check_corpus(sentences, passes=self.epochs + 1)
            self.build_vocab(sentences, trim_rule=trim_rule)
            self.train(sentences, total_examples=self.corpus_count,
                       total_words=self.corpus_total_words, epochs=self.epochs,
                       start_alpha=self.alpha, end_alpha=self.min_alpha,
                       compute_loss=self.compute_loss)

    # ------------------------------------------------------------------ vocabulary
    def build_vocab(self, corpus_iterable=None, corpus_file=None, update=False,
                    progress_per=10000, keep_raw_vocab=False, trim_rule=None, **kwargs):
        """Count words, prune, and prepare the weights (gensim's ``build_vocab``).

        Also prepares what training draws from: keep probabilities (subsampling), the noise
        distribution (negative sampling) and the Huffman tree (hierarchical softmax).

        With ``update=True`` (online training) the vocabulary grows as gensim's does: new words
        that pass ``min_count`` *in this corpus* are appended, known words' counts grow, their
        vectors are kept; new words get gensim's initial vectors and zero output rows; the noise
        table and the Huffman tree are rebuilt from the summed counts, and the keep
        probabilities of this corpus's words are recomputed from this corpus.
        """
        if kwargs:
            raise NotImplementedError(
                f"build_vocab({', '.join(kwargs)}=...) is not implemented in w2v_edu"
            )
        corpus = self._corpus_arg(corpus_iterable, corpus_file)
        trim_rule = self.trim_rule if trim_rule is None else trim_rule
        if update:
            if self.vocab is None:
                raise RuntimeError(
                    "cannot update a vocabulary that was never built: call "
                    "build_vocab(corpus) first, then build_vocab(more, update=True)"
                )
            self._update_vocab(corpus, trim_rule)
            return
        self.vocab = Vocabulary.build(
            corpus, min_count=self.min_count, max_final_vocab=self.max_final_vocab,
            trim_rule=trim_rule, max_vocab_size=self.max_vocab_size,
            sorted_vocab=self.sorted_vocab,
        )
        self.corpus_count = self.vocab.corpus_count
        self.corpus_total_words = self.vocab.total_words
        counts = self.vocab.counts
        self.keep_prob = keep_probability(counts, self.sample) if self.sample > 0 else None
        self._prepare_output_layers()
        self._encoded = None
        self._build_corpus = corpus
        self.reset_weights()

    def _update_vocab(self, corpus, trim_rule) -> None:
        old_size = len(self.vocab)
        self.vocab, kept = self.vocab.updated(corpus, trim_rule, self.max_vocab_size)
        self.corpus_count = self.vocab.corpus_count
        self.corpus_total_words = self.vocab.total_words
        V, d = len(self.vocab), self.vector_size
        if self.sample > 0:
            # gensim: keep probabilities of this corpus's retained words, from this corpus alone
            keep = np.ones(V) if self.keep_prob is None else np.r_[
                self.keep_prob, np.ones(V - old_size)]
            words = list(kept)
            if words:
                new_p = keep_probability(np.array([kept[w] for w in words]), self.sample)
                keep[[self.vocab.key_to_index[w] for w in words]] = new_p
            self.keep_prob = keep
        self._prepare_output_layers()
        syn0 = initial_vectors(V, d, self.seed)
        syn0[:old_size] = self.weights.syn0
        grow = np.zeros((V - old_size, d), dtype=np.float32)
        self.weights = Weights(
            syn0,
            None if self.weights.syn1neg is None else np.vstack([self.weights.syn1neg, grow]),
            None if self.weights.syn1 is None else np.vstack([self.weights.syn1, grow]),
        )
        self.wv = KeyedVectors(self.vocab.index_to_key, syn0, counts=self.vocab.counts)
        if isinstance(self._draws, GensimDraws):
            self._draws.with_counts(self.vocab.counts, self.ns_exponent)
        else:
            self._draws.noise_sampler = self.noise
        self._encoded = None
        self._build_corpus = corpus

    def _prepare_output_layers(self) -> None:
        counts = self.vocab.counts
        self.noise = NoiseSampler(counts, self.ns_exponent) if self.negative else None
        self.huffman = build_huffman_tree(counts) if self.hs else None

    def reset_weights(self) -> None:
        """Initial state: input vectors as gensim draws them, output vectors zero."""
        V, d = len(self.vocab), self.vector_size
        syn0 = initial_vectors(V, d, self.seed)
        self.weights = Weights(
            syn0,
            np.zeros((V, d), dtype=np.float32) if self.negative else None,
            # syn1 has V rows like gensim's; the V - 1 inner nodes use rows 0..V-2
            np.zeros((V, d), dtype=np.float32) if self.hs else None,
        )
        self.wv = KeyedVectors(self.vocab.index_to_key, syn0, counts=self.vocab.counts)
        # every random draw of training comes from one seeded stream (continues across calls)
        if self.gensim_rng:
            self._draws = GensimDraws(self.seed, self.vocab.counts, self.ns_exponent,
                                      uses_lcg=bool(self.negative or self.sample))
        else:
            self._draws = NumpyDraws(np.random.default_rng([self.seed, 1]), self.noise)
        self.history = []

    @property
    def syn0(self) -> np.ndarray:
        """Input vectors, shape (V, d): the same array as ``wv.vectors``."""
        return self.weights.syn0

    @property
    def syn1neg(self):
        """Output vectors of negative sampling, shape (V, d), or None."""
        return None if self.weights is None else self.weights.syn1neg

    @property
    def syn1(self):
        """Inner-node vectors of hierarchical softmax, shape (V, d), or None."""
        return None if self.weights is None else self.weights.syn1

    # ------------------------------------------------------------------ corpus
    def _corpus_arg(self, corpus_iterable, corpus_file, passes=1):
        if corpus_iterable is not None and corpus_file is not None:
            raise TypeError("expected corpus_iterable or corpus_file, got both")
        if corpus_file is not None:
            return LineSentence(corpus_file)
        return check_corpus(corpus_iterable, "corpus_iterable", passes)

    def _encode(self, corpus) -> EncodedCorpus:
        """The corpus as integer arrays, read once per corpus object and vocabulary."""
        if self._encoded is None or self._encoded[0] is not corpus:
            self._encoded = (corpus, EncodedCorpus.from_sentences(corpus, self.vocab))
        return self._encoded[1]

    def epoch_jobs(self, corpus, epoch: int = 0, epochs: int | None = None):
        """The jobs one epoch of :meth:`train` would train on (lessons print their pairs).

        Uses -- and advances -- the model's own random streams, exactly as training does.
        """
        plan = self._plan(epochs or self.epochs, self.alpha, self.min_alpha,
                          self.corpus_count, None)
        return epoch_jobs(self._encode(corpus), plan, self._draws, epoch)

    # ------------------------------------------------------------------ training
    def _plan(self, epochs, start_alpha, end_alpha, total_examples, total_words) -> TrainingPlan:
        if self.hs:
            points, codes, _ = self.huffman.padded()
            lengths = self.huffman.code_lengths
        else:
            points = codes = lengths = None
        return TrainingPlan(
            sg=self.sg, cbow_mean=self.cbow_mean, window=self.window,
            shrink_windows=self.shrink_windows, negative=self.negative, hs=self.hs,
            keep_prob=self.keep_prob, huffman_points=points, huffman_codes=codes,
            huffman_lengths=lengths, max_exp=self.max_exp, exp_table=self.exp_table,
            alpha=start_alpha, min_alpha=end_alpha, epochs=epochs,
            total_examples=total_examples, total_words=total_words,
            batch_words=self.batch_words, cbow_update=self.cbow_update,
            noise_group=self.noise_group, noise_pool=self.noise_pool,
            batch_size=self.batch_size or (1024 if self.sg == 0 else 256),
        )

    def train(self, corpus_iterable=None, corpus_file=None, total_examples=None,
              total_words=None, epochs=None, start_alpha=None, end_alpha=None, word_count=0,
              queue_factor=2, report_delay=1.0, compute_loss=False, callbacks=(),
              progress=None, **kwargs):
        """Train for ``epochs`` passes over ``corpus_iterable`` (gensim's ``train``).

        As in gensim: alpha falls from ``start_alpha`` (default ``self.alpha``) to ``end_alpha``
        (default ``self.min_alpha``) over *this call's* epochs, one value per job, the progress
        counted in sentences if ``total_examples`` is given, else in raw words
        (``total_words``); ``compute_loss=True`` makes :meth:`get_latest_training_loss` return
        the loss summed over this call. Differences: ``corpus_iterable`` may be omitted (the
        corpus ``build_vocab`` read is used), and so may ``total_examples``/``total_words``
        and ``epochs`` (the corpus's own counts and ``self.epochs``).

        Returns
        -------
        (int, int)
            Effective words trained (after vocabulary and subsampling) and raw words, as gensim.

        Raises
        ------
        DivergenceError
            The loss became non-finite or exploded (a step's mean loss above 10x its starting
            value): alpha is too large. The weights are left as before the failing step.
        """
        if kwargs:
            raise NotImplementedError(f"train({', '.join(kwargs)}=...) is not implemented in "
                                      "w2v_edu")
        if self.vocab is None:
            raise RuntimeError("you must first build the vocabulary: call build_vocab(corpus) "
                               "before train()")
        if corpus_iterable is None and corpus_file is None:
            if self._build_corpus is None:
                raise TypeError("expected corpus_iterable (or corpus_file) to train on, got "
                                "None")
            corpus_iterable = self._build_corpus
        epochs = self.epochs if epochs is None else check_int("epochs", epochs, 1)
        corpus = self._corpus_arg(corpus_iterable, corpus_file, passes=epochs)
        if start_alpha is not None:
            self.alpha = check_float("start_alpha", start_alpha, 0.0, strict=True)
        if end_alpha is not None:
            self.min_alpha = check_float("end_alpha", end_alpha, 0.0)
        self.epochs = epochs
        if self.workers > 1 and not self._logged_workers:
            logger.info("workers=%d: w2v_edu trains on one thread (gensim would use %d)",
                        self.workers, self.workers)
            self._logged_workers = True
        encoded = self._encode(corpus)
        if total_examples is None and total_words is None:
            total_examples = encoded.corpus_count
        if total_examples is not None:
            total_examples = check_int("total_examples", total_examples, 1)
        if total_words is not None:
            total_words = check_int("total_words", total_words, 1)
        plan = self._plan(epochs, self.alpha, self.min_alpha, total_examples, total_words)
        self.compute_loss = bool(compute_loss)
        self.running_training_loss = 0.0
        callbacks = self.callbacks + list(callbacks)
        show = self.progress if progress is None else bool(progress)
        engine = get_engine(self.engine)
        initial_loss = plan.initial_loss_per_example(self.vocab.counts)
        raw_total = encoded.total_raw_words
        effective = 0

        bar = tqdm(total=epochs * raw_total, unit="word", unit_scale=True, disable=not show,
                   desc=f"Word2Vec ({self.engine})", leave=False)
        run_callbacks(callbacks, "on_train_begin", self)
        try:
            for epoch in range(epochs):
                run_callbacks(callbacks, "on_epoch_begin", self)
                guard = DivergenceGuard(self.weights, initial_loss, self.alpha,
                                        engine.APPLIES_BEFORE_REPORT,
                                        f"epoch {len(self.history)}", raw_total)
                done = [0]

                def on_step(step, guard=guard, done=done):
                    guard.check(step)
                    bar.update(step.raw_words_done - done[0])
                    done[0] = step.raw_words_done
                    if self.compute_loss:
                        self.running_training_loss += step.loss
                    self.min_alpha_yet_reached = step.alpha
                    self.last_step = step
                    run_callbacks(callbacks, "on_batch_end", self)

                start = time.perf_counter()
                jobs = epoch_jobs(encoded, plan, self._draws, epoch)
                stats = engine.run_epoch(self.weights, jobs, plan, self._draws, on_step)
                bar.update(raw_total - done[0])
                effective += stats.words
                self.history.append({
                    "epoch": len(self.history),
                    "loss": stats.loss / max(stats.pairs, 1),
                    "alpha_start": stats.alphas[0] if stats.alphas else float("nan"),
                    "alpha_end": stats.alphas[-1] if stats.alphas else float("nan"),
                    "alphas": stats.alphas,
                    "pairs": stats.pairs,
                    "words": stats.words,
                    "raw_words": raw_total,
                    "seconds": time.perf_counter() - start,
                })
                run_callbacks(callbacks, "on_epoch_end", self)
        finally:
            bar.close()
        self.train_count += 1
        run_callbacks(callbacks, "on_train_end", self)
        return effective, epochs * raw_total

    def initial_loss_per_pair(self) -> float:
        """Loss of one training pair at the start, when every output vector is zero:
        ``(1 + negative) log 2`` and/or ``E[L_w] log 2`` (see
        :meth:`~w2v_edu.training_plan.TrainingPlan.initial_loss_per_example`)."""
        if self.vocab is None:
            raise RuntimeError("build_vocab(corpus) first: the loss depends on the vocabulary")
        plan = self._plan(self.epochs, self.alpha, self.min_alpha, self.corpus_count, None)
        return plan.initial_loss_per_example(self.vocab.counts)

    def get_latest_training_loss(self) -> float:
        """The loss summed over the last ``train()`` call, if it had ``compute_loss=True``.

        gensim's meaning (cumulative over one call, reset by the next, 0 unless asked for), but
        exact: every target counted, saturated ones too, the exact log-sigmoid, in float64 --
        so it neither runs ~2 % high from gensim's shifted table nor saturates at 2**27.
        ``model.history`` has the same loss per epoch, divided by the training examples.
        """
        return float(self.running_training_loss)

    # ------------------------------------------------------------------ save / load
    def save(self, fname) -> None:
        """Save the whole training state to ``fname`` (exactly that path; no suffix added).

        Format: a NumPy ``.npz`` archive (a zip of ``.npy`` arrays) holding the weights
        (``syn0``, ``syn1neg``, ``syn1``), the vocabulary counts and keep probabilities, and a
        ``meta`` array with one UTF-8 JSON document: the format name and version, every
        setting, the vocabulary's words, ``corpus_count``, the history and the random streams'
        states. :meth:`load` reads it with ``allow_pickle=False``: nothing in the file is ever
        executed. The corpus is not saved (gensim does not save it either).
        """
        if self.vocab is None:
            raise RuntimeError("nothing to save: build_vocab(corpus) first")
        settings = {
            name: getattr(self, name)
            for name in ("vector_size", "alpha", "window", "min_count", "max_vocab_size",
                         "sample", "seed", "workers", "min_alpha", "sg", "hs", "negative",
                         "ns_exponent", "cbow_mean", "epochs", "sorted_vocab", "batch_words",
                         "compute_loss", "comment", "max_final_vocab", "shrink_windows",
                         "engine", "batch_size", "progress", "max_exp", "exp_table",
                         "gensim_rng", "cbow_update", "noise_group", "noise_pool")
        }
        meta = {
            "format": FORMAT, "version": FORMAT_VERSION, "settings": settings,
            "index_to_key": self.vocab.index_to_key,
            "vocab": {"total_words": self.vocab.total_words,
                      "corpus_count": self.vocab.corpus_count,
                      "min_count": self.vocab.min_count,
                      "max_final_vocab": self.vocab.max_final_vocab,
                      "effective_min_count": self.vocab.effective_min_count},
            "corpus_count": self.corpus_count, "corpus_total_words": self.corpus_total_words,
            "history": self.history, "train_count": self.train_count,
            "running_training_loss": self.running_training_loss,
            "min_alpha_yet_reached": self.min_alpha_yet_reached,
            "draws": self._draws.state(),
        }
        arrays = {"meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
                  "counts": self.vocab.counts, "syn0": self.weights.syn0}
        for name in ("syn1neg", "syn1"):
            if getattr(self.weights, name) is not None:
                arrays[name] = getattr(self.weights, name)
        if self.keep_prob is not None:
            arrays["keep_prob"] = self.keep_prob
        with open(fname, "wb") as f:
            np.savez(f, **arrays)

    @classmethod
    def load(cls, fname) -> Word2Vec:
        """Load a model written by :meth:`save` (see there for the format).

        Raises
        ------
        FileNotFoundError
            No such file.
        ValueError
            The file is not a w2v_edu model (e.g. a gensim pickle, a vector file, or garbage).
        """
        path = Path(fname)
        if not path.is_file():
            raise FileNotFoundError(f"expected a saved w2v_edu model at {str(fname)!r}, "
                                    "no such file")
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
            meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise ValueError(f"format {meta.get('format')!r}")
        except Exception as exc:
            raise ValueError(
                f"expected a model saved by w2v_edu's Word2Vec.save() (an .npz archive with a "
                f"{FORMAT!r} header), got a file that is not one: {str(fname)!r} ({exc}). "
                "A gensim model is read by gensim.models.Word2Vec.load; word vectors in "
                "word2vec format by w2v_edu.KeyedVectors.load_word2vec_format"
            ) from None
        if meta["version"] > FORMAT_VERSION:
            raise ValueError(f"expected a w2v_edu model of format version <= {FORMAT_VERSION}, "
                             f"got version {meta['version']}; upgrade w2v_edu")
        s = dict(meta["settings"])
        model = cls(progress=s.pop("progress"), engine=s.pop("engine"),
                    batch_size=s.pop("batch_size"), max_exp=s.pop("max_exp"),
                    exp_table=s.pop("exp_table"), gensim_rng=s.pop("gensim_rng"),
                    cbow_update=s.pop("cbow_update", "gensim"),
                    noise_group=s.pop("noise_group", 16), noise_pool=s.pop("noise_pool", 48), **s)
        v = meta["vocab"]
        model.vocab = Vocabulary(meta["index_to_key"], arrays["counts"], v["total_words"],
                                 corpus_count=v["corpus_count"], min_count=v["min_count"],
                                 max_final_vocab=v["max_final_vocab"],
                                 effective_min_count=v["effective_min_count"])
        model.keep_prob = arrays.get("keep_prob")
        model._prepare_output_layers()
        model.reset_weights()
        model.weights.syn0[...] = arrays["syn0"]
        for name in ("syn1neg", "syn1"):
            if name in arrays:
                getattr(model.weights, name)[...] = arrays[name]
        model._draws.set_state(meta["draws"])
        model.history = meta["history"]
        for name in ("corpus_count", "corpus_total_words", "train_count",
                     "running_training_loss", "min_alpha_yet_reached"):
            setattr(model, name, meta[name])
        return model

    def __str__(self) -> str:
        vocab = 0 if self.vocab is None else len(self.vocab)
        return f"Word2Vec<vocab={vocab}, vector_size={self.vector_size}, alpha={self.alpha}>"

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
