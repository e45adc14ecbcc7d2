"""Fixtures shared by the whole suite: the corpora, read once per session.

Tests must not modify them (they are lists of token lists; copy before changing one).
"""

import pytest

from w2v_edu.datasets import lee_corpus, toy_corpus


@pytest.fixture(scope="session")
def lee():
    """gensim's Lee corpus, tokenised like ``simple_preprocess``: 300 lists of str."""
    return lee_corpus()


@pytest.fixture(scope="session")
def toy():
    """The course's toy corpus (data/toy_corpus.txt)."""
    return toy_corpus()
