# Master source of homework set 05 (lesson 05: skip-gram with a full softmax).
# Edit this file, then run `python -m w2v_course.homework build`. Format: homework/README.md.

# %% [markdown]
# # Homework 05 - Skip-gram with a full softmax
#
# Goes with lesson `notebooks/05_softmax_skipgram.ipynb`. $v$ $(d,)$ is the input vector of the
# context word (a row of `syn0`), $U$ $(V, d)$ holds the output vectors, the scores are
# $s = Uv$, $\hat y = \operatorname{softmax}(s)$ and the loss of the pair is
# $J = -\log \hat y_{\text{target}}$. You write a stable softmax, the loss with both gradients,
# and one SGD step.

# %%
import numpy as np

from w2v_course.homework import check

# %% [markdown]
# ## 1. A stable softmax
#
# $$\operatorname{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}
#   = \frac{e^{z_k - m}}{\sum_j e^{z_j - m}}, \quad m = \max_j z_j .$$
#
# Subtracting $m$ changes nothing mathematically and keeps `np.exp` from overflowing.

# %%
def softmax(z):
    """Numerically stable softmax of a score vector.

    Parameters
    ----------
    z : ndarray, shape (V,)

    Returns
    -------
    ndarray, shape (V,)
        Positive, sums to 1; finite even for scores of +-1000.

    Hint: ~2 lines.
    """
    ### BEGIN SOLUTION
    e = np.exp(z - np.max(z))
    return e / e.sum()
    ### END SOLUTION

# %%
check("05.softmax", softmax)

# %% [markdown]
# ## 2. Loss and gradients
#
# With $e_t$ the one-hot vector of the target:
#
# $$J = -\log \hat y_t, \qquad \frac{\partial J}{\partial v} = U^\top (\hat y - e_t), \qquad
#   \frac{\partial J}{\partial U} = (\hat y - e_t)\, v^\top .$$

# %%
def softmax_loss_and_grad(v, U, target):
    """Full-softmax skip-gram loss of one pair and its gradients.

    Parameters
    ----------
    v : ndarray, shape (d,)
        Input vector v_c of the context word.
    U : ndarray, shape (V, d)
        Output vectors u_w of all words.
    target : int
        Index of the centre word.

    Returns
    -------
    loss : float
        J = -log softmax(U v)[target].
    dv : ndarray, shape (d,)
        dJ/dv = U^T (y_hat - e_target).
    dU : ndarray, shape (V, d)
        dJ/dU = outer(y_hat - e_target, v).

    Hint: ~7 lines. For large scores, take the log of the softmax as
    s - m - log(sum(exp(s - m))) with m = max(s) instead of log(softmax(s)),
    which underflows to log(0).
    """
    ### BEGIN SOLUTION
    s = U @ v
    m = np.max(s)
    log_y_hat = s - m - np.log(np.sum(np.exp(s - m)))  # stable log softmax
    loss = -log_y_hat[target]
    err = np.exp(log_y_hat)  # y_hat, then y_hat - e_target
    err[target] -= 1.0
    return float(loss), U.T @ err, np.outer(err, v)
    ### END SOLUTION

# %%
check("05.softmax_loss_and_grad", softmax_loss_and_grad)

# %% [markdown]
# ## 3. One SGD step
#
# $$v \leftarrow v - \alpha \frac{\partial J}{\partial v}, \qquad
#   U \leftarrow U - \alpha \frac{\partial J}{\partial U},$$
#
# **both gradients taken at the old values** (compute both, then update; gensim does the same
# with its `work` buffer). Return new arrays.

# %%
def softmax_sgd_step(v, U, target, alpha):
    """One SGD step of skip-gram with a full softmax.

    Parameters
    ----------
    v : ndarray, shape (d,)
    U : ndarray, shape (V, d)
    target : int
    alpha : float
        Learning rate.

    Returns
    -------
    v_new : ndarray, shape (d,)
    U_new : ndarray, shape (V, d)

    Hint: ~2 lines.
    """
    ### BEGIN SOLUTION
    _, dv, dU = softmax_loss_and_grad(v, U, target)
    return v - alpha * dv, U - alpha * dU
    ### END SOLUTION

# %%
check("05.softmax_sgd_step", softmax_sgd_step)

# %% [markdown]
# ## Try it
#
# (Fails until your functions work.) Repeating the step on one pair drives its loss to zero:

# %% tags=["raises-exception"]
rng = np.random.default_rng(0)
v, U = rng.normal(scale=0.1, size=3), np.zeros((5, 3))
for step in range(6):
    loss, _, _ = softmax_loss_and_grad(v, U, 2)
    print(f"step {step}: loss {loss:.4f}")
    v, U = softmax_sgd_step(v, U, 2, alpha=1.0)

# %% [markdown]
# **Try this:** why does the first loss equal $\log V$? Time `softmax_loss_and_grad` for
# $V = 10^3$ and $10^5$: this O(V) cost is why word2vec needs lessons 06 and 07.
