"""Local stand-ins for the Zendesk and Freshdesk REST APIs, written from their public documentation.

Each is a stdlib HTTP server on a free port of 127.0.0.1, holding an account's data as the API
returns it (Zendesk: `developer.zendesk.com/api-reference`, the incremental exports, ticket
comments, satisfaction ratings, ticket metric events; Freshdesk: `developers.freshdesk.com/api`,
tickets, conversations, groups, satisfaction ratings). They check Basic auth, paginate the way the
real APIs do (Zendesk: `after_cursor` / `end_of_stream`, `meta.has_more` / `links.next`;
Freshdesk: the `Link: <...>; rel="next"` header, 300 pages at most), answer 429 with
`Retry-After` when told to, and can hold one request open so a test can kill the client there.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[[dict[str, list[str]]], tuple[int, Any, dict[str, str]]]


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Stub:
    """The HTTP plumbing both stand-ins share: routing, auth, 429s, holding a request open."""

    def __init__(self, username: str, password: str) -> None:
        self.credentials = (username, password)
        self.requests: list[str] = []  # path?query of every authenticated request, in order
        self.rate_limit: dict[str, set[int]] = {}  # path -> which requests to it (1st, 2nd, ...) get a 429
        self.refused: list[str] = []
        self.unavailable: dict[str, set[int]] = {}  # path -> which requests to it get a 503
        self.hold_at: tuple[str, int] | None = None  # (path, n): hold the n-th request to that path open
        self.held = threading.Event()  # set when the held request arrived
        self.release = threading.Event()
        self.lock = threading.Lock()
        self._counts: dict[str, int] = {}
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                stub._serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def routes(self) -> list[tuple[str, Callable[..., tuple[int, Any, dict[str, str]]]]]:
        raise NotImplementedError

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def calls(self, path: str) -> int:
        return sum(1 for r in self.requests if r.split("?")[0] == path)

    def _authorised(self, handler: BaseHTTPRequestHandler) -> bool:
        header = handler.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return (user, password) == self.credentials

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parsed = urllib.parse.urlsplit(handler.path)
        query = urllib.parse.parse_qs(parsed.query)
        if not self._authorised(handler):
            self._send(handler, 401, self.unauthorised(), {})
            return
        with self.lock:
            self.requests.append(handler.path)
            self._counts[parsed.path] = count = self._counts.get(parsed.path, 0) + 1
            if count in self.unavailable.get(parsed.path, ()):
                self.refused.append(f"503 {parsed.path}")
                self._send(handler, 503, {"error": "ServiceUnavailable"}, {})
                return
            if count in self.rate_limit.get(parsed.path, ()):
                self.refused.append(parsed.path)
                self._send(handler, 429, {"error": "APIRateLimitExceeded"}, {"Retry-After": "1"})
                return
            hold = self.hold_at == (parsed.path, count)
        if hold:
            self.held.set()
            self.release.wait(timeout=60)
            return  # the client was killed while waiting; nothing to answer
        for pattern, route in self.routes():
            match = _match(pattern, parsed.path)
            if match is not None:
                status, body, headers = route(query, *match)
                self._send(handler, status, body, headers)
                return
        self._send(handler, 404, {"error": "InvalidEndpoint"}, {})

    def unauthorised(self) -> Any:
        return {"error": "Couldn't authenticate you"}

    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str]) -> None:
        raw = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(raw)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _match(pattern: str, path: str) -> list[str] | None:
    """`/api/v2/tickets/{}/comments.json` against a path: the {} parts, or None."""
    want, got = pattern.strip("/").split("/"), path.strip("/").split("/")
    if len(want) != len(got):
        return None
    found = []
    for w, g in zip(want, got, strict=True):
        if w == "{}":
            found.append(g)
        elif w != g:
            return None
    return found


def _first(query: dict[str, list[str]], name: str, default: str | None = None) -> str | None:
    return query.get(name, [default])[0]


class ZendeskStub(_Stub):
    """Zendesk Support: incremental ticket export (cursor), groups, comments, CSAT, metric events."""

    def __init__(self, email: str = "lead@example.com", token: str = "zd-token", page_size: int = 1000) -> None:
        super().__init__(f"{email}/token", token)
        self.page_size = page_size
        self.groups: list[dict[str, Any]] = []
        self.tickets: dict[int, dict[str, Any]] = {}
        self.metric_sets: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.ratings: list[dict[str, Any]] = []
        self.metric_events: list[dict[str, Any]] = []

    def routes(self):
        return [
            ("/api/v2/groups.json", self._groups),
            ("/api/v2/incremental/tickets/cursor.json", self._export),
            ("/api/v2/tickets/{}/comments.json", self._comments),
            ("/api/v2/satisfaction_ratings.json", self._ratings),
            ("/api/v2/incremental/ticket_metric_events.json", self._events),
        ]

    def _cursor_page(self, query, items: list[Any], key: str, path: str, extra: dict[str, Any] | None = None):
        """Zendesk's cursor pagination: page[size], page[after]; meta.has_more and links.next."""
        size = int(_first(query, "page[size]", "100"))
        start = int(base64.b64decode(_first(query, "page[after]", "") or b"MA==").decode())
        chunk = items[start : start + size]
        after = base64.b64encode(str(start + size).encode()).decode()
        more = start + size < len(items)
        keep = {k: v[0] for k, v in query.items() if k not in ("page[after]",)}
        nxt = f"{self.url}{path}?{urllib.parse.urlencode({**keep, 'page[after]': after})}" if more else None
        body = {key: chunk, "meta": {"has_more": more, "after_cursor": after if more else None}, "links": {"next": nxt}}
        return 200, {**body, **(extra or {})}, {}

    def _groups(self, query):
        return self._cursor_page(query, self.groups, "groups", "/api/v2/groups.json")

    def _export(self, query):
        # Tickets in the order of their last change; the cursor is the position after a page.
        ordered = sorted(self.tickets.values(), key=lambda t: (epoch(t["updated_at"]), t["id"]))
        cursor = _first(query, "cursor")
        if cursor:
            ts, _, last_id = base64.b64decode(cursor).decode().partition("|")
            position = (int(ts), int(last_id))
            rest = [t for t in ordered if (epoch(t["updated_at"]), t["id"]) > position]
        elif _first(query, "start_time") is not None:
            start = int(_first(query, "start_time") or 0)
            rest = [t for t in ordered if epoch(t["updated_at"]) >= start]
        else:
            return 400, {"error": "InvalidPaginationParameter", "description": "start_time or cursor is required"}, {}
        size = min(int(_first(query, "per_page", str(self.page_size)) or self.page_size), self.page_size)
        page = rest[:size]
        if page:
            last = page[-1]
            after = base64.b64encode(f"{epoch(last['updated_at'])}|{last['id']}".encode()).decode()
        else:
            after = cursor or base64.b64encode(f"{int(_first(query, 'start_time') or 0) - 1}|0".encode()).decode()
        body: dict[str, Any] = {
            "tickets": page,
            "after_cursor": after,
            "after_url": f"{self.url}/api/v2/incremental/tickets/cursor.json?cursor={after}",
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": len(rest) <= size,
        }
        if "metric_sets" in (_first(query, "include") or "").split(","):
            body["metric_sets"] = [self.metric_sets[t["id"]] for t in page if t["id"] in self.metric_sets]
        return 200, body, {}

    def _comments(self, query, ticket_id):
        comments = self.comments.get(int(ticket_id), [])
        users = None
        if "users" in (_first(query, "include") or ""):
            authors = {c["author_id"] for c in comments}
            users = {"users": [self.users[a] for a in sorted(authors) if a in self.users]}
        return self._cursor_page(query, comments, "comments", f"/api/v2/tickets/{ticket_id}/comments.json", users)

    def _ratings(self, query):
        start = int(_first(query, "start_time", "0") or 0)
        chosen = sorted((r for r in self.ratings if epoch(r["created_at"]) >= start), key=lambda r: r["id"])
        return self._cursor_page(query, chosen, "satisfaction_ratings", "/api/v2/satisfaction_ratings.json")

    def _events(self, query):
        start = int(_first(query, "start_time", "0") or 0)
        rest = sorted((e for e in self.metric_events if epoch(e["time"]) >= start), key=lambda e: (e["time"], e["id"]))
        page = rest[: self.page_size]
        end = epoch(page[-1]["time"]) if page else start
        body = {
            "ticket_metric_events": page,
            "count": len(page),
            "end_time": end,
            "next_page": f"{self.url}/api/v2/incremental/ticket_metric_events.json?start_time={end}",
            "end_of_stream": len(rest) <= self.page_size,
        }
        return 200, body, {}


class FreshdeskStub(_Stub):
    """Freshdesk: tickets (updated_since, include=stats,description, filter=deleted), groups,
    conversations and satisfaction ratings, paginated with the Link header."""

    MAX_PAGE = 300

    def __init__(self, api_key: str = "fd-key") -> None:
        super().__init__(api_key, "X")
        self.groups: list[dict[str, Any]] = []
        self.tickets: dict[int, dict[str, Any]] = {}
        self.conversations: dict[int, list[dict[str, Any]]] = {}
        self.ratings: list[dict[str, Any]] = []

    def unauthorised(self) -> Any:
        return {"code": "invalid_credentials", "message": "You have to be logged in to perform this action."}

    def routes(self):
        return [
            ("/api/v2/groups", lambda q: self._paged(q, "/api/v2/groups", self.groups)),
            ("/api/v2/tickets", self._tickets),
            (
                "/api/v2/tickets/{}/conversations",
                lambda q, tid: self._paged(
                    q, f"/api/v2/tickets/{tid}/conversations", self.conversations.get(int(tid), [])
                ),
            ),
            ("/api/v2/surveys/satisfaction_ratings", self._ratings),
        ]

    def _paged(self, query, path: str, items: list[Any]):
        per_page = min(int(_first(query, "per_page", "30") or 30), 100)
        page = int(_first(query, "page", "1") or 1)
        if page > self.MAX_PAGE:
            return 400, {"description": "Validation failed", "errors": [{"field": "page", "code": "invalid_value"}]}, {}
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            keep = {k: v[0] for k, v in query.items() if k != "page"}
            headers["Link"] = f'<{self.url}{path}?{urllib.parse.urlencode({**keep, "page": page + 1})}>; rel="next"'
        return 200, chunk, headers

    def _tickets(self, query):
        since = _first(query, "updated_since")
        deleted = _first(query, "filter") == "deleted"
        chosen = [
            t
            for t in self.tickets.values()
            if bool(t.get("deleted")) == deleted and (since is None or epoch(t["updated_at"]) >= epoch(since))
        ]
        descending = _first(query, "order_type", "desc") == "desc"
        chosen.sort(
            key=lambda t: (t[_first(query, "order_by", "created_at") or "created_at"], t["id"]), reverse=descending
        )
        include = (_first(query, "include") or "").split(",")
        shown = []
        for ticket in chosen:
            item = {k: v for k, v in ticket.items() if k not in ("stats", "description", "description_text")}
            if "stats" in include:
                item["stats"] = ticket.get("stats", {})
            if "description" in include:
                item["description"] = ticket.get("description")
                item["description_text"] = ticket.get("description_text")
            shown.append(item)
        return self._paged(query, "/api/v2/tickets", shown)

    def _ratings(self, query):
        since = _first(query, "created_since")
        chosen = [r for r in self.ratings if since is None or epoch(r["created_at"]) >= epoch(since)]
        return self._paged(query, "/api/v2/surveys/satisfaction_ratings", sorted(chosen, key=lambda r: r["id"]))
