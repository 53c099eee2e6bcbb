"""A second import while another holds the store (issue 13 item 10): it waits with a note on stderr,
then either runs once the first has committed or says in one sentence that another import holds the
store, exit 1, the store unchanged by it."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from import_support import HOLD, ImportThread, PausingSource, ticket_rows

from smartstep.cli import main
from smartstep.db import open_db, write_transaction


def tickets_csv(path: Path, prefix: str, count: int = 50) -> Path:
    lines = ["id,created_at,status,team,subject"]
    lines += [f"{prefix}-{n},2026-10-0{1 + n % 9}T09:00:00Z,open,Billing,Refund request {n}" for n in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_second_import_waits_with_a_note_then_says_another_import_holds_the_store(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    open_db(path).close()
    csv = tickets_csv(tmp_path / "b.csv", "B")
    first = ImportThread(path, PausingSource(ticket_rows(6000), pause_after=5500)).start_holding()
    try:
        second = run_cli("--db", str(path), "import", "tickets", str(csv), "--wait", "3")
    finally:
        first.source.release.set()
        first.join(timeout=120)
    assert second.exit_code == 1
    note, message = second.stderr.splitlines()
    assert note.startswith(f"smartstep: another import is writing to {path}; waiting for it to finish")
    assert message.startswith(f"smartstep: another import is still writing to {path} (waited ")
    assert "cannot use this SQLite store" not in second.stderr and second.stdout == ""
    assert first.error is None
    db = open_db(path)
    assert db.execute("SELECT count(*) FROM tickets WHERE id LIKE 'B-%'").fetchone()[0] == 0  # unchanged by it
    assert db.execute("SELECT count(*) FROM tickets WHERE id LIKE 'SLOW-%'").fetchone()[0] == 6000
    db.close()


def test_a_second_import_that_waits_long_enough_runs_once_the_first_has_committed(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    open_db(path).close()
    first = ImportThread(path, PausingSource(ticket_rows(6000), pause_after=5500)).start_holding()
    threading.Timer(HOLD, first.source.release.set).start()
    second = run_cli("--db", str(path), "import", "tickets", str(tickets_csv(tmp_path / "b.csv", "B")))
    first.join(timeout=120)
    assert second.exit_code == 0, second.stderr
    assert "waiting for it to finish (up to 600 s)" in second.stderr
    assert second.stdout.startswith("Imported tickets from")
    db = open_db(path)
    assert db.execute("SELECT count(*) FROM tickets WHERE id LIKE 'B-%'").fetchone()[0] == 50
    assert db.execute("SELECT count(*) FROM tickets WHERE id LIKE 'SLOW-%'").fetchone()[0] == 6000
    db.close()


def test_a_write_behind_an_unfinished_read_of_an_older_store_fails_at_once_instead_of_waiting(tmp_path: Path) -> None:
    """Waiting for the lock cannot help a connection whose own open read saw the store before another
    write: it gets SQLite's error at once, as before, rather than a long wait for nothing."""
    path = tmp_path / "store.db"
    reader, writer = open_db(path), open_db(path)
    reader.execute("INSERT INTO teams (name) VALUES ('Billing'), ('Technical')")
    rows = reader.conn.execute("SELECT name FROM teams")
    rows.fetchone()  # the read stays open on the reader's connection
    writer.execute("INSERT INTO teams (name) VALUES ('Onboarding')")
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError), write_transaction(reader):
        reader.execute("INSERT INTO teams (name) VALUES ('Enterprise')")
    assert time.monotonic() - started < 2.0
    reader.close(), writer.close()
