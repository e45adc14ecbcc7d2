"""Set 10 - CBOW (lesson 10).

Context of centre i with window b: positions max(0, i-b)..min(n-1, i+b) of the sentence, i left
out, in window order (a word twice in the window is there twice).
h = mean of the m context rows C;  J = -log sigma(u.h) - sum_k log sigma(-N_k.h);
dJ/dC_j = dJ/dh / m (the same row for every j),  dJ/du = (sigma(u.h) - 1) h,
dJ/dN_k = sigma(N_k.h) h.  gensim's update: work = sum_n g_n u_n (u_n before their update),
u_n += g_n h, then EVERY context position gets syn0[w_j] += work (m times the gradient step).
"""

from __future__ import annotations

import numpy as np

from w2v_edu.objectives import cbow_negative_sampling_loss_and_grad
from w2v_edu.per_pair_engine import centre_update

from ..core import Case, CaseFailed, as_array, call, exercise, expect_close, expect_true

CONTEXTS = ("w2v_edu.training_corpus.Job",)
CBOW_LOSS = ("w2v_edu.objectives.cbow_negative_sampling_loss_and_grad",
             "w2v_edu.objectives.cbow_negative_sampling_loss_and_grad_batch")
CBOW_UPDATE = ("w2v_edu.per_pair_engine.centre_update",
               "w2v_edu.minibatch_engine.cbow_batch_update")


def _sig(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def _scalar(got):
    return np.asarray(got, dtype=float).reshape(()) if np.size(got) == 1 else got


# --------------------------------------------------------------------------------------------
# 10.cbow_context
# --------------------------------------------------------------------------------------------
def _context(ids, i, b, *, upper=1, include_centre=False, clip=True):
    n = len(ids)
    out = []
    for j in range(i - b, i + b + upper):
        if (j == i and not include_centre) or (clip and not 0 <= j < n):
            continue
        out.append(ids[j % n])
    return np.array(out, dtype=float)


@exercise("10.cbow_context", "the context words of one centre position", twins=CONTEXTS)
def _context_cases():
    def check_context(f, ids, i, b, what):
        want = _context(ids, i, b)
        mistakes = {
            "the centre word itself is in its context: leave out position i":
                _context(ids, i, b, include_centre=True),
            "an exclusive upper bound: the window reaches up to position i + b inclusive "
            "(slice ids[i + 1 : i + b + 1])": _context(ids, i, b, upper=0),
            "positions before the sentence: a negative index counts from the END in Python; "
            "clip the window at 0 (max(0, i - b))": _context(ids, i, b, clip=False),
            "the left part is empty: ids[i - b : i] with i - b < 0 is a slice from the END; "
            "start it at max(0, i - b)": np.concatenate(
                [ids[i - b:i], ids[i + 1:i + b + 1]]).astype(float),
            "a word twice in the window counts twice: keep every position (no np.unique or "
            "set)": np.unique(want),
        }
        got = as_array(call(f, ids, i, b), "the context")
        expect_close(got, want, what, atol=0, rtol=0, mistakes=mistakes)

    def middle(n, b):
        def fn(f, rng):
            ids = rng.integers(0, 6, size=n)  # a small vocabulary: words repeat
            ids[n // 2 - 1] = ids[n // 2 + 1]  # one word twice in the middle window
            check_context(f, ids, n // 2, b, f"the context of position {n // 2} (window {b})")
        return fn

    def near_start(f, rng):
        ids = rng.choice(40, size=9, replace=False)
        i = int(rng.integers(0, 2))
        check_context(f, ids, i, 3, f"the context of position {i} (window 3): the window "
                                    "starts before the sentence")

    def near_end(f, rng):
        ids = rng.choice(40, size=7, replace=False)
        check_context(f, ids, 5, 4, "the context of position 5 of 7 (window 4): the window "
                                    "ends after the sentence")

    return [Case("middle of a sentence, a word twice", middle(11, 2)),
            Case("window 3, start of a sentence", near_start),
            Case("window 4, end of a sentence", near_end),
            Case("a long window", middle(15, 6))]


# --------------------------------------------------------------------------------------------
# 10.cbow_loss_and_grad
# --------------------------------------------------------------------------------------------
@exercise("10.cbow_loss_and_grad", "the CBOW negative-sampling loss and its gradients",
          twins=CBOW_LOSS)
def _loss_cases():
    def case(m, d, k, scale=1.0):
        def fn(f, rng):
            C = rng.normal(size=(m, d)) * scale
            u, N = rng.normal(size=d) * scale, rng.normal(size=(k, d)) * scale
            loss, dC, du, dN = cbow_negative_sampling_loss_and_grad(C, u, N, cbow_mean=1)
            # the same quantities for the SUM of the context rows (h not divided by m)
            loss_s, dC_s, du_s, dN_s = cbow_negative_sampling_loss_and_grad(C, u, N, cbow_mean=0)
            got = call(f, C, u, N)
            if not isinstance(got, tuple) or len(got) != 4:
                raise CaseFailed("expected a tuple (loss, dC, du, dN)")
            expect_close(_scalar(got[0]), loss, "the loss", mistakes={
                "h is the MEAN of the context rows: divide their sum by m": loss_s,
                "a flipped sign: the loss is MINUS the log-likelihood": -loss,
            })
            dh = dC[0] * m  # dJ/dh
            expect_close(got[1], dC, "dC", mistakes={
                "dC is dJ/dh divided by m (h is the mean of the m rows); this is dJ/dh itself "
                "- gensim's update, not the gradient": np.tile(dh, (m, 1)),
                "divided by m twice: h is already the mean, so dJ/dC_j = dJ/dh / m, once":
                    dC / m,
                "dC has one row per context word, shape (m, d): every row is dJ/dh / m":
                    dC[0],
                "h is the MEAN of the context rows: divide their sum by m": dC_s / m,
                "a flipped sign in dC": -dC,
            })
            expect_close(got[2], du, "du", mistakes={
                "du = (sigma(u . h) - 1) h with h the MEAN of the context rows": du_s,
                "a flipped sign: dJ/du = (sigma(u . h) - 1) h": -du,
            })
            expect_close(got[3], dN, "dN", mistakes={
                "dN_k = sigma(N_k . h) h with h the MEAN of the context rows": dN_s,
                "a flipped sign: dJ/dN_k = sigma(N_k . h) h": -dN,
                "dN_k uses sigma(-N_k . h); the derivative of -log sigma(-x) is sigma(x)":
                    np.outer(1 - _sig(N @ C.mean(axis=0)), C.mean(axis=0)),
            })
        return fn

    return [Case("m=4 context words, d=5, k=3", case(4, 5, 3)),
            Case("m=10, d=20, k=5", case(10, 20, 5)),
            Case("m=2, k=1", case(2, 6, 1)),
            Case("large scores (no overflow)", case(3, 5, 4, 20.0))]


# --------------------------------------------------------------------------------------------
# 10.cbow_update
# --------------------------------------------------------------------------------------------
def _ref_update(syn0, syn1neg, context, centre, negatives, alpha, *, rule="gensim",
                sign=1.0):
    targets = np.concatenate([[centre], negatives]).astype(np.int64)
    labels = np.zeros(targets.shape[0])
    labels[0] = 1.0
    centre_update(syn0, syn1neg, np.asarray(context, dtype=np.int64), targets, labels,
                  sign * alpha, cbow_mean=1, max_exp=None, cbow_update=rule)


def _variant(syn0, syn1neg, context, centre, negatives, alpha, *, late=False, once=False,
             to_centre=False, summed=False):
    """gensim's update written out, with one typical mistake switched on."""
    context = np.asarray(context)
    neu1 = syn0[context].sum(axis=0) / (1 if summed else len(context))
    work = np.zeros_like(neu1)
    for target, label in [(centre, 1.0)] + [(int(t), 0.0) for t in negatives]:
        g = (label - _sig(neu1 @ syn1neg[target])) * alpha
        if late:
            syn1neg[target] += g * neu1
            work += g * syn1neg[target]
        else:
            work += g * syn1neg[target]
            syn1neg[target] += g * neu1
    if to_centre:
        syn0[centre] += work
    elif once:
        syn0[np.unique(context)] += work
    else:
        np.add.at(syn0, context, work)


@exercise("10.cbow_update", "one CBOW update in gensim's order (gensim's rule)",
          twins=CBOW_UPDATE)
def _update_cases():
    def case(V, d, m, k, alpha, repeat):
        def fn(f, rng):
            syn0 = rng.uniform(-0.5, 0.5, size=(V, d))
            syn1neg = rng.normal(scale=0.3, size=(V, d))
            words = rng.permutation(V)
            centre = int(words[0])
            context = words[1:m + 1 - int(repeat)].astype(np.int64)
            if repeat:  # one word fills two positions of the window
                context = np.insert(context, int(rng.integers(0, len(context))), context[0])
            negatives = words[m + 1:m + 1 + k].astype(np.int64)

            def after(update, **kw):
                a0, a1 = syn0.copy(), syn1neg.copy()
                update(a0, a1, context, centre, negatives, alpha, **kw)
                return a0, a1

            want0, want1 = after(_ref_update)
            exact0, _ = after(_ref_update, rule="exact_gradient")
            flip0, flip1 = after(_ref_update, sign=-1.0)
            late0, late1 = after(_variant, late=True)
            once0, _ = after(_variant, once=True)
            centre0, _ = after(_variant, to_centre=True)
            sum0, sum1 = after(_variant, summed=True)

            a0, a1 = syn0.copy(), syn1neg.copy()
            call(f, a0, a1, context.copy(), centre, negatives.copy(), alpha, copy=False)
            expect_true(not (np.array_equal(a0, syn0) and np.array_equal(a1, syn1neg)),
                        "nothing changed: update syn0 and syn1neg IN PLACE (syn0[w] += ...), do "
                        "not rebind them to new arrays")
            expect_close(a1, want1, "syn1neg after the update", mistakes={
                "a flipped sign: g = (label - sigma(f)) * alpha": flip1,
                "h (gensim's neu1) is the MEAN of the context rows, not their sum": sum1,
                "the output rows move by g * h: update syn1neg[t] AFTER adding g * syn1neg[t] "
                "to work": late1,
            })
            expect_close(a0, want0, "syn0 after the update", mistakes={
                "the update went to the CENTRE word's row: gensim adds work to every CONTEXT "
                "word's row of syn0, never to the centre word's": centre0,
                "work was divided by m: that is the exact gradient of the mean; gensim's rule "
                "adds the whole work to every context row (divide only with cbow_mean=0)":
                    exact0,
                "a word twice in the window gets work twice: syn0[context] += work adds it "
                "once per DISTINCT word; use np.add.at(syn0, context, work) or a loop": once0,
                "a flipped sign: g = (label - sigma(f)) * alpha": flip0,
                "`work` must use each output row BEFORE it is updated": late0,
                "h (gensim's neu1) is the MEAN of the context rows, not their sum": sum0,
            })
        return fn

    return [Case("V=12, m=4, k=3", case(12, 4, 4, 3, 0.1, repeat=False)),
            Case("a word twice in the window", case(15, 5, 5, 2, 0.2, repeat=True)),
            Case("V=40, d=10, m=8, k=5", case(40, 10, 8, 5, 0.05, repeat=True)),
            Case("one context word, alpha=0.5", case(8, 3, 1, 2, 0.5, repeat=False))]
