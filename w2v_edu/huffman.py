r"""The Huffman tree of hierarchical softmax: every word's path of inner nodes and its code.

Build: start with one leaf per word, weighted by its count; repeatedly take the two lightest
nodes out of a min-heap and make them the children of a new inner node whose weight is their
sum. The first node taken becomes the *left* child (code 0), the second the *right* child
(code 1). After :math:`V - 1` merges the last inner node is the root.

A word's ``points`` are the inner nodes on the way from the root down to it (root first,
numbered ``0 .. V-2`` in order of creation, so the root is ``V - 2``) and its ``codes`` are the
branches taken (0 = left, 1 = right). Frequent words sit near the root (short codes); the
expected code length :math:`\sum_w f_w\, L_w` is the smallest any prefix code can have.

To reproduce gensim's tree word for word we build the heap the way gensim 4.4 does
(``_build_heap``): the items are heapified in vocabulary-index order and compare by count
*only*, so Python's ``heapq`` decides ties. Ties change individual codes but never the
expected code length.
"""

import heapq
from dataclasses import dataclass, field

import numpy as np

from .subsampling import _check_counts


class _Node:
    """A heap entry that compares by count only (ties are left to heapq, as in gensim)."""

    __slots__ = ("count", "index")

    def __init__(self, count, index):
        self.count = count
        self.index = index

    def __lt__(self, other):
        return self.count < other.count


@dataclass
class HuffmanTree:
    """Huffman tree over a vocabulary of V words.

    Attributes
    ----------
    codes : list of numpy.ndarray of uint8
        ``codes[w]`` has shape (L_w,): branch taken at each inner node (0 left, 1 right).
    points : list of numpy.ndarray of int32
        ``points[w]`` has shape (L_w,): inner nodes from the root (``V-2``) down to word w;
        these are the rows of the output matrix ``syn1`` used for word w.
    code_lengths : numpy.ndarray of int64, shape (V,)
        :math:`L_w`.
    left, right : numpy.ndarray of int64, shape (V-1,)
        Children of inner node ``k``: a value ``< V`` is a word (leaf), ``>= V`` is inner
        node ``value - V``.
    node_counts : numpy.ndarray of int64, shape (V-1,)
        Total count below each inner node.
    """

    codes: list
    points: list
    code_lengths: np.ndarray
    left: np.ndarray
    right: np.ndarray
    node_counts: np.ndarray
    counts: np.ndarray = field(repr=False)

    @property
    def vocab_size(self):
        return len(self.codes)

    def expected_code_length(self):
        r""":math:`\sum_w c_w L_w / \sum_w c_w`: average number of inner nodes per target."""
        return float(np.dot(self.counts, self.code_lengths) / self.counts.sum())

    def padded(self):
        """Paths as rectangular arrays for batched hierarchical softmax.

        Returns
        -------
        points : numpy.ndarray of int32, shape (V, L_max)
        codes : numpy.ndarray of uint8, shape (V, L_max)
        mask : numpy.ndarray of bool, shape (V, L_max)
            True where the entry is part of the path; padding has point 0, code 0.
        """
        V = self.vocab_size
        L = int(self.code_lengths.max()) if V else 0
        points = np.zeros((V, L), dtype=np.int32)
        codes = np.zeros((V, L), dtype=np.uint8)
        mask = np.arange(L)[None, :] < self.code_lengths[:, None]
        for w in range(V):
            n = self.code_lengths[w]
            points[w, :n] = self.points[w]
            codes[w, :n] = self.codes[w]
        return points, codes, mask


def build_huffman_tree(counts):
    """Build the Huffman tree of a vocabulary, exactly as gensim 4.4 does.

    Parameters
    ----------
    counts : array_like of int, shape (V,)
        Word counts in vocabulary order (``Vocabulary.counts``).

    Returns
    -------
    HuffmanTree
        With V = 1 the single word gets an empty path.
    """
    counts = np.asarray(_check_counts(counts), dtype=np.int64)
    V = len(counts)
    heap = [_Node(int(c), i) for i, c in enumerate(counts)]
    heapq.heapify(heap)
    left = np.zeros(max(V - 1, 0), dtype=np.int64)
    right = np.zeros(max(V - 1, 0), dtype=np.int64)
    node_counts = np.zeros(max(V - 1, 0), dtype=np.int64)
    for k in range(V - 1):
        first = heapq.heappop(heap)
        second = heapq.heappop(heap)
        left[k], right[k] = first.index, second.index  # first popped = left = code 0
        node_counts[k] = first.count + second.count
        heapq.heappush(heap, _Node(first.count + second.count, V + k))

    codes = [np.zeros(0, dtype=np.uint8) for _ in range(V)]
    points = [np.zeros(0, dtype=np.int32) for _ in range(V)]
    if V > 1:
        # Walk down from the root, carrying the path so far.
        stack = [(V - 2, [], [])]
        while stack:
            k, code, point = stack.pop()
            point = point + [k]
            for child, bit in ((left[k], 0), (right[k], 1)):
                if child < V:
                    codes[child] = np.array(code + [bit], dtype=np.uint8)
                    points[child] = np.array(point, dtype=np.int32)
                else:
                    stack.append((int(child) - V, code + [bit], point))
    code_lengths = np.array([len(c) for c in codes], dtype=np.int64)
    return HuffmanTree(codes, points, code_lengths, left, right, node_counts, counts)
