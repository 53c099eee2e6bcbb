"""The Slack Web API client every part of the product uses: one place for the base URL (tests point
`SLACK_API_URL` at a local stand-in), timeouts, and retries after 429 and connection errors."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from smartstep.settings import Settings

RATE_LIMIT_RETRIES = 5  # a reply is worth waiting for; Slack's Retry-After is usually a few seconds


def retry_handlers() -> list[RetryHandler]:
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
    ]


def build_client(settings: Settings) -> WebClient:
    """The Web API client: `SLACK_API_URL` redirects it (tests), and 429s are retried after Retry-After."""
    kwargs: dict[str, Any] = {"token": settings.slack_bot_token, "timeout": 15, "retry_handlers": retry_handlers()}
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    return WebClient(**kwargs)
