"""Import hygiene on data the tests did not write (the seed-7 demo, exported as the four CSV shapes):
a re-import of the same files changes no table, and no team has metric rows for weeks before its
first ticket (or first survey, for survey metrics)."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from demo_support import demo_db_path

from smartstep.db import open_db
from smartstep.imports.importers import import_csv
from smartstep.imports.schema import SCHEMAS
from smartstep.metrics.formulas import SURVEY_METRICS, TICKET_METRICS
from smartstep.weeks import week_start

KINDS = ("tickets", "surveys", "customers", "metrics")


def everything(db) -> dict[str, list[tuple]]:
    """Every row of every table (the tickets version counter and the metric rows included) and the schema."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
    dump = {name: sorted(db.execute(f"SELECT * FROM [{name}]").fetchall(), key=repr) for name in tables}
    dump["__schema__"] = sorted(db.execute("SELECT type, name, sql FROM sqlite_master").fetchall(), key=repr)
    return dump


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo's tickets, surveys and customers as CSV files, and 60 of its weekly values as a
    metrics file (values aggregated elsewhere, the way a BI export would hand them over)."""
    folder = tmp_path_factory.mktemp("export")
    demo = open_db(demo_db_path())
    out: dict[str, Path] = {}
    for kind in ("tickets", "surveys", "customers"):
        names = SCHEMAS[kind].names
        out[kind] = folder / f"{kind}.csv"
        with out[kind].open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            rows = demo.execute(f"SELECT {', '.join(names)} FROM {kind} ORDER BY id").fetchall()
            writer.writerows([["" if v is None else v for v in row] for row in rows])
    values = demo.execute(
        "SELECT period, team, metric, value FROM metric_values WHERE metric IN ('csat', 'aht', 'backlog') "
        "ORDER BY period DESC, team, metric LIMIT 60"
    ).fetchall()
    out["metrics"] = folder / "metrics.csv"
    with out["metrics"].open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "team", "metric", "value"])
        writer.writerows([(week_start(p).date().isoformat(), t, m, round(v, 2)) for p, t, m, v in values])
    demo.close()
    return out


@pytest.fixture(scope="module")
def imported(files, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A store the four files were imported into, once; tests work on copies."""
    path = tmp_path_factory.mktemp("store") / "store.db"
    db = open_db(path)
    summaries = {kind: import_csv(db, kind, files[kind]) for kind in KINDS}
    db.close()  # checkpoints the WAL into the one file copied below
    return path, summaries


@pytest.fixture
def db(imported, tmp_path: Path):
    shutil.copy(imported[0], tmp_path / "store.db")
    database = open_db(tmp_path / "store.db")
    yield database
    database.close()


def test_a_reimport_of_the_same_files_changes_no_table(files, imported, db) -> None:
    first = imported[1]
    assert all(first[kind].added > 0 for kind in KINDS), first
    before = everything(db)
    assert before["metric_values"] and before["data_versions"]
    for kind in KINDS:
        again = import_csv(db, kind, files[kind])
        assert (again.added, again.updated, again.rejected, again.since) == (0, 0, 0, {}), kind
        assert again.unchanged == first[kind].added, kind
    assert everything(db) == before  # rows, metric values, the tickets version counter, the schema


def test_one_changed_row_changes_only_what_it_touches(files, db, tmp_path: Path) -> None:
    version = db.execute("SELECT version FROM data_versions WHERE name = 'tickets'").fetchone()[0]
    lines = files["tickets"].read_text(encoding="utf-8").splitlines(keepends=True)
    reader = list(csv.reader(lines))
    header, row = reader[0], reader[-1]
    row[header.index("reopens")] = str(int(row[header.index("reopens")] or 0) + 1)
    changed = tmp_path / "changed.csv"
    with changed.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(reader[:-1] + [row])
    summary = import_csv(db, "tickets", changed)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, len(reader) - 2)
    assert db.execute("SELECT version FROM data_versions WHERE name = 'tickets'").fetchone()[0] == version + 1


def iso_week_of(text: str) -> str:
    year, week, _ = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def test_no_metric_row_before_a_teams_first_ticket_or_survey_even_after_a_customers_reimport(
    files, db, tmp_path: Path
) -> None:
    # A customers file reaching years back (first contact long before any ticket) imported again,
    # changed: every team's weeks are touched from then on.
    reader = list(csv.reader(files["customers"].read_text(encoding="utf-8").splitlines()))
    header = reader[0]
    contact = header.index("first_contact_at")
    for row in reader[1:]:
        row[contact] = "2022-01-03T09:00:00Z"
    older = tmp_path / "customers_older.csv"
    with older.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(reader)
    summary = import_csv(db, "customers", older)
    assert summary.updated > 0 and min(summary.since.values()) == "2022-W01"

    first_ticket = {
        team: iso_week_of(first)
        for team, first in db.execute("SELECT team, min(created_at) FROM tickets GROUP BY team").fetchall()
    }
    first_survey = {
        team: iso_week_of(first)
        for team, first in db.execute(
            "SELECT t.team, min(s.sent_at) FROM surveys s JOIN tickets t ON t.id = s.ticket_id GROUP BY t.team"
        ).fetchall()
    }
    early = []
    for team, metric, period in db.execute("SELECT team, metric, period FROM metric_values WHERE source = 'computed'"):
        if metric in TICKET_METRICS and period < first_ticket[team]:
            early.append((team, metric, period))
        if metric in SURVEY_METRICS and team in first_survey and period < first_survey[team]:
            early.append((team, metric, period))
    assert early == []
    assert all(t in first_ticket for (t,) in db.execute("SELECT DISTINCT team FROM metric_values"))
