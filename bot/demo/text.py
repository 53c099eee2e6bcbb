"""Turning a catalogue problem into one customer's words and one agent's write-up.

Real queues are messy: greetings or none, signatures with phone numbers, quoted reply chains,
"Sent from my iPhone", typos, terse lowercase one-liners. This layer adds that mess on top of
the catalogue's phrasings so the similar-case index and redaction meet realistic text. Every
choice comes from the `random.Random` passed in, so a seed always writes the same words.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from smartstep.demo.catalogue import Problem

_COMPANIES = (
    "Northwind Tools",
    "Bluefin Logistics",
    "Kestrel Health",
    "Orchard & Vine",
    "Tidewater Labs",
    "Quarry Street",
    "Fennel Foods",
    "Lumen Dental",
    "Copperline Freight",
    "Marlow Analytics",
    "Brightwell Schools",
    "Oakridge Legal",
)
_ROLES = (
    "Accounts Payable",
    "IT Operations",
    "Office Manager",
    "Head of Ops",
    "Finance",
    "Platform Team",
    "CTO",
    "Customer Ops Lead",
    "Systems Administrator",
    "Procurement",
)
_GREETINGS = (
    "Hi,",
    "Hello,",
    "Hi team,",
    "Hello support,",
    "Hey there,",
    "Good morning,",
    "Dear support team,",
    "hi",
    "Hi folks,",
    "Dear Sir or Madam,",
)
_CLOSINGS = (
    "Thanks!",
    "Thanks in advance.",
    "Cheers",
    "Regards",
    "thx",
    "Appreciate the help.",
    "Kind regards,",
    "Please advise.",
    "This is blocking us, please look asap.",
    "Thank you",
)
_PRODUCT_VERSIONS = {
    "Ledger": ("Ledger", 3, 12),
    "Pulse API": ("v", 2, 24),
    "Atlas Sync": ("Atlas Sync", 4, 9),
    "Beacon app": ("Beacon", 5, 30),
    "Console": ("Console", 8, 20),
}
_BROWSERS = ("Chrome 124", "Firefox 126", "Safari 17.4", "Edge 125", "Chrome on Windows", "Brave")
_OSES = ("iOS 17.4", "iOS 17.5.1", "iOS 18.0", "Android 14", "Android 13", "Android 15", "iPadOS 17")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_CODES = ("SPRING20", "WELCOME15", "PARTNER-25", "LAUNCHWEEK", "EDU40", "BF2025")


class _Slots(dict):
    """Fills `{slot}` placeholders lazily, once per ticket, so repeats within a ticket agree."""

    def __init__(self, rng: random.Random, product: str, when: datetime) -> None:
        super().__init__()
        self.rng, self.product, self.when = rng, product, when

    def __missing__(self, key: str) -> str:
        value = self._make(key)
        self[key] = value
        return value

    def _make(self, key: str) -> str:  # noqa: PLR0911 - one line per slot kind
        r, when = self.rng, self.when
        if key == "ver":
            _, major, minors = _PRODUCT_VERSIONS.get(self.product, ("", 1, 9))
            return f"{major}.{r.randint(0, minors)}.{r.randint(0, 9)}"
        if key == "inv":
            return f"INV-{when.year}-{r.randint(1000, 99999):05d}"
        if key == "amt":
            return r.choice(("$", "€", "£", "USD ")) + f"{r.randint(49, 9800):,}.{r.choice(('00', '50', '99'))}"
        if key == "month":
            return _MONTHS[(when.month - 1 - r.randint(0, 1)) % 12]
        if key == "date":
            day = when - timedelta(days=r.randint(1, 12))
            return r.choice(
                (day.strftime("%d %B"), day.strftime("%Y-%m-%d"), day.strftime("%d/%m"), f"{day:%B} {day.day}")
            )
        if key == "req":
            return "req_" + "".join(r.choice("0123456789abcdef") for _ in range(12))
        if key == "time":
            return f"{r.randint(6, 22):02d}:{r.randint(0, 59):02d}"
        if key == "pct":
            return f"{r.randint(7, 97)}%"
        if key == "count":
            return f"{r.randint(2, 480) * 100 + r.randint(0, 99):,}"
        if key == "n":
            return str(r.randint(2, 12))
        if key == "acct":
            return r.choice(_COMPANIES).lower().replace(" & ", "-").replace(" ", "-")
        if key == "browser":
            return r.choice(_BROWSERS)
        if key == "os":
            return r.choice(_OSES)
        if key == "code":
            return r.choice(_CODES)
        raise KeyError(key)


def _typo(word: str, r: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = r.randint(1, len(word) - 2)
    kind = r.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def add_typos(text: str, r: random.Random, count: int) -> str:
    """Misspell `count` words the way hurried people do: swapped, dropped or doubled letters."""
    words = text.split(" ")
    for _ in range(count):
        k = r.randrange(len(words))
        if "\n" not in words[k] and "{" not in words[k]:
            words[k] = _typo(words[k], r)
    return " ".join(words)


def _signature(r: random.Random) -> str:
    company = r.choice(_COMPANIES)
    domain = company.lower().replace(" & ", "-").replace(" ", "-") + ".example"
    phone = r.choice(
        (
            f"+1 415 555 01{r.randint(0, 99):02d}",
            f"+44 20 7946 0{r.randint(100, 999)}",
            f"(312) 555-01{r.randint(0, 99):02d}",
            f"+49 30 5555 {r.randint(1000, 9999)}",
        )
    )
    lines = [r.choice(_ROLES) + " | " + company]
    if r.random() < 0.7:
        lines.append(f"T: {phone}")
    if r.random() < 0.6:
        lines.append(f"{r.choice(('ap', 'it', 'ops', 'admin', 'finance', 'j.doe'))}@{domain}")
    return "--\n" + "\n".join(lines)


def _quoted_reply(r: random.Random, when: datetime) -> str:
    earlier = when - timedelta(days=r.randint(1, 20), hours=r.randint(0, 23))
    asked = r.choice(
        (
            "Could you send us the request id and a screenshot?",
            "Thanks for reaching out. Can you tell us which workspace this is?",
            "We have passed this to the right team and will update you shortly.",
        )
    )
    return (
        f"\n\nOn {earlier:%a, %d %b %Y at %H:%M}, Support <support@northstar-demo.example> wrote:\n"
        f"> {asked}\n>\n> Best,\n> Support"
    )


def ticket_text(problem: Problem, r: random.Random, when: datetime) -> tuple[str, str]:
    """One customer's subject line and message for `problem`, written at `when`."""
    slots = _Slots(r, problem.product, when)
    subject = r.choice(problem.subjects).format_map(slots)
    body = r.choice(problem.bodies).format_map(slots)
    terse = body[:1].islower() or r.random() < 0.12
    if terse:
        subject = subject.lower() if r.random() < 0.5 else subject
    else:
        if r.random() < 0.75:
            body = f"{r.choice(_GREETINGS)}\n\n{body}"
        if r.random() < 0.7:
            body += "\n\n" + r.choice(_CLOSINGS)
        if r.random() < 0.3:
            body += "\n" + _signature(r)
    if problem.product in ("Console", "Ledger") and r.random() < 0.15:
        body += f"\n\nWorkspace: {slots['acct']}, browser {slots['browser']}"
    if problem.team == "Billing" and r.random() < 0.03:
        card = f"4111 1111 1111 {r.randint(1000, 9999)} exp 0{r.randint(1, 9)}/29"
        body += f"\n\nYou can charge this card instead: {card}"
    if r.random() < 0.06:
        body += "\n\nSent from my iPhone"
    if r.random() < 0.1:
        subject, body = "Re: " + subject, body + _quoted_reply(r, when)
    elif r.random() < 0.05:
        subject = r.choice(("URGENT: ", "Fwd: ", "[Action needed] ")) + subject
    if r.random() < 0.14:
        body = add_typos(body, r, r.randint(1, 3))
    if r.random() < 0.06:
        subject = add_typos(subject, r, 1)
    return subject, body


_OPENERS = (
    "",
    "",
    "",
    "Checked the account. ",
    "Reproduced on our side. ",
    "Customer called back. ",
    "Looked at the logs with the customer. ",
    "Screen share with the admin. ",
)
_CLOSERS = (
    "",
    "",
    " Customer confirmed it works.",
    " Closing.",
    " Customer happy, closing.",
    " Followed up after 2 days, no reply, closing.",
    " Confirmed fixed by email.",
)
_KB_ASIDE = re.compile(r"\s*\((?:see )?KB-\d{4}\)|\s*(?:See|Linked) KB-\d{4}\.")
_KB_NAME = re.compile(r"KB-\d{4}")


def resolution_text(problem: Problem, r: random.Random, when: datetime, *, cite_share: float = 0.8) -> str:
    """How an agent wrote up the fix: usually citing the problem's article when it has one."""
    slots = _Slots(r, problem.product, when)
    text = r.choice(problem.resolutions).format_map(slots)
    if problem.kb and r.random() < cite_share:
        if problem.kb not in text:
            text += r.choice((f" Linked {problem.kb}.", f" See {problem.kb}.", f" Sent {problem.kb} for next time."))
    else:
        text = _KB_NAME.sub("the steps", _KB_ASIDE.sub("", text)).strip()
    text = r.choice(_OPENERS) + text + r.choice(_CLOSERS)
    if r.random() < 0.05:
        text = add_typos(text, r, 1)
    return text
