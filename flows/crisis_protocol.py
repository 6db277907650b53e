"""The crisis protocol: what the person sees at once when a message is flagged.

Two short messages: first a warm sentence that fits what was said (for an overdose, what to
do right now), then the emergency number and the lines that fit, numbers first so a thumb
can reach them. The case is opened by the engine; nothing here waits for a human.
"""

from __future__ import annotations

from flows.actions import Reply
from flows.catalogue import Catalogue
from flows.domain import Language
from flows.understanding import CrisisCategory, CrisisLine, CrisisLines, Screening

# A crisis reply shows a few lines, not the whole registry: the emergency button and
# /urgence show every line.
MAX_LINES_IN_REPLY = 4
MIN_LINES_IN_REPLY = 2

# Which registry audiences fit each category, most fitting first.
AUDIENCES_FOR: dict[CrisisCategory, tuple[str, ...]] = {
    CrisisCategory.SUICIDE: ("suicide", "distress"),
    CrisisCategory.SELF_HARM: ("distress", "suicide", "youth"),
    CrisisCategory.OVERDOSE: ("medical", "drugs"),
    CrisisCategory.VIOLENCE: ("violence", "police"),
    CrisisCategory.CHILD_ABUSE: ("children", "youth"),
    CrisisCategory.OTHER: ("distress", "suicide"),
}


def crisis_lines_text(catalogue: Catalogue, lines: CrisisLines, language: Language) -> str:
    """The emergency number and every crisis line, one per line."""
    return _lines_text(catalogue, lines, lines.lines, language)


def crisis_replies(
    catalogue: Catalogue,
    lines: CrisisLines,
    language: Language,
    screening: Screening | None,
) -> tuple[Reply, ...]:
    """A short warm reply that fits the danger, then the emergency number and fitting lines."""
    category = screening.category if screening is not None else None
    key = f"crisis.first.{category}" if category is not None else "crisis.warm"
    if not catalogue.has(key):
        key = "crisis.warm"
    chosen = select_lines(lines, category)
    return (
        Reply(catalogue.text(key, language, number=lines.emergency_number)),
        Reply(_lines_text(catalogue, lines, chosen, language)),
    )


def select_lines(lines: CrisisLines, category: CrisisCategory | None) -> tuple[CrisisLine, ...]:
    """The lines whose audience fits ``category``, best first, padded with distress lines."""
    wanted = (
        AUDIENCES_FOR[category] if category is not None else AUDIENCES_FOR[CrisisCategory.OTHER]
    )
    chosen = _ranked(lines.lines, wanted)[:MAX_LINES_IN_REPLY]
    if len(chosen) < MIN_LINES_IN_REPLY:
        padding = [line for line in _ranked(lines.lines, ("distress",)) if line not in chosen]
        chosen = (*chosen, *padding[: MIN_LINES_IN_REPLY - len(chosen)])
    return chosen


def _ranked(lines: tuple[CrisisLine, ...], wanted: tuple[str, ...]) -> tuple[CrisisLine, ...]:
    """Lines with at least one wanted audience, by best fit then registry order."""
    ranked: list[tuple[int, int, CrisisLine]] = []
    for position, line in enumerate(lines):
        fits = [wanted.index(tag) for tag in line.audience.split(",") if tag in wanted]
        if fits:
            ranked.append((min(fits), position, line))
    return tuple(line for _, _, line in sorted(ranked, key=lambda r: (r[0], r[1])))


def _lines_text(
    catalogue: Catalogue,
    lines: CrisisLines,
    shown: tuple[CrisisLine, ...],
    language: Language,
) -> str:
    rows = [catalogue.text("crisis.emergency_line", language, number=lines.emergency_number)]
    if shown:
        rows.append(catalogue.text("crisis.lines_intro", language))
    for line in shown:
        key = "crisis.line_sms" if line.kind == "sms" else "crisis.line_call"
        rows.append(
            catalogue.text(key, language, contact=line.contact, name=line.name, hours=line.hours)
        )
    return "\n".join(rows)
