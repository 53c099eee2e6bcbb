"""The four CSV shapes (INTERFACE.md) as data, and the checks that turn cell text into stored values.

A schema says which columns a kind has, which are required and what type each holds. The
value converters here are exact and give the sentence a user sees (`'2026-13-01' is not an
ISO-8601 time`); `batch_check` runs them column by column over thousands of rows at once and
falls back to them only where a fast path fails. Problems are `FieldError(column, message)`;
the importer adds file and line, so this module never needs to know where a row came from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from smartstep.weeks import format_time, parse_time

KINDS = ("tickets", "surveys", "customers", "metrics")
STATUSES = ("new", "open", "pending", "on-hold", "solved", "closed")
SOLVED_STATUSES = frozenset({"solved", "closed"})
_STATUS_ALIASES = {"on hold": "on-hold", "on_hold": "on-hold", "onhold": "on-hold", "hold": "on-hold"}
SURVEY_SCALES: dict[str, tuple[int, int]] = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}


class FieldError(ValueError):
    """One value that cannot be stored; `column` is the column name the user sees in the file."""

    def __init__(self, column: str | None, message: str) -> None:
        self.column = column
        self.message = message
        super().__init__(f"column '{column}': {message}" if column else message)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text | label | tags | flag | time | int | float | status | survey_kind | score | metric
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
            "id created_at:time first_reply_at:time solved_at:time status:status team channel product "
            "subject description resolution customer_id agent_id contacts:int reopens:int "
            "handle_minutes:float escalated_to escalated_at:time returned_at:time "
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
            "id team segment first_contact_at:time first_value_before_sale_at:time signed_at:time "
            "first_value_after_sale_at:time renewed_at:time churned_at:time arr:float",
            "id signed_at",
        ),
        _CUSTOMER_TIMES,
    ),
    "metrics": Schema(
        "metrics",
        "imported_metrics",
        ("team", "metric", "date"),
        _cols("date:time team metric:metric value:float", "date team metric value"),
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


def _time(tz: tzinfo) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if isinstance(value, datetime):
            return format_time(value if value.tzinfo else value.replace(tzinfo=tz))
        text = str(value).strip()
        if not text:
            return None  # type: ignore[return-value]
        try:
            if len(text) == 20 and text[10] == "T" and text[19] == "Z":
                datetime.fromisoformat(text[:19])  # already canonical: only check it is a real time
                return text
            return format_time(parse_time(text, tz))
        except (ValueError, OverflowError):
            raise ValueError(f"{text!r} is not an ISO-8601 time") from None

    return convert


def _int(value: object) -> int:
    try:
        number = float(value) if isinstance(value, str) and "." in value else int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        if isinstance(value, str) and not value.strip():
            return None  # type: ignore[return-value]
        raise ValueError(f"{_shown(value)} is not a whole number") from None
    if isinstance(number, float) and not number.is_integer():
        raise ValueError(f"{_shown(value)} is not a whole number")
    if number < 0:
        raise ValueError(f"{_shown(value)} is negative; expected a count of 0 or more")
    return int(number)


def _float(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        if isinstance(value, str) and not value.strip():
            return None  # type: ignore[return-value]
        raise ValueError(f"{_shown(value)} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{_shown(value)} is not a finite number")
    return number


def _status(value: object) -> str:
    text = str(value).strip().lower()
    text = _STATUS_ALIASES.get(text, text)
    if text not in STATUSES and text:
        raise ValueError(f"{_shown(value)} is not a ticket status ({', '.join(STATUSES)})")
    return text or None  # type: ignore[return-value]


def _survey_kind(value: object) -> str:
    text = str(value).strip().lower()
    if text not in SURVEY_SCALES and text:
        raise ValueError(f"{_shown(value)} is not a survey kind (csat, nps or ces)")
    return text or None  # type: ignore[return-value]


def _metric(value: object) -> str:
    from rapidfuzz import process

    from smartstep.definitions import metric_ids

    text = str(value).strip().lower()
    known = metric_ids()
    if text in known or not text:
        return text or None  # type: ignore[return-value]
    best = process.extractOne(text, known, score_cutoff=70)
    hint = f" — did you mean '{best[0]}'?" if best else f" (known: {', '.join(known)})"
    raise ValueError(f"unknown metric {str(value).strip()!r}{hint}")


def _text(value: object) -> str | None:
    return (value.strip() or None) if value.__class__ is str else str(value)  # type: ignore[union-attr]


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
    "label": _label,
    "tags": _tags,
    "flag": _flag,
    "int": _int,
    "float": _float,
    "status": _status,
    "survey_kind": _survey_kind,
    "metric": _metric,
    "score": _float,
}


def converter(column_type: str, tz: tzinfo | None = None) -> Callable[[object], object]:
    """The exact, one-value converter for a column type; raises ValueError with the user's sentence."""
    return _time(tz or UTC) if column_type == "time" else _CONVERTERS[column_type]
