"""Ranking quality on a labelled duplicate set: our index against BM25, SQLite FTS5 BM25 and plain TF-IDF.

Kept in the package (not only in `bench/`) so the test suite can hold a quality floor with
the same code the benchmark reports. Every ranker sees the same corpus and the same raw
query text; MAP is computed over the top `depth` results (AP@depth).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from smartstep.knowledge.cases import Case, index_text, title_text
from smartstep.knowledge.index import SimilarityIndex
from smartstep.knowledge.normalise import clean_text


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    kind: str
    split: str
    relevant: frozenset[str]


@dataclass(frozen=True)
class Quality:
    map: float
    mrr: float
    p_at_1: float
    n: int
    recall_at_10: float = 0.0


def load_eval_set(path: Path) -> tuple[list[Case], list[Query]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    corpus = [
        Case(c["id"], c["subject"], c["description"], c.get("resolution", ""), "", "", "", "") for c in data["corpus"]
    ]
    queries = [Query(q["id"], q["text"], q["kind"], q["split"], frozenset(q["relevant"])) for q in data["queries"]]
    return corpus, queries


def quality(rankings: Sequence[Sequence[str]], queries: Sequence[Query], depth: int = 100) -> Quality:
    """MAP (AP@depth over min(#relevant, depth)), MRR@depth, precision at 1 and recall at 10 of ranked
    id lists against each query's relevant ids; an id counts once however often it is listed."""
    aps, rrs, p1, r10 = [], [], [], []
    for ranked, query in zip(rankings, queries, strict=True):
        hits, precisions, first, found = 0, [], 0.0, set()
        for position, case_id in enumerate(ranked[:depth], 1):
            if case_id in query.relevant and case_id not in found:
                found.add(case_id)
                hits += 1
                precisions.append(hits / position)
                first = first or 1.0 / position
        aps.append(sum(precisions) / min(len(query.relevant), depth))
        rrs.append(first)
        p1.append(1.0 if ranked and ranked[0] in query.relevant else 0.0)
        r10.append(len(set(ranked[:10]) & query.relevant) / len(query.relevant))
    return Quality(float(np.mean(aps)), float(np.mean(rrs)), float(np.mean(p1)), len(queries), float(np.mean(r10)))


def rank_ours(corpus: Sequence[Case], queries: Sequence[Query], depth: int = 100, **params: object) -> list[list[str]]:
    """Our index as production runs it: cleaned text, batch search, folded duplicates expanded in place."""
    index = SimilarityIndex(**params).fit([index_text(c) for c in corpus], [title_text(c) for c in corpus])
    hits = index.search_batch([clean_text(q.text) for q in queries], k=depth)
    return [[corpus[r].id for h in row for r in (h.row, *h.duplicates)] for row in hits]


def rank_tfidf(corpus: Sequence[Case], queries: Sequence[Query], depth: int = 100) -> list[list[str]]:
    """The textbook baseline: scikit-learn's default TfidfVectorizer and cosine similarity."""
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform([_plain(c) for c in corpus])
    scores = linear_kernel(vectorizer.transform([q.text for q in queries]), matrix)
    return [[corpus[i].id for i in np.argsort(-row, kind="stable")[:depth] if row[i] > 0] for row in scores]


def rank_bm25(
    corpus: Sequence[Case], queries: Sequence[Query], depth: int = 100, k1: float = 1.2, b: float = 0.75
) -> list[list[str]]:
    """Textbook Okapi BM25 (scikit-learn's default tokens, no stemming, no stop words), as most papers run it."""
    vectorizer = CountVectorizer()
    counts = vectorizer.fit_transform([_plain(c) for c in corpus]).tocsc().astype(np.float64)
    n = counts.shape[0]
    df = np.diff(counts.indptr)
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    rows = counts.indices
    columns = np.repeat(np.arange(counts.shape[1]), df)
    tf = counts.data
    counts.data = idf[columns] * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[rows] / lengths.mean()))
    present = (vectorizer.transform([q.text for q in queries]) > 0).astype(np.float64)
    scores = (present @ counts.T).toarray()
    return [[corpus[i].id for i in np.argsort(-row, kind="stable")[:depth] if row[i] > 0] for row in scores]


def rank_fts5(corpus: Sequence[Case], queries: Sequence[Query], depth: int = 100) -> list[list[str]]:
    """SQLite FTS5 with BM25 and the Porter stemmer: any query word may match (OR), best bm25 first."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(case_id UNINDEXED, body, tokenize='porter unicode61')")
    conn.executemany("INSERT INTO docs VALUES (?, ?)", [(c.id, _plain(c)) for c in corpus])
    out = []
    for query in queries:
        match = fts5_match(query.text)
        rows = (
            conn.execute(
                "SELECT case_id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, depth)
            ).fetchall()
            if match
            else []
        )
        out.append([r[0] for r in rows])
    conn.close()
    return out


def fts5_match(text: str) -> str:
    """A query's words as an FTS5 OR-expression of quoted terms (quotes keep syntax characters inert)."""
    words = dict.fromkeys(w.lower() for w in re.findall(r"[^\W_]+", text) if len(w) > 1)
    return " OR ".join(f'"{w}"' for w in words)


def _plain(case: Case) -> str:
    return "\n".join((case.title, case.description, case.resolution))
