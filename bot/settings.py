"""Settings from the environment: the only module that reads `os.environ`."""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("smartstep.db")
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    admins: frozenset[str] = field(default_factory=frozenset)
    port: int = 3000
    debug: bool = False
    rules_path: Path | None = None  # SMARTSTEP_RULES: a rule file or folder instead of the shipped base
    zendesk_subdomain: str | None = None
    zendesk_email: str | None = None
    zendesk_api_token: str | None = None
    zendesk_url: str | None = None  # ZENDESK_URL: another base URL (tests point it at a local stand-in)
    freshdesk_domain: str | None = None
    freshdesk_api_key: str | None = None
    freshdesk_url: str | None = None
    stale_after_hours: float = 72.0  # SMARTSTEP_STALE_AFTER: answers warn when the data is older (36h, 3d, 2w)
    sync_every_minutes: float = 15.0  # SMARTSTEP_SYNC_EVERY: how often `serve` syncs the configured helpdesks
    ticket_url: str | None = None  # SMARTSTEP_TICKET_URL: the helpdesk's ticket address, `{id}` for the id
    min_free_mb: int = 100  # SMARTSTEP_MIN_FREE_MB: /healthz fails below this much free space on the store's disk

    @property
    def helpdesks(self) -> tuple[str, ...]:
        """The helpdesks this deployment has credentials for, which `serve` keeps in sync."""
        configured = []
        if (self.zendesk_subdomain or self.zendesk_url) and self.zendesk_api_token:
            configured.append("zendesk")
        if (self.freshdesk_domain or self.freshdesk_url) and self.freshdesk_api_key:
            configured.append("freshdesk")
        return tuple(configured)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ if env is None else env)
        admins = frozenset(a.strip() for a in env.get("SMARTSTEP_ADMINS", "").replace(" ", ",").split(",") if a.strip())
        values: dict[str, object] = {
            "db_path": Path(env.get("SMARTSTEP_DB", "smartstep.db")),
            "slack_bot_token": env.get("SLACK_BOT_TOKEN") or None,
            "slack_signing_secret": env.get("SLACK_SIGNING_SECRET") or None,
            "slack_app_token": env.get("SLACK_APP_TOKEN") or None,
            "slack_api_url": env.get("SLACK_API_URL") or None,
            "admins": admins,
            "port": int(env.get("PORT", "3000")),
            "debug": env.get("SMARTSTEP_DEBUG", "") not in ("", "0", "false"),
            "rules_path": Path(env["SMARTSTEP_RULES"]) if env.get("SMARTSTEP_RULES") else None,
            **{
                name.lower(): env.get(name) or None
                for name in (
                    "ZENDESK_SUBDOMAIN",
                    "ZENDESK_EMAIL",
                    "ZENDESK_API_TOKEN",
                    "ZENDESK_URL",
                    "FRESHDESK_DOMAIN",
                    "FRESHDESK_API_KEY",
                    "FRESHDESK_URL",
                )
            },
            "stale_after_hours": duration_hours(env.get("SMARTSTEP_STALE_AFTER") or "3d", "SMARTSTEP_STALE_AFTER"),
            "sync_every_minutes": duration_hours(env.get("SMARTSTEP_SYNC_EVERY") or "15m", "SMARTSTEP_SYNC_EVERY") * 60,
            "ticket_url": ticket_url_template(env.get("SMARTSTEP_TICKET_URL", "")),
            "min_free_mb": int(env.get("SMARTSTEP_MIN_FREE_MB", "100")),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


_UNITS = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}


def duration_hours(text: str, name: str) -> float:
    """`90m`, `36h`, `3d`, `2w` (a bare number is days) as hours; a clear error naming the variable."""
    value = text.strip().lower()
    unit = value[-1] if value and value[-1] in _UNITS else "d"
    number = value[:-1] if value and value[-1] in _UNITS else value
    try:
        hours = float(number) * _UNITS[unit]
    except ValueError:
        from smartstep.errors import UserError

        raise UserError(f"{name}={text!r} is not a duration like 90m, 36h, 3d or 2w") from None
    return hours


def ticket_address(template: str, ticket_id: str) -> str:
    """The helpdesk address of one ticket (SMARTSTEP_TICKET_URL with the id, made safe for a URL)."""
    return template.replace("{id}", urllib.parse.quote(ticket_id, safe=""))


def ticket_url_template(value: str) -> str | None:
    """`https://acme.zendesk.com/agent/tickets/{id}`; an address without `{id}` gets the id appended."""
    value = value.strip()
    if not value:
        return None
    return value if "{id}" in value else value.rstrip("/") + "/{id}"
