"""The crisis protocol: what the person sees at once when a message is flagged.

Two short messages: first a warm sentence that fits what was said and names the emergency
number (for an overdose, what to do right now), then the emergency number again with the
lines that fit, numbers first so a thumb can reach them. Whatever raised the crisis — the
deterministic screen or the NLU alone (then ``screening`` may be None or category *other*)
— the first message carries the number. The case is opened by the engine; nothing here
waits for a human.

``lines_for_theme`` picks the 2 or 3 lines pinned above search results for themes that
call for them (violence, mental health, substance use), instead of the whole registry.
"""

from __future__ import annotations

from flows.actions import Reply
from flows.catalogue import Catalogue
from flows.domain import Language, Theme
from flows.understanding import CrisisCategory, CrisisLine, CrisisLines, Screening

# A crisis reply shows a few lines, not the whole registry: the emergency button and
# /urgence show every line.
MAX_LINES_IN_REPLY = 4
MIN_LINES_IN_REPLY = 2
# At most this many youth lines go first for a minor, so lines that fit the danger remain.
MAX_YOUTH_LINES_FIRST = 2
# Lines pinned above search results.
MAX_LINES_FOR_THEME = 3
MIN_LINES_FOR_THEME = 2

# Which registry audiences fit each category, most fitting first.
AUDIENCES_FOR: dict[CrisisCategory, tuple[str, ...]] = {
    CrisisCategory.SUICIDE: ("suicide", "distress"),
    CrisisCategory.SELF_HARM: ("distress", "suicide", "youth"),
    CrisisCategory.OVERDOSE: ("medical", "drugs"),
    CrisisCategory.VIOLENCE: ("violence", "police"),
    CrisisCategory.CHILD_ABUSE: ("children", "youth"),
    CrisisCategory.SEXUAL_ASSAULT: ("sexual_assault", "violence"),
    CrisisCategory.OTHER: ("distress", "suicide"),
}
YOUTH_AUDIENCES: tuple[str, ...] = ("youth", "children")
ALWAYS_OPEN = "24/7"
# Which audiences fit the results of a theme whose results start with crisis lines.
AUDIENCES_FOR_THEME: dict[Theme, tuple[str, ...]] = {
    Theme.VIOLENCE: ("violence", "sexual_assault", "cannot_speak"),
    Theme.MENTAL_HEALTH: ("distress", "suicide"),
    Theme.SUBSTANCE_USE: ("drugs", "medical"),
}


def crisis_lines_text(
    catalogue: Catalogue,
    lines: CrisisLines,
    language: Language,
    *,
    only: tuple[CrisisLine, ...] | None = None,
) -> str:
    """The emergency number and the crisis lines, one per line (every line unless ``only``)."""
    return _lines_text(catalogue, lines, lines.lines if only is None else only, language)


def crisis_replies(
    catalogue: Catalogue,
    lines: CrisisLines,
    language: Language,
    screening: Screening | None,
    *,
    minor: bool = False,
) -> tuple[Reply, ...]:
    """A short warm reply that fits the danger and names the emergency number, then the lines.

    ``minor``: the person said they are under 18; youth lines come first.
    """
    category = screening.category if screening is not None else None
    key = f"crisis.first.{category}" if category is not None else "crisis.warm"
    if not catalogue.has(key):
        key = "crisis.warm"
    chosen = select_lines(lines, category, minor=minor)
    return (
        Reply(catalogue.text(key, language, number=lines.emergency_number)),
        Reply(_lines_text(catalogue, lines, chosen, language)),
    )


def select_lines(
    lines: CrisisLines, category: CrisisCategory | None, *, minor: bool = False
) -> tuple[CrisisLine, ...]:
    """The lines whose audience fits ``category``, best first, padded with distress lines.

    For a minor, up to ``MAX_YOUTH_LINES_FIRST`` youth lines come first.
    """
    wanted = (
        AUDIENCES_FOR[category] if category is not None else AUDIENCES_FOR[CrisisCategory.OTHER]
    )
    fitting = _ranked(lines.lines, wanted)
    if minor:
        youth = _ranked(lines.lines, YOUTH_AUDIENCES)[:MAX_YOUTH_LINES_FIRST]
        fitting = (*youth, *(line for line in fitting if line not in youth))
    chosen = fitting[:MAX_LINES_IN_REPLY]
    return _padded(lines, chosen, MIN_LINES_IN_REPLY)


def lines_for_theme(
    lines: CrisisLines, theme: Theme, *, minor: bool = False
) -> tuple[CrisisLine, ...]:
    """The 2 or 3 lines to pin above results of ``theme``; empty for other themes.

    Violence: the violence lines (and the sexual-assault line); mental health: the distress
    and suicide lines; substance use: the drug lines. For a minor, one youth line first.
    """
    wanted = AUDIENCES_FOR_THEME.get(theme)
    if wanted is None:
        return ()
    fitting = _ranked(lines.lines, wanted)
    if minor:
        youth = _ranked(lines.lines, YOUTH_AUDIENCES)[:1]
        fitting = (*youth, *(line for line in fitting if line not in youth))
    return _padded(lines, fitting[:MAX_LINES_FOR_THEME], MIN_LINES_FOR_THEME)


def _padded(
    lines: CrisisLines, chosen: tuple[CrisisLine, ...], at_least: int
) -> tuple[CrisisLine, ...]:
    if len(chosen) >= at_least:
        return chosen
    padding = [line for line in _ranked(lines.lines, ("distress",)) if line not in chosen]
    return (*chosen, *padding[: at_least - len(chosen)])


def _ranked(lines: tuple[CrisisLine, ...], wanted: tuple[str, ...]) -> tuple[CrisisLine, ...]:
    """Lines with at least one wanted audience, best first.

    Order: how well the audience fits; then lines open around the clock (at 3 a.m. a
    weekday line is a closed door); then the line's main purpose (its first audience tag:
    for drugs, "Drogue : aide et référence" before Info-Social 811, whose first tag is
    distress); then file order.
    """
    ranked: list[tuple[int, int, int, int, CrisisLine]] = []
    for position, line in enumerate(lines):
        tags = line.audience.split(",")
        fits = [(wanted.index(tag), rank) for rank, tag in enumerate(tags) if tag in wanted]
        if fits:
            best, rank = min(fits)
            always_open = 0 if line.hours.strip() == ALWAYS_OPEN else 1
            ranked.append((best, always_open, rank, position, line))
    return tuple(line for *_, line in sorted(ranked, key=lambda r: r[:4]))


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
