"""The crisis protocol: what the person sees at once when a message is flagged."""

from __future__ import annotations

from flows.actions import Button, Reply
from flows.catalogue import Catalogue
from flows.domain import Language
from flows.understanding import CrisisLines, Screening


def crisis_lines_text(catalogue: Catalogue, lines: CrisisLines, language: Language) -> str:
    """The emergency number and every crisis line, one per line."""
    rows = [catalogue.text("crisis.emergency_line", language, number=lines.emergency_number)]
    rows.extend(f"• {line.name} : {line.contact} ({line.hours})" for line in lines.lines)
    return "\n".join(rows)


def crisis_replies(
    catalogue: Catalogue,
    lines: CrisisLines,
    language: Language,
    screening: Screening | None,
) -> tuple[Reply, ...]:
    """A short warm reply, the emergency number and the lines, and a way to a human."""
    del screening  # the first reply is the same for every category: short and warm
    talk = Button(catalogue.text("button.talk", language), "human")
    return (
        Reply(catalogue.text("crisis.warm", language)),
        Reply(crisis_lines_text(catalogue, lines, language), buttons=((talk,),)),
    )
