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
    r"|thank you|many thanks|sincerely|br|sent from my \w+.*|get outlook for \w+.*)\s*[,.!]?\s*$",
    re.IGNORECASE,
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
    r"\[[^\]\s]*\d[^\]\s]*\]|\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|0x[0-9a-f]+|[0-9a-f]{16,}|\d{5,})\b",
    re.IGNORECASE,
)
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


def strip_html(text: str) -> str:
    """Mail clients send HTML; keep the words and the line breaks, drop the markup."""
    if "<" not in text and "&" not in text:
        return text
    text = _BLOCK_TAG.sub("\n", text)
    return html.unescape(_TAG.sub(" ", text))


def _url_words(match: re.Match[str]) -> str:
    # The path often names the screen ("settings/billing"), the query string never helps.
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", match.group(0), flags=re.IGNORECASE)
    url = url.split("?", 1)[0].split("#", 1)[0]
    host, _, path = url.partition("/")
    words = [w for w in re.split(r"[/._=-]+", path) if w.isalpha() and len(w) > 1]
    return " ".join([host.split(".")[-2] if host.count(".") else host, *words])


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
    """Cut a sign-off and what follows it when it sits near the end (a name, a title, a phone)."""
    for index in range(len(lines) - 1, max(-1, len(lines) - 8), -1):
        if _SIGNOFF.match(lines[index]) and index > 0:
            return lines[:index]
    return lines


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
        if key and key in seen and len(key) > 20:
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
    lines = drop_signature(drop_quoted_reply(text.split("\n")))
    text = _PLACEHOLDER.sub(" ", redact("\n".join(simplify_logs(lines))))
    return "\n".join(s for s in (_SPACES.sub(" ", line).strip() for line in text.split("\n")) if s)


def snippet(text: str | None, limit: int = 240) -> str:
    """A short, redacted, single-line excerpt for display."""
    flat = " ".join(redact(strip_html(text or "")).split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + "…"
