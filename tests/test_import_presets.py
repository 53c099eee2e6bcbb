"""`--preset zendesk|freshdesk`: the tools' standard ticket exports land as our tickets."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smartstep.db import open_db
from smartstep.errors import UserError
from smartstep.imports.importers import import_csv

DATA = Path(__file__).parent / "data"


@pytest.fixture
def db(tmp_path: Path):
    database = open_db(tmp_path / "store.db")
    yield database
    database.close()


def tickets(db) -> dict[str, dict]:
    return {row["id"]: row for row in db["tickets"].rows}


def test_zendesk_export(db) -> None:
    summary = import_csv(db, "tickets", DATA / "zendesk_tickets.csv", preset="zendesk")
    assert (summary.added, summary.rejected) == (3, 0)
    rows = tickets(db)
    first = rows["101"]
    # 09:15 at +01:00 is 08:15 UTC; the first reply came 45 minutes later.
    assert first["created_at"] == "2026-11-02T08:15:00Z"
    assert first["first_reply_at"] == "2026-11-02T09:00:00Z"
    assert first["solved_at"] == "2026-11-03T07:00:00Z"
    assert (first["status"], first["team"], first["channel"]) == ("solved", "Billing", "email")
    assert (first["customer_id"], first["agent_id"], first["contacts"], first["reopens"]) == (
        "9001",
        "Sam Okafor",
        2,
        0,
    )
    assert first["subject"] == "Refund for double charge"
    held = rows["102"]
    assert (held["status"], held["team"], held["channel"], held["agent_id"]) == ("on-hold", "Unassigned", "web", None)
    assert held["subject"] == 'Login loop after SSO change, "stuck"'
    assert held["first_reply_at"] is None
    closed = rows["103"]
    assert (closed["status"], closed["channel"], closed["reopens"]) == ("closed", "phone", 1)
    assert all(row["description"] is None and row["product"] is None for row in rows.values())
    assert summary.since == {"Billing": "2026-W45", "Technical": "2026-W46", "Unassigned": "2026-W45"}


def test_freshdesk_export_in_the_helpdesk_time_zone(db) -> None:
    summary = import_csv(
        db, "tickets", DATA / "freshdesk_tickets.csv", preset="freshdesk", tz=ZoneInfo("Europe/Berlin")
    )
    assert summary.added == 3
    rows = tickets(db)
    first = rows["501"]
    assert (first["created_at"], first["first_reply_at"]) == ("2026-11-02T09:00:00Z", "2026-11-02T10:00:00Z")
    assert first["solved_at"] == "2026-11-03T15:30:00Z"
    assert (first["status"], first["team"], first["channel"], first["product"]) == (
        "solved",
        "Technical",
        "web",
        "Invoicing",
    )
    assert (first["customer_id"], first["agent_id"], first["contacts"], first["handle_minutes"]) == (
        "77",
        "Dana Reyes",
        3,
        90.0,
    )
    assert first["description"] == "Export button spins, then error 504."
    closed = rows["502"]
    # No "Resolved time": a closed ticket is solved when it was closed. No Contact ID: the email identifies.
    assert (closed["status"], closed["solved_at"], closed["customer_id"]) == (
        "closed",
        "2026-11-05T11:00:00Z",
        "mia@example.com",
    )
    assert closed["handle_minutes"] == 20.5
    waiting = rows["503"]
    assert (waiting["status"], waiting["team"], waiting["channel"], waiting["solved_at"]) == (
        "pending",
        "Unassigned",
        "chat",
        None,
    )


def test_a_preset_error_names_the_exports_own_column(db, tmp_path: Path) -> None:
    path = tmp_path / "zd.csv"
    lines = (DATA / "zendesk_tickets.csv").read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], lines[1].replace("2026-11-02 09:15:00 +0100", "02/11/2026 09:15")]) + "\n")
    with pytest.raises(UserError) as raised:
        import_csv(db, "tickets", path, preset="zendesk")
    assert str(raised.value) == f"{path}:2: column 'Created at': '02/11/2026 09:15' is not an ISO-8601 time"
    assert db["tickets"].count == 0


def test_a_missing_export_column_is_named_as_the_tool_names_it(db, tmp_path: Path) -> None:
    path = tmp_path / "fd.csv"
    path.write_text("Ticket ID,Subject,Status,Group\n1,Hi,Open,Billing\n", encoding="utf-8")
    with pytest.raises(UserError) as raised:
        import_csv(db, "tickets", path, preset="freshdesk")
    assert str(raised.value) == f"{path}:1: missing required column 'Created time'"


def test_tool_presets_only_read_ticket_exports(db, tmp_path: Path) -> None:
    with pytest.raises(UserError) as raised:
        import_csv(db, "surveys", tmp_path / "s.csv", preset="zendesk")
    assert str(raised.value) == "the zendesk preset reads ticket exports; import surveys with --preset generic"
