"""Synthetic support cases for benchmarks: fast, deterministic, with a realistic word-frequency tail.

Each case is a component + symptom + context title over a Zipf-distributed body of
pseudo-words, so posting-list lengths look like real text (a few very common terms, a
long tail of rare ones). Used for the speed bench (100k / 1M cases) and as filler
distractors in the labelled quality set.
"""

from __future__ import annotations

import itertools

import numpy as np

COMPONENTS = [
    "login",
    "billing",
    "invoice",
    "export",
    "import",
    "dashboard",
    "report",
    "webhook",
    "api",
    "mobile app",
    "calendar",
    "notification",
    "search",
    "checkout",
    "subscription",
    "profile",
    "permissions",
    "upload",
    "integration",
    "sync",
    "printer",
    "terminal",
    "widget",
    "survey",
    "macro",
    "routing",
    "sso",
    "password",
    "shipping",
    "refund",
    "coupon",
    "inventory",
    "catalogue",
    "team inbox",
    "chat",
    "voice",
    "sms",
    "backup",
]
SYMPTOMS = [
    "fails",
    "is slow",
    "shows an error",
    "times out",
    "crashes",
    "returns blank page",
    "duplicates entries",
    "is missing data",
    "shows wrong totals",
    "cannot be saved",
    "is stuck loading",
    "logs users out",
    "rejects valid input",
    "sends twice",
    "never finishes",
    "shows old data",
    "is not visible",
    "breaks layout",
]
CONTEXTS = [
    "after update",
    "on Safari",
    "on Android",
    "on iOS",
    "for admins",
    "for new users",
    "since yesterday",
    "in the EU region",
    "on large accounts",
    "with SSO enabled",
    "on the free plan",
    "after migration",
    "at month end",
    "for some customers",
    "on Windows",
    "via the API",
    "in bulk mode",
    "with two factor",
]
TEAMS = ["Core", "Billing", "Platform", "Mobile", "Retail", "Enterprise"]
CHANNELS = ["email", "chat", "phone", "web", "social"]
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "vo",
    "ze",
    "pi",
    "do",
    "sa",
    "ke",
    "mu",
    "ri",
    "bo",
    "la",
    "fe",
    "gu",
    "ho",
    "ji",
    "xo",
    "ny",
    "qua",
    "tre",
    "sti",
    "pla",
    "gro",
    "bre",
    "dri",
    "fla",
]


def pseudo_words(count: int) -> list[str]:
    """Distinct pronounceable non-words, shortest first (so frequent words are short, as in English)."""
    words: list[str] = []
    for length in (2, 3, 4):
        for combo in itertools.product(_SYLLABLES, repeat=length):
            words.append("".join(combo))
            if len(words) == count:
                return words
    return words


def generate_cases(n: int, seed: int = 7, vocabulary: int = 30000) -> list[dict[str, str]]:
    """n ticket rows (the tickets table's text and filter columns), deterministic for a seed."""
    rng = np.random.default_rng(seed)
    words = np.array(pseudo_words(vocabulary))
    ranks = np.minimum(rng.zipf(1.15, size=n * 40), vocabulary) - 1
    lengths = rng.integers(15, 60, size=n)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    ranks = np.resize(ranks, starts[-1])
    comp, symp, ctx = (rng.integers(0, len(x), size=n) for x in (COMPONENTS, SYMPTOMS, CONTEXTS))
    team, channel = rng.integers(0, len(TEAMS), size=n), rng.integers(0, len(CHANNELS), size=n)
    days = rng.integers(0, 700, size=n)
    cases = []
    for i in range(n):
        body = " ".join(words[ranks[starts[i] : starts[i + 1]]])
        title = f"{COMPONENTS[comp[i]]} {SYMPTOMS[symp[i]]} {CONTEXTS[ctx[i]]}"
        cases.append(
            {
                "id": f"S{i:07d}",
                "subject": title,
                "description": f"{title}. {body}",
                "resolution": " ".join(words[ranks[starts[i] : starts[i] + 8][::-1]]),
                "team": TEAMS[team[i]],
                "channel": CHANNELS[channel[i]],
                "product": COMPONENTS[comp[i]],
                "solved_at": _date(int(days[i])),
            }
        )
    return cases


def _date(day: int) -> str:
    return f"{2025 + day // 365}-{1 + (day % 365) // 31:02d}-{1 + day % 28:02d}T12:00:00Z"


def ticket_rows(cases: list[dict[str, str]]) -> list[dict[str, str]]:
    """Cases as rows for the tickets table (solved, with the required columns)."""
    return [dict(c, status="solved", created_at=c["solved_at"]) for c in cases]
