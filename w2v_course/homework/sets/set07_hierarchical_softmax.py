"""Set 07 - hierarchical softmax (lesson 07).

Path of the centre word: inner-node vectors P (L, d) and codes c (L,). Code 0 is the branch taken
with probability sigma(P_l . v) (gensim's convention), so
p(w | v) = prod_l sigma((1 - 2 c_l) P_l . v),  J = -sum_l log sigma((1 - 2 c_l) P_l . v).
"""

from __future__ import annotations

import numpy as np

from w2v_edu.huffman import build_huffman_tree
from w2v_edu.objectives import hierarchical_softmax_loss_and_grad

from ..core import Case, CaseFailed, call, exercise, expect_close, expect_true

HS = ("w2v_edu.objectives.hierarchical_softmax_loss_and_grad",
      "w2v_edu.objectives.hierarchical_softmax_loss_and_grad_batch")


def _sig(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def _path(rng, L, d, scale=1.0):
    return (rng.normal(size=d) * scale, rng.normal(size=(L, d)) * scale,
            rng.integers(0, 2, size=L).astype(np.uint8))


def _prob(v, P, c):
    return np.prod(_sig((1.0 - 2.0 * c) * (P @ v)))


@exercise("07.path_probability", "the probability of a word: the product along its path",
          twins=HS)
def _prob_cases():
    def case(L, d):
        def fn(f, rng):
            v, P, c = _path(rng, L, d)
            s = 1.0 - 2.0 * c
            want = _prob(v, P, c)
            got = call(f, v, P, c)
            if got is not None and np.size(got) == 1:
                got = np.asarray(got, dtype=float).reshape(())
            expect_close(got, want,
                         "the path probability", mistakes={
                             "the code convention is reversed: code 0 goes with sigma(+P_l.v) "
                             "(gensim), code 1 with sigma(-P_l.v)": np.prod(_sig(-s * (P @ v))),
                             "the codes are ignored: each node contributes sigma((1 - 2c) P.v)":
                                 np.prod(_sig(P @ v)),
                             "codes is uint8, so 1 - 2 * codes wraps around to 255 for code 1: "
                             "compute with floats, 1.0 - 2.0 * codes":
                                 np.prod(_sig((1 - 2 * c).astype(float) * (P @ v))),
                             "this is the sum over the path; the probability is the PRODUCT":
                                 np.sum(_sig(s * (P @ v))),
                         })
        return fn

    def sums_to_one(f, rng):
        counts = np.sort(rng.integers(1, 200, size=12))[::-1]
        tree = build_huffman_tree(counts)
        d = 4
        syn1 = rng.normal(size=(len(counts) - 1, d))
        v = rng.normal(size=d)
        probs, want = [], []
        for w in range(len(counts)):
            P, c = syn1[tree.points[w]], tree.codes[w].copy()
            got = call(f, v, P, c)
            arr = np.asarray(got, dtype=float) if got is not None else np.zeros(0)
            if arr.size != 1:
                raise CaseFailed(f"expected one number per word, got shape {arr.shape}")
            probs.append(float(arr.reshape(())))
            want.append(_prob(v, P, c))
        total = float(np.sum(probs))
        expect_true(np.isfinite(total) and abs(total - 1) < 1e-9,
                    f"over the 12 words of a real Huffman tree the probabilities sum to "
                    f"{total:.6g}, expected 1: at every node the two branches must get "
                    "sigma(x) and sigma(-x)")
        expect_close(np.array(probs), np.array(want), "the probabilities of the 12 words")

    return [Case("path of 3 nodes", case(3, 4)), Case("path of 10 nodes", case(10, 6)),
            Case("sums to 1 over a whole tree", sums_to_one)]


@exercise("07.hierarchical_softmax_loss_and_grad", "the path loss and its gradients", twins=HS)
def _hs_cases():
    def case(L, d, scale=1.0):
        def fn(f, rng):
            v, P, c = _path(rng, L, d, scale)
            loss, dv, dP = hierarchical_softmax_loss_and_grad(v, P, c)
            rloss, rdv, rdP = hierarchical_softmax_loss_and_grad(v, P, 1 - c)  # reversed codes
            got = call(f, v, P, c)
            if not isinstance(got, tuple) or len(got) != 3:
                raise CaseFailed("expected a tuple (loss, dv, dP)")
            g0 = np.asarray(got[0], dtype=float)
            expect_close(g0.reshape(()) if g0.size == 1 else g0, loss, "the loss", mistakes={
                "the code convention is reversed: code 0 is the branch with probability "
                "sigma(P_l . v), so the sign is (1 - 2c)": rloss,
                "a flipped sign: J = -sum log sigma(...)": -loss,
            })
            expect_close(got[1], dv, "dv", mistakes={
                "the code convention is reversed in dv: dJ/d(P_l.v) = sigma(P_l.v) - (1 - c_l)":
                    rdv,
                "a flipped sign in dv": -dv,
                "dv and dP are swapped": dP,
            })
            expect_close(got[2], dP, "dP", mistakes={
                "the code convention is reversed in dP": rdP,
                "a flipped sign in dP": -dP,
                "dP has one row per node, shape (L, d); you returned its transpose": dP.T,
                "dv and dP are swapped": dv,
            })
        return fn

    return [Case("path of 4 nodes, d=3", case(4, 3)),
            Case("path of 12 nodes, d=8", case(12, 8)),
            Case("large scores (no overflow)", case(5, 4, scale=25.0))]
