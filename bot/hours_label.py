"""The team's hours in words: an OpenStreetMap ``opening_hours`` string, said naturally.

``Mo-Fr 09:00-21:00`` becomes « du lundi au vendredi, de 9 h à 21 h » and "Monday to
Friday, 9 am to 9 pm"; ``24/7`` becomes « 24 h sur 24, 7 jours sur 7 ». Day names and clock
times come from Babel (CLDR), the joints between them from the message catalogue. What this
module cannot word faithfully (week numbers, months, sunrise, comments, fallback rules…) is
returned as written: a schedule shown as is beats one worded wrongly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from functools import lru_cache

from babel.dates import format_time, get_day_names

from flows.availability import normalise_schedule
from flows.catalogue import Catalogue
from flows.domain import Language

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
HOLIDAYS = "PH"
MINUTES_PER_DAY = 24 * 60
_DAY_ITEM = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su|PH)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?$")
_TIME_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_OFF = frozenset({"off", "closed"})


class UnwordableError(ValueError):
    """The schedule uses syntax this module does not word."""


@dataclass(frozen=True, slots=True)
class _Rule:
    """One ``;``-separated rule: days (indexes, 7 = public holidays) and minute ranges."""

    days: tuple[tuple[int, int], ...]  # (first, last) day spans, in the order written
    ranges: tuple[tuple[int, int], ...]  # (start, end) minutes; end may pass midnight
    closed: bool = False


@lru_cache(maxsize=2)
def _default_catalogue() -> Catalogue:
    return Catalogue.load()


def hours_label(schedule: str, language: Language, *, catalogue: Catalogue | None = None) -> str:
    """``schedule`` (``opening_hours`` syntax) in words, in ``language``.

    Falls back to the schedule as written when it uses syntax beyond weekdays, public
    holidays, time ranges and ``off``.
    """
    t = catalogue or _default_catalogue()
    try:
        text = normalise_schedule(schedule)
    except ValueError:
        return schedule.strip()
    try:
        rules = [_parse_rule(part.strip()) for part in text.split(";") if part.strip()]
    except UnwordableError:
        return text
    if not rules:
        return text
    words = [_word_rule(rule, language, t) for rule in rules]
    sentence = words[0]
    for more in words[1:]:
        sentence = t.text("hours.rules", language, first=sentence, second=more)
    return sentence


def team_hours_label(
    schedule: str,
    language: Language,
    *,
    public_holidays: bool,
    catalogue: Catalogue | None = None,
) -> str:
    """When the team answers, as the welcome and the posters say it (holidays included)."""
    if public_holidays and not re.search(r"\bPH\b", schedule, re.IGNORECASE):
        schedule = f"{schedule}; PH off"
    return hours_label(schedule, language, catalogue=catalogue)


# --- reading ----------------------------------------------------------------------------------


def _parse_rule(rule: str) -> _Rule:
    if rule == "24/7":
        return _Rule(days=((0, 6),), ranges=((0, MINUTES_PER_DAY),))
    parts = rule.split()
    if len(parts) > 2:
        raise UnwordableError(rule)
    days_part, times_part = "", ""
    for part in parts:
        if part in _OFF or _TIME_RANGE.match(part.split(",")[0]):
            times_part = part
        else:
            days_part = part
    days = _parse_days(days_part) if days_part else ((0, 6),)
    if times_part in _OFF:
        return _Rule(days=days, ranges=(), closed=True)
    if not times_part:
        raise UnwordableError(rule)  # "Mo-Fr" alone means "open, hours unknown"
    return _Rule(days=days, ranges=tuple(_parse_range(item) for item in times_part.split(",")))


def _parse_days(text: str) -> tuple[tuple[int, int], ...]:
    spans = []
    for item in text.split(","):
        match = _DAY_ITEM.match(item)
        if match is None:
            raise UnwordableError(item)
        first, last = match.group(1), match.group(2)
        if first == HOLIDAYS:
            spans.append((7, 7))
            continue
        spans.append((DAYS.index(first), DAYS.index(last or first)))
    return tuple(spans)


def _parse_range(text: str) -> tuple[int, int]:
    match = _TIME_RANGE.match(text)
    if match is None:
        raise UnwordableError(text)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start >= MINUTES_PER_DAY or m1 > 59 or m2 > 59:
        raise UnwordableError(text)
    if end <= start:
        end += MINUTES_PER_DAY  # a night over midnight: 22:00-02:00
    return start, end


# --- wording ----------------------------------------------------------------------------------


def _word_rule(rule: _Rule, language: Language, t: Catalogue) -> str:
    every_day = rule.days == ((0, 6),)
    whole_day = rule.ranges == ((0, MINUTES_PER_DAY),)
    if every_day and whole_day:
        return t.text("hours.always", language)
    days = t.text("hours.every_day", language) if every_day else _word_days(rule, language, t)
    if rule.closed:
        return t.text("hours.closed", language, days=days)
    if whole_day:
        times = t.text("hours.all_day", language)
    else:
        times = _join([_word_range(r, language, t) for r in rule.ranges], language, t)
    return t.text("hours.rule", language, days=days, times=times)


def _word_days(rule: _Rule, language: Language, t: Catalogue) -> str:
    names = get_day_names("wide", locale=language.value)
    items = []
    for first, last in rule.days:
        if first == 7:
            items.append(t.text("hours.holidays", language))
        elif last - first <= 1:  # "Sa-Su" reads better as « le samedi et le dimanche »
            items.extend(
                t.text("hours.day", language, day=names[d])
                for d in (first, last)[: last - first + 1]
            )
        else:
            items.append(t.text("hours.day_range", language, first=names[first], last=names[last]))
    return _join(items, language, t)


def _word_range(span: tuple[int, int], language: Language, t: Catalogue) -> str:
    start, end = span
    text = t.text(
        "hours.times",
        language,
        start=_clock(start, language, t),
        end=_clock(end % MINUTES_PER_DAY, language, t),
    )
    if end > MINUTES_PER_DAY:
        return t.text("hours.next_day", language, times=text)
    return text


def _clock(minutes: int, language: Language, t: Catalogue) -> str:
    """``9 h``, ``21 h 30``, ``midi`` in French; ``9 am``, ``9:30 pm``, ``noon`` in English."""
    if minutes == 12 * 60:
        return t.text("hours.noon", language)
    if minutes == 0:
        return t.text("hours.midnight", language)
    at = time(minutes // 60, minutes % 60)
    if language is Language.FR:
        return format_time(at, "H 'h'" if at.minute == 0 else "H 'h' mm", locale="fr")
    pattern = "h a" if at.minute == 0 else "h:mm a"
    return format_time(at, pattern, locale="en").lower()


def _join(items: list[str], language: Language, t: Catalogue) -> str:
    if len(items) == 1:
        return items[0]
    return t.text("hours.and", language, items=", ".join(items[:-1]), last=items[-1])
