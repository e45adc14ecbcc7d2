"""w2v_edu: how gensim's Word2Vec applies stochastic gradient descent, in pure NumPy.

Modules, one concept each (see README for the map from lessons to modules).
"""

__version__ = "0.1.0"
