"""Greedy graph colouring of constraint elements (no two in a colour share a vertex)."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["color_elements"]


@numba.njit(cache=True)
def _greedy(elements: np.ndarray, n_vertices: int) -> np.ndarray:
    count, width = elements.shape
    colors = np.empty(count, np.int64)
    # bit mask of colours already used at each vertex (up to 64 colours)
    used = np.zeros(n_vertices, np.uint64)
    for e in range(count):
        mask = np.uint64(0)
        for j in range(width):
            mask |= used[elements[e, j]]
        c = 0
        while c < 63 and (mask >> np.uint64(c)) & np.uint64(1):
            c += 1
        colors[e] = c
        bit = np.uint64(1) << np.uint64(c)
        for j in range(width):
            used[elements[e, j]] |= bit
    return colors


def color_elements(elements: np.ndarray, n_vertices: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (order, ptr): element order grouped by colour, and colour start offsets.

    Elements of one colour share no vertex, so they can be solved in any order
    or in parallel; solving colour after colour avoids the bias of a sorted order.
    """
    if len(elements) == 0:
        return np.zeros(0, np.int64), np.zeros(1, np.int64)
    colors = _greedy(np.ascontiguousarray(elements, dtype=np.int64), n_vertices)
    order = np.argsort(colors, kind="stable")
    counts = np.bincount(colors)
    return order, np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
