"""Build tests/data/similar_eval.json: the labelled duplicate-retrieval set, deterministically.

    .venv/bin/python bench/make_similar_eval.py

Corpus: each topic's case, its twin (a second true duplicate, when written), its sibling
(same area, different problem) and synthetic filler. Queries per topic: a paraphrase, a
very short query, a typo'd paraphrase, and a long e-mail body (greeting, log lines with a
stack trace, a URL, a signature with personal data, and a quoted reply about a *different*
topic that the index must ignore). Topics alternate between the `tune` and `test` halves.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from similar_topics import TOPICS  # noqa: E402
from synthetic_cases import generate_cases  # noqa: E402

OUT = Path(__file__).parent.parent / "tests" / "data" / "similar_eval.json"
NEIGHBOURS = dict(zip("qwertyuiopasdfghjklzxcvbnm", "wertyuiopoasdfghjkklxcvbnmn"[:26], strict=True))
EXCEPTIONS = [
    "java.lang.IllegalStateException: request failed",
    "TypeError: Cannot read properties of undefined",
    "requests.exceptions.HTTPError: 502 Server Error",
    "System.NullReferenceException: Object reference not set",
    "ERR_CONNECTION_RESET",
    "sqlalchemy.exc.OperationalError: server closed the connection unexpectedly",
]
NAMES = [
    ("Maria Lopez", "Office Manager"),
    ("Tom Becker", "IT Admin"),
    ("Aiko Tanaka", "Head of Operations"),
    ("Sam Okafor", "Store Owner"),
    ("Lena Novak", "Finance Lead"),
    ("Raj Patel", "CTO"),
]


def typo(text: str, rng: random.Random) -> str:
    """Human-like slips in about a third of the longer words: swap, drop, double, or a neighbour key."""
    words = text.split()
    for i, word in enumerate(words):
        if len(word) < 4 or not word.isalpha() or rng.random() > 0.35:
            continue
        j = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(4)
        if kind == 0:
            word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        elif kind == 1:
            word = word[:j] + word[j + 1 :]
        elif kind == 2:
            word = word[:j] + word[j] + word[j:]
        else:
            word = word[:j] + NEIGHBOURS.get(word[j], word[j]) + word[j + 1 :]
        words[i] = word
    return " ".join(words)


def long_body(paraphrase: str, other_description: str, rng: random.Random) -> str:
    name, title = rng.choice(NAMES)
    first = name.split()[0].lower()
    error = rng.choice(EXCEPTIONS)
    return (
        f"<p>Hello support,</p><p>{paraphrase[0].upper()}{paraphrase[1:]}. It started on Monday and a few "
        f"colleagues see the same thing.</p>\n"
        f"Log from our side:\n"
        f"2026-10-12 08:14:02,118 ERROR [req-{rng.randrange(16**8):08x}] {error}\n"
        f"    at com.client.app.Main.run(Main.java:{rng.randrange(20, 400)})\n"
        f"    at com.client.app.Main.main(Main.java:12)\n"
        f"2026-10-12 08:14:03,004 ERROR [req-{rng.randrange(16**8):08x}] {error}\n"
        f"Screenshot: https://files.example.net/s/{rng.randrange(10**9)}?dl=1\n\n"
        f"Best regards,\n{name}\n{title} | Example Trading Ltd\nTel: +44 20 7946 {rng.randrange(1000, 9999)}\n"
        f"{first}@example-trading.test\n\n"
        f"On Fri, 9 Oct 2026 at 11:02, Support <support@vendor.test> wrote:\n"
        f"> Thanks for getting in touch. {other_description}\n> We will look into it.\n"
    )


def build() -> dict:
    corpus, queries = [], []
    for number, topic in enumerate(TOPICS):
        key, subject, description, resolution, twin_s, twin_d, sib_s, sib_d, paraphrase, short = topic
        rng = random.Random(key)
        corpus.append({"id": f"{key}:case", "subject": subject, "description": description, "resolution": resolution})
        relevant = [f"{key}:case"]
        if twin_s:
            corpus.append({"id": f"{key}:twin", "subject": twin_s, "description": twin_d, "resolution": ""})
            relevant.append(f"{key}:twin")
        corpus.append({"id": f"{key}:sibling", "subject": sib_s, "description": sib_d, "resolution": ""})
        other = TOPICS[(number + 7) % len(TOPICS)][2]
        split = "tune" if number % 2 == 0 else "test"
        variants = {
            "paraphrase": paraphrase,
            "short": short,
            "typo": typo(paraphrase, rng),
            "long": long_body(paraphrase, other, rng),
        }
        for kind, text in variants.items():
            queries.append({"id": f"{key}:{kind}", "text": text, "kind": kind, "split": split, "relevant": relevant})
    filler = [{k: c[k] for k in ("id", "subject", "description", "resolution")} for c in generate_cases(2000, seed=3)]
    return {"corpus": corpus + filler, "queries": queries}


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = build()
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(data['corpus'])} cases, {len(data['queries'])} queries")
