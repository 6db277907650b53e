"""What the person said of themselves (or of the person they ask for), for this conversation only.

An age, a gender, "I am asking for my son": said in passing, kept in the conversation's own
state — never in a case, a log or an insight — so that the places and lines shown fit, and
gone with the conversation (retention, ``/oublie``). The person someone asks for is never
registered: only the relation ("child", "friend"…) is kept, to word the answers.
"""

from __future__ import annotations

from dataclasses import replace

from flows.domain import Conversation
from flows.understanding import TextCues

AGE = "age"
GENDER = "gender"
FOR_SOMEONE = "for_someone"
ADULT_AGE = 18


def remember(conv: Conversation, cues: TextCues) -> Conversation:
    """The conversation with what these cues say of the person (or of whom they ask for)."""
    facts: dict[str, str] = {}
    if cues.age is not None:
        facts[AGE] = str(cues.age)
    if cues.gender is not None and cues.for_someone is None:
        facts[GENDER] = cues.gender
    if cues.for_someone is not None:
        facts[FOR_SOMEONE] = cues.for_someone
    if not facts:
        return conv
    return replace(conv, extra={**conv.extra, **facts})


def age_of(conv: Conversation) -> int | None:
    """The age said in the conversation (the person's, or their relative's when they ask for
    someone), if any."""
    value = conv.extra.get(AGE, "")
    return int(value) if value.isdigit() else None


def gender_of(conv: Conversation) -> str | None:
    """The gender the person said of themselves, if any."""
    return conv.extra.get(GENDER) or None


def for_someone(conv: Conversation) -> str | None:
    """The relation of the person they ask for ("child", "friend"…), if they do."""
    return conv.extra.get(FOR_SOMEONE) or None


def is_minor(conv: Conversation) -> bool:
    """True when the age said is under 18."""
    age = age_of(conv)
    return age is not None and age < ADULT_AGE
