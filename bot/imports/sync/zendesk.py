"""Zendesk Support through its documented REST API (v2), mapped onto our tickets and surveys.

- Tickets: the cursor-based incremental export `GET /api/v2/incremental/tickets/cursor.json`
  (`start_time` on the first run, then `cursor=<after_cursor>`; up to 1000 tickets a page,
  `end_of_stream` says the export is caught up) with the `metric_sets` sideload, which gives
  first reply time, solve time, reopens and replies. Deleted tickets come through it with
  status `deleted` and leave the store.
- Teams: `GET /api/v2/groups.json` (group id -> name); a ticket without a group is "Unassigned",
  as with the CSV preset.
- Description: the ticket's `description` (its first comment). Resolution: the last public
  comment written by an agent or admin, from `GET /api/v2/tickets/{id}/comments.json?include=users`,
  read for solved and closed tickets only.
- CSAT: `GET /api/v2/satisfaction_ratings.json?start_time=...` (cursor pagination). good -> 5,
  bad -> 1 on the 1-5 scale, offered -> sent and not answered; the survey id is
  `zendesk-csat-<ticket id>` (one rating per ticket, the same id the CSV preset gives). A rating
  can change after it is offered, so each run reads the last RATING_LOOKBACK again.
- SLA outcome: `GET /api/v2/incremental/ticket_metric_events.json?start_time=...`: a ticket
  with an `apply_sla` event met its SLA unless a `breach` event says otherwise.

Mapping (ours <- Zendesk): id <- id, created_at <- created_at, status <- status (hold ->
on-hold), team <- group name, channel <- via.channel, subject, priority, type, tags (joined),
customer_id <- requester_id, agent_id <- assignee_id, first_reply_at <- created_at +
metric_set.reply_time_in_minutes.calendar, solved_at <- metric_set.solved_at, reopens <-
metric_set.reopens, contacts <- metric_set.replies. Escalation is not mapped: Zendesk records
group changes only in ticket audits, which the sync does not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from smartstep.errors import UserError
from smartstep.imports.presets import UNASSIGNED_TEAM
from smartstep.imports.sync.http import HelpdeskClient
from smartstep.imports.sync.model import Page, Record, Stream
from smartstep.weeks import format_time, parse_time

RATING_LOOKBACK = timedelta(days=14)
_STATUS = {"hold": "on-hold"}
_CHANNEL = {
    "web": "web",
    "help_center": "web",
    "web_widget": "web",
    "email": "email",
    "chat": "chat",
    "voice": "phone",
    "api": "api",
    "mobile_sdk": "app",
    "mobile": "app",
    "sms": "messaging",
    "native_messaging": "messaging",
    "whatsapp": "messaging",
    "instagram_dm": "social",
    "twitter": "social",
    "facebook": "social",
}
_SCORES = {"good": 5, "bad": 1}


def base_url(subdomain: str | None, override: str | None) -> str:
    if override:
        return override
    if not subdomain:
        raise UserError("ZENDESK_SUBDOMAIN is not set; set it to the part before .zendesk.com in your Zendesk address")
    return f"https://{subdomain.strip().removesuffix('.zendesk.com')}.zendesk.com"


class ZendeskSource:
    name = "zendesk"

    def __init__(self, url: str, email: str, token: str, *, comments: bool = True) -> None:
        # API tokens authenticate as "{email}/token" with the token as the password.
        hint = "ZENDESK_EMAIL and ZENDESK_API_TOKEN"
        self.client = HelpdeskClient("Zendesk", url, (f"{email}/token", token), hint)
        self.comments = comments
        self.groups: dict[int, str] = {}

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        self.groups = {g["id"]: g["name"] for g in self._cursor_list("/api/v2/groups.json", "groups")}

    def streams(self, since: float) -> list[Stream]:
        return [
            Stream("tickets", lambda cursor: self._tickets(cursor, since)),
            Stream("ratings", lambda cursor: self._ratings(cursor, since)),
            Stream("sla", lambda cursor: self._sla(cursor, since), optional=True),
        ]

    # --- tickets ---------------------------------------------------------------------------

    def _tickets(self, cursor: str | None, since: float) -> Iterator[Page]:
        while True:
            params: dict[str, Any] = {"include": "metric_sets"}
            params.update({"cursor": cursor} if cursor else {"start_time": int(since)})
            data = self.client.get("/api/v2/incremental/tickets/cursor.json", params).data
            metrics = {m.get("ticket_id"): m for m in data.get("metric_sets") or []}
            page = Page(cursor=data.get("after_cursor") or cursor, fetched=self.comments)
            for ticket in data.get("tickets") or []:
                if ticket.get("status") == "deleted":
                    page.deleted.append(str(ticket["id"]))
                else:
                    page.tickets.append(self._ticket(ticket, metrics.get(ticket["id"]) or {}))
            yield page
            if data.get("end_of_stream", True) or not data.get("after_cursor"):
                return
            cursor = data["after_cursor"]

    def _ticket(self, ticket: dict[str, Any], metric: dict[str, Any]) -> Record:
        status = _STATUS.get(ticket.get("status") or "", ticket.get("status"))
        created = ticket.get("created_at")
        reply_minutes = (metric.get("reply_time_in_minutes") or {}).get("calendar")
        first_reply = None
        if created and reply_minutes is not None:
            first_reply = format_time(parse_time(created) + timedelta(minutes=float(reply_minutes)))
        solved = None
        if status in ("solved", "closed"):
            solved = metric.get("solved_at") or ticket.get("updated_at")
        record: Record = {
            "id": str(ticket["id"]),
            "created_at": created,
            "first_reply_at": first_reply,
            "solved_at": solved,
            "status": status,
            "team": self.groups.get(ticket.get("group_id")) or UNASSIGNED_TEAM,
            "channel": _channel((ticket.get("via") or {}).get("channel")),
            "subject": ticket.get("subject") or ticket.get("raw_subject"),
            "description": ticket.get("description"),
            "customer_id": _text(ticket.get("requester_id")),
            "agent_id": _text(ticket.get("assignee_id")),
            "contacts": metric.get("replies"),
            "reopens": metric.get("reopens"),
            "priority": ticket.get("priority"),
            "type": ticket.get("type"),
            "tags": ",".join(ticket.get("tags") or []),
        }
        if self.comments and solved:
            description, resolution = self._comments(ticket["id"])
            record["resolution"] = resolution
            record["description"] = record["description"] or description
        return record

    def _comments(self, ticket_id: int) -> tuple[str | None, str | None]:
        """(first public comment, last public comment by an agent) of one ticket."""
        comments: list[dict[str, Any]] = []
        roles: dict[int, str] = {}
        url: str | None = f"/api/v2/tickets/{ticket_id}/comments.json"
        params: dict[str, Any] | None = {"include": "users", "page[size]": 100}
        while url:
            data = self.client.get(url, params).data
            comments += data.get("comments") or []
            roles.update({u["id"]: u.get("role", "") for u in data.get("users") or []})
            url = (data.get("links") or {}).get("next") if (data.get("meta") or {}).get("has_more") else None
            params = None  # the next link carries them
        public = [c for c in comments if c.get("public", True)]
        first = _body(public[0]) if public else None
        by_agents = [c for c in public if roles.get(c.get("author_id")) in ("agent", "admin")]
        return first, _body(by_agents[-1]) if by_agents else None

    # --- ratings and SLA events ---------------------------------------------------------------

    def _ratings(self, cursor: float | None, since: float) -> Iterator[Page]:
        start = max(since, cursor - RATING_LOOKBACK.total_seconds()) if cursor else since
        latest = cursor or since
        url: str | None = "/api/v2/satisfaction_ratings.json"
        params: dict[str, Any] | None = {"start_time": int(start), "page[size]": 100}
        while url:
            data = self.client.get(url, params).data
            page = Page(cursor=latest)
            for rating in data.get("satisfaction_ratings") or []:
                record = _rating(rating)
                if record is not None:
                    page.ratings.append(record)
                if rating.get("created_at"):
                    latest = max(latest, parse_time(rating["created_at"]).timestamp())
            url = (data.get("links") or {}).get("next") if (data.get("meta") or {}).get("has_more") else None
            params = None
            page.cursor = latest
            yield page

    def _sla(self, cursor: float | None, since: float) -> Iterator[Page]:
        start = int(cursor or since)
        while True:
            data = self.client.get("/api/v2/incremental/ticket_metric_events.json", {"start_time": start}).data
            page = Page(cursor=start)
            for event in data.get("ticket_metric_events") or []:
                ticket = str(event.get("ticket_id"))
                if event.get("type") == "breach":
                    page.sla[ticket] = 1
                elif event.get("type") == "apply_sla":
                    page.sla.setdefault(ticket, 0)
            end = int(data.get("end_time") or start)
            page.cursor = max(end, start)
            yield page
            if data.get("end_of_stream", True) or end <= start or not data.get("ticket_metric_events"):
                return
            start = end

    def _cursor_list(self, path: str, key: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        url: str | None = path
        params: dict[str, Any] | None = {"page[size]": 100}
        while url:
            data = self.client.get(url, params).data
            items += data.get(key) or []
            url = (data.get("links") or {}).get("next") if (data.get("meta") or {}).get("has_more") else None
            params = None
        return items


def _rating(rating: dict[str, Any]) -> Record | None:
    score = (rating.get("score") or "").lower()
    if score not in ("offered", *_SCORES) or rating.get("ticket_id") is None:
        return None  # unoffered: no survey went out
    answered = score in _SCORES
    return {
        "id": f"zendesk-csat-{rating['ticket_id']}",
        "ticket_id": str(rating["ticket_id"]),
        "customer_id": _text(rating.get("requester_id")),
        "kind": "csat",
        "sent_at": rating.get("created_at"),
        "responded_at": (rating.get("updated_at") or rating.get("created_at")) if answered else None,
        "score": _SCORES.get(score),
        "comment": rating.get("comment") if answered else None,
    }


def _channel(value: str | None) -> str | None:
    return _CHANNEL.get(value, value) if value else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _body(comment: dict[str, Any]) -> str | None:
    return comment.get("plain_body") or comment.get("body")
