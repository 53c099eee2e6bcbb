"""What kind of query a text is: a few words, or a whole ticket with its subject line first.

The index weighs its evidence by this (less character weight and typo fixes for a few words,
the subject line against case titles for a pasted ticket), and the close-match floor differs
between the two (`confidence.py`).
"""

from __future__ import annotations

from smartstep.knowledge.features import words_of
from smartstep.knowledge.terms import STOP_WORDS


def is_short(query: str) -> bool:
    """At most four content words: the index's own "short query" (less character weight, typo fixes)."""
    return len([w for w in words_of(query) if w not in STOP_WORDS]) <= 4


def subject_line(query: str, longest: int = 20) -> str:
    """The first line of a several-line query when it reads like a subject (a few words), else "".

    A ticket pasted whole starts with its subject (the cleaning has already dropped a greeting
    such as "Hello support,", which would otherwise be read as one).
    """
    first, _, rest = query.strip().partition("\n")
    return first if rest.strip() and 0 < len(words_of(first)) <= longest else ""
