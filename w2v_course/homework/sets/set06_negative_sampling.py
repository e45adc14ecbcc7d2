"""Set 06 - negative sampling (lesson 06).

J = -log sigma(u.v) - sum_k log sigma(-N_k.v);
dJ/dv = (sigma(u.v) - 1) u + sum_k sigma(N_k.v) N_k,  dJ/du = (sigma(u.v) - 1) v,
dJ/dN_k = sigma(N_k.v) v.  gensim's per-pair update with g = (label - sigma(f)) * alpha.
"""

from __future__ import annotations

import numpy as np

from w2v_edu.objectives import negative_sampling_loss_and_grad

from ..core import Case, CaseFailed, call, exercise, expect_close, expect_true

NS = ("w2v_edu.objectives.negative_sampling_loss_and_grad",
      "w2v_edu.objectives.negative_sampling_loss_and_grad_batch")
PAIR_UPDATE = ("w2v_edu.per_pair_engine.pair_update",)


def _sig(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def _scalar(got):
    return np.asarray(got, dtype=float).reshape(()) if np.size(got) == 1 else got


@exercise("06.negative_sampling_loss_and_grad", "the negative-sampling loss and its gradients",
          twins=NS)
def _ns_cases():
    def case(d, k, scale=1.0):
        def fn(f, rng):
            v, u = rng.normal(size=d) * scale, rng.normal(size=d) * scale
            N = rng.normal(size=(k, d)) * scale
            loss, dv, du, dN = negative_sampling_loss_and_grad(v, u, N)
            sp, sn = _sig(u @ v), _sig(N @ v)
            got = call(f, v, u, N)
            if not isinstance(got, tuple) or len(got) != 4:
                raise CaseFailed("expected a tuple (loss, dv, du, dN)")
            pos_only = -np.log(sp)
            expect_close(_scalar(got[0]), loss, "the loss", mistakes={
                "the negative terms are missing: add -sum_k log sigma(-N_k . v)": pos_only,
                "sign of the noise scores: the negatives use sigma(-N_k . v)":
                    pos_only - np.sum(np.log(sn)),
                "a flipped sign: the loss is MINUS the log-likelihood": -loss,
            })
            expect_close(got[1], dv, "dv", mistakes={
                "dv and du are swapped: dJ/dv sums over the positive AND the noise words": du,
                "the noise words' contribution to dv is missing: + sum_k sigma(N_k . v) N_k":
                    (sp - 1) * u,
                "a flipped sign in dv": -dv,
            })
            expect_close(got[2], du, "du", mistakes={
                "dv and du are swapped: dJ/du = (sigma(u . v) - 1) v": dv,
                "a flipped sign: dJ/du = (sigma(u . v) - 1) v": -du,
            })
            expect_close(got[3], dN, "dN", mistakes={
                "a flipped sign: dJ/dN_k = sigma(N_k . v) v": -dN,
                "dN_k uses sigma(-N_k . v); the derivative of -log sigma(-x) is sigma(x)":
                    np.outer(1 - sn, v),
                "dN has shape (k, d): one row per noise word (np.outer(sigma(N v), v))":
                    np.outer(v, sn),
            })
        return fn

    return [Case("d=4, k=3", case(4, 3)), Case("d=20, k=5", case(20, 5)),
            Case("k=1", case(6, 1)), Case("large scores (no overflow)", case(5, 4, 20.0))]


def _ref_update(syn0, syn1neg, context, centre, negatives, alpha):
    """gensim's order: work buffer, output rows updated at once, input row at the end."""
    l1 = syn0[context]
    work = np.zeros_like(l1)
    for target, label in [(centre, 1.0)] + [(int(t), 0.0) for t in negatives]:
        f = l1 @ syn1neg[target]
        g = (label - _sig(f)) * alpha
        work += g * syn1neg[target]
        syn1neg[target] += g * l1
    syn0[context] += work


@exercise("06.sgns_pair_update", "one skip-gram negative-sampling update in gensim's order",
          twins=PAIR_UPDATE)
def _update_cases():
    def case(V, d, k, alpha):
        def fn(f, rng):
            syn0 = rng.uniform(-0.5, 0.5, size=(V, d))
            syn1neg = rng.normal(scale=0.3, size=(V, d))
            context, centre = (int(i) for i in rng.choice(V, size=2, replace=False))
            negatives = rng.choice(np.setdiff1d(np.arange(V), [centre]), size=k, replace=False)
            want0, want1 = syn0.copy(), syn1neg.copy()
            _ref_update(want0, want1, context, centre, negatives, alpha)
            # typical mistakes
            swap0, swap1 = syn0.copy(), syn1neg.copy()
            _ref_update(swap0, swap1, centre, context, negatives, alpha)  # roles swapped
            flip0, flip1 = syn0.copy(), syn1neg.copy()
            _ref_update(flip0, flip1, context, centre, negatives, -alpha)
            late0, late1 = syn0.copy(), syn1neg.copy()  # work from the UPDATED output rows
            l1 = late0[context]
            work = np.zeros(d)
            for target, label in [(centre, 1.0)] + [(int(t), 0.0) for t in negatives]:
                g = (label - _sig(l1 @ late1[target])) * alpha
                late1[target] += g * l1
                work += g * late1[target]
            late0[context] += work
            pos0, pos1 = syn0.copy(), syn1neg.copy()
            _ref_update(pos0, pos1, context, centre, [], alpha)

            a0, a1 = syn0.copy(), syn1neg.copy()
            call(f, a0, a1, context, centre, negatives.copy(), alpha, copy=False)
            expect_true(not (np.array_equal(a0, syn0) and np.array_equal(a1, syn1neg)),
                        "nothing changed: update syn0 and syn1neg IN PLACE (syn0[i] += ...), "
                        "do not rebind them to new arrays")
            expect_close(a1, want1, "syn1neg after the update", mistakes={
                "the roles are swapped: the CONTEXT word's syn0 row is the input, the CENTRE "
                "word is the positive target (syn1neg row)": swap1,
                "a flipped sign: g = (label - sigma(f)) * alpha": flip1,
                "the noise words were not updated: loop over the centre (label 1) AND every "
                "negative (label 0)": pos1,
            })
            expect_close(a0, want0, "syn0 after the update", mistakes={
                "the roles are swapped: update syn0[context], not syn0[centre]": swap0,
                "a flipped sign: g = (label - sigma(f)) * alpha": flip0,
                "`work` must use each output row BEFORE it is updated: add g * syn1neg[t] to "
                "work first, then update syn1neg[t]": late0,
                "the noise words' terms are missing from work": pos0,
            })
        return fn

    return [Case("V=10, d=4, k=3", case(10, 4, 3, 0.1)),
            Case("V=30, d=8, k=5", case(30, 8, 5, 0.025)),
            Case("k=1, alpha=0.5", case(8, 5, 1, 0.5))]
