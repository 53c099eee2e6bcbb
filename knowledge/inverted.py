"""The features x cases matrix of a large index, written chunk by chunk into arrays allocated once.

Stacking per-chunk matrices and then transposing the result holds three copies of an
index that is 1.6 GB at a million cases. When every feature's posting count is known in
advance (from the document-frequency pass), each chunk's entries can go straight to their
final places instead, so building costs the finished index plus one chunk.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class InvertedWriter:
    """Fills a CSR matrix (features x cases) from case-major chunks handed over in case order."""

    def __init__(self, per_feature: np.ndarray, cases: int) -> None:
        total = int(per_feature.sum())
        index_dtype = np.int32 if max(total, cases) < 2**31 - 1 else np.int64
        self.indptr = np.zeros(len(per_feature) + 1, dtype=index_dtype)
        np.cumsum(per_feature, out=self.indptr[1:])
        self.indices = np.empty(total, dtype=index_dtype)
        self.data = np.empty(total, dtype=np.float32)
        self.cases = cases
        self._cursor = self.indptr[:-1].astype(np.int64)
        self._next_case = 0

    def append(self, documents: sp.csr_matrix) -> None:
        """Write the next cases (the rows of `documents`, features as columns) into their posting lists."""
        by_feature = documents.tocsc()  # row indices come out ascending within each feature
        counts = np.diff(by_feature.indptr).astype(np.int64)
        if np.any(self._cursor + counts > self.indptr[1:]) or self._next_case + documents.shape[0] > self.cases:
            raise RuntimeError("more postings than the document-frequency pass counted")
        feature = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        target = self._cursor[feature] + (np.arange(by_feature.nnz, dtype=np.int64) - by_feature.indptr[feature])
        self.indices[target] = by_feature.indices + self._next_case
        self.data[target] = by_feature.data
        self._cursor += counts
        self._next_case += documents.shape[0]

    def finish(self) -> sp.csr_matrix:
        if self._next_case != self.cases or not np.array_equal(self._cursor, self.indptr[1:]):
            raise RuntimeError("fewer postings than the document-frequency pass counted")
        shape = (len(self.indptr) - 1, self.cases)
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=shape, copy=False)
