"""Block Kit builders: pure functions, checked against the limits Slack enforces and what a reader sees."""

from __future__ import annotations

from slack_data import insert_advice

from smartstep.chat.engine import Answer
from smartstep.db import open_memory_db
from smartstep.slack.blocks import advice_blocks, answer_message, home_view, text_sections, with_ratings
from smartstep.slack.store import load_advice


def test_long_text_is_split_into_sections_under_slacks_3000_character_limit() -> None:
    text = "\n".join(f"line {n} " + "x" * 90 for n in range(100)) + "\n" + "y" * 7000
    sections = text_sections(text)
    assert all(0 < len(s["text"]["text"]) <= 3000 for s in sections)
    joined = "".join(s["text"]["text"].replace("\n", "") for s in sections)
    assert joined == text.replace("\n", "")  # nothing lost


def test_empty_answer_text_still_makes_a_valid_message() -> None:
    message = answer_message(Answer("help", ""))
    assert message["text"] and message["blocks"][0]["text"]["text"].strip()


def test_advice_read_back_from_the_store_renders_step_first_with_its_id_on_every_button() -> None:
    db = open_memory_db()
    expected = insert_advice(db, "a<1>", "Fix <the> & macro")
    advice = load_advice(db, "a<1>")
    assert advice == expected
    blocks = advice_blocks(advice, 3)
    assert blocks[0]["text"]["text"] == "*3. Fix &lt;the&gt; &amp; macro*\nVolume rose 50% in a week."
    assert blocks[1]["elements"][0]["text"] == "Team Billing"
    assert [e["action_id"] for e in blocks[2]["elements"]] == [
        "rate_up",
        "rate_down",
        "rate_done",
        "rate_snooze",
        "advice_more",
    ]
    assert {e["value"] for e in blocks[2]["elements"]} == {"a<1>"}


def test_a_long_advice_list_stays_under_the_50_block_message_limit() -> None:
    steps = [{"advice_id": f"id{n}", "title": f"Step {n}", "why": "because", "team": "T"} for n in range(30)]
    message = answer_message(Answer("next_steps", "*Next*", data=steps))
    assert len(message["blocks"]) <= 50
    assert sum(b["type"] == "actions" for b in message["blocks"]) == 10


def test_with_ratings_replaces_the_recorded_line_instead_of_stacking_it() -> None:
    blocks = advice_blocks({"advice_id": "x", "title": "T"}) + advice_blocks({"advice_id": "y", "title": "U"})
    once = with_ratings(blocks, "x", [("U1", "up")])
    twice = with_ratings(once, "x", [("U1", "done")])
    rated = [b for b in twice if b.get("block_id") == "rated:x"]
    assert len(rated) == 1 and rated[0]["elements"][0]["text"] == "✅ recorded: done by <@U1>"
    assert len(twice) == len(blocks) + 1


def test_home_without_data_or_advice_says_so() -> None:
    view = home_view([], None, None, [])
    texts = [b["text"]["text"] if b.get("text") else b.get("elements", [{}])[0].get("text") for b in view["blocks"]]
    assert "*Scorecard*: no data yet; import some." in texts
    assert "The ranked next steps appear here once the advisor has advice for your teams." in texts
    assert "No advice given yet." in texts
