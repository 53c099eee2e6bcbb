"""The intent model on utterances it never saw in training."""

from __future__ import annotations

from pathlib import Path

from smartstep.chat.intents import intent_model, load_examples

HELDOUT = Path(__file__).parent / "data" / "intents_heldout.yaml"


def test_heldout_accuracy_is_at_least_90_percent():
    texts, labels = load_examples(HELDOUT.read_text(encoding="utf-8"))
    predicted = [i.name for i in intent_model().classify_many(texts)]
    correct = sum(p == t for p, t in zip(predicted, labels, strict=True))
    misses = [(t, want, got) for t, want, got in zip(texts, labels, predicted, strict=True) if want != got]
    accuracy = correct / len(texts)
    print(f"intent accuracy on {len(texts)} held-out utterances: {accuracy:.1%}")
    assert accuracy >= 0.90, misses


def test_no_heldout_utterance_is_in_the_training_set():
    from importlib import resources

    train, _ = load_examples(resources.files("smartstep").joinpath("data/intents.yaml").read_text(encoding="utf-8"))
    heldout, _ = load_examples(HELDOUT.read_text(encoding="utf-8"))
    assert not {t.lower() for t in train} & {h.lower() for h in heldout}


def test_gibberish_is_unclear_not_a_confident_guess():
    assert intent_model().classify("zxqv blorp 7734 ??").name == "unclear"
