# Master source of homework set 08 (lesson 08: training on real text with the mini-batch engine).
# Edit this file, then run `python -m w2v_course.homework build`. Format: homework/README.md.

# %% [markdown]
# # Homework 08 - The vectorised mini-batch update
#
# Goes with lesson `notebooks/08_training_on_real_text.ipynb` and `w2v_edu/minibatch_engine.py`.
# gensim applies SGD one pair at a time. The mini-batch engine takes $B$ pairs at once: all
# gradients at the parameters from the **start** of the batch, then every row update added back
# with a *scatter-add*. You write the scatter-add and the whole negative-sampling update.

# %%
import numpy as np

from w2v_course.homework import check
from w2v_edu.objectives import negative_sampling_loss_and_grad_batch

# %% [markdown]
# ## 1. Scatter-add
#
# Add `rows[r]` to `matrix[idx[r]]` for every $r$. A word can occur many times in one batch, so
# `idx` repeats, and the repeated updates must be **summed**. Careful: `matrix[idx] += rows`
# does not do that (NumPy buffers fancy indexing, so only the last duplicate lands); the
# unbuffered `np.add.at` does.

# %%
def scatter_add(matrix, idx, rows):
    """matrix[idx[r]] += rows[r] for every r, repeated indices summed (in place).

    Parameters
    ----------
    matrix : ndarray, shape (V, d)
        Updated in place.
    idx : ndarray of int, shape (m,)
        Row of every update; may repeat.
    rows : ndarray, shape (m, d)

    Returns
    -------
    None

    Hint: ~1 line.
    """
    ### BEGIN SOLUTION
    np.add.at(matrix, idx, rows)
    ### END SOLUTION

# %%
check("08.scatter_add", scatter_add)

# %% [markdown]
# ## 2. One mini-batch update
#
# For pairs $b = 1..B$ with context word $c_b$, centre word $o_b$ and noise words $n_{b,1..k}$,
# `negative_sampling_loss_and_grad_batch(V_in, U_pos, U_neg)` (lesson 06's gradients for $B$
# pairs at once) gives per-pair losses $(B,)$ and $dv$ $(B, d)$, $du$ $(B, d)$, $dN$
# $(B, k, d)$. Every pair then takes a full SGD step of its own, summed (no $1/B$):
#
# $$\texttt{syn0}[c_b] \mathrel{-}= \alpha\, dv_b, \qquad \texttt{syn1neg}[o_b]
#   \mathrel{-}= \alpha\, du_b, \qquad \texttt{syn1neg}[n_{b,j}] \mathrel{-}= \alpha\, dN_{b,j}.$$
#
# Read all rows first, then scatter.

# %%
def minibatch_sgns_update(syn0, syn1neg, contexts, centres, negatives, alpha):
    """One vectorised SGD update for B skip-gram negative-sampling pairs (in place).

    Parameters
    ----------
    syn0 : ndarray, shape (V, d)
        Input vectors (updated in place).
    syn1neg : ndarray, shape (V, d)
        Output vectors (updated in place).
    contexts : ndarray of int, shape (B,)
        Input word of every pair.
    centres : ndarray of int, shape (B,)
        Positive target of every pair.
    negatives : ndarray of int, shape (B, k)
        Noise words of every pair.
    alpha : float
        Learning rate.

    Returns
    -------
    ndarray, shape (B,)
        Loss of every pair, before the update.

    Hint: ~6 lines, using negative_sampling_loss_and_grad_batch and your scatter_add.
    """
    ### BEGIN SOLUTION
    d = syn0.shape[1]
    losses, dv, du, dN = negative_sampling_loss_and_grad_batch(
        syn0[contexts], syn1neg[centres], syn1neg[negatives])
    # theta <- theta - alpha * dJ/dtheta, one full step per pair, repeated rows summed
    scatter_add(syn0, contexts, -alpha * dv)
    scatter_add(syn1neg, centres, -alpha * du)
    scatter_add(syn1neg, negatives.ravel(), -alpha * dN.reshape(-1, d))
    return losses
    ### END SOLUTION

# %%
check("08.minibatch_sgns_update", minibatch_sgns_update)

# %% [markdown]
# ## Try it
#
# (Fails until your functions work.) A few hundred updates on random pairs of a tiny vocabulary:
# the mean loss per pair falls.

# %% tags=["raises-exception"]
rng = np.random.default_rng(0)
V, d, B, k = 20, 8, 64, 3
syn0 = rng.uniform(-0.5 / d, 0.5 / d, size=(V, d))
syn1neg = np.zeros((V, d))
# a toy "corpus": word w is always seen next to word (w + 1) mod V
contexts = rng.integers(0, V, size=(200, B))
for step, ctx in enumerate(contexts):
    negs = rng.integers(0, V, size=(B, k))
    losses = minibatch_sgns_update(syn0, syn1neg, ctx, (ctx + 1) % V, negs, alpha=0.05)
    if step % 50 == 0:
        print(f"step {step:3d}: mean loss per pair {losses.mean():.4f}")

# %% [markdown]
# **Try this:** replace `scatter_add` by `matrix[idx] += rows` and rerun: how does the loss curve
# change with $B = 64$ and $V = 20$ (many repeats) versus $V = 10{,}000$ (few)? Then compare
# the speed of `np.add.at` with `w2v_edu.scatter.scatter_add`.
