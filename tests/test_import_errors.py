"""Every way an import refuses a file: the exact sentence, and a store left exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smartstep.db import open_db
from smartstep.errors import UserError
from smartstep.imports.importers import import_csv

HEADER = "id,created_at,status,team"


def snapshot(db) -> dict[str, list[tuple]]:
    """The schema and every row of every table: what "unchanged" means."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
    dump = {name: sorted(db.execute(f"SELECT * FROM [{name}]").fetchall(), key=repr) for name in tables}
    dump["__schema__"] = sorted(db.execute("SELECT type, name, sql FROM sqlite_master").fetchall(), key=repr)
    return dump


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store that already holds tickets, surveys and computed metrics, so a rollback has something to keep."""
    folder = tmp_path_factory.mktemp("seed")
    db = open_db(folder / "store.db")
    tickets = write(
        folder,
        "seed_tickets.csv",
        "id,created_at,solved_at,status,team,customer_id\n"
        "S1,2026-11-02T09:00:00Z,2026-11-02T12:00:00Z,solved,Billing,C1\n"
        "S2,2026-11-03T09:00:00Z,,open,Technical,C2\n",
    )
    surveys = write(
        folder, "seed_surveys.csv", "id,ticket_id,kind,sent_at,responded_at,score\nV1,S1,csat,2026-11-02,2026-11-03,5\n"
    )
    import_csv(db, "tickets", tickets)
    import_csv(db, "surveys", surveys)
    db.close()  # checkpoints the WAL into the one file copied below
    return folder / "store.db"


@pytest.fixture
def seeded(seed_file: Path, tmp_path: Path):
    shutil.copy(seed_file, tmp_path / "store.db")
    db = open_db(tmp_path / "store.db")
    assert db["metric_values"].count > 0
    yield db
    db.close()


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def good_ticket_lines(count: int, prefix: str = "T") -> str:
    return "".join(f"{prefix}{i},2026-11-0{1 + i % 9}T10:00:00Z,open,Billing\n" for i in range(count))


CASES = [
    (
        "tickets",
        "tickets.csv",
        HEADER + "\n" + good_ticket_lines(12) + "T99,2026-13-01,open,Billing\n",
        "tickets.csv:14: column 'created_at': '2026-13-01' is not an ISO-8601 time",
    ),
    (
        "surveys",
        "surveys.csv",
        "id,kind,sent_at,responded_at,score\nA,csat,2026-11-02,2026-11-03,4\nB,csat,2026-11-02,2026-11-03,9\n",
        "surveys.csv:3: column 'score': 9 is outside the CSAT scale 1-5",
    ),
    (
        "tickets",
        "tickets.csv",
        "id,created_at,status\nT1,2026-11-02,open\n",
        "tickets.csv:1: missing required column 'team'",
    ),
    (
        "tickets",
        "tickets.csv",
        HEADER + "\nT1,2026-11-02,done,Billing\n",
        "tickets.csv:2: column 'status': 'done' is not a ticket status (new, open, pending, on-hold, solved, closed)",
    ),
    (
        "tickets",
        "tickets.csv",
        "id,created_at,solved_at,status,team\nT1,2026-11-05T10:00:00Z,2026-11-04T10:00:00Z,solved,Billing\n",
        "tickets.csv:2: column 'solved_at': '2026-11-04T10:00:00Z' is before created_at '2026-11-05T10:00:00Z'",
    ),
    (
        "tickets",
        "tickets.csv",
        "id,created_at,solved_at,status,team\nT1,2026-11-05,,closed,Billing\n",
        "tickets.csv:2: column 'solved_at': a closed ticket needs the time it was solved",
    ),
    (
        "tickets",
        "tickets.csv",
        HEADER + "\nT1,2026-11-02,open,Billing\nT2,2026-11-02,open,  \n",
        "tickets.csv:3: column 'team': a value is required but the cell is empty",
    ),
    (
        "tickets",
        "tickets.csv",
        HEADER + ",contacts\nT1,2026-11-02,open,Billing,two\n",
        "tickets.csv:2: column 'contacts': 'two' is not a whole number",
    ),
    (
        "tickets",
        "tickets.csv",
        HEADER + ",reopens\nT1,2026-11-02,open,Billing,-1\n",
        "tickets.csv:2: column 'reopens': '-1' is negative; expected a count of 0 or more",
    ),
    (
        "tickets",
        "tickets.csv",
        HEADER + ",handle_minutes\nT1,2026-11-02,open,Billing,12 min\n",
        "tickets.csv:2: column 'handle_minutes': '12 min' is not a number",
    ),
    (
        "tickets",
        "tickets.csv",
        HEADER + "\nT1,2026-11-02,open,Billing\nT2,2026-11-02,open,Billing,extra\n",
        "tickets.csv:3: the row has 5 fields but the header has 4",
    ),
    (
        "tickets",
        "tickets.csv",
        HEADER + "\nT1,2026-11-02,open\n",
        "tickets.csv:2: the row has 3 fields but the header has 4",
    ),
    (
        "tickets",
        "tickets.csv",
        (HEADER + "\nT1,2026-11-02,open,Billing\nT2,2026-11-02,open,Caf").encode() + b"\xe9\n",
        "tickets.csv:3: the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in spreadsheet apps) and import again",
    ),
    (
        "tickets",
        "tickets.csv",
        "",
        "tickets.csv:1: the file is empty; expected a header row with id, created_at, status, team",
    ),
    (
        "tickets",
        "tickets.csv",
        "id,created_at,status,team,Team\nT1,2026-11-02,open,Billing,Billing\n",
        "tickets.csv:1: column 'Team' appears twice in the header",
    ),
    (
        "surveys",
        "surveys.csv",
        "id,kind,sent_at\nA,csat,2026-11-02\nB,ces7,2026-11-02\n",
        "surveys.csv:3: column 'kind': 'ces7' is not a survey kind (csat, nps or ces)",
    ),
    (
        "surveys",
        "surveys.csv",
        "id,kind,sent_at,responded_at,score\nA,nps,2026-11-02,2026-11-03,\n",
        "surveys.csv:2: column 'score': a value is required when responded_at is set",
    ),
    ("surveys", "surveys.csv", "id,kind,score\nA,nps,3\n", "surveys.csv:1: missing required column 'sent_at'"),
    (
        "customers",
        "customers.csv",
        "id,team,signed_at,arr\nC9,Billing,2026-02-30,100\n",
        "customers.csv:2: column 'signed_at': '2026-02-30' is not an ISO-8601 time",
    ),
    (
        "metrics",
        "metrics.csv",
        "date,team,metric,value\n2026-11-02,Billing,csta,80\n",
        "metrics.csv:2: column 'metric': unknown metric 'csta' — did you mean 'csat'?",
    ),
    (
        "metrics",
        "metrics.csv",
        "date,team,metric,value\n2026-11-02,Billing,csat,\n",
        "metrics.csv:2: column 'value': a value is required but the cell is empty",
    ),
]


@pytest.mark.parametrize(("kind", "name", "content", "expected"), CASES, ids=[c[3][:60] for c in CASES])
def test_bad_file_is_refused_with_its_line_and_column_and_the_store_is_unchanged(
    seeded, tmp_path: Path, kind: str, name: str, content: str, expected: str, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, name, content)
    before = snapshot(seeded)
    with pytest.raises(UserError) as raised:
        import_csv(seeded, kind, Path(name))
    assert str(raised.value) == expected
    assert snapshot(seeded) == before


def test_the_file_is_named_as_given(seeded, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "id,created_at,status\n")
    with pytest.raises(UserError) as raised:
        import_csv(seeded, "tickets", path)
    assert str(raised.value) == f"{path}:1: missing required column 'team'"


def test_a_bad_row_after_thousands_of_good_ones_leaves_the_store_unchanged(seeded, tmp_path: Path) -> None:
    # 30,000 good rows: past the point where the importer drops and later rebuilds the indexes.
    lines = 30_000
    path = write(tmp_path, "big.csv", HEADER + "\n" + good_ticket_lines(lines) + "X1,2026-11-02,open,\n")
    before = snapshot(seeded)
    with pytest.raises(UserError) as raised:
        import_csv(seeded, "tickets", path)
    assert str(raised.value) == f"{path}:{lines + 2}: column 'team': a value is required but the cell is empty"
    assert snapshot(seeded) == before


def test_the_earliest_bad_line_is_reported_whatever_its_kind_of_problem(seeded, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", HEADER + "\nT1,2026-11-02,open,Billing,oops\nT2,yesterday,open,Billing\n")
    with pytest.raises(UserError) as raised:
        import_csv(seeded, "tickets", path)
    assert str(raised.value) == f"{path}:2: the row has 5 fields but the header has 4"


def test_a_line_inside_a_quoted_multiline_field_counts_in_line_numbers(seeded, tmp_path: Path) -> None:
    text = HEADER + ',description\nT1,2026-11-02,open,Billing,"two\nlines"\nT2,2026-11-02,shut,Billing,x\n'
    path = write(tmp_path, "t.csv", text)
    with pytest.raises(UserError) as raised:
        import_csv(seeded, "tickets", path)
    assert str(raised.value).startswith(f"{path}:4: column 'status': 'shut'")


def test_missing_file_and_unknown_kind(seeded, tmp_path: Path) -> None:
    with pytest.raises(UserError) as raised:
        import_csv(seeded, "tickets", tmp_path / "nope.csv")
    assert str(raised.value) == f"{tmp_path / 'nope.csv'}: no such file"
    with pytest.raises(UserError) as raised:
        import_csv(seeded, "agents", tmp_path / "nope.csv")
    assert str(raised.value) == "unknown import kind 'agents'; choose one of tickets, surveys, customers, metrics"


def test_skip_bad_rows_imports_the_good_rows_and_lists_the_bad(seeded, tmp_path: Path) -> None:
    text = HEADER + "\nK1,2026-11-02,open,Billing\nK2,2026-11-02,gone,Billing\nK3,2026-11-02\nK4,2026-11-09,new,Ops\n"
    path = write(tmp_path, "t.csv", text)
    summary = import_csv(seeded, "tickets", path, skip_bad_rows=True)
    assert (summary.added, summary.updated, summary.rejected) == (2, 0, 2)
    assert summary.errors == (
        f"{path}:3: column 'status': 'gone' is not a ticket status (new, open, pending, on-hold, solved, closed)",
        f"{path}:4: the row has 2 fields but the header has 4",
    )
    stored = {r[0] for r in seeded.execute("SELECT id FROM tickets WHERE id LIKE 'K%'").fetchall()}
    assert stored == {"K1", "K4"}
