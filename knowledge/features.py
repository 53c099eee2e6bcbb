"""Texts -> hashed count matrices, fast enough for a million cases.

Word work is done once per *distinct* word, never per occurrence: a batch of texts is
tokenised by one regex pass and pandas' hash factorisation, each distinct word gets its
stem's column and its character n-gram columns (computed once, cached), and a document
is then just a run of word ids (`Tokens`, 4 bytes a word). Word unigrams and bigrams are
counted with numpy over the whole batch, and character n-gram counts are one sparse
product, documents x words times words x n-grams. The columns match sklearn's `char_wb`
idea (n-grams inside each word, padded with a space) and are stable murmurhash values, so
nothing but the parameters is needed to rebuild the same features later.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

from smartstep.knowledge.terms import STOP_WORDS, stem

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_SEPARATOR = "\x01"  # joins a batch for one regex pass; never part of a token
_TOKEN_OR_SEPARATOR = re.compile(_TOKEN.pattern + "|" + _SEPARATOR, re.UNICODE)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def words_of(text: str) -> list[str]:
    """Lower-cased word tokens of two or more characters, apostrophes folded ("can't" -> "cant")."""
    return [t.replace("'", "") for t in _TOKEN.findall(text.lower()) if len(t) > 1]


@dataclass(frozen=True)
class Tokens:
    """A batch of documents as word ids: `flat` holds every document's ids in order, `lengths` splits it."""

    flat: np.ndarray  # int32 word ids
    lengths: np.ndarray  # int64 words per document

    def __len__(self) -> int:
        return len(self.lengths)


class Featurizer:
    """Maps texts to (word counts, char n-gram counts); caches per-word work across calls."""

    def __init__(self, word_features: int, char_features: int, ngram_range: tuple[int, int], char_words: int):
        self.word_features = word_features
        self.char_features = char_features
        self.ngram_range = ngram_range
        self.char_words = char_words
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        self._df = np.zeros(0, dtype=np.int64)
        self._stem_hash = np.zeros(0, dtype=np.int64)  # -1 for stop words
        self._gram_parts: list[tuple[np.ndarray, np.ndarray]] = []  # (lengths, columns) per batch of new words
        self._gram_matrix: sp.csr_matrix | None = None
        self._lock = threading.Lock()  # the Slack app tokenises queries from several threads

    def _register(self, words: list[str]) -> None:
        """Stem and n-gram columns for words never seen before, computed once per word."""
        stems, lengths, columns = [], [], []
        low, high = self.ngram_range
        for word in words:
            stems.append(-1 if word in STOP_WORDS else murmurhash3_32(stem(word), positive=True))
            if not self.char_words:  # words only (topics): no n-gram columns to compute
                lengths.append(0)
                continue
            padded = f" {word} "
            grams = {padded[i : i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)}
            lengths.append(len(grams))
            columns.extend(murmurhash3_32(g, positive=True) % self.char_features for g in grams)
        self._stem_hash = np.concatenate([self._stem_hash, np.asarray(stems, dtype=np.int64)])
        self._gram_parts.append((np.asarray(lengths, dtype=np.int64), np.asarray(columns, dtype=np.int32)))
        self._gram_matrix = None

    def _grams_matrix(self) -> sp.csr_matrix:
        with self._lock:  # never cache a matrix built before another thread's new words
            if self._gram_matrix is None:
                lengths = np.concatenate([part[0] for part in self._gram_parts] or [np.zeros(0, np.int64)])
                indices = np.concatenate([part[1] for part in self._gram_parts] or [np.zeros(0, np.int32)])
                indptr = np.concatenate([[0], np.cumsum(lengths)])
                data = np.ones(len(indices), dtype=np.float32)
                shape = (len(lengths), self.char_features)
                self._gram_matrix = sp.csr_matrix((data, indices, indptr), shape=shape)
            return self._gram_matrix

    def transform(self, texts: Sequence[str], bigrams: bool = True) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(word counts, char n-gram counts) of texts, in one call (queries, added cases)."""
        return self.counts(self.tokenize(texts), bigrams)

    def tokenize(self, texts: Sequence[str], learn: bool = False) -> Tokens:
        """The texts as word ids (the same words `words_of` gives), new words registered on the way."""
        if not texts:
            return Tokens(np.zeros(0, np.int32), np.zeros(0, np.int64))
        raw = _TOKEN_OR_SEPARATOR.findall(_SEPARATOR.join(texts).lower())
        codes, uniques = pd.factorize(np.array(raw, dtype=object))
        with self._lock:  # new words get ids and n-gram rows together, or two threads could share an id
            new: list[str] = []
            word_ids = np.fromiter((self._word_id(u, new) for u in uniques), dtype=np.int64, count=len(uniques))
            if new:
                self._register(new)
        ids = word_ids[codes]
        ends = ids == -2  # separators
        row = np.cumsum(ends) - ends
        keep = ids >= 0
        flat, row = ids[keep].astype(np.int32), row[keep]
        lengths = np.bincount(row, minlength=len(texts)).astype(np.int64)
        if learn and len(flat):
            vocabulary = len(self.ids)
            seen = pd.unique(row * vocabulary + flat) % vocabulary
            self._df = np.concatenate([self._df, np.zeros(vocabulary - len(self._df), np.int64)])
            self._df += np.bincount(seen, minlength=vocabulary)
        return Tokens(flat, lengths)

    def _word_id(self, token: str, new: list[str]) -> int:
        """-2 for the batch separator, -1 for a one-letter token, else the word's id (new words registered)."""
        if token == _SEPARATOR:
            return -2
        if len(token) < 2:
            return -1
        word = token.replace("'", "")
        found = self.ids.get(word)
        if found is None:
            found = self.ids[word] = len(self.words)
            self.words.append(word)
            new.append(word)
        return found

    def counts(self, tokens: Tokens, bigrams: bool = True) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(word counts, char n-gram counts) of tokenised documents: numpy and scipy only, no Python loop."""
        row = np.repeat(np.arange(len(tokens), dtype=np.int64), tokens.lengths)
        return (
            self._words(tokens.flat, row, len(tokens), bigrams),
            self._chars(tokens.flat, row, tokens.lengths, len(tokens)),
        )

    def word_counts(self, tokens: Tokens, bigrams: bool = True) -> sp.csr_matrix:
        """Word (and bigram) counts alone, for callers that need no character n-grams (topics)."""
        row = np.repeat(np.arange(len(tokens), dtype=np.int64), tokens.lengths)
        return self._words(tokens.flat, row, len(tokens), bigrams)

    def stem_column(self, word_id: int) -> int:
        """The word-feature column of a known word id (its stem's hash), -1 for a stop word."""
        value = int(self._stem_hash[word_id])
        return -1 if value < 0 else value % self.word_features

    def _words(self, flat: np.ndarray, row: np.ndarray, n_docs: int, bigrams: bool) -> sp.csr_matrix:
        hashes = self._stem_hash[flat]
        keep = hashes >= 0
        hashes, row = hashes[keep].astype(np.uint64), row[keep]
        columns, rows = [hashes % np.uint64(self.word_features)], [row]
        if bigrams and len(hashes) > 1:
            same_doc = row[1:] == row[:-1]
            pair = (hashes[:-1] * _MIX) ^ (hashes[1:] + np.uint64(0x632BE59BD9B4E019))
            columns.append(pair[same_doc] % np.uint64(self.word_features))
            rows.append(row[1:][same_doc])
        cols, rws = np.concatenate(columns).astype(np.int64), np.concatenate(rows)
        data = np.ones(len(cols), dtype=np.float32)
        return sp.csr_matrix((data, (rws, cols)), shape=(n_docs, self.word_features), dtype=np.float32)

    def _chars(self, flat: np.ndarray, row: np.ndarray, lengths: np.ndarray, n_docs: int) -> sp.csr_matrix:
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        early = (np.arange(len(flat)) - starts) < self.char_words  # the title and the start of the body
        flat, row = flat[early], row[early]
        grams = self._grams_matrix()
        if n_docs > 256:  # one sparse product: C speed, memory bounded by the result
            counts = sp.csr_matrix((np.ones(len(flat), np.float32), (row, flat)), shape=(n_docs, len(self.ids)))
            return (counts @ grams).tocsr()
        # Few texts (queries): gather their words' n-gram rows directly, no full-width scratch arrays.
        sizes = np.diff(grams.indptr)[flat]
        columns = np.concatenate(
            [grams.indices[grams.indptr[i] : grams.indptr[i + 1]] for i in flat.tolist()] or [np.zeros(0, np.int32)]
        )
        rows = np.repeat(row, sizes)
        data = np.ones(len(columns), dtype=np.float32)
        return sp.csr_matrix((data, (rows, columns)), shape=(n_docs, self.char_features), dtype=np.float32)

    def frequent_words(self, limit: int) -> list[str]:
        """Learned content words in two or more documents, most frequent first (targets for typo fixes)."""
        df = np.concatenate([self._df, np.zeros(len(self.ids) - len(self._df), np.int64)])
        good = (df >= 2) & (self._stem_hash >= 0)
        candidates = np.flatnonzero(good)[np.argsort(-df[good], kind="stable")]
        words = (self.words[i] for i in candidates)
        return list(itertools.islice((w for w in words if len(w) > 2 and not w.isdigit()), limit))
