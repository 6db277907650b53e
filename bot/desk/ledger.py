"""The desk's ledger port (where a case lives in the group, what it was shown) and a memory one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from resources_db.desk_ledger import DeskEntry

__all__ = ["DeskEntry", "DeskLedger", "MemoryDeskLedger"]


class DeskLedger(Protocol):
    """What the desk remembers; ``resources_db.desk_ledger.SqlDeskLedger`` in production."""

    async def entry(self, case_id: int) -> DeskEntry | None:
        """The ledger of one case."""
        ...

    async def save(self, case_id: int, entry: DeskEntry) -> None:
        """Record where it lives and what was shown."""
        ...

    async def case_for_topic(self, topic_id: int) -> int | None:
        """The case of a topic."""
        ...

    async def remember_message(self, case_id: int, message_id: int, kind: str) -> None:
        """Map a group message to its case."""
        ...

    async def message(self, message_id: int) -> tuple[int, str] | None:
        """The case and kind of a group message."""
        ...

    async def delivered(self, pseudonym: str | None, chat: str, message_ids: list[int]) -> None:
        """Remember messages put in a chat (for ``/oublie``)."""
        ...


@dataclass
class MemoryDeskLedger:
    """``DeskLedger`` on dicts."""

    entries: dict[int, DeskEntry] = field(default_factory=dict)
    messages: dict[int, tuple[int, str]] = field(default_factory=dict)
    sent: list[tuple[str | None, str, int]] = field(default_factory=list)

    async def entry(self, case_id: int) -> DeskEntry | None:
        return self.entries.get(case_id)

    async def save(self, case_id: int, entry: DeskEntry) -> None:
        self.entries[case_id] = entry

    async def case_for_topic(self, topic_id: int) -> int | None:
        found = [c for c, e in self.entries.items() if e.topic_id == topic_id]
        return max(found) if found else None

    async def remember_message(self, case_id: int, message_id: int, kind: str) -> None:
        self.messages[message_id] = (case_id, kind)

    async def message(self, message_id: int) -> tuple[int, str] | None:
        return self.messages.get(message_id)

    async def delivered(self, pseudonym: str | None, chat: str, message_ids: Sequence[int]) -> None:
        self.sent.extend((pseudonym, chat, m) for m in message_ids)
