# Master source of homework set 04 (lesson 04: from text to training pairs).
# Edit this file, then run `python -m w2v_course.homework build`. Format: homework/README.md.

# %% [markdown]
# # Homework 04 - From text to training pairs
#
# Goes with lesson `notebooks/04_text_to_pairs.ipynb`. You write three steps of gensim's
# pipeline between the vocabulary and SGD: the subsampling keep probability, the reduced
# windows, and the (context, centre) pairs. Run each `check(...)` cell; keep the names.

# %%
import numpy as np

from w2v_course.homework import check

# a tiny encoded sentence (word ids) and made-up counts for a vocabulary of 6 words
sentence = np.array([0, 3, 1, 0, 5, 2, 4])
counts = np.array([5000, 1200, 300, 80, 20, 5])

# %% [markdown]
# ## 1. Keep probability
#
# With the threshold $t = \text{sample} \cdot \sum_u c_u$ and the count $c_w$ of word $w$,
# gensim (and word2vec.c) keep each occurrence with probability
#
# $$p_w = \min\left(1,\ \left(\sqrt{\frac{c_w}{t}} + 1\right)\frac{t}{c_w}\right),$$
#
# not the paper's $1 - \sqrt{t / f_w}$.

# %%
def keep_probability(counts, sample=1e-3):
    """gensim's keep probability of every vocabulary word.

    Parameters
    ----------
    counts : ndarray of int, shape (V,)
        c_w, the count of every word.
    sample : float
        gensim's ``sample`` (> 0).

    Returns
    -------
    ndarray of float, shape (V,)
        p_w in (0, 1].

    Hint: ~3 lines.
    """
    ### BEGIN SOLUTION
    c = np.asarray(counts, dtype=float)
    t = sample * c.sum()
    return np.minimum(1.0, (np.sqrt(c / t) + 1.0) * t / c)
    ### END SOLUTION

# %%
check("04.keep_probability", keep_probability)

# %% [markdown]
# ## 2. Reduced windows
#
# For every centre position gensim draws $b$ uniformly from $0, \dots, \text{window}-1$ and uses
# the effective window $\text{window} - b$, uniform in $1, \dots, \text{window}$ **inclusive**.
# Careful: `rng.integers(low, high)` excludes `high`.

# %%
def reduced_windows(n, window, rng):
    """Effective window of each of ``n`` centre positions.

    Parameters
    ----------
    n : int
        Number of centre positions.
    window : int
        gensim's ``window`` (>= 1).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int, shape (n,)
        Values uniform in 1..window (both ends included).

    Hint: ~1 line.
    """
    ### BEGIN SOLUTION
    return window - rng.integers(0, window, size=n)
    ### END SOLUTION

# %%
check("04.reduced_windows", reduced_windows)

# %% [markdown]
# ## 3. The pairs
#
# Given the effective window $b_i$ of every centre position $i$, list the pairs
# $(w_j, w_i)$ for $|j - i| \le b_i$, $j \ne i$, $0 \le j < n$, in gensim's order: centre $i$
# ascending, then context $j$ ascending. The **context** word $w_j$ comes first: it is the
# input (its `syn0` row is updated); the centre word is the target.

# %%
def skipgram_pairs(ids, windows):
    """Skip-gram (context, centre) word-id pairs of one sentence.

    Parameters
    ----------
    ids : ndarray of int, shape (n,)
        The sentence as word ids (OOV and subsampled words already removed).
    windows : ndarray of int, shape (n,)
        Effective window b_i of every centre position.

    Returns
    -------
    context, centre : ndarray of int, shape (P,) each
        The pairs, centre ascending then context ascending.

    Hint: ~8 lines (two loops and two lists are fine).
    """
    ### BEGIN SOLUTION
    n = len(ids)
    context, centre = [], []
    for i in range(n):
        b = int(windows[i])
        for j in range(max(0, i - b), min(n, i + b + 1)):
            if j != i:
                context.append(ids[j])
                centre.append(ids[i])
    return np.array(context, dtype=np.int64), np.array(centre, dtype=np.int64)
    ### END SOLUTION

# %%
check("04.skipgram_pairs", skipgram_pairs)

# %% [markdown]
# ## Try it
#
# (Fails until your functions work.) Keep probabilities of the six words, then the pairs of the
# sentence with reduced windows.

# %% tags=["raises-exception"]
print("keep probabilities:", np.round(keep_probability(counts, sample=1e-2), 3))
rng = np.random.default_rng(0)
b = reduced_windows(len(sentence), window=2, rng=rng)
ctx, cen = skipgram_pairs(sentence, b)
print("windows:", b)
print("pairs (context -> centre):", list(zip(ctx.tolist(), cen.tolist(), strict=True)))

# %% [markdown]
# **Try this:** how many pairs does a sentence of $n$ words give on average with reduced windows
# of size `window`? Compare your count with $n \cdot (\text{window} + 1)$ for a long sentence.
