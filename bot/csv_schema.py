"""The four CSV shapes (INTERFACE.md) as data, and the row check that turns text into stored values.

A schema says which columns a kind has, which are required and what type each holds; a
`RowValidator` is built once per import (it knows the time zone for naive times) and turns
one raw row into the canonical values the store keeps: UTC time text, ints, floats, None for
empty. Problems raise `FieldError(column, message)`; the importer adds file and line, so this
module never needs to know where a row came from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
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
    type: str  # text | time | int | float | status | survey_kind | score | metric
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
            "handle_minutes:float escalated_to escalated_at:time returned_at:time",
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


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _time(tz: tzinfo) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if isinstance(value, datetime):
            return format_time(value if value.tzinfo else value.replace(tzinfo=tz))
        text = str(value).strip()
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
        raise ValueError(f"{_shown(value)} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{_shown(value)} is not a finite number")
    return number


def _status(value: object) -> str:
    text = str(value).strip().lower()
    text = _STATUS_ALIASES.get(text, text)
    if text not in STATUSES:
        raise ValueError(f"{_shown(value)} is not a ticket status ({', '.join(STATUSES)})")
    return text


def _survey_kind(value: object) -> str:
    text = str(value).strip().lower()
    if text not in SURVEY_SCALES:
        raise ValueError(f"{_shown(value)} is not a survey kind (csat, nps or ces)")
    return text


def _metric(value: object) -> str:
    from rapidfuzz import process
    from smartstep.definitions import metric_ids

    text = str(value).strip().lower()
    known = metric_ids()
    if text in known:
        return text
    best = process.extractOne(text, known, score_cutoff=70)
    hint = f" — did you mean '{best[0]}'?" if best else f" (known: {', '.join(known)})"
    raise ValueError(f"unknown metric {str(value).strip()!r}{hint}")


def _text(value: object) -> str:
    return str(value).strip()


_SIMPLE: dict[str, Callable[[object], object]] = {
    "text": _text,
    "int": _int,
    "float": _float,
    "status": _status,
    "survey_kind": _survey_kind,
    "metric": _metric,
    "score": _float,
}


class RowValidator:
    """Checks and converts rows of one kind; build once per import, call once per row."""

    def __init__(self, schema: Schema, tz: tzinfo | None = None) -> None:
        self.schema = schema
        time = _time(tz or UTC)
        self._steps = [(c.name, time if c.type == "time" else _SIMPLE[c.type], c.required) for c in schema.columns]
        self._check = _ROW_CHECKS.get(schema.kind)

    def __call__(self, raw: Mapping[str, object]) -> dict[str, object]:
        row: dict[str, object] = {}
        for name, convert, required in self._steps:
            value = raw.get(name)
            if _empty(value):
                if required:
                    raise FieldError(name, "a value is required but the cell is empty")
                row[name] = None
                continue
            try:
                row[name] = convert(value)
            except ValueError as error:
                raise FieldError(name, str(error)) from None
        if self._check is not None:
            self._check(row)
        return row


def _check_ticket(row: dict[str, object]) -> None:
    solved, created = row["solved_at"], row["created_at"]
    if solved is not None and solved < created:  # type: ignore[operator]
        raise FieldError("solved_at", f"'{solved}' is before created_at '{created}'")
    if solved is None and row["status"] in SOLVED_STATUSES:
        raise FieldError("solved_at", f"a {row['status']} ticket needs the time it was solved")


def _check_survey(row: dict[str, object]) -> None:
    score = row["score"]
    if score is None:
        if row["responded_at"] is not None:
            raise FieldError("score", "a value is required when responded_at is set")
        return
    low, high = SURVEY_SCALES[row["kind"]]  # type: ignore[index]
    if not low <= score <= high:  # type: ignore[operator]
        raise FieldError("score", f"{_shown(score)} is outside the {str(row['kind']).upper()} scale {low}-{high}")


_ROW_CHECKS: dict[str, Callable[[dict[str, object]], None]] = {
    "tickets": _check_ticket,
    "surveys": _check_survey,
}
