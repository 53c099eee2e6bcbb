"""Words as the index sees them: stop words out, a Snowball (Porter 2) English stem.

The stem makes "charged", "charges" and "charging" one term; it is the same at index and
query time, which is all matching needs. scikit-learn's English stop list is a general
one and drops words that name support problems ("bill", "amount", "call", "name",
"system", "show", "two" of two-factor, "without", "after"); those stay in, as do
negations and direction words: "not syncing" and "sync down" differ from "syncing" and
"sync". Keeping them lifted held-out MAP from 0.600 to 0.621 (bench/RESULTS.md).
"""

from __future__ import annotations

import functools
import threading
from importlib import resources

import snowballstemmer


def _general_stop_words() -> frozenset[str]:
    """scikit-learn's English stop list, kept as data (importing scikit-learn costs half a second)."""
    text = resources.files("smartstep.knowledge").joinpath("english_stop_words.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


ENGLISH_STOP_WORDS = _general_stop_words()

_KEEP = frozenset(
    {"not", "no", "never", "cannot", "off", "down", "up", "out", "empty", "back", "again"}
    | {"amount", "bill", "bottom", "call", "detail", "fill", "find", "fire", "first", "found", "front", "full"}
    | {"give", "interest", "keep", "last", "move", "name", "next", "part", "put", "serious", "show", "side"}
    | {"system", "take", "top", "thick", "thin", "two", "three", "without", "after", "before", "over", "under"}
    | {"less", "more", "once", "only"}
)
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
_SNOWBALL_LOCK = threading.Lock()  # the stemmer keeps the word it works on in itself: one word at a time


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball English stem; cached, since word frequencies are Zipfian. Safe from several threads
    (Slack workers answering while an import brings the index up to date): only misses take the lock."""
    if len(word) <= 3 or word.isdigit():
        return word
    with _SNOWBALL_LOCK:
        return _SNOWBALL.stemWord(word)
