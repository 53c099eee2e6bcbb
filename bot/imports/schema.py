"""The four CSV shapes (docs/interface.md) as data, and the checks that turn cell text into stored values.

A schema says which columns a kind has, which are required and what type each holds. The
value converters here are exact and give the sentence a user sees (`'2026-13-01' is not an
ISO-8601 time`); `batch_check` runs them column by column over thousands of rows at once and
falls back to them only where a fast path fails. Problems are `FieldError(column, message)`;
the importer adds file and line, so this module never needs to know where a row came from.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from smartstep.weeks import format_time, parse_time

KINDS = ("tickets", "surveys", "customers", "metrics")
STATUSES = ("new", "open", "pending", "on-hold", "solved", "closed")
SOLVED_STATUSES = frozenset({"solved", "closed"})
_STATUS_ALIASES = {"on hold": "on-hold", "on_hold": "on-hold", "onhold": "on-hold", "hold": "on-hold"}
SURVEY_SCALES: dict[str, tuple[int, int]] = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""No support data is older; an earlier year is a typo (`0202` for 2020), and years before 1000
have no four-digit ISO week at all."""
FUTURE_SLACK = timedelta(days=1)
"""How far past now a time may be (clocks and time zones disagree by hours, not days): one ticket
dated 2100 would otherwise make its week "now" and blank every answer."""
MAX_NAME = 100
"""Characters in a team, segment, department, channel or product name: a label, not a text."""


class FieldError(ValueError):
    """One value that cannot be stored; `column` is the column name the user sees in the file."""

    def __init__(self, column: str | None, message: str) -> None:
        self.column = column
        self.message = message
        super().__init__(f"column '{column}': {message}" if column else message)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text | name | label | tags | flag | time | int | float | amount | status | survey_kind | score | metric
    required: bool = False


@dataclass(frozen=True)
class Schema:
    kind: str
    table: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    times: tuple[str, ...]
    """The time columns whose ISO weeks a row touches: what a recompute must cover."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _cols(spec: str, required: str) -> tuple[Column, ...]:
    needed = set(required.split())
    out = []
    for item in spec.split():
        name, _, kind = item.partition(":")
        out.append(Column(name, kind or "text", name in needed))
    return tuple(out)


_TICKET_TIMES = ("created_at", "first_reply_at", "solved_at", "escalated_at", "returned_at")
_CUSTOMER_TIMES = (
    "first_contact_at",
    "first_value_before_sale_at",
    "signed_at",
    "first_value_after_sale_at",
    "renewed_at",
    "churned_at",
)

SCHEMAS: dict[str, Schema] = {
    "tickets": Schema(
        "tickets",
        "tickets",
        ("id",),
        _cols(
            "id created_at:time first_reply_at:time solved_at:time status:status team:name channel:name "
            "product:name subject description resolution customer_id agent_id contacts:int reopens:int "
            "handle_minutes:amount escalated_to:name escalated_at:time returned_at:time "
            "priority:label type:label tags:tags sla_breached:flag",
            "id created_at status team",
        ),
        _TICKET_TIMES,
    ),
    "surveys": Schema(
        "surveys",
        "surveys",
        ("id",),
        _cols(
            "id ticket_id customer_id kind:survey_kind sent_at:time responded_at:time score:score comment",
            "id kind sent_at",
        ),
        ("sent_at", "responded_at"),
    ),
    "customers": Schema(
        "customers",
        "customers",
        ("id",),
        _cols(
            "id team:name segment:name first_contact_at:time first_value_before_sale_at:time signed_at:time "
            "first_value_after_sale_at:time renewed_at:time churned_at:time arr:amount",
            "id signed_at",
        ),
        _CUSTOMER_TIMES,
    ),
    "metrics": Schema(
        "metrics",
        "imported_metrics",
        ("team", "metric", "date"),
        _cols("date:time team:name metric:metric value:float", "date team metric value"),
        ("date",),
    ),
}


def normalise_header(name: str) -> str:
    """`Created At`, ` created_at ` and `created-at` all name the column `created_at`."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _shown(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _time(tz: tzinfo, now: datetime) -> Callable[[object], str]:
    latest = now + FUTURE_SLACK

    def convert(value: object) -> str:
        if isinstance(value, datetime):
            value = value if value.tzinfo else value.replace(tzinfo=tz)
            text = value.isoformat()
        else:
            text = str(value).strip()
            if not text:
                return None
        canonical = len(text) == 20 and text[10] == "T" and text[19] == "Z"
        try:
            if isinstance(value, datetime):
                moment = value
            elif canonical:  # the stored form already: only check it is a real time
                moment = datetime.fromisoformat(text[:19]).replace(tzinfo=UTC)
            else:
                moment = parse_time(text, tz)
        except (ValueError, OverflowError):
            raise ValueError(f"{text!r} is not an ISO-8601 time") from None
        if moment < EARLIEST:
            raise ValueError(f"{text!r} is before the year {EARLIEST.year}; check the year")
        if moment > latest:
            raise ValueError(f"{text!r} is more than a day in the future (it is now {now:%Y-%m-%d %H:%M} UTC)")
        return text if canonical else format_time(moment)

    return convert


def _int(value: object) -> int:
    try:
        number = float(value) if isinstance(value, str) and "." in value else int(value)
    except (TypeError, ValueError):
        if isinstance(value, str) and not value.strip():
            return None
        raise ValueError(f"{_shown(value)} is not a whole number") from None
    if isinstance(number, float) and not number.is_integer():
        raise ValueError(f"{_shown(value)} is not a whole number")
    if number < 0:
        raise ValueError(f"{_shown(value)} is negative; expected a count of 0 or more")
    return int(number)


def _float(value: object) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        if isinstance(value, str) and not value.strip():
            return None
        raise ValueError(f"{_shown(value)} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{_shown(value)} is not a finite number")
    return number


def _amount(value: object) -> float:
    number = _float(value)
    if number is not None and number < 0:
        raise ValueError(f"{_shown(value)} is negative; expected 0 or more")
    return number


def _name(value: object) -> str | None:
    """A label shown in every answer: plain printable text of sane length, so a name with a
    right-to-left override or a zero-width space cannot pass for "Billing" or garble a reply."""
    text = _text(value)
    if text is None:
        return None
    if not (text.isascii() and text.isprintable()):
        text = "".join(" " if unicodedata.category(c) == "Zs" else c for c in text)  # no-break spaces
        bad = next((c for c in text if not c.isprintable()), None)
        if bad is not None:
            kind = {"Cc": "control", "Cf": "invisible formatting"}.get(unicodedata.category(bad), "unprintable")
            name = f" ({unicodedata.name(bad)})" if unicodedata.name(bad, "") else ""
            raise ValueError(f"{text!r} contains the {kind} character U+{ord(bad):04X}{name}; names must be plain text")
    if len(text) > MAX_NAME:
        raise ValueError(f"{text[:20]!r}... is {len(text):,} characters long; a name can be at most {MAX_NAME}")
    return text


def _status(value: object) -> str:
    text = str(value).strip().lower()
    text = _STATUS_ALIASES.get(text, text)
    if text not in STATUSES and text:
        raise ValueError(f"{_shown(value)} is not a ticket status ({', '.join(STATUSES)})")
    return text or None


def _survey_kind(value: object) -> str:
    text = str(value).strip().lower()
    if text not in SURVEY_SCALES and text:
        raise ValueError(f"{_shown(value)} is not a survey kind (csat, nps or ces)")
    return text or None


def _metric(value: object) -> str:
    from rapidfuzz import process

    from smartstep.definitions import metric_ids

    text = str(value).strip().lower()
    known = metric_ids()
    if text in known or not text:
        return text or None
    best = process.extractOne(text, known, score_cutoff=70)
    hint = f" — did you mean '{best[0]}'?" if best else f" (known: {', '.join(known)})"
    raise ValueError(f"unknown metric {str(value).strip()!r}{hint}")


def _text(value: object) -> str | None:
    return (value.strip() or None) if value.__class__ is str else str(value)


def _label(value: object) -> str | None:
    """Priority and type compare without case (`Urgent` and `urgent` are one segment)."""
    return str(value).strip().lower() or None


def split_tags(text: str) -> list[str]:
    """Tags as exports write them: comma-separated (Freshdesk) or space-separated (Zendesk)."""
    parts = text.split(",") if "," in text else text.split()
    return list(dict.fromkeys(p.strip().lower() for p in parts if p.strip()))


def _tags(value: object) -> str | None:
    return ",".join(split_tags(str(value))) or None


FLAG_WORDS = {
    **dict.fromkeys(("1", "true", "yes", "y", "breached", "violated", "sla violated", "missed"), 1),
    **dict.fromkeys(("0", "false", "no", "n", "met", "within sla", "achieved", "ok"), 0),
}


def _flag(value: object) -> int | None:
    text = str(value).strip().lower()
    if not text:
        return None
    if text not in FLAG_WORDS:
        raise ValueError(f"{_shown(value)} is not a yes/no value (true/false, 1/0, breached/met)")
    return FLAG_WORDS[text]


_CONVERTERS: dict[str, Callable[[object], object]] = {
    "text": _text,
    "name": _name,
    "label": _label,
    "tags": _tags,
    "flag": _flag,
    "int": _int,
    "float": _float,
    "amount": _amount,
    "status": _status,
    "survey_kind": _survey_kind,
    "metric": _metric,
    "score": _float,
}


def converter(column_type: str, tz: tzinfo | None = None, now: datetime | None = None) -> Callable[[object], object]:
    """The exact, one-value converter for a column type; raises ValueError with the user's sentence.

    Times are refused before EARLIEST and more than FUTURE_SLACK after `now` (default: the clock)."""
    if column_type == "time":
        return _time(tz or UTC, now or datetime.now(UTC))
    return _CONVERTERS[column_type]
