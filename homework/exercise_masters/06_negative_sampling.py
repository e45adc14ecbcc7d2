# Master source of homework set 06 (lesson 06: negative sampling).
# Edit this file, then run `python -m w2v_course.homework build`. Format: homework/README.md.

# %% [markdown]
# # Homework 06 - Negative sampling
#
# Goes with lesson `notebooks/06_negative_sampling.ipynb`. For one pair, $v$ is the context
# word's input vector (row of `syn0`), $u$ the centre word's output vector and $N$ $(k, d)$ the
# output vectors of $k$ noise words (rows of `syn1neg`):
#
# $$J = -\log\sigma(u^\top v) - \sum_{k}\log\sigma(-N_k^\top v).$$
#
# You write the loss with its gradients, then one update in gensim's exact order.

# %%
import numpy as np

from w2v_course.homework import check
from w2v_edu.objectives import log_sigmoid, sigmoid

# %% [markdown]
# ## 1. Loss and gradients
#
# $$\frac{\partial J}{\partial v} = (\sigma(u^\top v) - 1)\,u + \sum_k \sigma(N_k^\top v)\, N_k,
#   \qquad \frac{\partial J}{\partial u} = (\sigma(u^\top v) - 1)\, v,
#   \qquad \frac{\partial J}{\partial N_k} = \sigma(N_k^\top v)\, v .$$
#
# Use the package's stable `sigmoid` and `log_sigmoid` (imported above) so that large scores
# do not overflow.

# %%
def negative_sampling_loss_and_grad(v, u, N):
    """Skip-gram negative-sampling loss of one pair and its gradients.

    Parameters
    ----------
    v : ndarray, shape (d,)
        Input vector of the context word.
    u : ndarray, shape (d,)
        Output vector of the centre word (the positive target).
    N : ndarray, shape (k, d)
        Output vectors of the k noise words.

    Returns
    -------
    loss : float
    dv : ndarray, shape (d,)
    du : ndarray, shape (d,)
    dN : ndarray, shape (k, d)

    Hint: ~7 lines.
    """
    ### BEGIN SOLUTION
    f_pos = u @ v
    f_neg = N @ v  # (k,)
    loss = -log_sigmoid(f_pos) - np.sum(log_sigmoid(-f_neg))
    g_pos = sigmoid(f_pos) - 1.0  # dJ/df_pos
    g_neg = sigmoid(f_neg)  # dJ/df_neg, (k,)
    dv = g_pos * u + g_neg @ N
    return float(loss), dv, g_pos * v, np.outer(g_neg, v)
    ### END SOLUTION

# %%
check("06.negative_sampling_loss_and_grad", negative_sampling_loss_and_grad)

# %% [markdown]
# ## 2. One update in gensim's order
#
# With $l_1$ = `syn0[context]`: set `work = 0`; for the centre word (label 1) and then every
# noise word (label 0), with $f = l_1 \cdot$ `syn1neg[t]`:
#
# $$g = (\text{label} - \sigma(f))\,\alpha, \qquad \texttt{work} \mathrel{+}= g\cdot
#   \texttt{syn1neg[t]}, \qquad \texttt{syn1neg[t]} \mathrel{+}= g \cdot l_1 ;$$
#
# finally `syn0[context] += work`. Note the order inside the loop: `work` uses the output row
# *before* it changes. Update both matrices **in place**. (Use an exact sigmoid; no saturation
# skipping.)

# %%
def sgns_pair_update(syn0, syn1neg, context, centre, negatives, alpha):
    """Apply gensim's SGD update for one (context, centre) pair, in place.

    Parameters
    ----------
    syn0 : ndarray, shape (V, d)
        Input vectors; row ``context`` is updated.
    syn1neg : ndarray, shape (V, d)
        Output vectors; rows ``centre`` and ``negatives`` are updated.
    context : int
        The input word (row of syn0).
    centre : int
        The positive target.
    negatives : ndarray of int, shape (k,)
        The noise words (none equals ``centre``).
    alpha : float
        Learning rate.

    Returns
    -------
    None

    Hint: ~8 lines.
    """
    ### BEGIN SOLUTION
    l1 = syn0[context].copy()
    work = np.zeros_like(l1)
    for target, label in [(centre, 1.0)] + [(t, 0.0) for t in negatives]:
        f = l1 @ syn1neg[target]
        g = (label - sigmoid(f)) * alpha
        work += g * syn1neg[target]
        # u_t <- u_t + g * l1
        syn1neg[target] += g * l1
    # v_context <- v_context + work
    syn0[context] += work
    ### END SOLUTION

# %%
check("06.sgns_pair_update", sgns_pair_update)

# %% [markdown]
# ## Try it
#
# (Fails until your functions work.) One update lowers this pair's loss:

# %% tags=["raises-exception"]
rng = np.random.default_rng(0)
syn0 = rng.uniform(-0.5, 0.5, size=(8, 4))
syn1neg = np.zeros((8, 4))
negs = np.array([5, 6, 7])
for step in range(4):
    loss = negative_sampling_loss_and_grad(syn0[1], syn1neg[2], syn1neg[negs])[0]
    print(f"step {step}: loss {loss:.4f}")
    sgns_pair_update(syn0, syn1neg, 1, 2, negs, alpha=0.5)

# %% [markdown]
# **Try this:** show that your update equals one gradient step $\theta \leftarrow \theta -
# \alpha\, \partial J / \partial \theta$ built from `negative_sampling_loss_and_grad` (when no
# noise word repeats). What changes when `negatives` contains the same word twice?
