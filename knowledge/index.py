"""The similarity index: hashed TF-IDF over words and character n-grams, re-ranked with rapidfuzz.

Words (stemmed, with bigrams) carry meaning; character n-grams survive typos and word
forms the stemmer misses; rapidfuzz on the short list rewards a title that reads like the
query. Features are hashed, so there is no vocabulary to fit or store, new cases can be
added with the learned IDF, and the learned state is a handful of arrays that load fast.
Scores are matched through an inverted matrix (features x cases) so a query only touches
the cases that share a feature with it. No I/O here; `store.py` persists the arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process
from sklearn.base import BaseEstimator
from sklearn.utils import murmurhash3_32
from sklearn.utils.validation import check_is_fitted

from smartstep.knowledge.columns import TextColumn
from smartstep.knowledge.features import Featurizer, Tokens, words_of
from smartstep.knowledge.inverted import InvertedWriter
from smartstep.knowledge.queries import is_short, subject_line
from smartstep.knowledge.terms import STOP_WORDS, stem
from smartstep.knowledge.weighting import (
    bm25_documents,
    bm25_idf,
    bm25_queries,
    cosine_rows,
    document_frequency,
    tfidf_idf,
)

_CHUNK = 10_000  # cases tokenised, counted and weighted together
_SCORES_PER_PRODUCT = 32_000_000  # dense scores held at once in a batch search (128 MB)


@dataclass(frozen=True)
class Hit:
    row: int
    score: float
    duplicates: tuple[int, ...] = ()
    more: bool = False  # the short list ended inside this group: more duplicates than counted


class SimilarityIndex(BaseEstimator):
    """Ranks indexed texts by similarity to a query; rows are the order texts were given to `fit`."""

    def __init__(
        self,
        *,
        word_features: int = 2**20,
        char_features: int = 2**20,
        char_ngram_range: tuple[int, int] = (2, 4),
        char_words: int = 32,
        char_weight: float = 0.35,
        short_char_weight: float = 0.1,
        fuzzy_weight: float = 0.1,
        max_df: float = 0.4,
        shortlist: int = 60,
        duplicate_ratio: float = 92.0,
        min_score: float = 0.03,
        batch_size: int = 128,
        bigrams: bool = True,
        k1: float = 1.2,
        b: float = 0.6,
        subject_weight: float = 0.3,
    ) -> None:
        self.word_features = word_features
        self.char_features = char_features
        self.char_ngram_range = char_ngram_range
        self.char_words = char_words
        self.char_weight = char_weight
        self.short_char_weight = short_char_weight
        self.fuzzy_weight = fuzzy_weight
        self.max_df = max_df
        self.shortlist = shortlist
        self.duplicate_ratio = duplicate_ratio
        self.min_score = min_score
        self.batch_size = batch_size
        self.bigrams = bigrams
        self.k1 = k1
        self.b = b
        self.subject_weight = subject_weight

    # -- learning -------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], titles: Sequence[str]) -> SimilarityIndex:
        """Learn IDF from `texts`, index them; `titles` are the short forms used for re-ranking."""
        return self.fit_batches([(texts, titles)])

    def fit_batches(self, batches: Iterable[tuple[Sequence[str], Sequence[str]]]) -> SimilarityIndex:
        """`fit` over (texts, titles) batches, so a caller streaming from a store never holds every text.

        Texts are tokenised once into word ids (4 bytes a word). A first pass over them counts
        document frequencies; the second weights one chunk at a time and writes it straight
        into the inverted matrix, so the peak is the finished index plus one chunk, never a
        stack of count matrices and its transpose (7.7 GB at a million cases before).
        """
        self.featurizer_ = self._new_featurizer()
        self.choices_ = TextColumn()
        chunks: list[Tokens] = []
        for texts, titles in batches:
            for start in range(0, len(texts), _CHUNK):
                chunks.append(self.featurizer_.tokenize(texts[start : start + _CHUNK], learn=True))
            self.choices_.extend(default_process(t) for t in titles)
        n = sum(len(tokens) for tokens in chunks)
        word_df, char_df = np.zeros(self.word_features), np.zeros(self.char_features)
        length = 0.0
        for tokens in chunks:
            words, chars = self.featurizer_.counts(tokens, self.bigrams)
            word_df += document_frequency(words)
            char_df += document_frequency(chars)
            length += float(words.data.sum())
        self.word_idf_ = bm25_idf(word_df, n, self.max_df)
        self.char_idf_ = tfidf_idf(char_df, n, self.max_df)
        self.avgdl_ = length / max(n, 1)
        self.vocabulary_ = self.featurizer_.frequent_words(60000)
        # A case keeps a feature exactly when the feature has weight: zero-IDF features are dropped.
        postings = np.concatenate([word_df * (self.word_idf_ > 0), char_df * (self.char_idf_ > 0)])
        writer = InvertedWriter(postings.astype(np.int64), n)
        while chunks:
            writer.append(self._documents(*self.featurizer_.counts(chunks.pop(0), self.bigrams)))
        self.postings_ = writer.finish()
        self.recent_ = sp.csr_matrix((0, self.postings_.shape[0]), dtype=np.float32)
        self.alive_ = np.ones(n, dtype=bool)
        return self

    @property
    def size(self) -> int:
        """Rows indexed so far, hidden ones included."""
        return len(self.alive_)

    def add(self, texts: Sequence[str], titles: Sequence[str]) -> np.ndarray:
        """Index more texts with the IDF already learned; returns their new row numbers.

        They go to a small case-major matrix beside the inverted one: appending to it is a
        cheap stack, where widening the inverted matrix would copy all of it.
        """
        check_is_fitted(self, "postings_")
        start = self.size
        if texts:
            new = self._documents(*self._counts(texts))
            self.recent_ = sp.vstack([self.recent_, new], format="csr", dtype=np.float32)
            self.choices_.extend(default_process(t) for t in titles)
            self.alive_ = np.concatenate([self.alive_, np.ones(len(texts), dtype=bool)])
        return np.arange(start, start + len(texts))

    def remove(self, rows: Sequence[int]) -> None:
        """Stop returning these rows (a reopened or edited ticket); space is reclaimed on rebuild."""
        check_is_fitted(self, "postings_")
        self.alive_[np.asarray(rows, dtype=np.int64)] = False

    def _new_featurizer(self) -> Featurizer:
        return Featurizer(self.word_features, self.char_features, self.char_ngram_range, self.char_words)

    def _counts(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        if getattr(self, "featurizer_", None) is None:  # a loaded index rebuilds its word cache lazily
            self.featurizer_ = self._new_featurizer()
        # In chunks, so the per-word scratch arrays stay small however many cases there are.
        parts = [self.featurizer_.transform(texts[i : i + _CHUNK], self.bigrams) for i in range(0, len(texts), _CHUNK)]
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return self.featurizer_.transform([], self.bigrams)
        return sp.vstack([p[0] for p in parts], format="csr"), sp.vstack([p[1] for p in parts], format="csr")

    def _documents(self, words: sp.csr_matrix, chars: sp.csr_matrix) -> sp.csr_matrix:
        """Case vectors: BM25 word weights beside L2-normalised character n-gram TF-IDF."""
        bm25 = bm25_documents(words, self.word_idf_, self.avgdl_, self.k1, self.b)
        return sp.hstack([bm25, cosine_rows(chars, self.char_idf_)], format="csr", dtype=np.float32)

    def _queries(self, words: sp.csr_matrix, chars: sp.csr_matrix, short: np.ndarray) -> sp.csr_matrix:
        """Query vectors: one dot product gives (1-w) * BM25 share + w * character cosine.

        Very short queries get less of the character half: a few n-grams of two or three
        words match too many unrelated titles, and their typos are already corrected to
        known words by `_with_corrections`.
        """
        weight = np.where(short, self.short_char_weight, self.char_weight).astype(np.float32)
        word_half, char_half = bm25_queries(words, self.word_idf_), cosine_rows(chars, self.char_idf_)
        # Row scaling in place: a diagonal-matrix product allocates scratch as wide as the feature space.
        word_half.data *= np.repeat(1.0 - weight, np.diff(word_half.indptr))
        char_half.data *= np.repeat(weight, np.diff(char_half.indptr))
        return sp.hstack([word_half, char_half], format="csr", dtype=np.float32)

    # -- querying -------------------------------------------------------------------------
    def transform(self, queries: Sequence[str]) -> sp.csr_matrix:
        """Query vectors, weighted so that one dot product gives (1-w)*word cosine + w*char cosine."""
        check_is_fitted(self, "postings_")
        short = np.array([is_short(q) for q in queries], dtype=bool)
        return self._queries(*self._counts([self._with_corrections(q) for q in queries]), short)

    def _with_corrections(self, query: str) -> str:
        """Very short queries get the nearest known spelling of each unknown word appended."""
        words = [w for w in words_of(query) if w not in STOP_WORDS]
        if not words or len(words) > 4 or not self.vocabulary_:
            return query
        known = self._known()
        extra = []
        for word in words:
            if word not in known and len(word) > 3 and not word.isdigit():
                best = process.extractOne(word, self.vocabulary_, scorer=fuzz.ratio, score_cutoff=75)
                if best:
                    extra.append(best[0])
        return query + (" " + " ".join(extra) if extra else "")

    def _known(self) -> frozenset[str]:
        if getattr(self, "_known_cache", None) is None or len(self._known_cache) != len(self.vocabulary_):
            self._known_cache = frozenset(self.vocabulary_)
        return self._known_cache

    def search(self, query: str, k: int = 5, mask: np.ndarray | None = None) -> list[Hit]:
        return self.search_batch([query], k, mask)[0]

    def search_batch(self, queries: Sequence[str], k: int = 5, mask: np.ndarray | None = None) -> list[list[Hit]]:
        """Rank many queries at once: tokenised and weighted together, scored into one dense block per step
        (masks applied to the block), then each row's top k re-ranked and folded."""
        check_is_fitted(self, "postings_")
        allowed = self.alive_ if mask is None else self.alive_ & mask
        blocked = None if allowed.all() else ~allowed
        # One dense score row per query: at a million cases, 32 of them are already 128 MB.
        step = max(1, min(self.batch_size, _SCORES_PER_PRODUCT // max(self.size, 1)))
        results: list[list[Hit]] = []
        for start in range(0, len(queries), step):
            chunk = list(queries[start : start + step])
            scores = self._scores(self.transform(chunk))
            if blocked is not None:
                scores[:, blocked] = 0.0
            results.extend(self._finish(q, row, k) for q, row in zip(chunk, scores, strict=True))
        return results

    def _scores(self, queries: sp.csr_matrix) -> np.ndarray:
        """Queries x rows: the inverted matrix for the fitted cases, then the ones added since.

        A query's scores are the weighted sum of the posting lists of its features: its rows
        of the inverted matrix are taken out and summed in one pass. A sparse matrix product
        does the same work twice (once to size a sparse result, once to fill it) and was
        about twice as slow per query, batched or not.
        """
        fitted = self.postings_.shape[1]
        scores = np.empty((queries.shape[0], self.size), dtype=np.float32)
        for row in range(queries.shape[0]):
            start, end = queries.indptr[row], queries.indptr[row + 1]
            features, weights = queries.indices[start:end], queries.data[start:end]
            scores[row, :fitted] = self.postings_[features].T @ weights if len(features) else 0.0
        if self.recent_.shape[0]:
            scores[:, fitted:] = (self.recent_ @ queries.T).T.toarray()
        return scores

    def _finish(self, query: str, scores: np.ndarray, k: int) -> list[Hit]:
        """Re-rank and fold the short list; when folding leaves fewer than k groups (one problem
        reported 60 times fills a short list of 60), look further down, up to 16 times as far."""
        wanted = max(self.shortlist, 4 * k)
        size = min(len(scores), wanted)
        while size:
            top = np.argpartition(-scores, size - 1)[:size]
            top = top[scores[top] > 0]
            if not len(top):
                return []
            final = self._rerank(query, top, scores[top])
            order = np.lexsort((top, -final))
            hits = self._collapse(top[order], final[order], k, full=len(top) == size)
            if len(hits) >= k or len(top) < size or size >= min(len(scores), 16 * wanted):
                return hits
            size = min(len(scores), 4 * size)
        return []

    def _rerank(self, query: str, rows: np.ndarray, cosine: np.ndarray) -> np.ndarray:
        # A long mail against a title is no string comparison: fuzzy agreement only counts for short queries.
        weight = self.fuzzy_weight if len(words_of(query)) <= 12 else 0.0
        if weight == 0.0:
            subject = subject_line(query)
            if subject and self.subject_weight > 0:
                return self._subject_rerank(subject, rows, cosine)
            return cosine
        choices = [self.choices_[r] for r in rows]
        fuzzy = process.cdist([default_process(query)], choices, scorer=fuzz.token_set_ratio, dtype=np.float32)[0]
        # Fuzzy agreement only lifts cases the vectors already found; it never creates a match.
        return (1.0 - weight) * cosine + weight * (fuzzy / 100.0) * np.minimum(1.0, cosine / 0.1)

    def _subject_rerank(self, subject: str, rows: np.ndarray, cosine: np.ndarray) -> np.ndarray:
        """A report whose subject line reads like a case's title is about the same problem: the
        character n-gram cosine of the two lifts the cases the body already found."""
        choices = [default_process(subject)] + [self.choices_[r] for r in rows.tolist()]
        chars = cosine_rows(self._counts(choices)[1], self.char_idf_)
        similarity = (chars[1:] @ chars[0].T).toarray().ravel()
        weight = self.subject_weight
        return (1.0 - weight) * cosine + weight * similarity * np.minimum(1.0, cosine / 0.1)

    def _collapse(self, rows: np.ndarray, scores: np.ndarray, k: int, full: bool = False) -> list[Hit]:
        """Keep the best of each group of near-identical cases, remembering the rest as duplicates.

        `full`: the short list was cut at its size, so a group holding its last case may go on beyond it.
        """
        good = scores >= self.min_score
        full = full and bool(good.all())
        rows, scores = rows[good], scores[good]
        # Each candidate is compared with the k groups kept so far, not with every other candidate:
        # a short list stretched to 960 for one problem reported 150 times stays a few ms.
        kept: list[tuple[int, float, list[int]]] = []
        heads: list[str] = []
        for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
            choice = self.choices_[row]
            found = process.extractOne(choice, heads, scorer=fuzz.ratio, score_cutoff=self.duplicate_ratio)
            if found is not None and choice:
                kept[found[2]][2].append(row)
            elif len(kept) < k:
                kept.append((row, score, []))
                heads.append(choice)
        last = int(rows[-1]) if full and len(rows) else -1
        return [
            Hit(row, round(score, 4), tuple(dups), bool(dups) and dups[-1] == last) for row, score, dups in kept[:k]
        ]

    # -- explaining -----------------------------------------------------------------------
    def shared_terms(self, query: str, text: str, limit: int = 5) -> list[str]:
        """The rarest words the query and a case share: why this case matched, in the query's spelling."""
        check_is_fitted(self, "postings_")
        case_terms = {stem(w) for w in words_of(text) if w not in STOP_WORDS}
        forms: dict[str, str] = {}
        for word in words_of(query):
            term = stem(word)
            if word not in STOP_WORDS and term in case_terms and not term.isdigit():
                forms.setdefault(term, word)
        columns = {t: murmurhash3_32(t, positive=True) % self.word_features for t in forms}
        ranked = sorted(forms, key=lambda t: -float(self.word_idf_[columns[t]]))
        return [forms[t] for t in ranked[:limit] if self.word_idf_[columns[t]] > 0]
