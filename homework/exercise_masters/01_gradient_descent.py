# Master source of homework set 01 (lesson 01: gradient descent).
# Edit this file, then run `python -m w2v_course.homework build`; never edit the generated
# notebooks. Format: see homework/README.md.

# %% [markdown]
# # Homework 01 - Gradient descent
#
# Goes with lesson `notebooks/01_gradient_descent.ipynb`. You write four small functions:
# the least-squares loss, its gradient, one gradient-descent step and a whole run of batch
# gradient descent. After each function, run the `check(...)` cell: it prints one line per test
# case (PASS/FAIL, points) and, when something is wrong, a hint about the likely mistake.
#
# Replace each `raise NotImplementedError()` with your code. Keep the function names: the grader
# looks them up by name.
#
# **Notation** (as in the lesson): data $X \in \mathbb{R}^{n \times p}$ (one example per row
# $x_i$), targets $y \in \mathbb{R}^n$, parameters $w \in \mathbb{R}^p$.

# %%
import numpy as np

from w2v_course.homework import check
from w2v_edu.toy_problems import least_squares_solution, make_linear_regression

X, y, w_true = make_linear_regression(n_samples=200, n_features=2, seed=0)
print(X.shape, y.shape)

# %% [markdown]
# ## 1. The loss
#
# $$L(w) = \frac{1}{2n} \lVert Xw - y \rVert^2 = \frac{1}{2n} \sum_{i=1}^n (x_i^\top w - y_i)^2$$

# %%
def least_squares_loss(w, X, y):
    """Least-squares loss L(w) = 1/(2n) ||Xw - y||^2.

    Parameters
    ----------
    w : ndarray, shape (p,)
    X : ndarray, shape (n, p)
    y : ndarray, shape (n,)

    Returns
    -------
    float
        The loss, one number.

    Hint: ~2 lines (the residuals r = Xw - y, then r . r scaled).
    """
    ### BEGIN SOLUTION
    r = X @ w - y
    return float(r @ r) / (2 * len(y))
    ### END SOLUTION

# %%
check("01.least_squares_loss", least_squares_loss)

# %% [markdown]
# ## 2. The gradient
#
# $$\nabla L(w) = \frac{1}{n} X^\top (Xw - y)$$
#
# One entry per parameter, so shape $(p,)$. The $\tfrac12$ in the loss cancels the 2 from the
# square; the $\tfrac1n$ stays.

# %%
def least_squares_grad(w, X, y):
    """Gradient of the least-squares loss, 1/n X^T (Xw - y).

    Parameters
    ----------
    w : ndarray, shape (p,)
    X : ndarray, shape (n, p)
    y : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (p,)

    Hint: ~2 lines.
    """
    ### BEGIN SOLUTION
    r = X @ w - y
    return X.T @ r / len(y)
    ### END SOLUTION

# %%
check("01.least_squares_grad", least_squares_grad)

# %% [markdown]
# ## 3. One step
#
# $$w_{t+1} = w_t - \eta \, \nabla L(w_t)$$
#
# Return a *new* array; do not change `w` in place (the caller keeps the whole trajectory).

# %%
def gd_step(w, grad, lr):
    """One gradient-descent step w - eta * grad.

    Parameters
    ----------
    w : ndarray, shape (p,)
        Current parameters w_t (not modified).
    grad : ndarray, shape (p,)
        Gradient at w_t.
    lr : float
        Learning rate eta > 0.

    Returns
    -------
    ndarray, shape (p,)
        w_{t+1}.

    Hint: ~1 line.
    """
    ### BEGIN SOLUTION
    return w - lr * grad
    ### END SOLUTION

# %%
check("01.gd_step", gd_step)

# %% [markdown]
# ## 4. Batch gradient descent
#
# Start at $w_0$ and take `n_steps` steps with the full-data gradient. Return the whole
# trajectory: row 0 is $w_0$, row $t$ is $w_t$, so the shape is $(\text{n\_steps} + 1, p)$.
# Use your `least_squares_grad` and `gd_step`.

# %%
def batch_gd(w0, X, y, lr, n_steps):
    """Batch gradient descent on least squares.

    Parameters
    ----------
    w0 : ndarray, shape (p,)
        Starting point.
    X : ndarray, shape (n, p)
    y : ndarray, shape (n,)
    lr : float
        Learning rate eta.
    n_steps : int
        Number of steps T.

    Returns
    -------
    ndarray, shape (T + 1, p)
        w_0, w_1, ..., w_T.

    Hint: ~5 lines (a list of rows, a loop, np.array at the end).
    """
    ### BEGIN SOLUTION
    trajectory = [np.asarray(w0, dtype=float)]
    for _ in range(n_steps):
        w = trajectory[-1]
        trajectory.append(gd_step(w, least_squares_grad(w, X, y), lr))
    return np.array(trajectory)
    ### END SOLUTION

# %%
check("01.batch_gd", batch_gd)

# %% [markdown]
# ## Try it on the lesson's problem
#
# (This cell fails until your functions work.) After 500 steps with $\eta = 0.3$, batch GD should
# sit on the closed-form solution $w^* = \arg\min_w \lVert Xw - y \rVert^2$.

# %% tags=["raises-exception"]
W = batch_gd(np.zeros(2), X, y, lr=0.3, n_steps=500)
w_star = least_squares_solution(X, y)
print("last iterate:", W[-1], " closed form:", w_star)
print("distance:", np.linalg.norm(W[-1] - w_star))
print("loss at start / end:", least_squares_loss(W[0], X, y), least_squares_loss(W[-1], X, y))

# %% [markdown]
# **Try this:** run `batch_gd` with $\eta = 1.5$. What happens to the loss? Which learning rates
# still converge, and why does the largest one depend on $X$? (Lesson 03 comes back to this.)
