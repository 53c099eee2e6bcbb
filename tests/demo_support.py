"""The demo organisation for tests, generated and imported once per test session.

Building it costs about 12 s of CPU, so every test module that needs it should share one
build: `demo_data()` gives the rows (with the ground-truth problem keys), `demo_db_path()` a
SQLite file holding them. Copy the file before writing to it (`VACUUM INTO`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from smartstep.db import open_db
from smartstep.demo import DemoData, generate_demo, import_demo

_CACHE: dict[str, object] = {}


def demo_data() -> DemoData:
    """The seed-7 demo rows, generated once."""
    if "data" not in _CACHE:
        _CACHE["data"] = generate_demo(7)
    return _CACHE["data"]


def demo_db_path() -> Path:
    """A store holding the seed-7 demo, imported once; treat it as read-only."""
    if "path" not in _CACHE:
        path = Path(tempfile.mkdtemp(prefix="smartstep-demo-")) / "demo.db"
        db = open_db(path)
        import_demo(db, demo_data())
        db.close()
        _CACHE["path"] = path
    return _CACHE["path"]


def demo_with_history_path() -> Path:
    """A store like `smartstep demo` leaves: the seed-7 demo plus its year of earlier advice, ratings
    and measured outcomes. Built once; copy it before writing."""
    return demo_with_history()[0]


def demo_with_history() -> tuple[Path, object]:
    """`demo_with_history_path()` and what planting the advice history reported (an AdviceHistory)."""
    if "history" not in _CACHE:
        from smartstep.advice.rule_inputs import load_rule_base
        from smartstep.demo.history import plant_advice_history
        from smartstep.metrics.reader import current_period

        path = Path(tempfile.mkdtemp(prefix="smartstep-demo-history-")) / "demo.db"
        source = open_db(demo_db_path())
        source.conn.execute(f"VACUUM INTO '{path}'")
        source.close()
        db = open_db(path)
        planted = plant_advice_history(db, load_rule_base(None), current_period(db), seed=7)
        db.close()
        _CACHE["history"] = (path, planted)
    return _CACHE["history"]
