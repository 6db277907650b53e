"""Checks one step's expectations against what the person and the staff group received."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from bot.scenarios.format import Expect, ResultsExpect, SeenExpect, StaffExpect
from flows.actions import TurnTrace
from flows.cases import Case, CaseStatus
from flows.directory import ResourceCard

MAX_SHOWN = 600
STATUS_NAMES = {
    CaseStatus.QUEUED: "queued",
    CaseStatus.TAKEN: "worker",
    CaseStatus.CLOSED: "closed",
}

Check = tuple[str, object, str]


@dataclass(frozen=True, slots=True)
class Observed:
    """What one step produced: the person's messages, the staff group's, and the facts."""

    person: list[str]
    staff: list[str]
    trace: TurnTrace | None
    case: Case | None
    language: str | None


def fold(text: str) -> str:
    """Accents dropped (``é`` → ``e``), for matching as FORMAT.md says."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(pattern: str, text: str) -> bool:
    """A case-insensitive regular expression over ``text``, accents folded on both sides."""
    return re.search(fold(pattern), fold(text), re.IGNORECASE) is not None


def shown(texts: list[str]) -> str:
    """What was seen, short enough for a report line."""
    joined = " ⏎ ".join(t.replace("\n", " / ") for t in texts) or "(nothing)"
    return joined if len(joined) <= MAX_SHOWN else joined[: MAX_SHOWN - 1] + "…"


def check(expect: Expect, seen: Observed, worker_step: bool) -> list[Check]:
    """Every expectation of ``expect`` that does not hold: (key, expected, what was seen)."""
    failures: list[Check] = []
    if not worker_step:
        failures.extend(_seen("", expect, seen.person, seen.language))
    failures.extend(_facts(expect, seen))
    if expect.staff_sees is not None:
        failures.extend(_seen("staff_sees.", expect.staff_sees, seen.staff, None))
    if expect.person_sees is not None:
        failures.extend(_seen("person_sees.", expect.person_sees, seen.person, seen.language))
    return failures


def _seen(
    prefix: str, expect: SeenExpect | StaffExpect, texts: list[str], language: str | None
) -> Iterator[Check]:
    everything = "\n".join(texts)
    if expect.reply is not None and bool(texts) is not expect.reply:
        yield f"{prefix}reply", expect.reply, shown(texts)
    for pattern in expect.contains:
        if not matches(pattern, everything):
            yield f"{prefix}contains", pattern, shown(texts)
    for pattern in expect.not_contains:
        if matches(pattern, everything):
            yield f"{prefix}not_contains", pattern, shown(texts)
    if isinstance(expect, SeenExpect):
        if expect.first_contains is not None and not (
            texts and matches(expect.first_contains, texts[0])
        ):
            yield f"{prefix}first_contains", expect.first_contains, shown(texts[:1])
        if expect.language is not None and texts and language != expect.language:
            yield f"{prefix}language", expect.language, f"{language}: {shown(texts)}"


def _facts(expect: Expect, seen: Observed) -> Iterator[Check]:
    trace = seen.trace or TurnTrace()
    if expect.crisis is not None and trace.crisis.level.value not in expect.crisis:
        yield "crisis", expect.crisis, trace.crisis.level.value
    if expect.crisis_category is not None:
        category = trace.crisis.category.value if trace.crisis.category else "none"
        if category != expect.crisis_category:
            yield "crisis_category", expect.crisis_category, category
    if expect.faq is not None and (trace.faq or "none") not in expect.faq:
        yield "faq", expect.faq, trace.faq or "none"
    if expect.theme is not None and (trace.theme.value if trace.theme else "none") not in (
        expect.theme
    ):
        yield "theme", expect.theme, trace.theme.value if trace.theme else "none"
    if expect.case is not None:
        yield from _case(expect, seen.case)
    if expect.results is not None:
        yield from _results(expect.results, trace)


def _case(expect: Expect, case: Case | None) -> Iterator[Check]:
    assert expect.case is not None
    status = STATUS_NAMES[case.status] if case is not None else "none"
    if expect.case.status is not None and status != expect.case.status:
        yield "case.status", expect.case.status, status
    if case is None:
        if expect.case.priority is not None or expect.case.reason is not None:
            yield "case", expect.case.model_dump(exclude_none=True), "no case"
        return
    if expect.case.priority is not None and case.priority.value != expect.case.priority:
        yield "case.priority", expect.case.priority, case.priority.value
    if expect.case.reason is not None and case.reason.value != expect.case.reason:
        yield "case.reason", expect.case.reason, case.reason.value


def _results(expect: ResultsExpect, trace: TurnTrace) -> Iterator[Check]:
    page = trace.results
    if page is None:
        yield "results", "resource results shown", "no results in this step"
        return
    cards = page.cards
    listing = "; ".join(_card_line(c) for c in cards) or "(none found)"
    if expect.theme is not None and (trace.theme.value if trace.theme else None) != expect.theme:
        yield "results.theme", expect.theme, trace.theme.value if trace.theme else "none"
    if expect.count_min is not None and len(cards) < expect.count_min:
        yield "results.count_min", expect.count_min, listing
    if expect.first_open_now and not (cards and cards[0].open_now):
        yield "results.first_open_now", True, listing
    if expect.all_open_now and not all(c.open_now for c in cards):
        yield "results.all_open_now", True, listing
    if expect.max_distance_m is not None and any(
        c.distance_m is None or c.distance_m > expect.max_distance_m for c in cards
    ):
        yield "results.max_distance_m", expect.max_distance_m, listing
    if expect.fits_age is not None and not all(_accepts(c, expect.fits_age) for c in cards):
        yield "results.fits_age", expect.fits_age, listing
    if expect.first_id is not None and not (cards and cards[0].service_id == expect.first_id):
        yield "results.first_id", expect.first_id, listing
    shown_ids = {c.service_id for c in cards}
    unwanted = [i for i in expect.not_ids if i in shown_ids]
    if unwanted:
        yield "results.not_ids", expect.not_ids, listing


def _accepts(card: ResourceCard, age: int) -> bool:
    low, high = card.min_age, card.max_age
    return (low is None or age >= low) and (high is None or age <= high)


def _card_line(card: ResourceCard) -> str:
    state = "open" if card.open_now else "closed" if card.open_now is False else "hours?"
    ages = ""
    if card.min_age is not None or card.max_age is not None:
        ages = f", ages {card.min_age or 0}-{card.max_age or '∞'}"
    distance = f"{card.distance_m} m" if card.distance_m is not None else "? m"
    return f"{card.service_id} ({card.name}, {distance}, {state}{ages})"
