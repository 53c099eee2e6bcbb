"""The one HTTP door to a helpdesk: authenticated GETs that wait out rate limits and fail in one sentence.

Both helpdesks answer 429 with a `Retry-After` header when a plan's per-minute budget is spent;
the client sleeps exactly that long and asks again (a few times), so a sync slows down instead
of failing. A refused credential, a missing permission or an unreachable host becomes a
`UserError` naming the setting to check; nothing the sync wrote before is lost by it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from smartstep.errors import UserError

MAX_RATE_LIMITED = 6
"""429s in a row for one request before giving up (each waits its Retry-After)."""
SERVER_RETRIES = (2.0, 8.0, 30.0)
"""Waits before asking again after a 502/503/504 (a helpdesk restarting or overloaded)."""
MAX_RETRY_AFTER = 900.0
"""A Retry-After longer than this (seconds) is not waited out: the next scheduled sync resumes instead."""
TIMEOUT = httpx.Timeout(60.0, connect=15.0)
log = logging.getLogger("smartstep.sync")


class HttpError(UserError):
    """The helpdesk answered with an error status; `status` says which."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class AccessDenied(HttpError):
    """The helpdesk refused this credential (401) or this request (403)."""


@dataclass(frozen=True)
class Response:
    data: Any
    headers: Mapping[str, str]
    links: Mapping[str, str]
    """RFC 8288 `Link` header relations (`next` -> URL); Freshdesk paginates with it."""


class HelpdeskClient:
    """GET JSON from one helpdesk's API, with its credentials and its name for messages."""

    def __init__(
        self,
        name: str,
        base_url: str,
        auth: tuple[str, str],
        credentials_hint: str,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.credentials_hint = credentials_hint
        self.waited = 0.0
        """Seconds spent waiting out rate limits (reported in the summary)."""
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=auth,
            timeout=TIMEOUT,
            headers={"Accept": "application/json", "User-Agent": "smartstep-sync"},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> Response:
        """One GET (a path under the base URL, or a full next-page URL the API handed out).

        A next-page URL is followed on the configured host only (its path and query), so the
        credentials never travel to an address the settings did not name.
        """
        if "://" in path_or_url:
            url = httpx.URL(path_or_url)
            path_or_url = url.raw_path.decode("ascii")
        server_waits = list(SERVER_RETRIES)
        for _ in range(MAX_RATE_LIMITED + len(SERVER_RETRIES) + 1):
            try:
                reply = self._http.get(path_or_url, params=params)
            except httpx.TransportError as error:
                raise UserError(
                    f"cannot reach {self.name} at {self.base_url} ({type(error).__name__}); "
                    "check the address setting and the network, then run the sync again"
                ) from None
            if reply.status_code in (502, 503, 504) and server_waits:
                wait = server_waits.pop(0)
                log.info("%s answered %d; asking again in %.0f s", self.name, reply.status_code, wait)
                time.sleep(wait)
                continue
            if reply.status_code != 429:
                return self._checked(reply)
            wait = _retry_after(reply.headers.get("Retry-After"))
            if wait > MAX_RETRY_AFTER:
                break
            log.info("%s rate limit reached; waiting %.0f s as Retry-After asks", self.name, wait)
            self.waited += wait
            time.sleep(wait)
        raise UserError(
            f"{self.name} kept answering 429 (rate limit) for {path_or_url.split('?')[0]}; "
            "what was synced so far is saved and the next run continues from there"
        )

    def _checked(self, reply: httpx.Response) -> Response:
        path = reply.request.url.path
        if reply.status_code == 401:
            raise AccessDenied(
                f"{self.name} refused the credentials (401 Unauthorized); check {self.credentials_hint}", 401
            )
        if reply.status_code == 403:
            raise AccessDenied(
                f"{self.name} denied access to {path} (403 Forbidden); the sync needs an admin's API credentials", 403
            )
        if reply.status_code >= 400:
            raise HttpError(f"{self.name} answered {reply.status_code} for {path}; try again later", reply.status_code)
        try:
            data = reply.json()
        except ValueError:
            raise UserError(
                f"{self.name} sent something that is not JSON for {path}; is {self.base_url} the API's address?"
            ) from None
        links = {rel: link["url"] for rel, link in reply.links.items() if "url" in link}
        return Response(data, reply.headers, links)


def _retry_after(value: str | None) -> float:
    """Seconds to wait: Retry-After is a number of seconds (both helpdesks); anything else waits 60 s."""
    try:
        return max(0.0, float(value)) if value is not None else 60.0
    except ValueError:
        return 60.0
