"""The store: WAL, foreign keys, and forward migrations that keep existing data."""

from __future__ import annotations

import sqlite3

import pytest

from smartstep.db import MIGRATIONS, latest_schema_version, open_db, schema_version


def test_new_store_is_wal_with_foreign_keys_and_latest_schema(db_path):
    db = open_db(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert schema_version(db) == latest_schema_version()
    for table in (
        "tickets",
        "surveys",
        "customers",
        "imported_metrics",
        "metric_values",
        "advice",
        "feedback",
        "outcomes",
        "digests",
        "teams",
    ):
        assert db[table].exists(), table


def test_an_older_store_upgrades_in_place_and_keeps_its_rows(db_path):
    import sqlite_utils

    old = sqlite_utils.Database(str(db_path))
    MIGRATIONS.apply(old, stop_before="m002_teams")  # a store made by the first release
    old["tickets"].insert({"id": "t1", "created_at": "2026-11-02T10:00:00Z", "status": "open", "team": "Billing"})
    old.close()

    db = open_db(db_path)
    assert schema_version(db) == latest_schema_version()
    assert db["tickets"].get("t1")["team"] == "Billing"
    # m002 gives every team that already had tickets a row of its own.
    assert [r["name"] for r in db["teams"].rows] == ["Billing"]


def test_feedback_cannot_point_at_missing_advice(db):
    with pytest.raises(sqlite3.IntegrityError):
        db["feedback"].insert({"advice_id": "nope", "user": "U1", "rating": "up", "at": "2026-11-02T10:00:00Z"})


def test_reopening_applies_nothing_twice(db_path):
    open_db(db_path).close()
    db = open_db(db_path)
    names = [m.name for m in MIGRATIONS.applied(db)]
    assert len(names) == len(set(names)) == latest_schema_version()
