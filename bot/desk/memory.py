"""An in-memory staff group: topics, messages and edits, as a worker would see them.

``MemoryStaffChannel`` implements ``StaffChannel`` so the very same desk logic runs without
Telegram (scenario runners, unit tests). What it records is what the group would show:
topics with their current titles, every message with its place, buttons and whether it
rang, copies of the person's messages, and the answers to button presses.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.delivery import DeliveryError
from bot.desk.channel import Where
from flows.actions import Keyboard


@dataclass
class MemoryMessage:
    """A message the bot posted in the memory group (``copy_of``: a copy of the person's)."""

    id: int
    text: str
    topic: int | None
    reply_to: int | None = None
    buttons: Keyboard = ()
    notify: bool = True
    ask_reply: str | None = None
    copy_of: tuple[str, str] | None = None
    edits: int = 0

    @property
    def payloads(self) -> list[str]:
        """The callback payloads of its buttons."""
        return [b.payload for row in self.buttons for b in row]


@dataclass
class MemoryStaffChannel:
    """A forum group in memory (``forum=False``: a group without topics).

    ``sources`` maps (person's address, message reference) to what the person wrote, so a
    copy shows that text; ``fail_next`` holds errors of ``bot.delivery`` to raise, in order,
    on the next calls.
    """

    forum: bool = True
    title_limit: int = 128
    topics: dict[int, str] = field(default_factory=dict)
    messages: dict[int, MemoryMessage] = field(default_factory=dict)
    answers: list[tuple[str, str | None, bool]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    sources: dict[tuple[str, str], str] = field(default_factory=dict)
    fail_next: list[DeliveryError] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))
    _topic_ids: Iterator[int] = field(default_factory=lambda: itertools.count(50))

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.fail_next:
            raise self.fail_next.pop(0)

    def link(self, topic: int) -> str | None:
        """A pretend address of a topic (``memory:/topic/50``)."""
        return f"memory:/topic/{topic}" if topic in self.topics else None

    async def create_topic(self, title: str) -> int | None:
        """A new topic, or None without topics."""
        self._call("create_topic")
        if not self.forum:
            return None
        topic = next(self._topic_ids)
        self.topics[topic] = title
        return topic

    async def rename_topic(self, topic: int, title: str) -> None:
        """Rename a topic."""
        self._call("rename_topic")
        self.topics[topic] = title

    async def send(
        self,
        text: str,
        where: Where,
        *,
        buttons: Keyboard = (),
        notify: bool = True,
        ask_reply: str | None = None,
    ) -> int:
        """Post a message."""
        self._call("send")
        message = MemoryMessage(
            next(self._ids), text, where.topic, where.reply_to, buttons, notify, ask_reply
        )
        self.messages[message.id] = message
        return message.id

    async def edit(self, message: int, text: str, buttons: Keyboard = ()) -> None:
        """Change a posted message."""
        self._call("edit")
        found = self.messages[message]
        found.text, found.buttons = text, buttons
        found.edits += 1

    async def copy(self, from_address: str, reference: str, where: Where) -> int:
        """Copy the person's message, without its author."""
        self._call("copy")
        text = self.sources.get((from_address, reference), "")
        message = MemoryMessage(
            next(self._ids),
            text,
            where.topic,
            where.reply_to,
            notify=False,
            copy_of=(from_address, reference),
        )
        self.messages[message.id] = message
        return message.id

    async def answer(self, callback: str, text: str | None = None, *, alert: bool = False) -> None:
        """Answer a button press."""
        self.answers.append((callback, text, alert))

    # --- what a test or a scenario reads --------------------------------------------------------

    def in_topic(self, topic: int | None) -> list[MemoryMessage]:
        """The messages of one topic (None: the general thread), in order."""
        return [m for m in self.messages.values() if m.topic == topic]

    def texts(self, topic: int | None = None) -> list[str]:
        """The texts of one topic, in order."""
        return [m.text for m in self.in_topic(topic)]

    def cards(self) -> list[MemoryMessage]:
        """Messages that carry case buttons (cards)."""
        return [m for m in self.messages.values() if any(p.startswith("case:") for p in m.payloads)]
