"""Values an import must refuse although each parses: out of range, out of order, in the future,
unprintable names and keys given twice. One sentence each, naming file, line and column; the store
exactly as it was (or, with --skip-bad-rows, the rows listed)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartstep.cli import main
from smartstep.db import open_db
from smartstep.errors import UserError
from smartstep.imports.importers import import_csv

DATA = Path(__file__).parent / "data" / "import_checks"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
LATER = "more than a day in the future (it is now 2026-12-04 12:00 UTC)"


def snapshot(db) -> dict[str, list[tuple]]:
    """The schema and every row of every table: what "unchanged" means."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
    dump = {name: sorted(db.execute(f"SELECT * FROM [{name}]").fetchall(), key=repr) for name in tables}
    dump["__schema__"] = sorted(db.execute("SELECT type, name, sql FROM sqlite_master").fetchall(), key=repr)
    return dump


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding tickets, surveys, customers and imported metrics already."""
    folder = tmp_path_factory.mktemp("seed")
    db = open_db(folder / "store.db")
    files = {
        "tickets": "id,created_at,solved_at,status,team,customer_id\n"
        "S1,2026-11-02T09:00:00Z,2026-11-02T12:00:00Z,solved,Billing,C1\nS2,2026-11-03T09:00:00Z,,open,Technical,C2\n",
        "surveys": "id,ticket_id,kind,sent_at,responded_at,score\nV9,S1,csat,2026-11-02,2026-11-03,5\n",
        "customers": "id,team,signed_at,arr\nC1,Billing,2025-06-02,9000\n",
        "metrics": "date,team,metric,value\n2026-11-02,Billing,aht,14\n",
    }
    for kind, text in files.items():
        path = folder / f"seed_{kind}.csv"
        path.write_text(text, encoding="utf-8")
        import_csv(db, kind, path, now=NOW)
    db.close()
    return folder / "store.db"


@pytest.fixture
def seeded(seed_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shutil.copy(seed_file, tmp_path / "store.db")
    db = open_db(tmp_path / "store.db")
    monkeypatch.chdir(DATA)  # files are named as given: `tickets_dated_2100.csv:3: ...`
    yield db
    db.close()


REFUSED = {
    # metric values outside the range metrics.yaml gives each metric
    "metrics_csat_500.csv": "4: column 'value': 500 is outside the csat range (0 to 100)",
    "metrics_nps_below_scale.csv": "2: column 'value': -101 is outside the nps range (-100 to 100)",
    "metrics_ces_zero.csv": "2: column 'value': 0 is outside the ces range (1 to 7)",
    "metrics_negative_backlog.csv": "3: column 'value': -3 is outside the backlog range (0 or more)",
    "metrics_negative_first_reply.csv": "2: column 'value': -0.5 is outside the first_reply_hours range (0 or more)",
    # amounts that cannot be negative
    "tickets_negative_handle_minutes.csv": "3: column 'handle_minutes': '-4' is negative; expected 0 or more",
    "customers_negative_arr.csv": "3: column 'arr': '-500' is negative; expected 0 or more",
    # times out of order
    "tickets_first_reply_before_created.csv": (
        "3: column 'first_reply_at': '2026-11-01T08:00:00Z' is before created_at '2026-11-02T09:00:00Z'"
    ),
    "tickets_escalated_before_created.csv": (
        "2: column 'escalated_at': '2026-11-02T09:00:00Z' is before created_at '2026-11-03T09:00:00Z'"
    ),
    "tickets_returned_before_escalated.csv": (
        "2: column 'returned_at': '2026-11-02T12:00:00Z' is before escalated_at '2026-11-03T09:00:00Z'"
    ),
    "surveys_answered_before_sent.csv": (
        "3: column 'responded_at': '2026-11-04T00:00:00Z' is before sent_at '2026-11-05T00:00:00Z'"
    ),
    "customers_churned_before_signed.csv": (
        "3: column 'churned_at': '2025-01-15T00:00:00Z' is before signed_at '2025-03-03T00:00:00Z'"
    ),
    "customers_renewed_before_signed.csv": (
        "2: column 'renewed_at': '2024-03-03T00:00:00Z' is before signed_at '2025-03-03T00:00:00Z'"
    ),
    "customers_live_before_signed.csv": (
        "2: column 'first_value_after_sale_at': '2025-02-01T00:00:00Z' is before signed_at '2025-03-03T00:00:00Z'"
    ),
    # answers between two points of the scale
    "surveys_nps_7_5.csv": "3: column 'score': 7.5 is not a whole number on the NPS scale 0-10",
    # names that are not labels
    "tickets_team_10000_characters.csv": (
        "3: column 'team': 'BillingBillingBillin'... is 10,000 characters long; a name can be at most 100"
    ),
    "tickets_team_escape_sequence.csv": (
        "3: column 'team': '\\x1b[31mBilling\\x1b[0m' contains the control character U+001B; names must be plain text"
    ),
    "tickets_team_bidi_override.csv": (
        "3: column 'team': 'Bill\\u202eing' contains the invisible formatting character U+202E"
        " (RIGHT-TO-LEFT OVERRIDE); names must be plain text"
    ),
    "tickets_team_zero_width.csv": (
        "2: column 'team': 'Billing\\u200b' contains the invisible formatting character U+200B"
        " (ZERO WIDTH SPACE); names must be plain text"
    ),
    "customers_segment_control.csv": (
        "2: column 'segment': 'Mid\\x07market' contains the control character U+0007; names must be plain text"
    ),
    # a key given twice in one file
    "tickets_duplicate_ids.csv": "4: column 'id': 'D1' is already on line 2; an id may appear only once",
    "metrics_duplicate_keys.csv": "4: column 'date': Billing's csat for 2026-11-02T00:00:00Z is already on line 2",
    # years no support data has
    "tickets_year_0999.csv": "3: column 'created_at': '0999-11-02' is before the year 1900; check the year",
    "surveys_year_0202.csv": "2: column 'sent_at': '0202-11-02' is before the year 1900; check the year",
    # times in the future
    "tickets_dated_2100.csv": f"3: column 'created_at': '2100-01-04T10:00:00Z' is {LATER}",
    "tickets_solved_in_9999.csv": f"2: column 'solved_at': '9999-12-31' is {LATER}",
    "surveys_answered_in_2100.csv": f"2: column 'responded_at': '2100-01-01 10:00:00 +0100' is {LATER}",
    "customers_signed_in_2100.csv": f"2: column 'signed_at': '2100-03-01' is {LATER}",
    "metrics_dated_2100.csv": f"2: column 'date': '2100-01-04' is {LATER}",
}


def kind_of(name: str) -> str:
    return name.split("_", 1)[0]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_value_is_refused_in_one_sentence_and_the_store_is_unchanged(seeded, name: str) -> None:
    before = snapshot(seeded)
    with pytest.raises(UserError) as raised:
        import_csv(seeded, kind_of(name), Path(name), now=NOW)
    assert str(raised.value) == f"{name}:{REFUSED[name]}"
    assert snapshot(seeded) == before


def test_every_fixture_is_checked() -> None:
    assert {p.name for p in DATA.glob("*.csv")} - {"tickets_mixed.csv"} == set(REFUSED)


def test_skip_bad_rows_lists_each_refused_row_and_imports_the_rest(seeded) -> None:
    summary = import_csv(seeded, "tickets", Path("tickets_mixed.csv"), skip_bad_rows=True, now=NOW)
    assert (summary.added, summary.updated, summary.rejected) == (3, 0, 5)
    assert summary.errors == (
        "tickets_mixed.csv:3: column 'id': 'M1' is already on line 2; an id may appear only once",
        f"tickets_mixed.csv:4: column 'created_at': '2100-01-04T10:00:00Z' is {LATER}",
        "tickets_mixed.csv:5: column 'team': 'Bill\\u202eing' contains the invisible formatting character U+202E"
        " (RIGHT-TO-LEFT OVERRIDE); names must be plain text",
        "tickets_mixed.csv:6: column 'handle_minutes': '-3' is negative; expected 0 or more",
        "tickets_mixed.csv:8: column 'first_reply_at': '2026-11-02T08:00:00Z' is before created_at"
        " '2026-11-02T09:00:00Z'",
    )
    rows = seeded.execute("SELECT id, status, team FROM tickets WHERE id LIKE 'M%' ORDER BY id").fetchall()
    assert rows == [("M1", "open", "Billing"), ("M2", "open", "Billing"), ("M3", "open", "Technical")]


def test_a_day_of_clock_difference_is_allowed_and_no_more(seeded, tmp_path: Path) -> None:
    """Against the real clock: 23 hours ahead is a time zone or a skewed clock; 25 hours is not."""
    now = datetime.now(UTC)
    soon, later = (format(now + timedelta(hours=h), "%Y-%m-%dT%H:%M:%SZ") for h in (23, 25))
    path = tmp_path / "t.csv"
    path.write_text(f"id,created_at,status,team\nA1,{soon},open,Billing\nA2,{later},open,Billing\n", encoding="utf-8")
    with pytest.raises(UserError) as raised:
        import_csv(seeded, "tickets", path)
    assert str(raised.value).startswith(f"{path}:3: column 'created_at': '{later}' is more than a day in the future")
    path.write_text(f"id,created_at,status,team\nA1,{soon},open,Billing\n", encoding="utf-8")
    assert import_csv(seeded, "tickets", path).added == 1


def test_names_in_other_scripts_and_with_no_break_spaces_are_fine(seeded, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "id,created_at,status,team\nU1,2026-11-02,open,Équipe Sécurité\nU2,2026-11-02,open,サポート\n"
        "U3,2026-11-02,open,Billing\u00a0EMEA\n",
        encoding="utf-8",
    )
    import_csv(seeded, "tickets", path, now=NOW)
    teams = [r[0] for r in seeded.execute("SELECT team FROM tickets WHERE id LIKE 'U%' ORDER BY id").fetchall()]
    assert teams == ["Équipe Sécurité", "サポート", "Billing EMEA"]


def test_teams_never_prints_a_raw_escape_from_an_older_store(db_path, db) -> None:
    """A store written before names were checked may hold one; the listing spells it out."""
    for number, team in enumerate(["\x1b[2J\x1b[31mBilling", "Bill\u202eing"]):
        db.execute(
            "INSERT INTO tickets (id, created_at, status, team) VALUES (?, '2026-11-02T09:00:00Z', 'open', ?)",
            [f"OLD{number}", team],
        )
    db.conn.commit()
    result = CliRunner().invoke(main, ["--db", str(db_path), "teams"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "\\x1b[2J\\x1b[31mBilling" in result.output and "Bill\\u202eing" in result.output


def test_an_id_repeated_thousands_of_rows_later_is_found_across_batches(seeded, tmp_path: Path) -> None:
    """Rows are checked 5,000 at a time; the first row's id again on line 6,002 is still caught."""
    rows = "".join(f"B{i},2026-11-0{1 + i % 9},open,Billing\n" for i in range(6000))
    path = tmp_path / "t.csv"
    path.write_text("id,created_at,status,team\n" + rows + "B0,2026-11-09,pending,Billing\n", encoding="utf-8")
    before = snapshot(seeded)
    with pytest.raises(UserError) as raised:
        import_csv(seeded, "tickets", path, now=NOW)
    assert str(raised.value) == f"{path}:6002: column 'id': 'B0' is already on line 2; an id may appear only once"
    assert snapshot(seeded) == before
