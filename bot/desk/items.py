"""Staff rows only the desk adapter writes: answers in a place of the group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from flows.outbox import OnStaffLane, Payload


@dataclass(frozen=True, slots=True)
class PostIn(OnStaffLane):
    """A text in a topic of the group (or its general thread), maybe answering a message."""

    KIND: ClassVar[str] = "desk.post"

    text: str
    topic: int | None = None
    reply_to: int | None = None

    def payload(self) -> Payload:
        """Text and place."""
        return {"text": self.text, "topic": self.topic, "reply_to": self.reply_to}


@dataclass(frozen=True, slots=True)
class PostCard(OnStaffLane):
    """A fresh copy of a case's card where a worker asked for it (``/cas``)."""

    KIND: ClassVar[str] = "desk.card"

    case_id: int
    topic: int | None = None

    def payload(self) -> Payload:
        """Case and place."""
        return {"case": self.case_id, "topic": self.topic}


@dataclass(frozen=True, slots=True)
class NotePrompt(OnStaffLane):
    """ "Reply to this message with your note", in the case's place."""

    KIND: ClassVar[str] = "desk.note_prompt"

    case_id: int

    def payload(self) -> Payload:
        """The case."""
        return {"case": self.case_id}


DeskItem = PostIn | PostCard | NotePrompt


def decode(kind: str, payload: Payload) -> DeskItem | None:
    """The desk item stored as ``kind``; None for another kind."""
    if kind == PostIn.KIND:
        return PostIn(
            str(payload["text"]), _opt_int(payload.get("topic")), _opt_int(payload.get("reply_to"))
        )
    if kind == PostCard.KIND:
        return PostCard(int(str(payload["case"])), _opt_int(payload.get("topic")))
    if kind == NotePrompt.KIND:
        return NotePrompt(int(str(payload["case"])))
    return None


def _opt_int(value: object) -> int | None:
    return None if value is None else int(str(value))
