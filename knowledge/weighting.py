"""Term weighting for the index: BM25 for words, sublinear TF-IDF cosine for character n-grams.

Pure functions over scipy sparse count matrices. The word half uses BM25 on the case side
and a query vector scaled so a perfect match scores about 1; on our labelled set this beat
cosine TF-IDF for words by a wide margin (short cases next to long ones are the norm in
support). Character n-grams stay cosine: there they measure spelling overlap, not relevance.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def document_frequency(counts: sp.csr_matrix) -> np.ndarray:
    return np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)


def bm25_idf(df: np.ndarray, n: int, max_df: float) -> np.ndarray:
    """Robertson-Sparck Jones IDF (never negative); very common features dropped in large stores."""
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    if n >= 1000:  # in small stores every word may matter and speed is no issue
        idf[df > max_df * n] = 0.0
    return idf.astype(np.float32)


def tfidf_idf(df: np.ndarray, n: int, max_df: float) -> np.ndarray:
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    if n >= 1000:
        idf[df > max_df * n] = 0.0
    return idf.astype(np.float32)


def bm25_documents(counts: sp.csr_matrix, idf: np.ndarray, avgdl: float, k1: float, b: float) -> sp.csr_matrix:
    """Each case's BM25 weight per term, so a query's score is a plain sparse dot product."""
    counts = counts.tocsr().astype(np.float32, copy=False)
    lengths = np.asarray(counts.sum(axis=1), dtype=np.float32).ravel()
    per_entry = np.repeat(lengths, np.diff(counts.indptr))
    tf = counts.data
    counts.data = idf[counts.indices] * tf * (k1 + 1) / (tf + k1 * (1 - b + b * per_entry / max(avgdl, 1e-6)))
    counts.eliminate_zeros()
    return counts


def bm25_queries(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Query terms at 1 + log(count), scaled by 1 / (sum of their IDF-weighted counts): a case holding
    every term scores ~1.

    A word a long report repeats is what it is about (binary query terms lost 0.06 MAP on the
    public bug-report duplicates, bench/RESULTS.md); the log keeps a pasted log line repeated
    forty times from drowning the rest. A word no case uses has the highest IDF, so a query
    made mostly of unknown words (typos, noise) scores low everywhere, which hands more of the
    decision to the character n-grams.
    """
    counts = counts.tocsr().astype(np.float32, copy=False)
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    tf = (1.0 + np.log(counts.data)) * (idf[counts.indices] > 0)
    totals = np.bincount(rows, weights=tf * idf[counts.indices], minlength=counts.shape[0])
    counts.data = tf / np.maximum(totals[rows], 1e-6)
    counts.data = counts.data.astype(np.float32)
    counts.eliminate_zeros()
    return counts


def cosine_rows(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF x IDF, rows L2-normalised."""
    counts = counts.tocsr().astype(np.float32, copy=False)
    counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    counts.eliminate_zeros()
    return l2_normalize_rows(counts)


def l2_normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """In place; sklearn's `normalize` does the same but its argument checks cost ms per query."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(rows, weights=matrix.data.astype(np.float64) ** 2, minlength=matrix.shape[0]))
    matrix.data /= np.maximum(norms[rows], 1e-12).astype(np.float32)
    return matrix
