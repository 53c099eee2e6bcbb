"""Importing tickets, customers and metrics: stored values, updates by id, time zones, weeks touched."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smartstep.db import open_db
from smartstep.errors import UserError
from smartstep.imports.importers import ImportSummary, import_csv, import_records

FULL_HEADER = (
    "id,created_at,first_reply_at,solved_at,status,team,channel,product,subject,description,resolution,"
    "customer_id,agent_id,contacts,reopens,handle_minutes,escalated_to,escalated_at,returned_at"
)


@pytest.fixture
def db(tmp_path: Path):
    database = open_db(tmp_path / "store.db")
    yield database
    database.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ticket(db, ticket_id: str) -> dict:
    return next(db["tickets"].rows_where("id = ?", [ticket_id]))


def test_every_column_is_stored_in_its_canonical_form(db, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.csv",
        FULL_HEADER + "\n"
        "T1,2026-11-02T10:00:00+02:00,2026-11-02T09:30:00Z,2026-11-03,Solved,Billing,email,Invoicing,"
        '"Refund, please","Line one\nline two",Refunded,C1,A7,2,1,12.5,engineering,2026-11-02 12:00:00,'
        "2026-11-02T13:00:00-01:00\n",
    )
    summary = import_csv(db, "tickets", path)
    assert (summary.added, summary.updated, summary.rejected) == (1, 0, 0)
    assert ticket(db, "T1") == {
        "id": "T1",
        "created_at": "2026-11-02T08:00:00Z",
        "first_reply_at": "2026-11-02T09:30:00Z",
        "solved_at": "2026-11-03T00:00:00Z",
        "status": "solved",
        "team": "Billing",
        "channel": "email",
        "product": "Invoicing",
        "subject": "Refund, please",
        "description": "Line one\nline two",
        "resolution": "Refunded",
        "customer_id": "C1",
        "agent_id": "A7",
        "contacts": 2,
        "reopens": 1,
        "handle_minutes": 12.5,
        "escalated_to": "engineering",
        "escalated_at": "2026-11-02T12:00:00Z",
        "returned_at": "2026-11-02T14:00:00Z",
        **dict.fromkeys(("priority", "type", "tags", "sla_breached")),  # optional columns this file lacks
    }


def test_empty_optional_cells_are_stored_as_null(db, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", FULL_HEADER + "\nT1,2026-11-02,,,open,Billing,,,,,,,,,,,,,\n")
    import_csv(db, "tickets", path)
    row = ticket(db, "T1")
    assert [k for k, v in row.items() if v is None] == [
        "first_reply_at", "solved_at", "channel", "product", "subject", "description", "resolution",
        "customer_id", "agent_id", "contacts", "reopens", "handle_minutes", "escalated_to", "escalated_at",
        "returned_at", "priority", "type", "tags", "sla_breached",
    ]  # fmt: skip


def test_reimport_updates_by_id_and_never_duplicates(db, tmp_path: Path) -> None:
    first = write(
        tmp_path, "a.csv", "id,created_at,status,team\nT1,2026-11-02,open,Billing\nT2,2026-11-02,new,Billing\n"
    )
    second = write(
        tmp_path,
        "b.csv",
        "id,created_at,solved_at,status,team\nT2,2026-11-02,2026-11-04,solved,Billing\nT3,2026-11-05,,open,Billing\n",
    )
    assert import_csv(db, "tickets", first).added == 2
    again = import_csv(db, "tickets", first)  # the same rows: nothing to write, nothing to recompute
    assert (again.added, again.updated, again.unchanged, again.since) == (0, 0, 2, {})
    summary = import_csv(db, "tickets", second)
    assert (summary.added, summary.updated, summary.unchanged) == (1, 1, 0)
    assert db["tickets"].count == 3
    assert ticket(db, "T2")["status"] == "solved"
    assert ticket(db, "T2")["solved_at"] == "2026-11-04T00:00:00Z"
    assert ticket(db, "T1")["status"] == "open"


def test_naive_times_are_utc_unless_a_zone_is_given(db, tmp_path: Path) -> None:
    text = "id,created_at,status,team\nT1,2026-03-29 01:30:00,open,Billing\nT2,2026-03-29 03:30:00,open,Billing\n"
    path = write(tmp_path, "t.csv", text)
    import_csv(db, "tickets", path)
    assert ticket(db, "T1")["created_at"] == "2026-03-29T01:30:00Z"
    import_csv(db, "tickets", path, tz=ZoneInfo("Europe/Berlin"))
    # Berlin switches to summer time at 02:00 that night: +01:00 before, +02:00 after.
    assert ticket(db, "T1")["created_at"] == "2026-03-29T00:30:00Z"
    assert ticket(db, "T2")["created_at"] == "2026-03-29T01:30:00Z"


def test_explicit_offsets_win_over_the_zone(db, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "id,created_at,status,team\nT1,2026-11-02T10:00:00+05:30,open,Billing\n")
    import_csv(db, "tickets", path, tz=ZoneInfo("America/New_York"))
    assert ticket(db, "T1")["created_at"] == "2026-11-02T04:30:00Z"


def test_header_names_ignore_case_spaces_bom_and_extra_columns(db, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    text = " ID ,Created At,STATUS,Team,Internal Note\r\nT1,2026-11-02,On Hold,Billing,ignore me\r\n\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    summary = import_csv(db, "tickets", path)
    assert summary.added == 1
    assert ticket(db, "T1")["status"] == "on-hold"


def test_a_header_only_file_imports_nothing(db, tmp_path: Path) -> None:
    summary = import_csv(db, "tickets", write(tmp_path, "t.csv", "id,created_at,status,team\n"))
    assert summary == ImportSummary("tickets", str(tmp_path / "t.csv"), 0, 0, 0, (), {})


def test_since_covers_the_old_team_and_times_of_updated_rows(db, tmp_path: Path) -> None:
    old = write(tmp_path, "a.csv", "id,created_at,status,team\nT1,2026-11-03,open,Billing\nT2,2026-11-17,open,Ops\n")
    import_csv(db, "tickets", old)
    # T1 moves to Technical two weeks later; Billing's week 45 must be recomputed too.
    moved = write(tmp_path, "b.csv", "id,created_at,status,team\nT1,2026-11-17,open,Technical\n")
    summary = import_csv(db, "tickets", moved)
    assert summary.since == {"Billing": "2026-W45", "Technical": "2026-W47"}


def test_a_team_whose_only_ticket_moves_away_keeps_no_ticket_metrics(db, tmp_path: Path) -> None:
    import_csv(db, "tickets", write(tmp_path, "a.csv", "id,created_at,status,team\nT1,2026-11-03,open,Billing\n"))
    assert db.execute("SELECT count(*) FROM metric_values WHERE team = 'Billing'").fetchone()[0] > 0
    import_csv(db, "tickets", write(tmp_path, "b.csv", "id,created_at,status,team\nT1,2026-11-03,open,Technical\n"))
    teams = db.execute("SELECT DISTINCT team FROM metric_values WHERE metric = 'backlog'").fetchall()
    assert teams == [("Technical",)]  # no "Billing backlog 1" left behind from before the move


def test_since_takes_the_earliest_of_all_a_rows_times(db, tmp_path: Path) -> None:
    """A customer's first contact comes before the signature it led to: its week counts too."""
    path = write(tmp_path, "c.csv", "id,team,signed_at,first_contact_at\nC1,Billing,2026-11-10,2026-11-01T23:00:00Z\n")
    assert import_csv(db, "customers", path).since == {"Billing": "2026-W44"}


def test_teams_seen_in_tickets_and_customers_are_recorded(db, tmp_path: Path) -> None:
    import_csv(db, "tickets", write(tmp_path, "t.csv", "id,created_at,status,team\nT1,2026-11-02,open,Billing\n"))
    import_csv(db, "customers", write(tmp_path, "c.csv", "id,team,signed_at\nC1,Enterprise,2026-01-05\n"))
    assert sorted(r["name"] for r in db["teams"].rows) == ["Billing", "Enterprise"]


def test_the_import_recomputes_the_weekly_metrics(db, tmp_path: Path) -> None:
    rows = "".join(f"T{i},2026-11-0{2 + i},open,Billing\n" for i in range(3))  # Mon-Wed of 2026-W45
    import_csv(
        db, "tickets", write(tmp_path, "t.csv", "id,created_at,status,team\n" + rows + "T9,2026-11-09,open,Billing\n")
    )
    volume = dict(
        db.execute(
            "SELECT period, value FROM metric_values WHERE team = 'Billing' AND metric = 'ticket_volume'"
        ).fetchall()
    )
    assert volume["2026-W45"] == 3
    assert volume["2026-W46"] == 1


def test_customers_without_a_team_count_for_the_team_of_most_of_their_tickets(db, tmp_path: Path) -> None:
    tickets = "id,created_at,status,team,customer_id\nT1,2026-11-02,open,Billing,C1\nT2,2026-11-03,open,Ops,C1\n"
    tickets += "T3,2026-11-04,open,Ops,C1\n"
    import_csv(db, "tickets", write(tmp_path, "t.csv", tickets))
    customers = "id,team,signed_at,first_value_after_sale_at\nC1,,2026-06-01,2026-06-20\n"
    summary = import_csv(db, "customers", write(tmp_path, "c.csv", customers))
    assert summary.since == {"Ops": "2026-W23"}
    assert next(db["customers"].rows)["team"] is None  # stored as given; the team is derived, not invented


def test_metrics_are_stored_by_team_metric_and_date_and_updated_in_place(db, tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "date,team,metric,value\n2026-11-02,Billing,CSAT,81.5\n2026-11-09,Billing,nps,12\n")
    summary = import_csv(db, "metrics", path)
    assert (summary.added, summary.since) == (2, {"Billing": "2026-W45"})
    again = write(tmp_path, "m2.csv", "date,team,metric,value\n2026-11-02,Billing,csat,79\n")
    assert (import_csv(db, "metrics", again).updated, db["imported_metrics"].count) == (1, 2)
    stored = db.execute("SELECT date, metric, value FROM imported_metrics ORDER BY date").fetchall()
    assert stored == [("2026-11-02T00:00:00Z", "csat", 79.0), ("2026-11-09T00:00:00Z", "nps", 12.0)]


def test_records_take_the_same_checks_and_writes(db) -> None:
    records = [
        {"id": "R1", "created_at": "2026-11-02T10:00:00Z", "status": "open", "team": "Billing", "contacts": 2},
        {"id": "R2", "created_at": "2026-11-03", "status": "solved", "solved_at": "2026-11-04", "team": "Billing",
         "handle_minutes": 7.25, "reopens": None},
    ]  # fmt: skip
    summary = import_records(db, "tickets", records, source="demo")
    assert (summary.kind, summary.source, summary.added) == ("tickets", "demo", 2)
    assert ticket(db, "R1")["contacts"] == 2
    assert ticket(db, "R2")["handle_minutes"] == 7.25
    bad = [
        {"id": "R3", "created_at": "2026-11-03", "status": "open", "team": "Billing"},
        {"id": "R4", "status": "open"},
    ]
    with pytest.raises(UserError) as raised:
        import_records(db, "tickets", bad, source="demo")
    assert str(raised.value) == "demo row 2: column 'created_at': a value is required but the cell is empty"
    assert db["tickets"].count == 2


def test_progress_reports_bytes_read_up_to_the_whole_file(db, tmp_path: Path) -> None:
    rows = "".join(f"T{i},2026-11-02T10:00:00Z,open,Billing\n" for i in range(12_000))  # three batches
    path = write(tmp_path, "t.csv", "id,created_at,status,team\n" + rows)
    seen: list[int] = []
    import_csv(db, "tickets", path, progress=seen.append)
    assert len(seen) >= 3
    assert seen == sorted(seen)
    assert seen[-1] == path.stat().st_size
