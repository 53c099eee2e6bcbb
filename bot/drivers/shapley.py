"""The numerical core of driver analysis: Shapley decomposition of R² over groups of columns.

Why Shapley (the LMG / "general dominance" measure of dominance analysis): when drivers are
correlated (long resolutions come with many contacts), a single regression's coefficients
hand the credit to whichever column happens to win and can flip sign. Averaging each group's
gain in R² over every order of entry splits shared credit evenly and the parts add up to the
full model's R².

With G groups that is 2^G least-squares fits per sample. Every fit here comes from the sample's
correlation matrix by the sweep operator, all subsets and all bootstrap resamples stacked into
one numpy operation per column, so one analysis plus 200 resamples takes milliseconds
(bench/bench_drivers.py); plain per-subset LinearRegression fits would take about a minute.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

RIDGE = 1e-5
"""Tiny ridge on the standardised scale: keeps collinear or constant columns solvable."""


def correlations(data: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Correlation matrices of the columns of `data`, one per row of weights `counts`: (B, q, q).

    Constant columns (in a resample) get zero correlation, which the ridge then turns into a
    zero coefficient instead of a singular system.
    """
    centred = data - data.mean(axis=0)
    n, q = centred.shape
    counts = np.atleast_2d(counts).astype(float)
    total = counts.sum(axis=1)
    mean = counts @ centred / total[:, None]
    upper_i, upper_j = np.triu_indices(q)
    second = np.zeros((len(counts), len(upper_i)))
    for start in range(0, n, 4096):  # chunks keep the (rows, pairs) products small
        part = centred[start : start + 4096]
        second += counts[:, start : start + 4096] @ (part[:, upper_i] * part[:, upper_j])
    moments = np.empty((len(counts), q, q))
    moments[:, upper_i, upper_j] = second
    moments[:, upper_j, upper_i] = second
    cov = moments / total[:, None, None] - mean[:, :, None] * mean[:, None, :]
    sd = np.sqrt(np.clip(np.einsum("bii->bi", cov), 0.0, None))
    scale = np.where(sd > 1e-9 * np.maximum(1.0, sd.max(axis=1, keepdims=True)), 1.0 / np.maximum(sd, 1e-300), 0.0)
    return cov * scale[:, :, None] * scale[:, None, :]


def _sweep(matrix: np.ndarray, k: int) -> np.ndarray:
    """The sweep operator on pivot k for a stack of symmetric matrices (..., q, q); returns a new array."""
    col = matrix[..., :, k]
    scaled = col / col[..., k : k + 1]
    out = matrix - scaled[..., :, None] * col[..., None, :]
    out[..., k, :] = scaled
    out[..., :, k] = scaled
    out[..., k, k] = -1.0 / col[..., k]
    return out


def subset_r2(corrs: np.ndarray, group_sizes: Sequence[int]) -> np.ndarray:
    """R² of the last column regressed on every subset of the column groups: (B, 2^G).

    `corrs` holds (B, p+1, p+1) correlations of [predictors..., outcome]; groups are consecutive
    runs of predictor columns. After sweeping the columns of a subset S, the outcome's diagonal
    holds 1 - R²(S). Group by group, every subset found so far is kept once without and once
    with the next group swept in, stacked so each sweep is one numpy operation over all subsets
    and resamples; only the columns of groups still to come are kept, so the matrices shrink as
    the stack grows. No matrix is swept more than G times, so no rounding error builds up.
    Stack index = bit mask of the subset (bit g = group g).
    """
    corrs = np.array(corrs, dtype=float)
    p = corrs.shape[-1] - 1
    corrs[:, np.arange(p), np.arange(p)] += RIDGE
    corrs[:, p, p] = 1.0  # a constant outcome (all 5s) has zero correlations: nothing explains it
    values = np.zeros((len(corrs), 2 ** len(group_sizes)))
    stack = corrs[None]  # (subsets so far, B, columns left + outcome, same)
    last = len(group_sizes) - 1
    for group, size in enumerate(group_sizes):
        if group == last and size == 1:  # a leaf needs only the outcome's entry, not a full sweep
            residual = stack[..., -1, -1] - stack[..., 0, -1] ** 2 / stack[..., 0, 0]
            values[:, 2**group :] = (1.0 - residual).T
            break
        swept = stack
        for column in range(size):
            swept = _sweep(swept, column)
        values[:, 2**group : 2 ** (group + 1)] = (1.0 - swept[..., -1, -1]).T
        if group < last:
            stack = np.concatenate([stack[..., size:, size:], swept[..., size:, size:]], axis=0)
    return np.clip(values, 0.0, 1.0)


@cache
def _shapley_weights(groups: int) -> np.ndarray:
    """(2^G, G) matrix W with values @ W = Shapley values: each subset S without j adds
    w(|S|) = |S|!(G-|S|-1)!/G! times (v(S+j) - v(S)) to group j."""
    from math import factorial

    weights = np.zeros((2**groups, groups))
    for j in range(groups):
        for subset in range(2**groups):
            if not subset >> j & 1:
                k = bin(subset).count("1")
                w = factorial(k) * factorial(groups - k - 1) / factorial(groups)
                weights[subset | 1 << j, j] += w
                weights[subset, j] -= w
    return weights


def shapley(values: np.ndarray, groups: int) -> np.ndarray:
    """Each group's Shapley value of the set function `values` (indexed by bit mask); sums to values[-1]."""
    return values @ _shapley_weights(groups)


def r2_parts(data: np.ndarray, group_sizes: Sequence[int], counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per weighting (row of `counts`): each group's Shapley share of R², and the full R²."""
    values = subset_r2(correlations(data, counts), group_sizes)
    return shapley(values, len(group_sizes)), values[:, -1]


def bootstrap_counts(n: int, resamples: int, seed: int) -> np.ndarray:
    """How often each row is drawn in each resample: (resamples, n) ints, reproducible for a seed."""
    draws = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    flat = draws + (np.arange(resamples) * n)[:, None]
    return np.bincount(flat.ravel(), minlength=resamples * n).reshape(resamples, n)


def split_effects(
    values: np.ndarray, splits: Sequence[tuple[np.ndarray, np.ndarray]], counts: np.ndarray
) -> np.ndarray:
    """Per row of weights `counts` and per (inside, outside) split: mean of values inside minus outside.

    (B, S); NaN where a side is empty in a resample. One matrix product for all splits.
    """
    columns = []
    for inside, outside in splits:
        columns += [np.where(inside, values, 0.0), inside, np.where(outside, values, 0.0), outside]
    sums = counts @ np.column_stack(columns).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums[:, 0::4] / sums[:, 1::4] - sums[:, 2::4] / sums[:, 3::4]
