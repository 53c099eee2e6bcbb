"""One scheduled round of helpdesk syncs: every helpdesk the settings configure, errors logged, never raised.

`smartstep serve` (and `smartstep clock`) call this every SMARTSTEP_SYNC_EVERY (15 minutes by
default). A round that fails (the helpdesk is down, the token was revoked) is logged and kept in
the store for /healthz and the "data as of" warning; the next round tries again from the saved
cursor. A round still running when the next is due is skipped, not doubled (and the store's
lease keeps a hand-typed `smartstep sync` from running alongside it).
"""

from __future__ import annotations

import logging
from pathlib import Path

from smartstep.db import open_db
from smartstep.errors import UserError
from smartstep.imports.sync import build_source
from smartstep.imports.sync.run import SyncSummary, run_sync
from smartstep.settings import Settings

log = logging.getLogger("smartstep.sync")


def sync_configured(settings: Settings, db_path: str | Path) -> dict[str, SyncSummary | str]:
    """Sync each configured helpdesk once: source -> its summary, or the sentence that stopped it."""
    results: dict[str, SyncSummary | str] = {}
    for name in settings.helpdesks:
        db = open_db(db_path)
        try:
            source = build_source(name, settings)
            try:
                summary = run_sync(db, source)
            finally:
                source.close()
        except UserError as error:
            log.warning("%s sync stopped: %s", name, error)
            results[name] = str(error)
        except Exception as error:  # noqa: BLE001 - a schedule must survive one bad round
            log.exception("%s sync failed", name)
            results[name] = f"{type(error).__name__}: {error}"
        else:
            log.info(
                "%s sync: %d added, %d updated, %d deleted, %d ratings",
                name,
                summary.added,
                summary.updated,
                summary.deleted,
                summary.ratings,
            )
            results[name] = summary
        finally:
            db.close()
    return results
