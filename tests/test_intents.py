"""The intent model: trained on bot/data/intents.yaml, kept apart from the held-out questions."""

from __future__ import annotations

from importlib import resources

from conversation_eval import WORKGROUPS, load_dialogues

from smartstep.chat.intents import TRAINING_NOW, intent_model, load_examples, masked_examples
from smartstep.chat.parse import parse
from smartstep.chat.vocabulary import vocabulary, words


def training_text() -> str:
    return resources.files("smartstep").joinpath("data/intents.yaml").read_text(encoding="utf-8")


def heldout_turns() -> list[str]:
    return [turn["say"] for dialogue in load_dialogues() for turn in dialogue["turns"]]


def test_no_heldout_question_is_in_the_training_set_even_with_other_names():
    """Beyond three words: "thanks", "why?" or "csat for billing" are forms nobody can avoid teaching."""
    names = vocabulary(("Billing", "Technical", "Onboarding", "Enterprise", *WORKGROUPS))
    train_raw, _ = load_examples(training_text())
    train_masked, _ = masked_examples(training_text())
    raw = {" ".join(words(t)) for t in train_raw}
    masked = set(train_masked)
    for text in heldout_turns():
        assert len(words(text)) <= 3 or " ".join(words(text)) not in raw, text
        form = parse(text, names, TRAINING_NOW).masked
        assert len(form.split()) <= 3 or form not in masked, text


def test_no_heldout_question_shares_five_words_in_a_row_with_the_training_set():
    def grams(text: str) -> set[tuple[str, ...]]:
        w = words(text)
        return {w[i : i + 5] for i in range(len(w) - 4)}

    train = set().union(*(grams(t) for t in load_examples(training_text())[0]))
    shared = {text: grams(text) & train for text in heldout_turns()}
    assert not {t: g for t, g in shared.items() if g}


def test_gibberish_is_unclear_not_a_confident_guess():
    assert intent_model().classify("zxqv blorp 7734 ??").name == "unclear"
