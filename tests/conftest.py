"""Fixtures shared by the whole suite: the corpora, read once per session.

Tests must not modify them (they are lists of token lists; copy before changing one).

The README's ``pytest`` runs on every core (pytest-xdist, ``-n auto --dist loadfile`` in
pyproject.toml): each worker takes whole files, so a notebook's cells share one kernel and a
module's fixtures are built once. Two things here serve that:

* NumPy's BLAS is held to one thread in every worker and every notebook kernel (they inherit this
  process's environment), so that N workers use N cores instead of fighting over them;
* the slowest files are handed out first, so that no worker is left with a long file at the end.
"""

import os

# before anything imports NumPy (this module is loaded before the tests are collected; workers
# and kernels started later inherit the environment). A value set by the caller wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest  # noqa: E402

from w2v_edu.datasets import lee_corpus, toy_corpus  # noqa: E402

# The files that take longest, slowest first (measured under the README's `pytest` on the 2-core
# development machine, 2026-11-30: lesson 09 and the grader about 90 s each, lesson 12 about 75 s,
# then 45 s down to 10 s). They are handed out first so that the workers finish together; the
# other files (under 10 s each) follow in the usual order. Only the order changes. Refresh the
# list from `pytest --durations=0` when a file becomes slow.
SLOW_FILES_FIRST = [
    "notebooks/09_gensim_side_by_side.ipynb",
    "tests/test_homework_grader.py",
    "notebooks/12_beyond_one_core.ipynb",
    "notebooks/10_cbow_or_skipgram.ipynb",
    "notebooks/11_what_the_knobs_do.ipynb",
    "notebooks/08_training_on_real_text.ipynb",
    "tests/test_external_engines.py",
    "tests/test_site_browser.py",
    "tests/test_gensim_api.py",
    "tests/test_gensim_faithful_edges.py",
    "tests/test_cbow_training.py",
    "notebooks/06_negative_sampling.ipynb",
    "notebooks/07_hierarchical_softmax.ipynb",
    "tests/test_widgets.py",
    "tests/test_word2vec.py",
    "notebooks/03_learning_rates.ipynb",
    "tests/test_parameter_averaging.py",
]


def pytest_collection_modifyitems(config, items):
    rank = {name: k for k, name in enumerate(SLOW_FILES_FIRST)}
    # a stable sort: tests inside a file keep their order (nbval's cells must run in order)
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


@pytest.fixture(scope="session")
def lee():
    """gensim's Lee corpus, tokenised like ``simple_preprocess``: 300 lists of str."""
    return lee_corpus()


@pytest.fixture(scope="session")
def toy():
    """The course's toy corpus (data/toy_corpus.txt)."""
    return toy_corpus()
