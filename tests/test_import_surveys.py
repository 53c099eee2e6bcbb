"""Survey imports: each kind's scale edges, and which team a survey's weeks belong to."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartstep.db import open_db
from smartstep.errors import UserError
from smartstep.imports.importers import import_csv

HEADER = "id,ticket_id,customer_id,kind,sent_at,responded_at,score\n"


@pytest.fixture
def db(tmp_path: Path):
    database = open_db(tmp_path / "store.db")
    tickets = tmp_path / "tickets.csv"
    tickets.write_text("id,created_at,status,team,customer_id\nT1,2026-11-02,open,Billing,C1\n", encoding="utf-8")
    customers = tmp_path / "customers.csv"
    customers.write_text("id,team,signed_at\nC1,Billing,2025-01-06\nC2,Enterprise,2025-01-06\n", encoding="utf-8")
    import_csv(database, "tickets", tickets)
    import_csv(database, "customers", customers)
    yield database
    database.close()


def survey_file(tmp_path: Path, kind: str, score: str) -> Path:
    path = tmp_path / "surveys.csv"
    path.write_text(HEADER + f"S1,T1,,{kind},2026-11-02,2026-11-03,{score}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("kind", "score"),
    [
        ("csat", "1"),
        ("csat", "5"),
        ("nps", "0"),
        ("nps", "10"),
        ("ces", "1"),
        ("ces", "7"),
        ("CES", "6"),
        ("nps", "7.0"),
    ],
)
def test_scores_on_the_edges_of_each_scale_are_accepted(db, tmp_path: Path, kind: str, score: str) -> None:
    import_csv(db, "surveys", survey_file(tmp_path, kind, score))
    assert db.execute("SELECT kind, score FROM surveys").fetchall() == [(kind.lower(), float(score))]


@pytest.mark.parametrize(
    ("kind", "score", "scale"),
    [("csat", "0", "CSAT scale 1-5"), ("csat", "6", "CSAT scale 1-5"), ("nps", "-1", "NPS scale 0-10"),
     ("nps", "11", "NPS scale 0-10"), ("ces", "0", "CES scale 1-7"), ("ces", "8", "CES scale 1-7")],
)  # fmt: skip
def test_scores_just_outside_each_scale_are_refused(db, tmp_path: Path, kind: str, score: str, scale: str) -> None:
    path = survey_file(tmp_path, kind, score)
    with pytest.raises(UserError) as raised:
        import_csv(db, "surveys", path)
    assert str(raised.value) == f"{path}:2: column 'score': {score} is outside the {scale}"
    assert db["surveys"].count == 0


@pytest.mark.parametrize(
    ("kind", "score", "scale"),
    [("nps", "7.5", "NPS scale 0-10"), ("csat", "5.5", "CSAT scale 1-5"), ("CES", "6.5", "CES scale 1-7")],
)
def test_a_score_between_two_answers_is_refused(db, tmp_path: Path, kind: str, score: str, scale: str) -> None:
    """Every survey answer is one point on its scale; 7.5 is a typo or an average, not an answer."""
    path = survey_file(tmp_path, kind, score)
    with pytest.raises(UserError) as raised:
        import_csv(db, "surveys", path)
    assert str(raised.value) == f"{path}:2: column 'score': {score} is not a whole number on the {scale}"
    assert db["surveys"].count == 0


def test_a_survey_counts_for_its_tickets_team_then_its_customers_team(db, tmp_path: Path) -> None:
    path = tmp_path / "surveys.csv"
    path.write_text(
        HEADER + "S1,T1,C2,csat,2026-11-09,2026-11-10,4\n"  # ticket T1 is Billing: the ticket wins
        "S2,,C2,nps,2026-11-16,,\n"  # no ticket: customer C2 is Enterprise
        "S3,T404,C404,ces,2026-10-05,,\n",  # neither known: touches no team
        encoding="utf-8",
    )
    summary = import_csv(db, "surveys", path)
    assert summary.added == 3
    assert summary.since == {"Billing": "2026-W46", "Enterprise": "2026-W47"}


def test_a_survey_without_a_response_needs_no_score(db, tmp_path: Path) -> None:
    path = tmp_path / "surveys.csv"
    path.write_text(HEADER + "S1,T1,,nps,2026-11-02,,\n", encoding="utf-8")
    import_csv(db, "surveys", path)
    assert db.execute("SELECT responded_at, score FROM surveys").fetchall() == [(None, None)]
