# Master source of homework set 10 (lesson 10: CBOW or skip-gram?).
# Edit this file, then run `python -m w2v_course.homework build`. Format: homework/README.md.

# %% [markdown]
# # Homework 10 - CBOW
#
# Goes with lesson `notebooks/10_cbow_or_skipgram.ipynb`. For one centre word, CBOW averages
# the input vectors of its $m$ context words $C_1..C_m$ (rows of `syn0`) into
# $h = \frac{1}{m}\sum_j C_j$ (gensim's `neu1`, `cbow_mean=1`) and predicts the centre word
# from $h$; with the centre word's output vector $u$ and $k$ noise words $N$ $(k, d)$:
#
# $$J = -\log\sigma(u^\top h) - \sum_{k}\log\sigma(-N_k^\top h).$$
#
# You write the context of a centre word, the loss with its exact gradients, then gensim's
# update - which is *not* the gradient step.

# %%
import numpy as np

from w2v_course.homework import check
from w2v_edu.objectives import log_sigmoid, sigmoid

# %% [markdown]
# ## 1. The context of a centre word
#
# In a sentence of word ids `ids` $(n,)$, the context of position $i$ with window $b$ is every
# position from $\max(0, i-b)$ to $\min(n-1, i+b)$ **except $i$ itself**, in order. A word that
# fills two positions appears twice.

# %%
def cbow_context(ids, i, b):
    """The context word ids of centre position ``i``.

    Parameters
    ----------
    ids : ndarray of int, shape (n,)
        One sentence, as word ids.
    i : int
        The centre position, 0 <= i < n.
    b : int
        The (reduced) window, >= 1.

    Returns
    -------
    ndarray of int, shape (m,)
        The ids at positions max(0, i - b) .. min(n - 1, i + b), position i left out.

    Hint: ~3 lines.
    """
    ### BEGIN SOLUTION
    lo, hi = max(0, i - b), min(len(ids), i + b + 1)
    return np.concatenate([ids[lo:i], ids[i + 1:hi]])
    ### END SOLUTION

# %%
check("10.cbow_context", cbow_context)

# %% [markdown]
# ## 2. Loss and exact gradients
#
# $J$ depends on the context rows only through $h$, and $\partial h / \partial C_j = \frac1m I$:
#
# $$\frac{\partial J}{\partial h} = (\sigma(u^\top h) - 1)\,u + \sum_k \sigma(N_k^\top h)\, N_k,
#   \qquad \frac{\partial J}{\partial C_j} = \frac{1}{m}\,\frac{\partial J}{\partial h},$$
#
# the same row for every $j$; $\partial J/\partial u = (\sigma(u^\top h) - 1)\,h$ and
# $\partial J/\partial N_k = \sigma(N_k^\top h)\,h$ as in skip-gram.

# %%
def cbow_loss_and_grad(C, u, N):
    """CBOW negative-sampling loss of one centre word (mean of the context) and its gradients.

    Parameters
    ----------
    C : ndarray, shape (m, d)
        Input vectors of the m context words.
    u : ndarray, shape (d,)
        Output vector of the centre word.
    N : ndarray, shape (k, d)
        Output vectors of the k noise words.

    Returns
    -------
    loss : float
    dC : ndarray, shape (m, d)
    du : ndarray, shape (d,)
    dN : ndarray, shape (k, d)

    Hint: ~9 lines.
    """
    ### BEGIN SOLUTION
    m = C.shape[0]
    h = C.mean(axis=0)
    f_pos, f_neg = u @ h, N @ h
    loss = -log_sigmoid(f_pos) - np.sum(log_sigmoid(-f_neg))
    g_pos, g_neg = sigmoid(f_pos) - 1.0, sigmoid(f_neg)  # dJ/df
    dh = g_pos * u + g_neg @ N
    dC = np.tile(dh / m, (m, 1))  # dJ/dC_j = dJ/dh / m for every j
    return float(loss), dC, g_pos * h, np.outer(g_neg, h)
    ### END SOLUTION

# %%
check("10.cbow_loss_and_grad", cbow_loss_and_grad)

# %% [markdown]
# ## 3. gensim's update
#
# gensim's `fast_sentence_cbow_neg` with `cbow_mean=1`: $h$ = `neu1` = mean of the context
# rows; `work = 0`; for the centre word (label 1) and then every noise word (label 0), with
# $f = h \cdot$ `syn1neg[t]`:
#
# $$g = (\text{label} - \sigma(f))\,\alpha, \qquad \texttt{work} \mathrel{+}= g\cdot
#   \texttt{syn1neg[t]}, \qquad \texttt{syn1neg[t]} \mathrel{+}= g \cdot h ;$$
#
# finally **every context position** gets `syn0[w_j] += work` - the whole `work`, not
# `work / m`: gensim moves each context vector $m$ times as far as the gradient step would. A
# word that fills two positions gets `work` twice; the centre word's own row of `syn0` does not
# change. Update both matrices **in place** (exact sigmoid, no saturation skipping).

# %%
def cbow_update(syn0, syn1neg, context, centre, negatives, alpha):
    """Apply gensim's CBOW update for one centre word, in place.

    Parameters
    ----------
    syn0 : ndarray, shape (V, d)
        Input vectors; the rows ``context`` are updated.
    syn1neg : ndarray, shape (V, d)
        Output vectors; rows ``centre`` and ``negatives`` are updated.
    context : ndarray of int, shape (m,)
        The context words (a word may appear twice).
    centre : int
        The centre word: the positive target.
    negatives : ndarray of int, shape (k,)
        The noise words (none equals ``centre``).
    alpha : float
        Learning rate.

    Returns
    -------
    None

    Hint: ~9 lines.
    """
    ### BEGIN SOLUTION
    neu1 = syn0[context].mean(axis=0)  # h
    work = np.zeros_like(neu1)
    for target, label in [(centre, 1.0)] + [(t, 0.0) for t in negatives]:
        g = (label - sigmoid(neu1 @ syn1neg[target])) * alpha
        work += g * syn1neg[target]
        # u_t <- u_t + g * h
        syn1neg[target] += g * neu1
    # every context position: syn0[w_j] <- syn0[w_j] + work (a repeated word twice)
    for w in context:
        syn0[w] += work
    ### END SOLUTION

# %%
check("10.cbow_update", cbow_update)

# %% [markdown]
# ## Try it
#
# (Fails until your functions work.) The lesson's sentence `the cat sat on the mat`, centre
# word `sat` with window 2: a few of gensim's updates lower its loss.

# %% tags=["raises-exception"]
words = ["the", "cat", "sat", "on", "mat"]
ids = np.array([0, 1, 2, 3, 0, 4])  # the cat sat on the mat
rng = np.random.default_rng(0)
syn0 = rng.uniform(-0.5, 0.5, size=(5, 4))
syn1neg = np.zeros((5, 4))
context = cbow_context(ids, 2, 2)
print("context of 'sat':", [words[w] for w in context])
negatives = np.array([4])  # 'mat' as the noise word
for step in range(4):
    loss = cbow_loss_and_grad(syn0[context], syn1neg[2], syn1neg[negatives])[0]
    print(f"step {step}: loss {loss:.4f}")
    cbow_update(syn0, syn1neg, context, 2, negatives, alpha=0.5)

# %% [markdown]
# **Try this:** build the *exact* gradient step from `cbow_loss_and_grad` (each context row
# moves by $-\alpha\,\partial J/\partial C_j$, summed over repeated words with `np.add.at`) and
# compare it with `cbow_update`: by what factor do the context rows' steps differ? Do the output
# rows' steps differ at all?
