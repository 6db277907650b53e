"""The staff desk's ledger: where each case lives in the staff group and what it was shown.

Owned by the desk adapter, not by the core: the core's ``Case`` knows no topic and no
message id. Each call is its own short transaction (the desk works outside turns, one staff
lane at a time). Also keeps, for 48 h, the numbers of the messages the bot put in chats, so
that ``/oublie`` can delete them later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from resources_db.models.handoff import CaseMessageRow
from resources_db.models.transport import DeliveredRow, DeskCaseRow


@dataclass(frozen=True, slots=True)
class DeskEntry:
    """Where a case lives in the staff group and what the group was last shown of it."""

    topic_id: int | None = None
    card_message_id: int | None = None
    shown_status: str | None = None
    shown_priority: str | None = None
    shown_flags: int = 0
    shown_title: str | None = None
    card_digest: str | None = None

    @property
    def posted(self) -> bool:
        """True once the group has a topic or a card for the case."""
        return self.topic_id is not None or self.card_message_id is not None


class SqlDeskLedger:
    """``DeskLedger`` on SQLAlchemy."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], chat_id: int = 0) -> None:
        self._sessions = sessions
        self._chat_id = chat_id

    async def entry(self, case_id: int) -> DeskEntry | None:
        """The ledger of one case, if the desk ever wrote one."""
        async with self._sessions() as session:
            row = await session.get(DeskCaseRow, case_id)
        if row is None:
            return None
        return DeskEntry(
            row.topic_id,
            row.card_message_id,
            row.shown_status,
            row.shown_priority,
            row.shown_flags,
            row.shown_title,
            row.card_digest,
        )

    async def save(self, case_id: int, entry: DeskEntry) -> None:
        """Record where the case lives and what the group shows now."""
        values = {
            "case_id": case_id,
            "topic_id": entry.topic_id,
            "card_message_id": entry.card_message_id,
            "shown_status": entry.shown_status,
            "shown_priority": entry.shown_priority,
            "shown_flags": entry.shown_flags,
            "shown_title": entry.shown_title,
            "card_digest": entry.card_digest,
            "updated_at": datetime.now(UTC),
        }
        async with self._sessions() as session:
            insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
            statement = insert(DeskCaseRow).values(**values)
            statement = statement.on_conflict_do_update(
                index_elements=["case_id"],
                set_={k: getattr(statement.excluded, k) for k in values if k != "case_id"},
            )
            await session.execute(statement)
            await session.commit()

    async def case_for_topic(self, topic_id: int) -> int | None:
        """The case whose topic is ``topic_id`` (the newest, should a topic ever be reused)."""
        async with self._sessions() as session:
            found: int | None = await session.scalar(
                select(DeskCaseRow.case_id)
                .where(DeskCaseRow.topic_id == topic_id)
                .order_by(DeskCaseRow.case_id.desc())
                .limit(1)
            )
        return found

    async def remember_message(self, case_id: int, message_id: int, kind: str) -> None:
        """Map one staff-group message to its case (reply routing, note prompts)."""
        async with self._sessions() as session:
            session.add(
                CaseMessageRow(
                    case_id=case_id,
                    staff_chat_id=self._chat_id,
                    staff_message_id=message_id,
                    kind=kind,
                    created_at=datetime.now(UTC),
                )
            )
            await session.commit()

    async def message(self, message_id: int) -> tuple[int, str] | None:
        """The case and kind of one staff-group message, if it belongs to a case."""
        async with self._sessions() as session:
            found = (
                await session.execute(
                    select(CaseMessageRow.case_id, CaseMessageRow.kind).where(
                        CaseMessageRow.staff_chat_id == self._chat_id,
                        CaseMessageRow.staff_message_id == message_id,
                    )
                )
            ).first()
        return None if found is None else (int(found[0]), str(found[1]))

    async def delivered(self, pseudonym: str | None, chat: str, message_ids: list[int]) -> None:
        """Remember messages the bot put in a chat (for ``/oublie``, 48 h)."""
        if not message_ids:
            return
        now = datetime.now(UTC)
        async with self._sessions() as session:
            session.add_all(
                DeliveredRow(pseudonym=pseudonym, chat=chat, message_id=m, sent_at=now)
                for m in message_ids
            )
            await session.commit()

    async def purge_delivered(self, older_than: timedelta = timedelta(hours=48)) -> int:
        """Forget message numbers older than Telegram lets a bot delete (48 h)."""
        async with self._sessions() as session:
            result = await session.execute(
                delete(DeliveredRow).where(DeliveredRow.sent_at < datetime.now(UTC) - older_than)
            )
            await session.commit()
        return int(getattr(result, "rowcount", 0) or 0)


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"
