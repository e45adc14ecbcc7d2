# Master source of homework set 07 (lesson 07: hierarchical softmax).
# Edit this file, then run `python -m w2v_course.homework build`. Format: homework/README.md.

# %% [markdown]
# # Homework 07 - Hierarchical softmax
#
# Goes with lesson `notebooks/07_hierarchical_softmax.ipynb`. The centre word's Huffman path
# gives inner-node vectors $P$ $(L, d)$ (rows of `syn1` at the word's `points`) and its `codes`
# $c \in \{0, 1\}^L$. At node $l$ the walk takes **code 0 with probability $\sigma(P_l^\top v)$**
# and code 1 with $\sigma(-P_l^\top v)$ (gensim's convention). You write the word's probability
# and the path loss with its gradients.

# %%
import numpy as np

from w2v_course.homework import check
from w2v_edu.huffman import build_huffman_tree
from w2v_edu.objectives import log_sigmoid, sigmoid

# %% [markdown]
# ## 1. The probability of a word
#
# $$p(w \mid v) = \prod_{l=1}^{L} \sigma\big((1 - 2c_l)\, P_l^\top v\big)$$
#
# `codes` from the Huffman tree are `uint8`: compute $1 - 2c$ with floats
# (`1.0 - 2.0 * codes`), since `1 - 2 * codes` wraps around to 255 in `uint8`.

# %%
def path_probability(v, P, codes):
    """Probability of the word whose path is (P, codes).

    Parameters
    ----------
    v : ndarray, shape (d,)
        Input vector of the context word.
    P : ndarray, shape (L, d)
        Inner-node vectors on the path, root first.
    codes : ndarray of {0, 1}, shape (L,)

    Returns
    -------
    float
        The product of the branch probabilities.

    Hint: ~2 lines.
    """
    ### BEGIN SOLUTION
    sign = 1.0 - 2.0 * np.asarray(codes, dtype=float)
    return float(np.prod(sigmoid(sign * (P @ v))))
    ### END SOLUTION

# %%
check("07.path_probability", path_probability)

# %% [markdown]
# ## 2. Path loss and gradients
#
# $$J = -\sum_l \log\sigma\big((1 - 2c_l)\, P_l^\top v\big), \qquad
#   \frac{\partial J}{\partial (P_l^\top v)} = \sigma(P_l^\top v) - (1 - c_l),$$
#
# so $\partial J / \partial v = \sum_l (\sigma(P_l^\top v) - 1 + c_l)\, P_l$ and
# $\partial J / \partial P_l = (\sigma(P_l^\top v) - 1 + c_l)\, v$.

# %%
def hierarchical_softmax_loss_and_grad(v, P, codes):
    """Hierarchical-softmax loss of one pair and its gradients.

    Parameters
    ----------
    v : ndarray, shape (d,)
    P : ndarray, shape (L, d)
    codes : ndarray of {0, 1}, shape (L,)

    Returns
    -------
    loss : float
    dv : ndarray, shape (d,)
    dP : ndarray, shape (L, d)

    Hint: ~6 lines; use log_sigmoid for a loss that stays finite for large scores.
    """
    ### BEGIN SOLUTION
    c = np.asarray(codes, dtype=float)
    f = P @ v  # (L,)
    loss = -np.sum(log_sigmoid((1.0 - 2.0 * c) * f))
    g = sigmoid(f) - (1.0 - c)  # dJ/df, (L,)
    return float(loss), g @ P, np.outer(g, v)
    ### END SOLUTION

# %%
check("07.hierarchical_softmax_loss_and_grad", hierarchical_softmax_loss_and_grad)

# %% [markdown]
# ## Try it
#
# (Fails until your functions work.) On a real Huffman tree the probabilities of all words sum
# to 1, and the loss of a word is $-\log$ of its probability:

# %% tags=["raises-exception"]
counts = np.array([50, 30, 10, 6, 3, 1])
tree = build_huffman_tree(counts)
rng = np.random.default_rng(0)
syn1 = rng.normal(size=(len(counts) - 1, 3))
v = rng.normal(size=3)
probs = [path_probability(v, syn1[tree.points[w]], tree.codes[w]) for w in range(len(counts))]
print("codes:", [c.tolist() for c in tree.codes])
print("sum of probabilities:", sum(probs))
w = 4
loss = hierarchical_softmax_loss_and_grad(v, syn1[tree.points[w]], tree.codes[w])[0]
print("loss of word 4:", loss, " -log p:", -np.log(probs[w]))

# %% [markdown]
# **Try this:** reverse the convention (code 1 with $\sigma(+P^\top v)$). Do the probabilities
# still sum to 1? Would a model trained that way be worse, or just different from gensim's?
