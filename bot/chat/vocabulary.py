"""Every name a question can use for a team, metric, segment, product or channel, and how a
word sequence matches one: exactly (longest first), then with typos for the words nobody would
type by accident. Built from the store's names and `metrics.yaml`, so a new team or synonym
needs no code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from smartstep.definitions import load_definitions

# When two kinds name the same words, the earlier kind wins: a known team beats a metric synonym.
KINDS = ("team", "metric", "segment", "product", "channel")
# Metric synonyms that are also everyday words in questions ("what do you recommend", "tickets
# behind the drop"): they name the metric only when the question names no other metric.
WEAK = {"recommend", "easy", "ease", "tickets", "ticket", "contacts", "demand", "customer value", "smile"}
# Words that say "a rate" or "a time" without saying which one: a question with only these is ambiguous.
VAGUE = {
    "rate": ("reopen_rate", "escalation_rate", "sla_breach_rate", "survey_response_rate", "retention_rate"),
    "score": ("csat", "ces", "nps"),
    "scores": ("csat", "ces", "nps"),
    "long": ("first_reply_hours", "resolution_hours", "time_to_smile_days", "ttv_after_sale_days"),
    "wait": ("first_reply_hours", "resolution_hours", "time_to_smile_days"),
}
# How leads say a metric in passing, beyond its names in metrics.yaml (verbs and adjectives).
LEAD_WORDS = {
    "satisfied": "csat",
    "unsatisfied": "csat",
    "dissatisfied": "csat",
    "satisfaction score": "csat",
    "promoters": "nps",
    "detractors": "nps",
    "first reply": "first_reply_hours",
    "first replies": "first_reply_hours",
    "reply time": "first_reply_hours",
    "replies": "first_reply_hours",
    "resolve": "resolution_hours",
    "resolving": "resolution_hours",
    "resolved": "resolution_hours",
    "open tickets": "backlog",
    "reopened tickets": "reopen_rate",
    "escalate": "escalation_rate",
    "renewed": "retention_rate",
    "renew": "retention_rate",
    "handling": "aht",
    "surveys": "survey_response_rate",
}
CHANNEL_CUES = {"on", "via", "by", "over", "through", "from", "in", "channel", "channels", "tickets", "contacts"}
# Everyday words a typo-tolerant match must never turn into a name ("for" is one edit from "fcr").
COMMON = {"yes", "yep", "nope", "set", "act", "art", "fix", "far", "fun", "few", "car", "cat", "sat", "net", "ask"}


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased word tokens with their character spans; `'s` and punctuation dropped."""
    lowered = text.lower().replace("’", "'")
    out = []
    for match in re.finditer(r"[^\W_]+", lowered):
        word = match.group(0)
        if word == "s" and match.start() > 0 and lowered[match.start() - 1] == "'":
            continue  # "technical's" -> "technical"
        out.append((word, match.start(), match.end()))
    return out


def words(text: str) -> tuple[str, ...]:
    return tuple(t for t, _, _ in tokens(text))


@dataclass(frozen=True)
class Name:
    kind: str
    value: str  # the team's name as stored, the metric id, ...
    weak: bool = False


@dataclass
class Vocabulary:
    phrases: dict[tuple[str, ...], list[Name]] = field(default_factory=dict)
    longest: int = 1
    teams: tuple[str, ...] = ()
    single_metric_words: dict[str, str] = field(default_factory=dict)
    multi_metric_phrases: dict[str, str] = field(default_factory=dict)

    def add(self, phrase: str, name: Name) -> None:
        key = words(phrase)
        if not key:
            return
        variants = {key, (*key[:-1], key[-1] + "s")} if not key[-1][-1].isdigit() else {key}
        for variant in variants:
            names = self.phrases.setdefault(variant, [])
            if all(n.kind != name.kind or n.value != name.value for n in names):
                names.append(name)
            self.longest = max(self.longest, len(variant))

    def exact(self, phrase: tuple[str, ...]) -> list[Name]:
        return sorted(self.phrases.get(phrase, ()), key=lambda n: KINDS.index(n.kind))

    def fuzzy_metric(self, token: str) -> str | None:
        """A metric one typo away ("csta", "nsp"), for tokens no dictionary word explains."""
        if len(token) < 3 or token in known_words() or token.isdigit():
            return None
        best, best_score = None, 0.0
        for word, metric in self.single_metric_words.items():
            if len(word) < 3 or word[0] != token[0] and len(word) <= 4:
                continue
            if len(word) <= 4:
                ok = len(word) == len(token) and OSA.distance(word, token) <= 1
                score = 90.0 if ok else 0.0
            else:
                score = fuzz.ratio(word, token)
                ok = score >= 85
            if ok and score > best_score:
                best, best_score = metric, score
        return best

    def fuzzy_metric_phrase(self, phrase: str) -> str | None:
        best = max(self.multi_metric_phrases, key=lambda p: fuzz.ratio(p, phrase), default=None)
        if best is not None and fuzz.ratio(best, phrase) >= 88:
            return self.multi_metric_phrases[best]
        return None


def _metric_names() -> list[tuple[str, str]]:
    out = []
    for metric in load_definitions().metrics.values():
        names = [metric.id, metric.id.replace("_", " "), metric.name, *metric.synonyms]
        if "(" in metric.name:
            names += [metric.name.split(" (")[0], metric.name.split(" (")[1].rstrip(")")]
        out += [(name, metric.id) for name in names]
    return out


# The team names the intent examples are written with (masked before training, so any team works).
TRAINING_TEAMS = ("Billing", "Technical", "Onboarding", "Enterprise", "Payments", "Accounts", "Team 7")


@cache
def known_words() -> frozenset[str]:
    """Words people use in questions: never read as a typo of a metric or team name. The
    examples' team names are not among them: in another store "payments" is an unknown team."""
    text = resources.files("smartstep").joinpath("data/intents.yaml").read_text(encoding="utf-8")
    seen = set(ENGLISH_STOP_WORDS) | COMMON
    for examples in yaml.safe_load(text).values():
        for example in examples:
            seen.update(words(str(example)))
    teams = {w for team in TRAINING_TEAMS for w in words(team)}
    return frozenset(seen - teams | {w for name, _ in _metric_names() for w in words(name)})


@cache
def vocabulary(
    teams: tuple[str, ...],
    segments: tuple[str, ...] = (),
    products: tuple[str, ...] = (),
    channels: tuple[str, ...] = (),
) -> Vocabulary:
    """The names of one store (cached: a store's names change rarely)."""
    vocab = Vocabulary(teams=teams)
    for team in teams:
        vocab.add(team, Name("team", team))
    for name, metric in (*_metric_names(), *LEAD_WORDS.items()):
        key = words(name)
        weak = " ".join(key) in WEAK or name in LEAD_WORDS and len(key) == 1
        vocab.add(name, Name("metric", metric, weak))
        if len(key) == 1 and not weak:
            vocab.single_metric_words.setdefault(key[0], metric)
        elif len(key) > 1:
            vocab.multi_metric_phrases.setdefault(" ".join(key), metric)
    for kind, values in (("segment", segments), ("product", products), ("channel", channels)):
        for value in values:
            vocab.add(value, Name(kind, value))
            first = words(value)
            if kind == "product" and len(first) > 1 and first[0] not in known_words():
                vocab.add(first[0], Name(kind, value))  # "pulse" for "Pulse API"
    return vocab
