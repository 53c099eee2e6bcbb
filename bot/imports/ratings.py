"""A tool export's satisfaction column as CSAT survey rows, and the tools' scales on our CSAT 1-5.

Zendesk's legacy CSAT is good/bad (5 and 1 here, a 1-5 number kept as it is); Freshdesk's happiness
scale is words or the API's codes 103 .. -103, mapped so that every "happy" answer is a 4-5 and every
"unhappy" one a 1-2 whatever the survey's number of points. Used by the CSV presets and the API sync,
so both give a rating the same id and the same score.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import tzinfo

from smartstep.imports.schema import FieldError
from smartstep.weeks import format_time, parse_time

_ZENDESK_SCORE = {"good": 5, "bad": 1}


def _csat_record(prefix: str, values: dict[str, str | None], score: int | None, tz: tzinfo) -> dict[str, str]:
    solved = values.get("solved_at") or ""
    with suppress(ValueError):  # a bad solved_at rejects the ticket row, and its rating with it
        solved = format_time(parse_time(solved, tz))
    return {
        "id": f"{prefix}-csat-{values.get('id')}",
        "ticket_id": values.get("id") or "",
        "customer_id": values.get("customer_id") or "",
        "kind": "csat",
        "sent_at": solved,
        "responded_at": solved if score is not None else "",
        "score": "" if score is None else str(score),
    }


def zendesk_score(text: str) -> int | None:
    """Zendesk's satisfaction score as CSAT 1-5: good 5, bad 1; a 1-5 number stays what it is."""
    word = text.strip().lower()
    if word in _ZENDESK_SCORE:
        return _ZENDESK_SCORE[word]
    if word.isdigit() and 1 <= int(word) <= 5:
        return int(word)
    raise ValueError(word)


def zendesk_rating(values: dict[str, str | None], tz: tzinfo) -> dict[str, str] | None:
    text = (values.pop("_rating", None) or "").strip()
    word = text.lower()
    if not word or word in ("unoffered", "not offered") or not values.get("solved_at"):
        return None
    if word == "offered":
        return _csat_record("zendesk", values, None, tz)
    try:
        return _csat_record("zendesk", values, zendesk_score(word), tz)
    except ValueError:
        raise FieldError(
            "Satisfaction Score", f"{text!r} is not a Zendesk satisfaction score (Good, Bad, Offered)"
        ) from None


_FRESHDESK_HAPPINESS = {
    "extremely happy": 5,
    "very happy": 5,
    "happy": 4,
    "neutral": 3,
    "unhappy": 2,
    "very unhappy": 1,
    "extremely unhappy": 1,
    "103": 5,
    "102": 5,
    "101": 4,
    "100": 3,
    "-101": 2,
    "-102": 1,
    "-103": 1,
}


def freshdesk_score(value: object) -> int:
    """Freshdesk's happiness answer (a word or the API's 103..-103 code) on the CSAT 1-5 scale."""
    key = str(value).strip().lower()
    if key not in _FRESHDESK_HAPPINESS:
        raise ValueError(key)
    return _FRESHDESK_HAPPINESS[key]


def freshdesk_rating(values: dict[str, str | None], tz: tzinfo) -> dict[str, str] | None:
    text = (values.pop("_rating", None) or "").strip()
    if not text or not values.get("solved_at"):
        return None
    try:
        return _csat_record("freshdesk", values, freshdesk_score(text), tz)
    except ValueError:
        raise FieldError(
            "Survey results", f"{text!r} is not a Freshdesk happiness rating (Happy, Neutral, ...)"
        ) from None
