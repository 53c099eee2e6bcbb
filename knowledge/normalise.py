"""Ticket text as people actually send it, turned into what a similarity index should see.

Real tickets carry quoted reply chains, signatures, HTML from mail clients, pasted logs
and stack traces, and personal data. Matching on that noise finds tickets from the same
customer instead of tickets with the same problem, and showing it leaks personal data,
so `redact` runs before indexing *and* before anything is displayed.
"""

from __future__ import annotations

import html
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD_CANDIDATE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
# Not after a letter, "+", "/", "#" or "-": INV-2026-04812 and order #12345678 are ids, not phones.
_PHONE = re.compile(r"(?<![\w+/#-])(?:\+|00)?\d[\d ().-]{6,}\d(?!\w)")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]{1,500}>", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.IGNORECASE)
_REPLY_HEADER = re.compile(
    r"^\s*(?:On\b.{0,200}\bwrote:|-{2,}\s*Original Message\s*-{2,}|_{5,}|From:\s.+|Le\s.{0,120}a écrit\s?:"
    r"|Am\s.{0,120}schrieb.{0,60}:)\s*$",
    re.IGNORECASE,
)
_SIGNOFF = re.compile(
    r"^\s*(?:--\s*|(?:best|kind|warm)(?:est)?\s+(?:regards|wishes)|regards|cheers|thanks(?: again| in advance)?"
    r"|thank you|many thanks|sincerely|br|best|thx|sent from my \w+.*|get outlook for \w+.*)\s*[,.!]?\s*$",
    re.IGNORECASE,
)
_SIGNATURE_RULE = re.compile(r"^\s*(?:--|__+|—)\s*$")  # "-- " is the standard signature separator
# Contact lines: "T: +1 415 ...", "Mobile: ...", an address alone, "Role | Company".
_CONTACT = re.compile(
    r"^\s*(?:(?:t|m|p|f|tel|phone|mobile|mob|cell|fax|e|email|e-mail|web|www)\s*[:.]\s*\S.*"
    r"|\S+@\S+\.\w+|[\w&.,' -]{2,40}\s+\|\s+[\w&.,' |-]{2,60}|\[(?:email|phone)\])\s*$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|dear|greetings|good\s+(?:morning|afternoon|evening|day))\b"
    r"(?P<rest>[^.!?]{0,40}?)\s*[,!.:]?\s*$",
    re.IGNORECASE,
)
_ADDRESSEE = frozenset(
    {"support", "team", "there", "all", "folks", "everyone", "guys", "sir", "madam", "or", "and", "the", "to"}
    | {"whom", "it", "may", "concern"}
)
# Subject boilerplate that says nothing about the problem: reply and forward markers, urgency tags.
_SUBJECT_PREFIX = re.compile(
    r"^(?:\s*(?:(?:re|fwd?|aw|wg|sv|tr|antw)\s*(?:\[\d+\])?\s*:|(?:urgent|important|asap|action (?:needed|required)"
    r"|reminder|follow[ -]?up)\s*[:!-]|\[\s*(?:urgent|important|external|action (?:needed|required)|ext|spam"
    r"|(?:ticket|case)?\s*#?\d+)\s*\]|\(\s*(?:urgent|important)\s*\))\s*)+",
    re.IGNORECASE,
)
# Two-word forms people type for what tickets name in one word: "can't log in" is about a login.
_PHRASES = re.compile(
    r"\b(?:(log(?:s|ged|ging)?)|(sign(?:s|ed|ing)?)|(set(?:s|ting)?))[ -](in|on|out|up)\b", re.IGNORECASE
)
_JOINED = {("log", "in"): "login", ("log", "on"): "login", ("log", "out"): "logout"}
_JOINED |= {("sign", "in"): "signin", ("sign", "on"): "signin", ("sign", "out"): "signout", ("sign", "up"): "signup"}
_JOINED |= {("set", "up"): "setup"}
_LAST_WORD = re.compile(r"(\w+)\W*$")
# A "log" after these is a noun ("the audit log in the panel"), a "set" a noun too ("a set up to 10").
_NOUN_BEFORE = frozenset(
    {"the", "a", "an", "this", "that", "audit", "error", "event", "access", "activity", "change", "system"}
    | {"server", "debug", "crash", "sync", "app", "api", "security", "request", "call", "chat", "data"}
)
_LOG_PREFIX = re.compile(
    r"^\s*\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\]?\s*"
    r"(?:\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|FATAL|CRITICAL)\]?\s*[:-]?\s*)?",
    re.IGNORECASE,
)
_FRAME = re.compile(
    r"^\s*(?:at\s+[\w$.<>/]+\(.*\)|File \".*\", line \d+.*|\.\.\. \d+ more|Traceback \(most recent call last\):"
    r"|#\d+\s+0x[0-9a-f]+.*|at .+ \(.+:\d+:\d+\)|at .+:\d+:\d+)\s*$",
    re.IGNORECASE,
)
_NOISE_TOKEN = re.compile(
    r"\[[^\]\s]*\d[^\]\s]*\]|\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|0x[0-9a-f]{9,}|[0-9a-f]{16,})\b"
    r"|(?<![\w-])\d{5,}(?![\w-])",
    re.IGNORECASE,
)
_ISSUE_KEY = re.compile(r"\b[A-Za-z][A-Za-z0-9]*-\d+(?:-\d+)*\b")  # CVE-2020-26939, HADOOP-16582, KB-1042
_PLACEHOLDER = re.compile(r"\[(?:email|phone|card)\]")
_DIGIT_RUN = re.compile(r"\d[\d ().-]{5,}\d")
_SPACES = re.compile(r"[ \t\f\v\xa0]+")


def luhn_ok(digits: str) -> bool:
    """The Luhn check every payment card number passes; ordinary long numbers mostly fail it."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[card]" if 13 <= len(digits) <= 19 and luhn_ok(digits) else match.group(0)


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    looks_like_date = re.match(r"\d{4}-\d{2}-\d{2}", text.strip()) is not None
    return "[phone]" if 7 <= len(digits) <= 15 and not looks_like_date else text


def redact(text: str) -> str:
    """Replace emails, Luhn-valid card numbers and phone numbers with placeholders."""
    if not text:
        return ""
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    if _DIGIT_RUN.search(text):
        text = _PHONE.sub(_phone, _CARD_CANDIDATE.sub(_card, text))
    return text


_HTML_HINT = re.compile(
    r"<\s*/?\s*(?:html|body|p|br|div|span|table|tr|td|li|ul|ol|a|b|i|u|strong|em|font|h[1-6]|img|head|style"
    r"|script|meta|blockquote|hr)\b[^>]*>|&(?:nbsp|amp|lt|gt|quot|#\d+);",
    re.IGNORECASE,
)


def strip_html(text: str) -> str:
    """Mail clients send HTML; keep the words and the line breaks, drop the markup.

    Only text that holds real HTML is touched: in a pasted config or code snippet, "<init>",
    "<name>dfs.replication</name>" or "i < 100; ... >" are words of the problem.
    """
    if ("<" not in text and "&" not in text) or not _HTML_HINT.search(text):
        return text
    text = _BLOCK_TAG.sub("\n", text)
    return html.unescape(_TAG.sub(" ", text))


def _url_words(match: re.Match[str]) -> str:
    # The path often names the screen ("settings/billing") or the issue (".../CVE-2020-26939",
    # ".../browse/HADOOP-16582"); of the query string only such issue keys help.
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", match.group(0), flags=re.IGNORECASE)
    url, _, query = url.partition("?")
    url = url.split("#", 1)[0]
    host, _, path = url.partition("/")
    words = [w for w in re.split(r"[/._=-]+", _ISSUE_KEY.sub(" ", path)) if w.isalpha() and len(w) > 1]
    keys = _ISSUE_KEY.findall(path) + _ISSUE_KEY.findall(query)
    return " ".join([host.split(".")[-2] if host.count(".") else host, *words, *dict.fromkeys(keys)])


def drop_quoted_reply(lines: list[str]) -> list[str]:
    """Cut at the first reply header and drop `>` lines: the earlier mail is someone else's text."""
    kept = []
    for line in lines:
        if _REPLY_HEADER.match(line) and kept:
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return kept


def drop_signature(lines: list[str]) -> list[str]:
    """Cut the sign-off block at the end: from the earliest sign-off ("Kind regards", "--",
    "Sent from my iPhone") among the last lines, and any contact lines left after the text.

    The earliest, not the last: "Thanks!" then a "--" signature then "Sent from my iPhone"
    is one block, and a signature left in ("Accounts Payable | Brightwell Schools") makes a
    login question match every ticket that customer ever sent.
    """
    rule = next((i for i, line in enumerate(lines) if i > 0 and _SIGNATURE_RULE.match(line)), None)
    if rule is not None:
        lines = lines[:rule]
    tail = range(max(1, len(lines) - 10), len(lines))
    cut = next((i for i in tail if _SIGNOFF.match(lines[i])), len(lines))
    lines = lines[:cut]
    while len(lines) > 1 and (not lines[-1].strip() or _CONTACT.match(lines[-1])):
        lines = lines[:-1]
    return lines


def drop_greeting(lines: list[str]) -> list[str]:
    """Drop an opening "Hi team," / "Dear Sir or Madam,": it is in every mail, about no problem."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return lines
    found = _GREETING.match(lines[first])
    if found is None:
        return lines
    rest = found.group("rest").strip(" ,")
    words = rest.lower().split()
    if not words or set(words) <= _ADDRESSEE or (len(words) <= 2 and lines[first].rstrip().endswith(",")):
        return lines[:first] + lines[first + 1 :]
    return lines


def strip_subject_prefixes(subject: str) -> str:
    """A subject without "Re:", "Fwd:", "URGENT:", "[Action needed]": variants of one problem fold together."""
    return _SUBJECT_PREFIX.sub("", subject).strip()


def join_phrases(text: str) -> str:
    """ "log in" -> "login", "signed up" -> "signup", "set up" -> "setup": the forms tickets use."""

    def joined(match: re.Match[str]) -> str:
        before = _LAST_WORD.search(text, max(0, match.start() - 40), match.start())
        if before and before.group(1).lower() in _NOUN_BEFORE:  # "the audit log in the admin panel"
            return match.group(0)
        verb = next(g for g in match.groups()[:3] if g).lower()
        base = "log" if verb.startswith("log") else "sign" if verb.startswith("sign") else "set"
        return _JOINED.get((base, match.group(4).lower()), match.group(0))

    return _PHRASES.sub(joined, text)


def frame_name(line: str) -> str | None:
    """The function a stack-frame line names ("com.acme.Sync.run", "db.connect"); "" for pure noise."""
    if not _FRAME.match(line):
        return None
    text = line.strip()
    python = re.match(r'File "(?:.*[/\\])?([^/\\"]+?)(?:\.py)?", line \d+(?:, in (\S+))?', text)
    if python:
        return ".".join(p for p in python.groups() if p and not p.startswith("<"))
    java = re.match(r"at\s+([\w$.<>/]+?)(?:\s*\(|$)", text)
    return java.group(1) if java else ""


def simplify_logs(lines: list[str], frames_per_trace: int = 3) -> list[str]:
    """Keep log messages, exception names and the top frames of a trace; drop timestamps and repeats.

    The first frames of a trace say where it broke (duplicate bug reports share them); the
    rest, line numbers and addresses differ between copies of the same crash.
    """
    kept: list[str] = []
    seen: set[str] = set()
    in_trace = 0
    for line in lines:
        if line.lstrip().startswith("Traceback ("):
            in_trace = 0
            continue
        name = frame_name(line)
        if name is not None:
            in_trace += 1
            if name and in_trace <= frames_per_trace and name not in seen:
                seen.add(name)
                kept.append(name)
            continue
        in_trace = 0
        message = _LOG_PREFIX.sub("", line) if _LOG_PREFIX.match(line) else line
        message = _NOISE_TOKEN.sub(" ", message)
        key = message.strip().lower()
        if key and key in seen and len(key) > 12:
            continue
        seen.add(key)
        kept.append(message)
    return kept


def clean_text(text: str | None) -> str:
    """Redacted, de-noised text for the index: no markup, replies, signatures, frames or URLs."""
    if not text:
        return ""
    text = strip_html(text.replace("\r\n", "\n").replace("\r", "\n"))
    if "://" in text or "www." in text.lower():
        text = _URL.sub(_url_words, text)
    lines = drop_greeting(drop_signature(drop_quoted_reply(text.split("\n"))))
    text = _PLACEHOLDER.sub(" ", redact(join_phrases("\n".join(simplify_logs(lines)))))
    lines = [s for s in (_SPACES.sub(" ", line).strip() for line in text.split("\n")) if s]
    if lines:  # a subject's "Re:"/"URGENT:", also when a whole ticket is pasted as one query
        lines[0] = strip_subject_prefixes(lines[0])
    return "\n".join(line for line in lines if line)


def snippet(text: str | None, limit: int = 240) -> str:
    """A short, redacted, single-line excerpt for display."""
    flat = " ".join(redact(strip_html(text or "")).split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + "…"
