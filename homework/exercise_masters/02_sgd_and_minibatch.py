# Master source of homework set 02 (lesson 02: SGD and mini-batch gradient descent).
# Edit this file, then run `python -m w2v_course.homework build`. Format: homework/README.md.

# %% [markdown]
# # Homework 02 - Stochastic and mini-batch gradient descent
#
# Goes with lesson `notebooks/02_sgd_and_minibatch.ipynb`. You write the three pieces of one
# training loop that *is* batch GD, SGD or mini-batch GD depending only on the batch size $B$:
# the shuffled batches of one epoch, the gradient on one batch, and the loop itself.
# Run each `check(...)` cell after you write a function; keep the function names.
#
# **Notation:** $X$ $(n, p)$, $y$ $(n,)$, $w$ $(p,)$, a batch $\mathcal{B}$ of $B$ example indices.

# %%
import numpy as np

from w2v_course.homework import check
from w2v_edu.toy_problems import least_squares_solution, make_linear_regression

X, y, w_true = make_linear_regression(n_samples=200, n_features=2, seed=0)

# %% [markdown]
# ## 1. The batches of one epoch
#
# Shuffle the indices $0, \dots, n-1$ with the generator `rng` (one permutation per epoch),
# then cut them into consecutive batches of $B$. When $B$ does not divide $n$ the **last batch is
# smaller**: an epoch has $\lceil n / B \rceil$ batches and every example is used exactly once.

# %%
def minibatch_indices(n, batch_size, rng):
    """The mini-batches of one epoch, in a fresh random order.

    Parameters
    ----------
    n : int
        Number of examples.
    batch_size : int
        B, 1 <= B <= n.
    rng : numpy.random.Generator
        Use only this generator (the same seed must give the same batches).

    Returns
    -------
    list of ndarray of int
        ceil(n / B) index arrays, each of shape (B,) except the last (n mod B when B does
        not divide n); together they hold every index 0..n-1 exactly once.

    Hint: ~2 lines (rng.permutation, then slices order[start:start + B]).
    """
    ### BEGIN SOLUTION
    order = rng.permutation(n)
    return [order[start:start + batch_size] for start in range(0, n, batch_size)]
    ### END SOLUTION

# %%
check("02.minibatch_indices", minibatch_indices)

# %% [markdown]
# ## 2. The gradient on one batch
#
# The batch loss is the **mean** over the batch, so its gradient is
#
# $$g_{\mathcal{B}}(w) = \frac{1}{B} \sum_{i \in \mathcal{B}} (x_i^\top w - y_i)\, x_i
#   = \frac{1}{B} X_{\mathcal{B}}^\top (X_{\mathcal{B}} w - y_{\mathcal{B}}) .$$
#
# Divide by the batch size $B$, not by $n$: then the estimate is unbiased for every $B$.

# %%
def minibatch_grad(w, X, y, idx):
    """Gradient of the least-squares loss on the examples ``idx``.

    Parameters
    ----------
    w : ndarray, shape (p,)
    X : ndarray, shape (n, p)
    y : ndarray, shape (n,)
    idx : ndarray of int, shape (B,)
        Indices of the batch (a repeated index counts twice).

    Returns
    -------
    ndarray, shape (p,)
        1/B X_B^T (X_B w - y_B).

    Hint: ~3 lines.
    """
    ### BEGIN SOLUTION
    Xb, yb = X[idx], y[idx]
    return Xb.T @ (Xb @ w - yb) / len(idx)
    ### END SOLUTION

# %%
check("02.minibatch_grad", minibatch_grad)

# %% [markdown]
# ## 3. The loop
#
# For every epoch: new batches, then one step per batch,
# $w_{t+1} = w_t - \eta\, g_{\mathcal{B}_t}(w_t)$. Make **one** generator from `seed` before
# the first epoch and pass it to `minibatch_indices` every epoch (so each epoch is reshuffled and
# the same seed gives the same run). Return the trajectory: $w_0$ and then one row per step.

# %%
def minibatch_sgd(w0, X, y, lr, batch_size, epochs, seed):
    """Mini-batch SGD on least squares; B = n is batch GD, B = 1 is SGD.

    Parameters
    ----------
    w0 : ndarray, shape (p,)
    X : ndarray, shape (n, p)
    y : ndarray, shape (n,)
    lr : float
        Constant learning rate eta.
    batch_size : int
        B.
    epochs : int
        Passes over the data.
    seed : int
        Seed of the one generator used for all shuffling.

    Returns
    -------
    ndarray, shape (epochs * ceil(n / B) + 1, p)
        w_0, then w after every step.

    Hint: ~7 lines, using your minibatch_indices and minibatch_grad.
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    trajectory = [np.asarray(w0, dtype=float)]
    for _ in range(epochs):
        for idx in minibatch_indices(len(y), batch_size, rng):
            w = trajectory[-1]
            trajectory.append(w - lr * minibatch_grad(w, X, y, idx))
    return np.array(trajectory)
    ### END SOLUTION

# %%
check("02.minibatch_sgd", minibatch_sgd)

# %% [markdown]
# ## Try it
#
# (Fails until your functions work.) Same budget of 5 epochs, three batch sizes: how close does
# each get to $w^*$, and how many steps did each take?

# %% tags=["raises-exception"]
w_star = least_squares_solution(X, y)
for B in (1, 16, len(y)):
    W = minibatch_sgd(np.zeros(2), X, y, lr=0.05, batch_size=B, epochs=5, seed=0)
    print(f"B = {B:3d}: {len(W) - 1:4d} steps, distance to w* = "
          f"{np.linalg.norm(W[-1] - w_star):.4f}")

# %% [markdown]
# **Try this:** with $B = 1$, raise the learning rate to 0.3. The path still "converges", but to
# what? Compare the last 100 iterates' spread for $\eta = 0.05$ and $\eta = 0.3$ (lesson 03
# explains why a decaying rate fixes this).
