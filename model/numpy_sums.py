"""Sums compiled in numpy's order, so that compiled kernels give numpy's numbers to the last bit.

numpy adds a contiguous float64 run by ``pairwise_sum``: eight running sums over blocks of at
most 128 values, and past 128 values the sum of two halves cut at a multiple of 8. A sequential
loop rounds differently; the step's kernels (:mod:`cohesim.model.step_kernels`,
:mod:`cohesim.model.formation_kernels`) sum with these instead wherever the numpy code they
replace summed.

Each takes the run to sum as one array (a slice of a contiguous array is a contiguous view), not
an array, a start and a length: numba compiles a copy of a kernel for every constant among its
arguments (``Literal[int]``), and for the constants its type inference meets on the way, about a
second each on a machine's first run.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def block_sum(a):
    """The ``pairwise_sum`` of numpy for ``a``, at most 128 values: eight running sums."""
    n = len(a)
    if n < 8:
        res = -0.0
        for k in range(n):
            res += a[k]
        return res
    r0, r1, r2, r3 = a[0], a[1], a[2], a[3]
    r4, r5, r6, r7 = a[4], a[5], a[6], a[7]
    k = 8
    while k < n - (n % 8):
        r0 += a[k]
        r1 += a[k + 1]
        r2 += a[k + 2]
        r3 += a[k + 3]
        r4 += a[k + 4]
        r5 += a[k + 5]
        r6 += a[k + 6]
        r7 += a[k + 7]
        k += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while k < n:
        res += a[k]
        k += 1
    return res


@njit(cache=True)
def pairwise_sum(a):
    """The ``pairwise_sum`` of numpy: past 128 terms, the sum of two halves cut at a multiple of 8.

    Its recursion unrolled on a stack: numba's cache does not reload recursive functions.
    """
    if len(a) <= 128:
        return block_sum(a)
    starts = np.zeros(64, np.int64)
    sizes = np.empty(64, np.int64)
    stages = np.zeros(64, np.int64)
    values = np.empty(64)
    sizes[0] = len(a)
    top, held = 0, 0
    while top >= 0:
        start, size = starts[top], sizes[top]
        if size <= 128:
            values[held] = block_sum(a[start : start + size])
            held += 1
            top -= 1
            continue
        half = size // 2
        half -= half % 8
        if stages[top] == 2:  # both halves summed: combine them
            held -= 1
            values[held - 1] = values[held - 1] + values[held]
            top -= 1
            continue
        stages[top] += 1
        top += 1
        stages[top] = 0
        if stages[top - 1] == 1:
            starts[top], sizes[top] = start, half
        else:
            starts[top], sizes[top] = start + half, size - half
    return values[0]


@njit(cache=True)
def numpy_sum(a):
    """``a.sum()`` as numpy computes it, to the last bit."""
    return 0.0 + pairwise_sum(a)


@njit(cache=True)
def numpy_sums(rows, counts, out):
    """``rows[r, :counts[r]].sum()`` for every row r, each as numpy computes it, into ``out``.

    A kernel that needs many such sums gathers their terms and calls this once: LLVM copies
    :func:`numpy_sum` into every place it is called, and each copy costs about a second of
    compilation on a machine's first run.
    """
    for r in range(len(counts)):
        out[r] = numpy_sum(rows[r][: counts[r]])
