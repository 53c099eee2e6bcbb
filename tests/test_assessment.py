"""The capability assessment: scoring per dimension, retakes showing progress, the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from smartstep.advice.assessment import current_stage, progress, questionnaire, score
from smartstep.cli import main
from smartstep.errors import UserError


def all_answers(stage: int) -> dict[str, int]:
    return {q.id: stage for q in questionnaire().questions}


def test_fourteen_questions_cover_five_dimensions_with_five_answers_each():
    q = questionnaire()
    assert len(q.questions) == 14
    assert (
        {question.dimension for question in q.questions}
        == set(q.dimensions)
        == {"process", "people", "technology", "knowledge", "measurement"}
    )
    assert all(len(question.answers) == 5 for question in q.questions)


def test_scoring_places_each_dimension_by_its_answers():
    answers = all_answers(3)
    # Process questions answered 4, 4, 5 -> mean 4.33 -> stage 4 (Proactive).
    answers.update(process_tracking=4, process_escalation=4, process_change=5)
    # Measurement answered 1 and 2 -> mean 1.5 -> stage 1: a stage counts when mostly true.
    answers.update(measure_what=1, measure_use=2)
    profile = score(answers)
    assert profile.stages["process"] == 4 and profile.stages["measurement"] == 1
    assert profile.stages["people"] == 3
    # Overall: mean of stages is 2.8 -> 2, and never more than one above the weakest dimension.
    assert profile.overall == 2
    assert profile.stage_name(profile.overall) == "Managed"


def test_weakest_link_caps_the_overall_stage():
    answers = all_answers(5)
    answers.update(measure_what=1, measure_use=1)
    assert score(answers).overall == 2  # mean 4.2, but measurement is at Chaos


def test_missing_or_out_of_range_answers_are_refused():
    answers = all_answers(3)
    del answers["tech_tools"]
    with pytest.raises(UserError, match="missing: tech_tools"):
        score(answers)
    with pytest.raises(UserError, match="'people_roles' must be a number from 1 to 5"):
        score({**all_answers(3), "people_roles": 9})


def test_retaking_shows_progress(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps(all_answers(2)))
    improved = all_answers(2)
    improved.update(knowledge_capture=4, knowledge_reuse=3, knowledge_collaboration=3)
    second.write_text(json.dumps(improved))
    db = tmp_path / "s.db"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(db), "assess", "--answers", str(first)]).exit_code == 0
    result = runner.invoke(main, ["--db", str(db), "assess", "--answers", str(second), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dimensions"]["knowledge"] == {"stage": 3, "name": "Professional"}
    assert data["progress"] == {"process": 0, "people": 0, "technology": 0, "knowledge": 1, "measurement": 0}
    text = runner.invoke(main, ["--db", str(db), "assess", "--show"]).output
    assert "knowledge    stage 3 Professional  (up 1 since" in text


def test_current_stage_falls_back_to_the_organisation(db):
    from smartstep.advice.assessment import save_assessment

    assert current_stage(db, "Billing") is None
    org = score(all_answers(3))
    save_assessment(db, org, all_answers(3), user="U1")
    assert current_stage(db, "Billing").overall == 3
    team = score(all_answers(4), team="Billing")
    save_assessment(db, team, all_answers(4), user="U1")
    assert current_stage(db, "Billing").overall == 4
    assert progress(org, team)["people"] == 1


def test_without_a_terminal_or_answers_file_it_says_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.db"), "assess"], input="")
    assert result.exit_code == 1
    assert "pass --answers FILE.json" in result.stderr


def test_a_broken_answers_file_names_file_and_line(tmp_path):
    bad = tmp_path / "answers.json"
    bad.write_text('{\n  "process_tracking": 3,\n  oops\n}')
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.db"), "assess", "--answers", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: not valid JSON" in result.stderr
