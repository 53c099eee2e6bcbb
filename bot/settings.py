"""Settings from the environment: the only module that reads `os.environ`."""

from __future__ import annotations

import os
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
    min_free_mb: int = 100  # SMARTSTEP_MIN_FREE_MB: /healthz fails below this much free space on the store's disk

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
            "min_free_mb": int(env.get("SMARTSTEP_MIN_FREE_MB", "100")),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
