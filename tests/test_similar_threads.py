"""The case index is used from several threads at once (Slack workers answering, an import updating
it): words must stem the same whichever thread asks."""

from __future__ import annotations

import random
import threading

import snowballstemmer

from smartstep.knowledge.terms import stem


def test_words_stem_the_same_when_four_threads_stem_at_once():
    rnd = random.Random(3)
    endings = ("ing", "ed", "ness", "ations", "ly", "ies", "ement")
    words = sorted(
        {
            "".join(rnd.choice("abcdefghiklmnoprstuw") for _ in range(rnd.randrange(5, 12))) + rnd.choice(endings)
            for _ in range(40_000)
        }
    )
    got: dict[str, str] = {}
    errors: list[BaseException] = []

    def run(part: list[str]) -> None:
        try:
            for word in part:
                got[word] = stem(word)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(words[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    alone = snowballstemmer.stemmer("english")  # one thread, its own stemmer
    wrong = [word for word in words if got[word] != alone.stemWord(word)]
    assert wrong == []
