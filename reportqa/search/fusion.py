"""Reciprocal-rank fusion of ranked lists (Cormack, Clarke & Büttcher, SIGIR 2009).

A row's fused score is ``Σ weight / (k + rank)`` over the lists it appears in,
with ranks from 1. RRF needs no score calibration between BM25 and cosine
similarity, which live on unrelated scales.
"""

from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], weights: Sequence[float], k: float = 60.0,
                           tied_ranks: Sequence[bool] | None = None) -> list[tuple[int, float]]:
    """Fuse ranked lists of row ids.

    Args:
        rankings: each a list of row ids, best first.
        weights: one weight per list.
        k: the RRF constant; larger flattens the head of each list.
        tied_ranks: per list, True when it is an unordered set whose members
            all count as rank 1 (e.g. "passages about the asked year").

    Returns:
        (row, fused score) pairs, best first; ties keep first-seen order.
    """
    if len(rankings) != len(weights):
        raise ValueError(f"{len(rankings)} rankings but {len(weights)} weights")
    tied_ranks = tied_ranks or [False] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight, tied in zip(rankings, weights, tied_ranks):
        for rank, row in enumerate(ranking, start=1):
            fused[row] = fused.get(row, 0.0) + weight / (k + (1 if tied else rank))
    return sorted(fused.items(), key=lambda item: -item[1])
