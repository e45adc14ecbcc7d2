"""Input checks, one policy for the whole package.

- a value of the wrong *kind* (a string where a number belongs, a float where an integer belongs,
  a plain string where a list of tokens belongs) raises ``TypeError``;
- a value of the right kind but a wrong *value* (a negative window, a learning rate of 0, an empty
  corpus) raises ``ValueError``.

Every message names the argument, says what was expected and shows what was given, e.g.
``expected window to be an integer >= 1, got window=0``. Each check is one line at the call site.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from types import GeneratorType

import numpy as np


def check_int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int`` in ``[low, high]`` (either bound may be None)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"expected {name} to be an integer{_range(low, high)}, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"expected {name} to be an integer{_range(low, high)}, "
                         f"got {name}={value}")
    return int(value)


def check_float(name: str, value, low: float | None = None, *, strict: bool = False,
                high: float | None = None) -> float:
    """``value`` as a finite ``float`` >= ``low`` (> ``low`` if ``strict``) and <= ``high``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"expected {name} to be a number, got {value!r}")
    value = float(value)
    too_low = low is not None and (value < low or (strict and value == low))
    too_high = high is not None and value > high
    if not np.isfinite(value) or too_low or too_high:
        bounds = []
        if low is not None:
            bounds.append(f"{'>' if strict else '>='} {low:g}")
        if high is not None:
            bounds.append(f"<= {high:g}")
        expected = "a finite number" + (" " + " and ".join(bounds) if bounds else "")
        raise ValueError(f"expected {name} to be {expected}, got {name}={value}")
    return value


def check_flag(name: str, value) -> int:
    """gensim's 0/1 switches (``sg``, ``hs``, ``cbow_mean``): 0, 1, False or True -> int."""
    if not isinstance(value, numbers.Integral):
        raise TypeError(f"expected {name} to be 0 or 1, got {value!r}")
    if value not in (0, 1):
        raise ValueError(f"expected {name} to be 0 or 1, got {name}={value}")
    return int(value)


def check_choice(name: str, value, choices) -> str:
    """One of ``choices`` (ValueError otherwise; TypeError if not even a string)."""
    if not isinstance(value, str):
        raise TypeError(f"expected {name} to be one of {tuple(choices)}, got {value!r}")
    if value not in choices:
        raise ValueError(f"expected {name} to be one of {tuple(choices)}, got {name}={value!r}")
    return value


def check_corpus(corpus, name: str = "sentences", passes: int = 1):
    """A corpus is an iterable of sentences, each a list of str tokens.

    Raises TypeError for None, a plain string, a non-iterable, and -- when ``passes > 1`` -- a
    generator, which can be iterated only once (gensim raises the same). Returns ``corpus``.
    """
    if corpus is None:
        raise TypeError(f"expected {name} to be an iterable of lists of str tokens, got None")
    if isinstance(corpus, (str, bytes)):
        raise TypeError(
            f"expected {name} to be an iterable of lists of str tokens, got a plain string; "
            "tokenize it first, e.g. [w2v_edu.text.tokenize(line) for line in lines]"
        )
    if not isinstance(corpus, Iterable):
        raise TypeError(f"expected {name} to be an iterable of lists of str tokens, "
                        f"got {type(corpus).__name__}")
    if passes > 1 and isinstance(corpus, GeneratorType):
        raise TypeError(
            f"expected {name} to be re-iterable ({passes} passes are needed), got a generator, "
            "which can be iterated only once; pass a list, or a class whose __iter__ yields "
            "the sentences"
        )
    return corpus


def check_sentence(sentence, index: int):
    """Sentence ``index`` of a corpus: a list (or tuple) of tokens, not a plain string."""
    if isinstance(sentence, (str, bytes)):
        raise TypeError(
            f"expected sentence {index} to be a list of str tokens, got a plain string "
            f"({str(sentence)[:40]!r}); split it into tokens first"
        )
    if not isinstance(sentence, Iterable):
        raise TypeError(f"expected sentence {index} to be a list of str tokens, "
                        f"got {type(sentence).__name__}")
    return sentence


def _range(low, high) -> str:
    if low is not None and high is not None:
        return f" in {low}..{high}"
    if low is not None:
        return f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""
