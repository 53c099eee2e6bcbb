"""Freshdesk through its documented REST API (v2), mapped onto our tickets and surveys.

- Tickets: `GET /api/v2/tickets?updated_since=...&order_by=updated_at&order_type=asc&per_page=100
  &include=stats,description`, page after page by the `Link: <...>; rel="next"` header. The list
  stops at page 300, so past it the list is asked again from the last `updated_at` seen. The
  cursor is that `updated_at`; a run resumes one second before it, so nothing is skipped and
  what is read twice is updated, not added.
- Deleted tickets: the same list with `filter=deleted`; they leave the store.
- Teams: `GET /api/v2/groups` (group id -> name); no group is "Unassigned", as with the preset.
- Contacts and resolution: `GET /api/v2/tickets/{id}/conversations` for solved and closed
  tickets: public replies by agents (`incoming: false`, `private: false`) count as contacts and
  the last of them is the resolution.
- CSAT: `GET /api/v2/surveys/satisfaction_ratings?created_since=...`. The happiness answer of
  the default question (103 .. -103) maps onto CSAT 1-5 as in the CSV preset; the survey id is
  `freshdesk-csat-<ticket id>`. Freshdesk lists answered surveys only, and not when they were
  sent, so a rating is sent and answered at its `created_at`.
- SLA outcome: Freshdesk's own targets on the ticket (`fr_due_by`, `due_by`, set by the SLA policy
  for its priority) against `stats.first_responded_at` and `stats.resolved_at`, and its
  `fr_escalated` / `is_escalated` flags (set when a target was missed).

Mapping (ours <- Freshdesk): id, created_at, status (2 open, 3 pending, 4 resolved -> solved,
5 closed, 6 waiting on customer -> pending, 7 waiting on third party -> on-hold), team <- group
name, channel <- source, subject, description <- description_text, priority (1 low .. 4 urgent),
type, tags, customer_id <- requester_id, agent_id <- responder_id, first_reply_at <-
stats.first_responded_at, solved_at <- stats.resolved_at (else closed_at), reopens <- 1 when
stats.reopened_at is set (Freshdesk keeps only the last reopen). Escalation to another
department is not mapped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from smartstep.errors import UserError
from smartstep.imports.presets import UNASSIGNED_TEAM
from smartstep.imports.ratings import freshdesk_score
from smartstep.imports.sync.http import HelpdeskClient, HttpError
from smartstep.imports.sync.model import Page, Record, Stream
from smartstep.weeks import format_time, parse_time

MAX_PAGE = 300
_STATUS = {2: "open", 3: "pending", 4: "solved", 5: "closed", 6: "pending", 7: "on-hold"}
_PRIORITY = {1: "low", 2: "medium", 3: "high", 4: "urgent"}
_SOURCE = {
    1: "email",
    2: "web",
    3: "phone",
    4: "community",
    5: "social",
    6: "social",
    7: "chat",
    8: "app",
    9: "web",
    10: "email",
    11: "web",
    12: "chat",
    13: "messaging",
}


def base_url(domain: str | None, override: str | None) -> str:
    if override:
        return override
    if not domain:
        raise UserError("FRESHDESK_DOMAIN is not set; set it to your helpdesk's address, e.g. acme.freshdesk.com")
    host = domain.strip().removeprefix("https://").rstrip("/")
    return f"https://{host if '.' in host else host + '.freshdesk.com'}"


class FreshdeskSource:
    name = "freshdesk"

    def __init__(
        self, url: str, api_key: str, *, comments: bool = True, page_size: int = 100, max_page: int = MAX_PAGE
    ) -> None:
        # The API key is the user name; the password is any text ("X" in Freshdesk's examples).
        self.client = HelpdeskClient("Freshdesk", url, (api_key, "X"), "FRESHDESK_API_KEY")
        self.comments = comments
        self.page_size, self.max_page = page_size, max_page  # the API's limits: 100 a page, 300 pages
        self.groups: dict[int, str] = {}

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        self.groups = {g["id"]: g["name"] for g in self._linked("/api/v2/groups", {"per_page": 100})}

    def streams(self, since: float) -> list[Stream]:
        return [
            Stream("tickets", lambda cursor: self._tickets(cursor, since, deleted=False)),
            Stream("deleted", lambda cursor: self._tickets(cursor, since, deleted=True)),
            Stream("ratings", lambda cursor: self._ratings(cursor, since)),
        ]

    def _tickets(self, cursor: str | None, since: float, *, deleted: bool) -> Iterator[Page]:
        start = _resume(cursor, since)
        while True:
            params: dict[str, Any] = {
                "updated_since": start,
                "order_by": "updated_at",
                "order_type": "asc",
                "per_page": self.page_size,
                "include": "stats,description",
            }
            if deleted:
                params["filter"] = "deleted"
            url: str | None = "/api/v2/tickets"
            latest, number = cursor, 1
            while url:
                try:
                    reply = self.client.get(url, params)
                except HttpError as error:
                    if not (deleted and error.status == 400 and params and "updated_since" in params):
                        raise
                    # An account that refuses `updated_since` with the deleted filter: list what is
                    # there (Freshdesk keeps deleted tickets 30 days); removing an absent id is harmless.
                    params = {k: v for k, v in params.items() if k not in ("updated_since", "order_by", "order_type")}
                    reply = self.client.get(url, params)
                page = Page(cursor=latest, fetched=self.comments)
                for ticket in reply.data or []:
                    if deleted or ticket.get("deleted") or ticket.get("spam"):
                        page.deleted.append(str(ticket["id"]))
                    else:
                        page.tickets.append(self._ticket(ticket))
                    latest = max(latest or "", ticket.get("updated_at") or "") or latest
                url, params, number = reply.links.get("next"), None, number + 1
                page.cursor = latest
                yield page
                if url and number > self.max_page:
                    break  # the list ends at page 300: ask again from the last update seen
            if not url:
                return
            if latest is None or _resume(latest, since) <= start:
                raise UserError(
                    f"Freshdesk has more than {self.page_size * self.max_page:,} tickets updated within "
                    "one second; the sync cannot page past that"
                )
            start = _resume(latest, since)

    def _ticket(self, ticket: dict[str, Any]) -> Record:
        stats = ticket.get("stats") or {}
        status = _STATUS.get(ticket.get("status"), "open")  # custom statuses count as open
        solved = (stats.get("resolved_at") or stats.get("closed_at")) if status in ("solved", "closed") else None
        if status in ("solved", "closed") and not solved:
            solved = ticket.get("updated_at")
        record: Record = {
            "id": str(ticket["id"]),
            "created_at": ticket.get("created_at"),
            "first_reply_at": stats.get("first_responded_at"),
            "solved_at": solved,
            "status": status,
            "team": self.groups.get(ticket.get("group_id")) or UNASSIGNED_TEAM,
            "channel": _SOURCE.get(ticket.get("source")),
            "subject": ticket.get("subject"),
            "description": ticket.get("description_text"),
            "customer_id": _text(ticket.get("requester_id")),
            "agent_id": _text(ticket.get("responder_id")),
            "reopens": 1 if stats.get("reopened_at") else 0,
            "priority": _PRIORITY.get(ticket.get("priority")),
            "type": ticket.get("type"),
            "tags": ",".join(ticket.get("tags") or []),
            "sla_breached": sla_outcome(ticket, stats, solved),
        }
        if self.comments and solved:
            replies = [
                c
                for c in self._linked(f"/api/v2/tickets/{ticket['id']}/conversations", {"per_page": 100})
                if not c.get("incoming") and not c.get("private")
            ]
            record["contacts"] = len(replies)
            record["resolution"] = (replies[-1].get("body_text") or None) if replies else None
        return record

    def _ratings(self, cursor: str | None, since: float) -> Iterator[Page]:
        latest = cursor
        url: str | None = "/api/v2/surveys/satisfaction_ratings"
        params: dict[str, Any] | None = {"created_since": _resume(cursor, since), "per_page": 100}
        while url:
            reply = self.client.get(url, params)
            page = Page(cursor=latest)
            for rating in reply.data or []:
                record = _rating(rating)
                if record is not None:
                    page.ratings.append(record)
                latest = max(latest or "", rating.get("created_at") or "") or latest
            url, params = reply.links.get("next"), None
            page.cursor = latest
            yield page

    def _linked(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        url: str | None = path
        query: dict[str, Any] | None = params
        while url:
            reply = self.client.get(url, query)
            items += reply.data or []
            url, query = reply.links.get("next"), None
        return items


def sla_outcome(ticket: dict[str, Any], stats: dict[str, Any], solved: str | None) -> int | None:
    """1 when Freshdesk's own targets were missed, 0 when a solved ticket met them, None when unknown."""

    def late(done: str | None, due: str | None) -> bool:
        return bool(done and due and parse_time(done) > parse_time(due))

    if ticket.get("is_escalated") or ticket.get("fr_escalated"):
        return 1
    if late(stats.get("first_responded_at"), ticket.get("fr_due_by")) or late(solved, ticket.get("due_by")):
        return 1
    return 0 if solved and ticket.get("due_by") else None


def _rating(rating: dict[str, Any]) -> Record | None:
    answer = (rating.get("ratings") or {}).get("default_question")
    if answer is None or rating.get("ticket_id") is None:
        return None
    try:
        score = freshdesk_score(answer)
    except ValueError:
        return None  # a scale we do not know: better no answer than a wrong one
    return {
        "id": f"freshdesk-csat-{rating['ticket_id']}",
        "ticket_id": str(rating["ticket_id"]),
        "customer_id": _text(rating.get("user_id")),
        "kind": "csat",
        "sent_at": rating.get("created_at"),
        "responded_at": rating.get("created_at"),
        "score": score,
        "comment": rating.get("feedback") or None,
    }


def _resume(cursor: str | None, since: float) -> str:
    """`updated_since` for a cursor: one second early, in case the API compares strictly."""
    if not cursor:
        return format_time(datetime.fromtimestamp(since, UTC))
    return format_time(parse_time(cursor) - timedelta(seconds=1))


def _text(value: object) -> str | None:
    return None if value is None else str(value)
