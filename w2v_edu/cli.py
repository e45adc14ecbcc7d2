"""Command line: train word vectors headless, or score a vectors file.

    python -m w2v_edu train --corpus wiki-sample --epochs 5 --out vectors.txt
    python -m w2v_edu evaluate vectors.txt

``train`` builds a :class:`w2v_edu.word2vec.Word2Vec` (gensim's parameter names and defaults,
written ``--vector-size`` for ``vector_size`` and so on), shows a progress bar, prints one
line per epoch (mean loss per training example -- a pair in skip-gram, a centre word in CBOW --,
the alpha applied, effective words/s), then the
evaluation table (:func:`w2v_edu.evaluation.evaluation_table`) and the nearest neighbours of a
few probe words, and saves the vectors in word2vec format (gensim's ``load_word2vec_format``
reads them). ``evaluate`` loads such a file (ours, gensim's or word2vec.c's) and prints the
same table and neighbours.

Bad input -- a missing file, an empty corpus, an out-of-range hyperparameter, an alpha so large
that training diverges -- ends with ONE line ``error: ...`` on stderr and exit status 2, never
a traceback. :func:`main` takes the argument list, so tests and notebooks can call it in-process.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from w2v_edu.callbacks import Callback
from w2v_edu.errors import DivergenceError

__all__ = ["main", "build_parser", "load_corpus", "probe_words", "CORPORA", "PROBE_WORDS",
           "EXIT_OK", "EXIT_ERROR"]

EXIT_OK = 0
#: Exit status for every usage or input error (argparse uses 2 as well).
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

#: Named corpora for ``--corpus`` and what they are.
CORPORA = {
    "wiki-sample": "gensim's 106 Wikipedia articles, ~453k tokens (w2v_edu.datasets.wiki_sample)",
    "lee": "gensim's Lee news corpus, 300 documents, ~58k tokens",
    "toy": "the course's toy corpus, 200 short sentences, ~1k tokens",
}

#: Candidate probe words for nearest neighbours, in order; the first few the vocabulary
#: knows are shown (covering the Wikipedia sample, the Lee corpus and the toy corpus).
PROBE_WORDS = ("france", "war", "music", "january", "seven", "river", "police", "government",
               "australia", "germany", "cat", "rome", "sheep", "five")

# The per-pair engine manages about 40k pairs/s (~7k words/s): warn above this many raw words.
_PER_PAIR_WARN_WORDS = 100_000


class CliError(Exception):
    """An input problem the CLI reports as one ``error:`` line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error: ``error: <what> (see '<prog> --help')``, status 2."""

    def error(self, message):  # noqa: D401 - argparse's hook
        print(f"error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


# ---------------------------------------------------------------------- argument types
def _int_at_least(low: int):
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {text!r}") \
                from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {value}")
        return value

    convert.__name__ = f"integer >= {low}"
    return convert


def _float_at_least(low: float, strict: bool):
    relation = ">" if strict else ">="

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number {relation} {low:g}, got "
                                             f"{text!r}") from None
        if value != value or value in (float("inf"), float("-inf")) \
                or value < low or (strict and value == low):
            raise argparse.ArgumentTypeError(f"expected a finite number {relation} {low:g}, "
                                             f"got {text}")
        return value

    convert.__name__ = f"number {relation} {low:g}"
    return convert


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show ``(default: X)`` only where a default says something (not for flags or None)."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False \
                or action.default is argparse.SUPPRESS:
            return action.help
        return super()._get_help_string(action)


# ---------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The ``python -m w2v_edu`` parser with its ``train`` and ``evaluate`` sub-commands."""
    parser = _Parser(
        prog="python -m w2v_edu",
        description="Train skip-gram word2vec with SGD in pure NumPy (gensim's parameter\n"
                    "names and defaults), or evaluate a word2vec-format vectors file.",
        epilog="Examples:\n"
               "  python -m w2v_edu train --corpus wiki-sample --out vectors.txt\n"
               "  python -m w2v_edu train --corpus my_text.txt --min-count 2 --epochs 10 "
               "--out my.bin --binary\n"
               "  python -m w2v_edu evaluate vectors.txt\n\n"
               "Run 'python -m w2v_edu train --help' for every training option.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="{train,evaluate}",
                                parser_class=_Parser)

    corpora = "; ".join(f"{name}: {text}" for name, text in CORPORA.items())
    t = sub.add_parser(
        "train", help="train word vectors on a corpus and save them in word2vec format",
        description="Train word vectors with SGD (CBOW by default, as gensim; --sg 1 for "
                    "skip-gram), print the loss per epoch, the "
                    "evaluation table (WordSim353, SimLex-999, Google analogies) and nearest "
                    "neighbours, and save the vectors in word2vec format. Defaults are "
                    "gensim's.",
        formatter_class=_HelpFormatter,
    )
    t.add_argument("--corpus", default="wiki-sample", metavar="{wiki-sample,lee,toy,PATH}",
                   help=f"a named corpus ({corpora}) or a UTF-8 text file with one "
                        "sentence/document per line, tokenized with w2v_edu.text.tokenize "
                        "(lower-case words of 2-15 letters)")
    t.add_argument("--engine", choices=("minibatch", "per_pair") + EXTERNAL_ENGINES,
                   default="minibatch",
                   help="minibatch: vectorised, for real text; per_pair: one (context, centre) "
                        "pair at a time in gensim's order, ~40k pairs/s, small corpora only; "
                        "gensim: gensim's compiled Word2Vec on --workers threads; spark: Spark "
                        "MLlib's Word2Vec on --spark-master with --num-partitions (needs "
                        "pyspark)")
    t.add_argument("--sg", type=int, choices=(0, 1), default=0,
                   help="0 = CBOW (gensim's default): the mean of the context vectors predicts "
                        "the centre word; 1 = skip-gram: every context word predicts it")
    t.add_argument("--cbow-mean", type=int, choices=(0, 1), default=1,
                   help="CBOW only: 1 = mean of the context vectors, 0 = their sum")
    t.add_argument("--epochs", type=_int_at_least(1), default=5, metavar="N",
                   help="passes over the corpus")
    t.add_argument("--vector-size", type=_int_at_least(1), default=100, metavar="D",
                   help="dimension d of the word vectors")
    t.add_argument("--window", type=_int_at_least(1), default=5, metavar="W",
                   help="largest distance between centre and context word; each centre uses a "
                        "window drawn uniformly from 1..W")
    t.add_argument("--min-count", type=_int_at_least(1), default=5, metavar="M",
                   help="ignore words that occur fewer than M times")
    t.add_argument("--negative", type=_int_at_least(0), default=5, metavar="K",
                   help="noise words per training example for negative sampling (0 = off)")
    t.add_argument("--hs", type=int, choices=(0, 1), default=0,
                   help="1 = also train with hierarchical softmax")
    t.add_argument("--sample", type=_float_at_least(0.0, strict=False), default=1e-3,
                   metavar="S", help="subsampling threshold for frequent words (0 = off)")
    t.add_argument("--alpha", type=_float_at_least(0.0, strict=True), default=0.025,
                   metavar="A", help="initial learning rate; decays linearly to --min-alpha")
    t.add_argument("--min-alpha", type=_float_at_least(0.0, strict=False), default=0.0001,
                   metavar="A", help="final learning rate")
    t.add_argument("--seed", type=_int_at_least(0), default=1, metavar="N",
                   help="seed of the initial vectors and of every random draw (same seed, "
                        "same vectors)")
    t.add_argument("--batch-size", type=_int_at_least(1), default=None, metavar="B",
                   help="centre words per mini-batch (minibatch engine; default 256 for "
                        "skip-gram, 1024 for CBOW)")
    t.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    t.add_argument("--out", required=True, metavar="FILE",
                   help="where to save the vectors (word2vec format)")
    t.add_argument("--binary", action="store_true",
                   help="save in word2vec's binary format instead of text")
    _add_scale_out_options(t)
    _add_report_options(t)

    e = sub.add_parser(
        "evaluate", help="print the evaluation table and neighbours of a vectors file",
        description="Load vectors in word2vec format (from w2v_edu, gensim or word2vec.c) and "
                    "print WordSim353 / SimLex-999 Spearman (with OOV %%), analogy accuracy "
                    "and the nearest neighbours of a few probe words.",
        formatter_class=_HelpFormatter,
    )
    e.add_argument("vectors", metavar="FILE", help="a word2vec-format vectors file")
    e.add_argument("--binary", action="store_true", help="the file is in binary format")
    _add_report_options(e)
    return parser


# ---------------------------------------------------------------------- more than one core
#: Engines that are not ours: the same options, mapped onto gensim's threads or Spark MLlib.
EXTERNAL_ENGINES = ("gensim", "spark")


def _add_scale_out_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("more than one core (lesson 12)")
    g.add_argument("--workers", type=_int_at_least(1), default=None, metavar="N",
                   help="gensim engine: worker threads (lock-free, runs not reproducible "
                        "when N > 1; default: gensim's 3)")
    g.add_argument("--spark-master", default="local[*]", metavar="URL",
                   help="spark engine: local[N], local[*] or a cluster URL such as "
                        "spark://host:7077")
    g.add_argument("--num-partitions", type=_int_at_least(1), default=1, metavar="P",
                   help="spark engine: partitions trained on copies and averaged after every "
                        "iteration (Spark's default 1; more is faster but less accurate)")


def _train_external(args) -> int:
    """``train --engine gensim|spark``: the same options, file and evaluation table."""
    from w2v_edu import external_engines

    _check_output_path(args.out)
    if not args.hs and not args.negative:
        raise CliError("expected an output layer: --hs 1 and/or --negative > 0, got --hs 0 "
                       "with --negative 0")
    if args.min_alpha > args.alpha:
        raise CliError(f"expected --min-alpha <= --alpha, got {args.min_alpha} > {args.alpha}")
    sg = getattr(args, "sg", 1)
    if args.engine == "spark" and not external_engines.pyspark_available():
        raise CliError(f"--engine spark needs pyspark, which is not installed: "
                       f"{external_engines.SPARK_INSTALL_HINT}")
    start = time.perf_counter()
    sentences = load_corpus(args.corpus)
    n_tokens = sum(len(s) for s in sentences)
    print(f"corpus {args.corpus}: {len(sentences):,} sentences, {n_tokens:,} tokens")
    if args.engine == "gensim":
        if args.num_partitions != 1:
            print("note: --num-partitions is for --engine spark; gensim uses --workers threads",
                  file=sys.stderr)
        workers = 3 if args.workers is None else args.workers
        settings = dict(vector_size=args.vector_size, window=args.window,
                        min_count=args.min_count, sample=args.sample, hs=args.hs,
                        negative=args.negative, alpha=args.alpha, min_alpha=args.min_alpha,
                        epochs=args.epochs, seed=args.seed, sg=sg)
        if hasattr(args, "cbow_mean"):
            settings["cbow_mean"] = args.cbow_mean
        print(f"training with gensim, workers={workers} "
              f"({'lock-free threads: runs differ' if workers > 1 else 'reproducible'}), "
              + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in settings.items()))
        sys.stdout.flush()
        model = external_engines.train_gensim(sentences, workers=workers,
                                               callbacks=[_GensimEpochLine(args.epochs)],
                                               **settings)
        wv = external_engines.keyed_vectors_from_gensim(model)
    else:
        if args.workers is not None:
            print("note: --workers is for --engine gensim; Spark's parallelism is "
                  "--spark-master local[N] and --num-partitions", file=sys.stderr)
        try:
            params, notes = external_engines.spark_settings(
                vector_size=args.vector_size, window=args.window, min_count=args.min_count,
                alpha=args.alpha, epochs=args.epochs, seed=args.seed,
                num_partitions=args.num_partitions, negative=args.negative, hs=args.hs,
                sample=args.sample, min_alpha=args.min_alpha, sg=sg)
        except (TypeError, ValueError) as exc:
            raise CliError(str(exc)) from None
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        print(f"training with Spark MLlib on {args.spark_master}: "
              + ", ".join(f"{k}={v}" for k, v in params.items()))
        sys.stdout.flush()
        try:
            sc = external_engines.spark_context(args.spark_master)
        except Exception as exc:  # Java missing, bad master URL, port trouble ...
            raise CliError(f"could not start Spark on {args.spark_master!r}: "
                           f"{_one_line(exc, 200)}") from None
        try:
            wv, info = external_engines.train_spark(
                sentences, sc, vector_size=args.vector_size, window=args.window,
                min_count=args.min_count, alpha=args.alpha, epochs=args.epochs,
                seed=args.seed, num_partitions=args.num_partitions)
        finally:
            sc.stop()
        print(f"Spark fit: {info['seconds']:.1f} s")
    seconds = time.perf_counter() - start
    print(f"vocabulary {len(wv):,} words with count >= {args.min_count}")
    wv.save_word2vec_format(args.out, binary=args.binary)
    print(f"trained in {seconds:.1f} s; saved {len(wv):,} vectors of dimension "
          f"{wv.vector_size} to {args.out} ({'binary' if args.binary else 'text'} "
          "word2vec format)")
    _report(wv, args.probe, args.topn)
    return EXIT_OK


class _GensimEpochLine:
    """gensim callback: one line per epoch (gensim reports no per-epoch loss by default)."""

    def __init__(self, epochs: int):
        self.epochs, self.epoch, self.start = epochs, 0, 0.0

    def on_train_begin(self, model):
        pass

    def on_train_end(self, model):
        pass

    def on_epoch_begin(self, model):
        self.start = time.perf_counter()

    def on_epoch_end(self, model):
        self.epoch += 1
        print(f"epoch {self.epoch}/{self.epochs}: {time.perf_counter() - self.start:.1f} s",
              flush=True)


def _add_report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--probe", nargs="+", metavar="WORD", default=None,
                   help="words whose nearest neighbours to print (default: the first 5 of "
                        f"{', '.join(PROBE_WORDS[:6])}, ... that are in the vocabulary)")
    p.add_argument("--topn", type=_int_at_least(1), default=6, metavar="N",
                   help="neighbours per probe word")


# ---------------------------------------------------------------------- building blocks
def load_corpus(spec: str) -> list[list[str]]:
    """The sentences of ``--corpus``: a named corpus (:data:`CORPORA`) or a text file.

    A name wins over a file of the same name in the working directory; write ``./toy`` to
    mean the file.

    Raises
    ------
    CliError
        The file does not exist, is a folder, or holds no token at all.
    """
    from w2v_edu import datasets
    from w2v_edu.text import read_lines_corpus

    if spec == "wiki-sample":
        return datasets.wiki_sample()
    if spec == "lee":
        return datasets.lee_corpus()
    if spec == "toy":
        return datasets.toy_corpus()
    if not os.path.exists(spec):
        raise CliError(f"--corpus: expected one of {', '.join(CORPORA)} or an existing text "
                       f"file, got {spec!r} (no such file)")
    if os.path.isdir(spec):
        raise CliError(f"--corpus: expected a text file, got the folder {spec!r}")
    sentences = read_lines_corpus(spec)
    if not sentences:
        raise CliError(f"--corpus: expected a text file with at least one word, got {spec!r} "
                       "with no tokens (empty, or no alphabetic words of 2-15 letters)")
    return sentences


def probe_words(wv, requested=None, n: int = 5) -> list[str]:
    """Words to show neighbours of: ``requested`` if given, else the first ``n`` known
    :data:`PROBE_WORDS` (topped up with the most frequent words longer than 3 letters)."""
    if requested:
        return list(requested)
    words = [w for w in PROBE_WORDS if w in wv.key_to_index][:n]
    for w in wv.index_to_key:
        if len(words) >= n:
            break
        if len(w) > 3 and w not in words:
            words.append(w)
    return words


def _format_neighbours(wv, words, topn: int) -> str:
    lines = [f"Nearest neighbours (cosine similarity, top {topn}):"]
    width = max(len(w) for w in words) if words else 0
    for word in words:
        if word not in wv.key_to_index:
            lines.append(f"  {word.ljust(width)}  (not in the vocabulary)")
            continue
        neighbours = wv.most_similar(word, topn=topn)
        lines.append(f"  {word.ljust(width)}  "
                     + ", ".join(f"{w} {s:.2f}" for w, s in neighbours))
    return "\n".join(lines)


def _report(wv, probe, topn: int) -> None:
    """Print the evaluation table and the neighbours of the probe words."""
    from w2v_edu.evaluation import evaluation_table, format_table

    print()
    print(format_table(evaluation_table(wv), title="Evaluation (out-of-vocabulary items are "
                                                    "skipped; read each score next to its OOV %)"))
    print()
    if len(wv) > 1:
        print(_format_neighbours(wv, probe_words(wv, probe), min(topn, len(wv) - 1)))


class _EpochLine(Callback):
    """One line per epoch on stdout, written through tqdm so the progress bar stays intact."""

    def on_epoch_end(self, model) -> None:
        from tqdm import tqdm

        h = model.history[-1]
        rate = h["words"] / h["seconds"] if h["seconds"] > 0 else float("inf")
        # a training example: a (context, centre) pair in skip-gram, a centre word in CBOW
        example = "pair" if model.sg else "centre word"
        tqdm.write(
            f"epoch {h['epoch'] + 1}/{model.epochs}: loss/{example} {h['loss']:.4f}  "
            f"alpha {h['alpha_start']:.5f} -> {h['alpha_end']:.5f}  "
            f"{h['pairs']:,} {example}s  {h['seconds']:.1f} s  {rate:,.0f} effective words/s",
            file=sys.stdout,
        )
        sys.stdout.flush()


def _check_output_path(path: str) -> None:
    if os.path.isdir(path):
        raise CliError(f"--out: expected a file name, got the folder {path!r}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CliError(f"--out: expected a file in an existing folder, got {path!r} "
                       f"(folder {folder!r} does not exist)")
    if not os.access(folder, os.W_OK):
        raise CliError(f"--out: expected a writable folder, got {folder!r}")


# ---------------------------------------------------------------------- commands
def _train(args) -> int:
    from w2v_edu.word2vec import Word2Vec

    if args.engine in EXTERNAL_ENGINES:
        return _train_external(args)
    if args.workers is not None and args.workers > 1:
        print(f"note: --workers {args.workers} is for --engine gensim; the {args.engine} engine "
              "trains on one thread", file=sys.stderr)
    if args.num_partitions != 1:
        print("note: --num-partitions is for --engine spark (lesson 12 simulates it: "
              "w2v_edu.parameter_averaging)", file=sys.stderr)
    _check_output_path(args.out)
    # Validate every hyperparameter (and their combinations) before loading any text.
    model = Word2Vec(
        vector_size=args.vector_size, window=args.window, min_count=args.min_count,
        sample=args.sample, hs=args.hs, negative=args.negative, alpha=args.alpha,
        min_alpha=args.min_alpha, epochs=args.epochs, seed=args.seed, engine=args.engine,
        sg=args.sg, cbow_mean=args.cbow_mean,
        batch_size=args.batch_size, progress=not args.no_progress, callbacks=[_EpochLine()],
    )
    start = time.perf_counter()
    sentences = load_corpus(args.corpus)
    n_tokens = sum(len(s) for s in sentences)
    model.build_vocab(sentences)
    print(f"corpus {args.corpus}: {len(sentences):,} sentences, {n_tokens:,} tokens; "
          f"vocabulary {len(model.vocab):,} words with count >= {args.min_count} "
          f"({model.vocab.retained_words:,} tokens kept)")
    hs_neg = " + ".join(x for x, on in (("hs", args.hs),
                                        (f"negative={args.negative}", args.negative)) if on)
    model_name = "skip-gram" if args.sg else f"CBOW ({'mean' if args.cbow_mean else 'sum'})"
    print(f"training {model_name} ({hs_neg}), engine={args.engine}, "
          f"vector_size={args.vector_size}, "
          f"window={args.window}, sample={args.sample:g}, alpha={args.alpha:g}, "
          f"epochs={args.epochs}, seed={args.seed}")
    if args.engine == "per_pair" and n_tokens > _PER_PAIR_WARN_WORDS:
        print(f"note: the per_pair engine manages about 40k pairs/s; {n_tokens:,} tokens per "
              "epoch will take a long time (use --engine minibatch for real text)",
              file=sys.stderr)
    sys.stdout.flush()
    model.train()
    seconds = time.perf_counter() - start
    model.wv.save_word2vec_format(args.out, binary=args.binary)
    print(f"trained in {seconds:.1f} s; saved {len(model.wv):,} vectors of dimension "
          f"{model.wv.vector_size} to {args.out} ({'binary' if args.binary else 'text'} "
          "word2vec format)")
    _report(model.wv, args.probe, args.topn)
    return EXIT_OK


def _evaluate(args) -> int:
    from w2v_edu.keyedvectors import KeyedVectors

    path = args.vectors
    if os.path.isdir(path):
        raise CliError(f"expected a vectors file, got the folder {path!r}")
    if not os.path.exists(path):
        raise CliError(f"expected an existing word2vec-format file, got {path!r} (no such file)")
    if args.binary and _looks_like_text_format(path):
        raise CliError(f"--binary: expected a binary word2vec file, got {path!r}, which is in "
                       "the text format (drop --binary)")
    try:
        wv = KeyedVectors.load_word2vec_format(path, binary=args.binary)
    except (ValueError, UnicodeDecodeError) as exc:
        hint = "" if args.binary else " (if it is a binary file, add --binary)"
        raise CliError(f"cannot read {path!r} as a word2vec "
                       f"{'binary' if args.binary else 'text'} file: {exc}{hint}") from None
    if len(wv) == 0:
        raise CliError(f"expected at least one vector in {path!r}, got none")
    print(f"loaded {len(wv):,} vectors of dimension {wv.vector_size} from {path}")
    _report(wv, args.probe, args.topn)
    return EXIT_OK


def _looks_like_text_format(path: str) -> bool:
    """True when the first vector line is ``word x_1 ... x_d`` in text, as the header says.

    A binary file's second line is raw float32 bytes, which practically never splits into
    exactly d decimal numbers; reading a text file as binary would silently give garbage.
    """
    with open(path, "rb") as fin:
        header = fin.readline().split()
        line = fin.readline(1 << 20)
    try:
        dim = int(header[1])
        parts = line.decode("utf8").split()
        return len(header) == 2 and len(parts) == dim + 1 and all(
            _is_number(x) for x in parts[1:])
    except (IndexError, ValueError, UnicodeDecodeError):
        return False


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _one_line(message: str, limit: int = 400) -> str:
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); return the exit status.

    0 on success, 2 on any usage or input error (one ``error: ...`` line on stderr),
    130 when interrupted with Ctrl-C.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2, message already printed)
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_ERROR
    if args.command is None:
        print(f"error: expected a command, train or evaluate (see '{parser.prog} --help')",
              file=sys.stderr)
        return EXIT_ERROR
    command = {"train": _train, "evaluate": _evaluate}[args.command]
    try:
        return command(args)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except DivergenceError as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
    except KeyError as exc:  # KeyError's str() adds quotes; show its message
        print(f"error: {_one_line(exc.args[0] if exc.args else exc)}", file=sys.stderr)
    except (CliError, ValueError, TypeError, OSError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
    return EXIT_ERROR
