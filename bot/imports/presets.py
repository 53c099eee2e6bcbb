"""Column mappings for help-desk ticket exports, so a lead can import the file the tool gave them.

`--preset generic` reads the docs/interface.md shapes as they are. The two tool presets read
the standard *ticket* CSV exports (other kinds keep the generic shape):

Zendesk (Admin Center > Account > Tools > Reports > Export, "CSV export"). Its columns are
Id, Requester, Requester id, Requester external id, Requester email, Requester domain,
Submitter, Assignee, Group, Subject, Tags, Status, Priority, Via, Ticket type, Created at,
Updated at, Assigned at, Organization, Due date, Initially assigned at, Solved at,
Resolution time, Satisfaction Score, Group stations, Assignee stations, Reopens, Replies,
First reply time in minutes (and "... within business hours"), First/Full resolution time
in minutes, Agent/Requester wait time in minutes, On hold time in minutes. Times are in the
account's time zone, written like `2024-03-01 10:20:30 +0100` (pass `--tz` when an export
carries no offset). The standard CSV export has no descriptions or comments; exports that add a
Description column (Explore, many export apps) keep it.

    id <- Id                     created_at <- Created at     solved_at <- Solved at
    first_reply_at <- Created at + First reply time in minutes
    status <- Status (New, Open, Pending, Hold/On-hold, Solved, Closed -> ours)
    team <- Group                channel <- Via (Mail/Email -> email, Web form -> web, ...)
    subject <- Subject           customer_id <- Requester id  agent_id <- Assignee (a name)
    reopens <- Reopens           contacts <- Replies (public agent replies)
    description <- Description (when the export has it)       priority <- Priority
    type <- Ticket type          tags <- Tags (space-separated)
    empty: product, resolution, handle_minutes, escalated_*, returned_at, sla_breached
    Satisfaction Score: Good -> a CSAT survey row scored 5, Bad -> 1 (a 1-5 number is kept), Offered ->
    a survey sent and not answered, Unoffered/empty -> no survey. The export has no rating time, so the
    survey is sent and answered when the ticket was solved; its id is `zendesk-csat-<ticket id>`, the
    same id `smartstep sync zendesk` gives it, so a later sync updates it instead of adding a second.

Freshdesk (Tickets > Export, CSV). Its columns include Ticket ID, Subject, Description,
Status, Priority, Source, Type, Agent, Group, Created time, Due by Time, Resolved time,
Closed time, Last update time, Initial response time, Time tracked, First response time
(in hrs), Resolution time (in hrs), Agent interactions, Customer interactions, Resolution
status, First response status, Tags, Survey results, Product, and contact fields such as
Full name, Email and Contact ID. Times are the helpdesk's local time with no offset
(`2024-03-01 10:20:30`), so pass `--tz` with the helpdesk's time zone.

    id <- Ticket ID              created_at <- Created time   first_reply_at <- Initial response time
    solved_at <- Resolved time, else Closed time
    status <- Status (Open, Pending, Resolved -> solved, Closed, Waiting on Customer -> pending,
              Waiting on Third Party -> on-hold)
    team <- Group                channel <- Source (Email, Portal -> web, Phone, Chat, ...)
    product <- Product           subject <- Subject           description <- Description
    customer_id <- Contact ID, else Email                     agent_id <- Agent (a name)
    contacts <- Agent interactions                            handle_minutes <- Time tracked (hh:mm[:ss])
    priority <- Priority         type <- Type                 tags <- Tags (comma-separated)
    sla_breached <- Resolution status / First response status ("SLA Violated" in either -> breached,
              "Within SLA" in both -> met)
    empty: resolution, reopens, escalated_*, returned_at
    Survey results: a CSAT survey row per rated ticket (`freshdesk-csat-<ticket id>`), answered when the
    ticket was resolved; Freshdesk's happiness scale maps onto CSAT 1-5 (Extremely/Very happy 5, Happy 4,
    Neutral 3, Unhappy 2, Very/Extremely unhappy 1; the API's 103..-103 codes the same).

Both tools allow tickets with no group; those rows get the team "Unassigned" rather than
being refused, since the export is the user's system of record, not a file they typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo

from smartstep.imports.ratings import freshdesk_rating, zendesk_rating
from smartstep.imports.schema import FieldError, normalise_header
from smartstep.weeks import format_time, parse_time

UNASSIGNED_TEAM = "Unassigned"

Transform = Callable[[dict[str, str | None], tzinfo], dict[str, str | None]]


@dataclass(frozen=True)
class Preset:
    """Where each canonical column comes from in a tool's export, and how its values translate."""

    name: str
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """canonical (or helper `_x`) column -> the export's header(s), first present wins."""
    transform: Transform | None = None
    rating: Callable[[dict[str, str | None], tzinfo], dict[str, str] | None] | None = None
    """From a transformed row (with its `_rating` cell) to a CSAT survey record, or None."""

    def header_for(self, canonical: str) -> str:
        """The export header a user should look for when a canonical column is missing."""
        return self.sources[canonical][0] if canonical in self.sources else canonical

    def resolve(self, headers: Mapping[str, int]) -> dict[str, tuple[int, str]]:
        """canonical name -> (field index, header as shown) for the columns this file has."""
        if not self.sources:
            return {name: (index, name) for name, index in headers.items()}
        found = {}
        for canonical, candidates in self.sources.items():
            for header in candidates:
                index = headers.get(normalise_header(header))
                if index is not None:
                    found[canonical] = (index, header)
                    break
        return found


def _status(values: dict[str, str | None], vocabulary: Mapping[str, str]) -> None:
    status = (values.get("status") or "").strip()
    values["status"] = vocabulary.get(status.lower(), status)


def _channel(values: dict[str, str | None], vocabulary: Mapping[str, str]) -> None:
    channel = (values.get("channel") or "").strip()
    values["channel"] = vocabulary.get(channel.lower(), channel.lower()) or None


def _team(values: dict[str, str | None]) -> None:
    if not (values.get("team") or "").strip():
        values["team"] = UNASSIGNED_TEAM


_ZENDESK_STATUS = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "hold": "on-hold",
    "on-hold": "on-hold",
    "on hold": "on-hold",
    "solved": "solved",
    "closed": "closed",
}
_ZENDESK_VIA = {
    "mail": "email",
    "email": "email",
    "web form": "web",
    "web widget": "web",
    "help center": "web",
    "chat": "chat",
    "native messaging": "messaging",
    "messaging": "messaging",
    "phone call (inbound)": "phone",
    "phone call (outbound)": "phone",
    "voicemail": "phone",
    "api": "api",
    "web service": "api",
    "twitter": "social",
    "facebook": "social",
    "instagram": "social",
    "whatsapp": "messaging",
}


def _zendesk(values: dict[str, str | None], tz: tzinfo) -> dict[str, str | None]:
    _status(values, _ZENDESK_STATUS)
    _channel(values, _ZENDESK_VIA)
    _team(values)
    minutes = (values.pop("_first_reply_minutes", None) or "").strip()
    created = (values.get("created_at") or "").strip()
    if minutes and created:
        try:
            offset = timedelta(minutes=float(minutes))
        except ValueError:
            raise FieldError("First reply time in minutes", f"{minutes!r} is not a number") from None
        with suppress(ValueError):  # a bad created_at is reported by its own column's check
            values["first_reply_at"] = format_time(parse_time(created, tz) + offset)
    return values


_FRESHDESK_STATUS = {
    "open": "open",
    "pending": "pending",
    "resolved": "solved",
    "closed": "closed",
    "waiting on customer": "pending",
    "waiting on third party": "on-hold",
}
_FRESHDESK_SOURCE = {
    "email": "email",
    "outbound email": "email",
    "portal": "web",
    "feedback widget": "web",
    "phone": "phone",
    "chat": "chat",
    "forum": "community",
    "twitter": "social",
    "facebook": "social",
    "whatsapp": "messaging",
    "mobihelp": "app",
    "ecommerce": "web",
}


def _hours_minutes(text: str) -> float:
    """Freshdesk's `Time tracked` is `hh:mm` or `hh:mm:ss`; a bare number is taken as hours."""
    parts = text.split(":")
    if len(parts) == 1:
        return float(parts[0]) * 60
    if len(parts) not in (2, 3):
        raise ValueError(text)
    hours, minutes, seconds = (float(p) for p in (*parts, "0")[:3])
    return round(hours * 60 + minutes + seconds / 60, 4)


def _freshdesk(values: dict[str, str | None], tz: tzinfo) -> dict[str, str | None]:
    _status(values, _FRESHDESK_STATUS)
    _channel(values, _FRESHDESK_SOURCE)
    _team(values)
    closed = values.pop("_closed_at", None)
    if not (values.get("solved_at") or "").strip() and values.get("status") in ("solved", "closed"):
        values["solved_at"] = closed
    email = values.pop("_email", None)
    if not (values.get("customer_id") or "").strip():
        values["customer_id"] = email
    outcomes = {(values.pop(key, None) or "").strip().lower() for key in ("_resolution_sla", "_reply_sla")}
    if "sla violated" in outcomes:
        values["sla_breached"] = "1"
    elif outcomes == {"within sla"}:
        values["sla_breached"] = "0"
    tracked = (values.get("handle_minutes") or "").strip()
    if tracked:
        try:
            values["handle_minutes"] = str(_hours_minutes(tracked))
        except ValueError:
            raise FieldError("Time tracked", f"{tracked!r} is not a duration like 01:30") from None
    return values


PRESETS: dict[str, Preset] = {
    "generic": Preset("generic"),
    "zendesk": Preset(
        "zendesk",
        {
            "id": ("Id",),
            "created_at": ("Created at",),
            "solved_at": ("Solved at",),
            "_first_reply_minutes": ("First reply time in minutes",),
            "status": ("Status",),
            "team": ("Group",),
            "channel": ("Via",),
            "subject": ("Subject",),
            "customer_id": ("Requester id",),
            "agent_id": ("Assignee",),
            "reopens": ("Reopens",),
            "contacts": ("Replies",),
            "description": ("Description",),
            "priority": ("Priority",),
            "type": ("Ticket type",),
            "tags": ("Tags",),
            "_rating": ("Satisfaction Score",),
        },
        _zendesk,
        zendesk_rating,
    ),
    "freshdesk": Preset(
        "freshdesk",
        {
            "id": ("Ticket ID",),
            "created_at": ("Created time",),
            "solved_at": ("Resolved time",),
            "_closed_at": ("Closed time",),
            "first_reply_at": ("Initial response time",),
            "status": ("Status",),
            "team": ("Group",),
            "channel": ("Source",),
            "product": ("Product",),
            "subject": ("Subject",),
            "description": ("Description",),
            "customer_id": ("Contact ID",),
            "_email": ("Email",),
            "agent_id": ("Agent",),
            "contacts": ("Agent interactions",),
            "handle_minutes": ("Time tracked",),
            "priority": ("Priority",),
            "type": ("Type",),
            "tags": ("Tags",),
            "_resolution_sla": ("Resolution status",),
            "_reply_sla": ("First response status",),
            "_rating": ("Survey results",),
        },
        _freshdesk,
        freshdesk_rating,
    ),
}


def get_preset(name: str, kind: str) -> Preset:
    """The preset for a kind; the tool presets describe ticket exports only."""
    from smartstep.errors import UserError

    preset = PRESETS.get(name.lower())
    if preset is None:
        raise UserError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}", exit_code=2)
    if preset.sources and kind != "tickets":
        raise UserError(f"the {preset.name} preset reads ticket exports; import {kind} with --preset generic")
    return preset


def recognise_export(headers: Mapping[str, int]) -> str | None:
    """The tool preset whose export this header looks like: three or more of its own column names
    (ones our generic shape does not use) are there."""
    from smartstep.imports.schema import SCHEMAS

    generic = set(SCHEMAS["tickets"].names)
    for preset in PRESETS.values():
        own = {normalise_header(h) for hs in preset.sources.values() for h in hs} - generic
        if own and len(own & set(headers)) >= 3:
            return preset.name
    return None
