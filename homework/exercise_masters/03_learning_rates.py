# Master source of homework set 03 (lesson 03: learning rates and schedules).
# Edit this file, then run `python -m w2v_course.homework build`. Format: homework/README.md.

# %% [markdown]
# # Homework 03 - Learning rates and schedules
#
# Goes with lesson `notebooks/03_learning_rates.ipynb`. A schedule is a function of training
# **progress** $s \in [0, 1]$, the fraction of training done; a loop with $T$ steps uses
# $\eta_t = \text{schedule}(t / T)$ at step $t = 0, \dots, T-1$. You write word2vec's linear
# decay, a step decay, and an SGD loop that follows any schedule.

# %%
import numpy as np

from w2v_course.homework import check
from w2v_edu.schedules import constant, linear_decay
from w2v_edu.toy_problems import least_squares_solution, make_linear_regression

X, y, w_true = make_linear_regression(n_samples=200, n_features=2, seed=0)

# %% [markdown]
# ## 1. gensim's alpha
#
# $$\alpha(s) = \alpha - (\alpha - \alpha_{\min})\, s$$
#
# starts at `alpha` (default 0.025) and falls linearly to `min_alpha` (default 0.0001) at the
# end of training. Make it work for a float and for an array of progress values.

# %%
def linear_alpha(progress, alpha=0.025, min_alpha=0.0001):
    """word2vec's learning rate at a given progress.

    Parameters
    ----------
    progress : float or ndarray of any shape
        s in [0, 1].
    alpha, min_alpha : float
        Rate at s = 0 and at s = 1.

    Returns
    -------
    float or ndarray, same shape as ``progress``

    Hint: ~1 line.
    """
    ### BEGIN SOLUTION
    return alpha - (alpha - min_alpha) * np.asarray(progress, dtype=float)
    ### END SOLUTION

# %%
check("03.linear_alpha", linear_alpha)

# %% [markdown]
# ## 2. Step decay
#
# Cut training into `n_steps` equal stages $k = 0, \dots, \text{n\_steps} - 1$ and use
# $\eta_0 \cdot \text{drop}^k$ in stage $k$, with $k = \min(\lfloor s \cdot \text{n\_steps}
# \rfloor,\ \text{n\_steps} - 1)$. The $\min$ matters at $s = 1$, which belongs to the last
# stage.

# %%
def step_decay_lr(progress, lr, drop=0.5, n_steps=3):
    """Piecewise-constant learning rate.

    Parameters
    ----------
    progress : ndarray, any shape
        s in [0, 1].
    lr : float
        eta_0, the rate of stage 0.
    drop : float
        Factor applied at the start of every later stage.
    n_steps : int
        Number of stages.

    Returns
    -------
    ndarray, same shape as ``progress``

    Hint: ~2 lines (np.floor, np.minimum).
    """
    ### BEGIN SOLUTION
    k = np.minimum(np.floor(np.asarray(progress, dtype=float) * n_steps), n_steps - 1)
    return lr * drop ** k
    ### END SOLUTION

# %%
check("03.step_decay_lr", step_decay_lr)

# %% [markdown]
# ## 3. SGD that follows a schedule
#
# Plain SGD ($B = 1$) that visits the examples **in order** $0, 1, \dots, n-1$ every epoch (no
# shuffling here, so the answer is exact), for $T = n \cdot \text{epochs}$ steps. Step $t$ uses
# $\eta_t = \text{schedule}(t / T)$ - the progress over the *whole* run, not within the epoch -
# and the one-example gradient $(x_i^\top w - y_i)\, x_i$.

# %%
def sgd_with_schedule(w0, X, y, schedule, epochs):
    """SGD (one example per step, in order) with a learning-rate schedule.

    Parameters
    ----------
    w0 : ndarray, shape (p,)
    X : ndarray, shape (n, p)
    y : ndarray, shape (n,)
    schedule : callable
        progress s in [0, 1] -> learning rate, e.g. ``linear_decay(0.05, 0.001)``.
    epochs : int

    Returns
    -------
    w : ndarray, shape (p,)
        Parameters after the last step.
    lrs : ndarray, shape (n * epochs,)
        The rate used at every step.

    Hint: ~9 lines.
    """
    ### BEGIN SOLUTION
    n = len(y)
    T = n * epochs
    w = np.asarray(w0, dtype=float).copy()
    lrs = np.empty(T)
    for t in range(T):
        i = t % n
        lrs[t] = schedule(t / T)
        # w <- w - eta_t (x_i . w - y_i) x_i
        w = w - lrs[t] * (X[i] @ w - y[i]) * X[i]
    return w, lrs
    ### END SOLUTION

# %%
check("03.sgd_with_schedule", sgd_with_schedule)

# %% [markdown]
# ## Try it
#
# (Fails until your function works.) A constant rate against word2vec's decay, same start rate:

# %% tags=["raises-exception"]
w_star = least_squares_solution(X, y)
for name, sched in [("constant 0.05", constant(0.05)),
                    ("linear 0.05 -> 0.0005", linear_decay(0.05, 0.0005))]:
    w, lrs = sgd_with_schedule(np.zeros(2), X, y, sched, epochs=5)
    print(f"{name:22s} last rate {lrs[-1]:.4f}, distance to w* {np.linalg.norm(w - w_star):.5f}")

# %% [markdown]
# **Try this:** gensim updates alpha only once per job of 10,000 words. Make a schedule that
# holds its value for blocks of 100 steps (hint: round $t$ down before dividing by $T$) and
# compare the final distance.
