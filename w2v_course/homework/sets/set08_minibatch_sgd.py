"""Set 08 - the mini-batch SGD update with scatter-add (lesson 08).

B pairs at once, all gradients at the parameters from the start of the batch; updates of rows
that occur several times in the batch are summed (np.add.at), never overwritten.
"""

from __future__ import annotations

import numpy as np

from w2v_edu.objectives import negative_sampling_loss_and_grad_batch

from ..core import Case, CaseFailed, call, exercise, expect_close, expect_true

SCATTER = ("w2v_edu.scatter.scatter_add", "w2v_edu.scatter.scatter_add_numpy",
           "w2v_edu.scatter.scatter_add_unchecked")


@exercise("08.scatter_add", "add rows into a matrix, summing repeated indices", twins=SCATTER)
def _scatter_cases():
    def case(V, d, m, dup):
        def fn(f, rng):
            M = rng.normal(size=(V, d))
            idx = rng.integers(0, V, size=m) if dup else rng.permutation(V)[:m]
            rows = rng.normal(size=(m, d))
            want = M.copy()
            np.add.at(want, idx, rows)
            lost = M.copy()
            lost[idx] += rows  # buffered: the last duplicate wins
            put = M.copy()
            put[idx] = rows
            got = M.copy()
            ret = call(f, got, idx.copy(), rows.copy(), copy=False)
            if ret is not None and np.array_equal(got, M):
                raise CaseFailed("the matrix was not changed: scatter_add must update its first "
                                 "argument IN PLACE (and may return None)")
            expect_close(got, want, "the matrix after scatter_add", mistakes={
                "repeated indices were added only once: `M[idx] += rows` buffers, so the last "
                "duplicate wins; use np.add.at(M, idx, rows), which sums them": lost,
                "the rows were assigned (M[idx] = rows), not added": put,
                "subtracted instead of added": M - (want - M),
            })
        return fn

    return [Case("distinct rows", case(10, 3, 6, False)),
            Case("repeated rows are summed", case(6, 4, 20, True)),
            Case("one row hit 50 times", case(3, 2, 50, True))]


def _batch(rng, V, d, B, k):
    syn0 = rng.uniform(-0.5, 0.5, size=(V, d))
    syn1neg = rng.normal(scale=0.3, size=(V, d))
    contexts = rng.integers(0, V, size=B)
    centres = rng.integers(0, V, size=B)
    negatives = rng.integers(0, V, size=(B, k))
    return syn0, syn1neg, contexts, centres, negatives


def _ref(syn0, syn1neg, contexts, centres, negatives, alpha, *, scale=1.0, buffered=False,
         swap=False):
    losses, dv, du, dN = negative_sampling_loss_and_grad_batch(
        syn0[contexts], syn1neg[centres], syn1neg[negatives])
    if swap:
        dv, du = du, dv
    s0, s1 = syn0.copy(), syn1neg.copy()
    out_idx = np.concatenate([centres, negatives.ravel()])
    out_rows = np.concatenate([du, dN.reshape(-1, syn0.shape[1])])
    if buffered:
        s0[contexts] += -alpha * scale * dv
        s1[out_idx] += -alpha * scale * out_rows
    else:
        # theta <- theta - alpha * dJ/dtheta, summed over the batch (np.add.at)
        np.add.at(s0, contexts, -alpha * scale * dv)
        np.add.at(s1, out_idx, -alpha * scale * out_rows)
    return losses, s0, s1


@exercise("08.minibatch_sgns_update", "one vectorised mini-batch SGD update (negative sampling)",
          twins=SCATTER + ("w2v_edu.minibatch_engine.batch_update",))
def _update_cases():
    def case(V, d, B, k, alpha):
        def fn(f, rng):
            syn0, syn1neg, ctx, cen, neg = _batch(rng, V, d, B, k)
            losses, w0, w1 = _ref(syn0, syn1neg, ctx, cen, neg, alpha)
            _, b0, b1 = _ref(syn0, syn1neg, ctx, cen, neg, alpha, buffered=True)
            _, m0, m1 = _ref(syn0, syn1neg, ctx, cen, neg, alpha, scale=1.0 / B)
            _, f0, f1 = _ref(syn0, syn1neg, ctx, cen, neg, -alpha)
            _, s0, s1 = _ref(syn0, syn1neg, ctx, cen, neg, alpha, swap=True)
            a0, a1 = syn0.copy(), syn1neg.copy()
            got = call(f, a0, a1, ctx.copy(), cen.copy(), neg.copy(), alpha, copy=False)
            expect_true(not (np.array_equal(a0, syn0) and np.array_equal(a1, syn1neg)),
                        "nothing changed: update syn0 and syn1neg IN PLACE with your "
                        "scatter_add (do not rebind them to new arrays)")
            if got is None:
                raise CaseFailed("expected the per-pair losses, shape (B,), to be returned")
            expect_close(got, losses, "the per-pair losses", mistakes={
                "return one loss per pair (B,), not their mean": None})
            hints0 = {
                "repeated context words were updated only once: `syn0[idx] += ...` buffers; "
                "use scatter_add / np.add.at": b0,
                "a factor 1/B: gensim's SGD gives every pair a full step of alpha (sum the "
                "updates, do not average them)": m0,
                "a flipped sign: theta <- theta - alpha * gradient": f0,
                "dv and du are swapped: syn0[contexts] gets -alpha * dv": s0,
            }
            expect_close(a0, w0, "syn0 after the update", rtol=1e-7, atol=1e-10,
                         mistakes=hints0)
            expect_close(a1, w1, "syn1neg after the update", rtol=1e-7, atol=1e-10, mistakes={
                "repeated centre/noise words were updated only once: use scatter_add for "
                "syn1neg too": b1,
                "a factor 1/B: sum the updates, do not average them": m1,
                "a flipped sign: theta <- theta - alpha * gradient": f1,
                "dv and du are swapped: syn1neg[centres] gets -alpha * du": s1,
            })
        return fn

    def old_params(f, rng):
        # a word that is context in one pair and target in another: all gradients must be
        # taken at the start-of-batch parameters
        syn0, syn1neg, ctx, cen, neg = _batch(rng, 5, 3, 12, 2)
        _, w0, w1 = _ref(syn0, syn1neg, ctx, cen, neg, 0.5)
        a0, a1 = syn0.copy(), syn1neg.copy()
        call(f, a0, a1, ctx.copy(), cen.copy(), neg.copy(), 0.5, copy=False)
        expect_close(a1, w1, "syn1neg (tiny vocabulary, many repeats)", rtol=1e-7, atol=1e-10,
                     mistakes={})
        expect_close(a0, w0, "syn0 (tiny vocabulary, many repeats)", rtol=1e-7, atol=1e-10,
                     mistakes={})

    return [Case("B=8 pairs, k=3", case(50, 6, 8, 3, 0.025)),
            Case("B=64 pairs, small vocabulary (many repeats)", case(12, 5, 64, 5, 0.1)),
            Case("everything from the start-of-batch parameters", old_params)]
