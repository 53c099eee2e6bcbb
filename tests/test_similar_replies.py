"""One similar-case reply for every surface: the same cases, notices and fixes in each markup."""

from __future__ import annotations

from smartstep.knowledge.replies import MARKDOWN, NO_MATCH, PLAIN, similar_reply, slack_style
from smartstep.knowledge.search import SimilarCase
from smartstep.slack.blocks import escape


def case(id_: str, title: str, score: float, close: bool, **extra) -> SimilarCase:
    fields = dict(
        id=id_,
        title=title,
        score=score,
        resolution="Removed the address from the bounce list.",
        team="Technical",
        solved_at="2026-03-03T09:00:00Z",
        product="Console",
        channel="email",
        why_matched=("reset",),
        seen_count=1,
        duplicates=(),
        close=close,
    )
    return SimilarCase(**(fields | extra))


def test_slack_reply_escapes_user_text_and_never_pings_a_channel():
    hit = case("T-1", "Reset <!channel> & more", 0.9, True)
    text = similar_reply("reset <!here>", [hit], slack_style(escape))
    assert text.startswith("*Solved cases like* _reset &lt;!here&gt;_\n1. *Reset &lt;!channel&gt; &amp; more*  [T-1,")
    assert "<!" not in text


def test_loosely_related_cases_come_after_the_close_ones_under_their_own_header():
    text = similar_reply("reset link", [case("A", "Reset link", 0.8, True), case("B", "Firewall", 0.1, False)], PLAIN)
    lines = text.splitlines()
    assert lines[0].startswith("1. Reset link  [A, Technical, solved 2026-03-03]")
    assert "Loosely related:" in lines and lines.index("Loosely related:") < lines.index(
        next(line for line in lines if line.startswith("2. Firewall"))
    )
    assert "Nothing close" not in text


def test_only_loose_cases_start_with_the_nothing_close_sentence_in_chat_markup():
    text = similar_reply("parrot", [case("B", "Firewall", 0.1, False)], MARKDOWN)
    assert text.splitlines()[:3] == [
        "*Solved cases like* _parrot_",
        "Nothing close to this has been solved before.",
        "_Loosely related:_",
    ]


def test_a_group_fixed_two_ways_names_both_with_counts_and_no_results_says_so():
    group = case(
        "A",
        "Sync never finishes",
        0.8,
        True,
        seen_count=5,
        resolutions=(("Cleared the cache.", 4), ("Reinstalled.", 1)),
    )
    text = similar_reply("sync", [group], PLAIN)
    assert "seen 5 times" in text
    assert "   Fixed by “Cleared the cache.” in 4 cases, by “Reinstalled.” in 1" in text
    assert similar_reply("sync", [], PLAIN) == NO_MATCH
