"""Shared fixtures: real SQLite files in a temp dir, the way users run the product."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartstep.db import open_db


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "smartstep.db"


@pytest.fixture
def db(db_path: Path):
    database = open_db(db_path)
    yield database
    database.close()


def table_dump(database) -> dict[str, list[tuple]]:
    """Every row of every table, for asserting that a failed write changed nothing."""
    return {
        name: sorted(database.execute(f"SELECT * FROM [{name}]").fetchall(), key=repr)
        for name in database.table_names()
    }
