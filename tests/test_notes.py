"""Notes show wherever the numbers they may explain are shown: charts, the digest's moves, the
conversation's metric answers."""

from __future__ import annotations

from datetime import date, timedelta

from digest_support import LAST, flat_store, rules

from smartstep.digest.blocks import digest_message
from smartstep.digest.data import load_digest
from smartstep.metrics.note_store import add_note
from smartstep.metrics.notes import Note
from smartstep.weeks import shift_week, week_start

PREV = shift_week(LAST, -1)


def day_in(period: str, offset: int = 2) -> date:
    return week_start(period).date() + timedelta(days=offset)


def note_lines(axis) -> list[float]:
    """The x positions of the dotted vertical marks on a panel."""
    return [line.get_xdata()[0] for line in axis.get_lines() if line.get_linestyle() == ":"]


def test_the_digest_chart_marks_notes_of_its_weeks_for_its_teams():
    from smartstep.digest.chart import build_figure
    from smartstep.metrics.values import MetricValue

    weeks = [shift_week(LAST, -i) for i in range(11, -1, -1)]
    history = {("Alpha", "csat"): [MetricValue("Alpha", "csat", w, 80.0) for w in weeks]}
    notes = [
        Note(1, day_in(weeks[4]), "Release 4.2", team="Alpha"),
        Note(2, day_in(weeks[9]), "Status page outage"),  # everyone's
        Note(3, day_in(weeks[6]), "Beta reorganised", team="Beta"),  # not a team on this chart
        Note(4, day_in(shift_week(LAST, -20)), "Long ago"),  # before the chart's weeks
    ]
    figure = build_figure(history, LAST, ["Alpha"], notes=notes)
    panels = [a for a in figure.axes if a.get_visible() and a.get_title(loc="left")]
    assert panels and all(sorted(note_lines(a)) == [4, 9] for a in panels)
    labels = [t.get_text() for t in panels[0].texts]
    assert "Release 4.2" in labels and "Status page outage" in labels and "Beta reorganised" not in labels


def test_a_note_shows_beside_the_move_it_may_explain_in_the_digest(db, tmp_path):
    flat_store(db, backlog_alpha=[40.0] * 13 + [150.0])
    add_note(db, "New billing page went live", team="Alpha", day=day_in(LAST))
    add_note(db, "Team offsite", team="Alpha", day=day_in(shift_week(LAST, -6)))  # weeks before the move
    add_note(db, "Beta's new hire", team="Beta", day=day_in(LAST))  # Beta did not move
    digest = load_digest(db, rules(tmp_path), log=False)
    alpha = next(t for t in digest.teams if t.team == "Alpha")
    assert [n.text for n in alpha.notes] == ["New billing page went live"]
    text = digest_message(digest)["blocks"][2]["text"]["text"]
    move = text.index("Backlog 150 ↑ from a usual 40 (worse)")
    note = text.index(f"Note: “New billing page went live” (Alpha) on {day_in(LAST).isoformat()} may explain")
    assert move < note
    assert "Team offsite" not in text and "new hire" not in text
    assert digest.to_json()["teams"][0]["notes"][0]["text"].startswith("“New billing page went live”")


def test_the_metric_answer_names_the_notes_of_the_weeks_it_shows(db):
    from smartstep.chat.context import load_context
    from smartstep.chat.engine import ConversationState, answer

    flat_store(db)
    add_note(db, "Survey tool switched", day=day_in(PREV))
    add_note(db, "Old migration", day=day_in(shift_week(LAST, -30)))
    context = load_context(db)
    reply = answer("how is fcr trending for Alpha?", ConversationState(), context)
    assert reply.intent == "metric"
    assert f"_Noted in these weeks:_ “Survey tool switched” on {day_in(PREV).isoformat()}" in reply.text
    assert "Old migration" not in reply.text
