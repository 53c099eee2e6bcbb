"""Words as the index sees them: lower-cased, stop words out, a light suffix stem.

The stem is deliberately crude (plural, -ed, -ing, trailing e): it makes "charged",
"charges" and "charging" one term without a dictionary, and it is the same at index and
query time, which is all that matching needs.
"""

from __future__ import annotations

import functools
import re

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_KEEP = frozenset({"not", "no", "never", "cannot", "off", "down", "up", "out", "empty", "back", "again"})
STOP_WORDS = frozenset(
    (ENGLISH_STOP_WORDS - _KEEP)
    | {
        "hi",
        "hello",
        "thanks",
        "thank",
        "please",
        "pls",
        "dear",
        "team",
        "regards",
        "help",
        "issue",
        "problem",
        "ticket",
    }
)


_SNOWBALL = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball (Porter 2) English stem; cached, since word frequencies are Zipfian."""
    return _SNOWBALL.stemWord(word) if len(word) > 3 and not word.isdigit() else word


def crude_stem(word: str) -> str:
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: len(word) - len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


def raw_words(text: str) -> list[str]:
    """Lower-cased tokens of two or more characters, apostrophes folded ("can't" -> "cant")."""
    return [t.replace("'", "") for t in _TOKEN.findall(text.lower()) if len(t) > 1]


def content_terms(text: str) -> list[str]:
    """Stemmed tokens with stop words removed, in text order (repeats kept: they are term frequency)."""
    return [stem(w) for w in raw_words(text) if w not in STOP_WORDS]


def word_features(text: str, bigrams: bool = True) -> list[str]:
    """Unigrams plus adjacent bigrams of content terms: the word half of the index's features."""
    terms = content_terms(text)
    return terms + [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)] if bigrams else terms


def surface_forms(text: str) -> dict[str, str]:
    """Stem -> the first way the text spelled it, so explanations show real words, not stems."""
    forms: dict[str, str] = {}
    for word in raw_words(text):
        if word not in STOP_WORDS:
            forms.setdefault(stem(word), word)
    return forms
