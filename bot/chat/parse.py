"""The parse before an answer: which teams, metrics, periods, segments, products and channels a
question names, which words are left over, and the question with those names masked for the
intent model ("how is zmetric for zteam zperiod").

Precedence where words collide: periods first ("last 12 weeks" is never a team number), then
exact names longest first (a known team name beats a metric synonym of the same length;
"onboarding time" beats "onboarding"), then typo-tolerant matches on the words left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from smartstep.chat.conversation import Period
from smartstep.chat.periods import find_periods, side_by_side
from smartstep.chat.vocabulary import CHANNEL_CUES, VAGUE, Vocabulary, known_words, tokens

MASKS = {"team": "zteam", "metric": "zmetric", "period": "zperiod", "segment": "zthing", "product": "zthing"}
MASKS["channel"] = "zthing"
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
ORDINALS |= {"fifth": 5, "5th": 5, "top": 1}
ITEM_WORDS = {"one", "step", "case", "ticket", "option", "item", "suggestion", "advice", "thing", "idea"}
TEAM_WORDS = {"team", "teams", "group", "squad", "desk", "queue", "folks", "people", "crew"}
SUBJECT_BEFORE = {"should", "is", "does", "can", "could", "would", "will"}
SUBJECT_AFTER = {"do", "doing", "tackle", "focus", "start", "improve", "fix", "change", "work", "get"}
# Words before "team" that do not name one: "the whole team", "our support team".
NOT_A_TEAM = {"whole", "entire", "support", "service", "every", "each", "other", "same", "best", "worst", "top"}
NOT_A_TEAM |= {"my", "our", "your", "their", "this", "that", "which", "what", "new", "lead", "leads", "agent"}
NOT_A_TEAM |= {"agents", "customers", "users", "people", "folks", "everybody", "things", "numbers", "support"}


@dataclass(frozen=True)
class Parsed:
    text: str
    teams: tuple[str, ...] = ()
    unknown_teams: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    weak_metrics: tuple[str, ...] = ()  # named only by an everyday word ("tickets"); the caller decides
    vague_metrics: tuple[str, ...] = ()
    periods: tuple[Period, ...] = ()
    segments: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    ordinal: int | None = None
    masked: str = ""
    leftover: tuple[str, ...] = ()  # words that are no name, in order

    @property
    def entities(self) -> bool:
        return bool(self.teams or self.metrics or self.periods or self.segments or self.products or self.channels)


def parse(text: str, vocab: Vocabulary, now: str | None, before: Period | None = None) -> Parsed:
    toks = tokens(text)
    lowered = text.lower().replace("’", "'")
    kinds: list[str | None] = [None] * len(toks)  # what each token belongs to
    found: dict[str, list[str]] = {k: [] for k in ("team", "metric", "segment", "product", "channel")}
    weak: list[str] = []
    periods = find_periods(lowered, now, before) if now else []
    for (a, b), _ in periods:
        for i, (_, start, end) in enumerate(toks):
            if start >= a and end <= b:
                kinds[i] = "period"

    def free(i: int, n: int) -> bool:
        return i + n <= len(toks) and all(k is None for k in kinds[i : i + n])

    def take(i: int, n: int, kind: str, value: str) -> None:
        for j in range(i, i + n):
            kinds[j] = kind
        if value not in found[kind]:
            found[kind].append(value)

    words = [t for t, _, _ in toks]
    i = 0
    while i < len(toks):
        matched = 0
        for n in range(min(vocab.longest, len(toks) - i), 0, -1):
            if not free(i, n):
                continue
            names = [m for m in vocab.exact(tuple(words[i : i + n])) if _fits(m.kind, words, i, n)]
            if not names:
                continue
            best = names[0]
            if best.kind == "metric" and best.weak:
                for j in range(i, i + n):
                    kinds[j] = "weak"
                weak.append(best.value)
            else:
                take(i, n, best.kind, best.value)
            matched = n
            break
        i += matched or 1
    unknown = _fuzzy_teams(toks, words, kinds, vocab, text, take)
    _fuzzy_metrics(words, kinds, vocab, take)
    unknown += _unknown_team_words(toks, words, kinds, text, unknown)
    vague: list[str] = []
    if not found["metric"] and not weak:
        for j, word in enumerate(words):
            if kinds[j] is None and word in VAGUE:
                vague += [m for m in VAGUE[word] if m not in vague]
    ordinal = _ordinal(words, kinds, lowered)
    masked = " ".join(MASKS.get(k or "", words[j]) for j, k in enumerate(kinds))
    masked = re.sub(r"\b(z\w+)( \1\b)+", r"\1", masked)
    leftover = tuple(w for w, k in zip(words, kinds, strict=True) if k in (None, "weak"))
    return Parsed(
        text=text,
        teams=tuple(found["team"]),
        unknown_teams=tuple(dict.fromkeys(unknown)),
        metrics=tuple(found["metric"]),
        weak_metrics=() if found["metric"] else tuple(dict.fromkeys(weak)),
        vague_metrics=tuple(vague),
        periods=tuple(side_by_side([p for _, p in periods], now)) if now else (),
        segments=tuple(found["segment"]),
        products=tuple(found["product"]),
        channels=tuple(found["channel"]),
        ordinal=ordinal,
        masked=masked,
        leftover=leftover,
    )


def _fits(kind: str, words: list[str], i: int, n: int) -> bool:
    """A channel name ("chat", "phone") counts only next to a word that says it is a channel."""
    if kind != "channel":
        return True
    around = {words[i - 1] if i > 0 else "", words[i + n] if i + n < len(words) else ""}
    return bool(around & CHANNEL_CUES)


def _alike(word: str, target: str) -> bool:
    if word == target:
        return True
    if word.isdigit() or target.isdigit() or word in known_words():
        return False
    if len(word) >= 4 and target.startswith(word):
        return True  # "tech" for Technical
    return len(word) >= 5 and fuzz.ratio(word, target) >= 85


def _fuzzy_teams(toks, words, kinds, vocab: Vocabulary, text: str, take) -> list[str]:
    """Teams written with a typo or cut short; a known name with another number is an unknown team."""
    unknown: list[str] = []
    team_words = {team: [w for w, _, _ in tokens(team)] for team in vocab.teams}
    for team, parts in sorted(team_words.items(), key=lambda item: -len(item[1])):
        n = len(parts)
        if not n:
            continue
        for i in range(len(words) - n + 1):
            if any(kinds[j] is not None for j in range(i, i + n)):
                continue
            window = words[i : i + n]
            letters_match = all(_alike(w, p) for w, p in zip(window, parts, strict=True) if not p.isdigit())
            digits = [(w, p) for w, p in zip(window, parts, strict=True) if p.isdigit()]
            if not letters_match or any(not w.isdigit() for w, _ in digits):
                continue
            if all(w == p for w, p in digits):
                take(i, n, "team", team)
            elif digits and all(w == p for w, p in zip(window, parts, strict=True) if not p.isdigit()):
                unknown.append(text[toks[i][1] : toks[i + n - 1][2]].strip().title())
                for j in range(i, i + n):
                    kinds[j] = "unknown"
    return unknown


def _fuzzy_metrics(words: list[str], kinds: list, vocab: Vocabulary, take) -> None:
    for n in (3, 2):
        for i in range(len(words) - n + 1):
            if all(kinds[j] is None for j in range(i, i + n)) and not all(w in known_words() for w in words[i : i + n]):
                metric = vocab.fuzzy_metric_phrase(" ".join(words[i : i + n]))
                if metric:
                    take(i, n, "metric", metric)
    for i, word in enumerate(words):
        if kinds[i] is None:
            metric = vocab.fuzzy_metric(word)
            if metric:
                take(i, 1, "metric", metric)


def _unknown_team_words(toks, words, kinds, text: str, already: list[str]) -> list[str]:
    """ "the payments team", "for Payments": a name that is no team the store knows."""
    out = []
    for i, word in enumerate(words):
        if kinds[i] is not None or word.isdigit() or len(word) < 3 or word in ENGLISH_STOP_WORDS | NOT_A_TEAM:
            continue
        original = text[toks[i][1] : toks[i][2]]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        prev = words[i - 1] if i > 0 else ""
        called = nxt in ("team", "teams") or prev == "team"  # "the payments team", "team payments"
        # "what should payments do next?", "how is payments doing?": a name in a team's place
        called = called or (prev in SUBJECT_BEFORE and nxt in SUBJECT_AFTER and word not in known_words())
        if called or (prev in ("for", "at") and original[:1].isupper() and word not in known_words()):
            out.append(original.title() if original.islower() else original)
            kinds[i] = "unknown"
    return [o for o in out if o not in already]


def _ordinal(words: list[str], kinds: list, lowered: str) -> int | None:
    """ "the second one", "#2", "number 3", "option 1", or a bare "2"."""
    match = re.search(r"(?:#|\bnumber\s+|\bno\.?\s*|\boption\s+|\bstep\s+|\bcase\s+)(\d)\b", lowered)
    if match:
        return int(match.group(1))
    if re.fullmatch(r"\s*(\d)\s*[.)]?\s*", lowered):
        return int(lowered.strip(" .)"))
    for i, word in enumerate(words):
        if kinds[i] is None and word in ORDINALS:
            after = words[i + 1] if i + 1 < len(words) else ""
            if after in ITEM_WORDS or (word != "top" and after == ""):
                return ORDINALS[word]
    return None
