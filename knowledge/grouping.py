"""Tickets into topics: the case index's cleaning and word features, grouped by DP-means.

Why DP-means (Kulis & Jordan, "Revisiting k-means", 2012): it is k-means without a fixed k. A
ticket farther than a similarity threshold from every topic opens a new one, so a problem that
only twenty customers have reported so far gets a topic of its own instead of being averaged
into a big neighbour, which is what a fixed-k MiniBatchKMeans does with small groups, and what
an LSA projection does with words that are rare across the whole store. It is linear in tickets:

1. A leader pass in time order, in chunks: a ticket joins the most similar topic so far when the
   cosine reaches the threshold; the rest of the chunk is grouped among itself greedily and its
   leaders become new topics (a sparse product against the leaders, never all pairs).
2. Two k-means steps over the topic centroids (each cut to its strongest terms): every ticket moves
   to its nearest centroid, which undoes the order-dependence of the first pass. No chaining: a
   ticket joins a centroid, never another ticket's neighbour.

Memory is bounded by the vectors themselves: each ticket keeps at most `terms` features (its
rarest, most telling words and word pairs), each centroid at most `centroid_terms`. Pure numpy
and scipy: no store, no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from smartstep.knowledge.features import Featurizer, words_of
from smartstep.knowledge.terms import STOP_WORDS, stem
from smartstep.knowledge.weighting import l2_normalize_rows

FEATURES = 2**18
_CODE = re.compile(r"[#\w/-]*\d{3,}[\w/-]*")  # "INV-2026-03057", "#48213": one ticket's id, not the topic


@dataclass(frozen=True)
class GroupingParams:
    threshold: float = 0.35  # cosine to a topic's leader or centroid at which a ticket belongs to it
    merge: float = 0.6
    terms: int = 24  # features kept per ticket
    centroid_terms: int = 48  # features kept per centroid
    max_df: float = 0.2  # a word in more than this share of the tickets names no topic (when 200+ tickets)
    refine: int = 2  # k-means steps after the leader pass
    chunk: int = 512


def topic_vectors(texts: Sequence[str], params: GroupingParams = GroupingParams()) -> sp.csr_matrix:
    """Sublinear TF-IDF rows over stemmed words and word pairs, each cut to its `terms` strongest, L2-normalised.

    The IDF is learned from these tickets themselves: what is rare within a team's recent queue is
    what tells its topics apart. Words seen in one ticket only can group nothing and are dropped.
    """
    featurizer = Featurizer(FEATURES, 2**10, (2, 4), 0)
    counts = featurizer.word_counts(featurizer.tokenize(list(texts))).tocsr()
    counts.sum_duplicates()
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=FEATURES).astype(np.float64)
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    idf[df < 2] = 0.0
    if n >= 200:
        idf[df > params.max_df * n] = 0.0
    counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    counts.eliminate_zeros()
    return l2_normalize_rows(strongest(counts, params.terms))


def strongest(matrix: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Each row cut to its `keep` largest entries (vectorised: one sort of all entries by row, then weight)."""
    matrix = matrix.tocsr()
    lengths = np.diff(matrix.indptr)
    if not len(lengths) or lengths.max(initial=0) <= keep:
        return matrix
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    order = np.lexsort((-matrix.data, rows))
    rank = np.arange(len(order)) - np.repeat(matrix.indptr[:-1], lengths)
    chosen = np.sort(order[rank < keep])
    kept_rows = rows[chosen]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(kept_rows, minlength=matrix.shape[0]))])
    return sp.csr_matrix((matrix.data[chosen], matrix.indices[chosen], indptr), shape=matrix.shape)


def group(vectors: sp.csr_matrix, params: GroupingParams = GroupingParams()) -> np.ndarray:
    """A topic number per row (rows in time order); numbers are dense, 0..k-1, biggest topic first."""
    n = vectors.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    labels = _leaders(vectors, params)
    for _ in range(params.refine):
        labels = _nearest(vectors, _centroids(vectors, labels, params.centroid_terms), labels, params.chunk)
    labels = _merge_close(vectors, labels, params)
    labels = _nearest(vectors, _centroids(vectors, labels, params.centroid_terms), labels, params.chunk)
    _, dense, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    rank = np.empty(len(sizes), dtype=np.int64)
    rank[np.lexsort((np.arange(len(sizes)), -sizes))] = np.arange(len(sizes))
    return rank[dense]


def _leaders(vectors: sp.csr_matrix, params: GroupingParams) -> np.ndarray:
    n, threshold = vectors.shape[0], params.threshold
    labels = np.full(n, -1, dtype=np.int64)
    blocks: list[sp.csr_matrix] = []  # the leaders' rows, transposed block by block
    leaders_t: sp.csr_matrix | None = None
    count = 0
    for start in range(0, n, params.chunk):
        block = vectors[start : start + params.chunk]
        free = np.arange(block.shape[0])
        if leaders_t is not None:
            best, value = _row_best(block @ leaders_t)
            joined = value >= threshold
            labels[start + np.flatnonzero(joined)] = best[joined]
            free = np.flatnonzero(~joined)
        if not len(free):
            continue
        rest = block[free]
        within = (rest @ rest.T).toarray()
        taken = np.zeros(len(free), dtype=bool)
        new_rows = []
        for i in range(len(free)):
            if taken[i]:
                continue
            members = np.flatnonzero(~taken & (within[i] >= threshold))
            members = np.union1d([i], members[members > i])  # a ticket with no words still starts its own
            taken[members] = True
            labels[start + free[members]] = count
            new_rows.append(i)
            count += 1
        blocks.append(rest[new_rows])
        leaders_t = sp.vstack(blocks, format="csr").T
    return labels


def _merge_close(vectors: sp.csr_matrix, labels: np.ndarray, params: GroupingParams) -> np.ndarray:
    """Topics whose centroids are at least `merge` alike become one: customers word one problem several
    ways ("charged twice", "duplicate payment"). Centroid to centroid only, so a chain of single tickets
    can never glue unrelated topics (bench/RESULTS.md has the figures on planted and public reports)."""
    _, labels = np.unique(labels, return_inverse=True)
    centroids = _centroids(vectors, labels, params.centroid_terms)
    alike = (centroids @ centroids.T).tocsr()
    alike.data[alike.data < params.merge] = 0
    alike.eliminate_zeros()
    _, component = connected_components(alike, directed=False)
    return component[labels]


def _row_best(scores: sp.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    """(column, value) of each row's largest entry, 0 for an empty row, in O(entries): scipy's own argmax
    on a sparse product sorts every row first and took a quarter of the time at 100,000 tickets."""
    scores = sp.csr_matrix(scores)
    n = scores.shape[0]
    best, value = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.float32)
    lengths = np.diff(scores.indptr)
    full = np.flatnonzero(lengths)
    if not len(full):
        return best, value
    top = np.maximum.reduceat(scores.data, scores.indptr[full])
    rows = np.repeat(np.arange(n), lengths)
    hits = np.flatnonzero(scores.data == np.repeat(top, lengths[full]))
    first = np.unique(rows[hits], return_index=True)[1]
    best[rows[hits[first]]] = scores.indices[hits[first]]
    value[full] = top
    return best, value


def _centroids(vectors: sp.csr_matrix, labels: np.ndarray, keep: int) -> sp.csr_matrix:
    k = int(labels.max()) + 1
    assign = sp.csr_matrix((np.ones(len(labels), np.float32), (labels, np.arange(len(labels)))), shape=(k, len(labels)))
    return l2_normalize_rows(strongest((assign @ vectors).tocsr(), keep))


def _nearest(vectors: sp.csr_matrix, centroids: sp.csr_matrix, labels: np.ndarray, chunk: int) -> np.ndarray:
    """Each row's most similar centroid; a row sharing nothing with any centroid keeps its topic."""
    out = labels.copy()
    transposed = centroids.T
    for start in range(0, vectors.shape[0], chunk):
        best, value = _row_best(vectors[start : start + chunk] @ transposed)
        hit = np.flatnonzero(value > 0)
        out[start + hit] = best[hit]
    return out


def shared_words(subjects: Sequence[str], limit: int = 5, share: float = 0.3) -> list[str]:
    """The words at least `share` of these (cleaned) subjects use, most used first, in their commonest spelling."""
    docs = Counter[str]()
    forms: dict[str, Counter[str]] = {}
    for subject in subjects:
        seen = set()
        for word in words_of(subject):
            if word in STOP_WORDS or word.isdigit() or len(word) < 3:
                continue
            term = stem(word)
            forms.setdefault(term, Counter())[word] += 1
            seen.add(term)
        docs.update(seen)
    floor = max(2, share * len(subjects))
    ranked = [t for t, c in docs.most_common() if c >= floor]
    return [forms[t].most_common(1)[0][0] for t in ranked[:limit]]


def topic_label(subjects: Sequence[str]) -> str:
    """The (cleaned) subject that says most of what the group shares: the member subject covering the most
    shared words (weighted by how many members use each), the shorter one on a tie; a real phrase, not a bag."""
    cleaned = [s for s in subjects if s]
    if not cleaned:
        return "(no subject)"
    docs = Counter[str]()
    for subject in cleaned:
        docs.update({stem(w) for w in words_of(subject) if w not in STOP_WORDS})
    weight = {t: c / len(cleaned) for t, c in docs.items() if c >= max(2, 0.3 * len(cleaned))}

    def score(subject: str) -> tuple[float, int]:
        words = words_of(subject)
        terms = {stem(w) for w in words if w not in STOP_WORDS}
        codes = sum(1 for w in words if any(ch.isdigit() for ch in w))  # "INV-2026-49522" names one ticket
        return (sum(weight.get(t, 0.0) for t in terms) - 0.1 * len(terms) - 0.3 * codes, -len(subject))

    candidates = Counter(cleaned)
    best = max(candidates, key=lambda s: (score(s), candidates[s]))
    return " ".join(_CODE.sub("", best).split())[:120] or best[:120]


def merge_alike(word_sets: Sequence[Sequence[str]], alike: float = 0.6) -> list[int]:
    """A group number per topic: topics whose shared words are mostly the same words (Jaccard of their
    stems at least `alike`) are one topic to a reader ("invoice pdf blank download" and "invoice pdf empty
    download" are one problem worded two ways); "csv export times out" and "csv export error 500" stay two.
    Pairs are found through the words they share, so it stays near-linear in topics."""
    stems = [frozenset(stem(w) for w in words) for words in word_sets]
    parent = list(range(len(stems)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_stem: dict[str, list[int]] = {}
    for i, terms in enumerate(stems):
        for term in terms:
            by_stem.setdefault(term, []).append(i)
    for i, terms in enumerate(stems):
        if len(terms) < 2:  # one shared word ("plan") is too little to call two topics one
            continue
        candidates = {j for term in terms for j in by_stem[term] if j > i and len(stems[j]) >= 2}
        for j in candidates:
            if len(terms & stems[j]) / len(terms | stems[j]) >= alike:
                parent[root(j)] = root(i)
    return [root(i) for i in range(len(stems))]
