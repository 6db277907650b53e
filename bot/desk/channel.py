"""The staff channel: what the desk needs from a team group, and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flows.actions import Keyboard


@dataclass(frozen=True, slots=True)
class Where:
    """Where to post in the group: a topic, and/or in reply to a message."""

    topic: int | None = None
    reply_to: int | None = None


class StaffChannel(Protocol):
    """A team group with topics (or without: one message per case, replies route).

    Methods raise the errors of ``bot.delivery`` when the channel refuses or is busy.
    """

    @property
    def title_limit(self) -> int:
        """The longest topic title the channel accepts."""
        ...

    def link(self, topic: int) -> str | None:
        """An address that opens ``topic`` for the group's members; None if there is none."""
        ...

    async def create_topic(self, title: str) -> int | None:
        """A new topic; None if the group has no topics."""
        ...

    async def rename_topic(self, topic: int, title: str) -> None:
        """Rename a topic."""
        ...

    async def send(
        self,
        text: str,
        where: Where,
        *,
        buttons: Keyboard = (),
        notify: bool = True,
        ask_reply: str | None = None,
    ) -> int:
        """Post ``text``; ``ask_reply`` opens the reply field with that placeholder."""
        ...

    async def edit(self, message: int, text: str, buttons: Keyboard = ()) -> None:
        """Change a message the bot posted (harmless if it did not change)."""
        ...

    async def copy(self, from_address: str, reference: str, where: Where) -> int:
        """Copy the person's message (at ``from_address``) without its author."""
        ...

    async def answer(self, callback: str, text: str | None = None, *, alert: bool = False) -> None:
        """Answer a worker's button press (an alert for a refusal)."""
        ...
