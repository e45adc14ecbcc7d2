"""w2v_edu: how gensim's Word2Vec applies stochastic gradient descent, in pure NumPy.

One concept per module; the README maps lessons to modules. The two names most people need:

    from w2v_edu import Word2Vec, KeyedVectors
"""

from w2v_edu.keyedvectors import KeyedVectors
from w2v_edu.word2vec import Word2Vec

__version__ = "0.1.0"
__all__ = ["KeyedVectors", "Word2Vec", "__version__"]
