"""The retention purge: what is kept about people goes when its time is up.

Run nightly by the scheduler and as ``passerelle purge``. Each call is one short transaction
per table, safe to run on several replicas at once (deletes of the same rows are idempotent).

- a conversation silent for ``retention`` (its state, consents, armed follow-up), the
  encrypted chat id with it, and the pseudonym on its cases (the alias stays for the audit);
  a conversation a worker holds or that waits for one is kept;
- the recent turns kept for the worker's card, older than ``retention``;
- the message numbers kept so that ``/oublie`` can delete messages: after 48 hours Telegram
  refuses to delete them anyway;
- inbox and outbox rows ended longer than ``transport_keep`` ago (their payloads are gone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Delete, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.domain import Owner
from flows.outbox import followup_lane, person_lane
from resources_db.models.core import AddressRow, ConversationRow
from resources_db.models.handoff import CaseRow
from resources_db.models.transcript import TranscriptRow
from resources_db.models.transport import DeliveredRow, InboxRow, OutboxRow
from resources_db.transport import CANCELLED, PENDING

DELETABLE = timedelta(hours=48)  # Telegram lets a bot delete a message this long
BATCH = 500


@dataclass(frozen=True, slots=True)
class Purged:
    """How many of each went."""

    conversations: int = 0
    transcript: int = 0
    delivered: int = 0
    transport: int = 0

    def __str__(self) -> str:
        return (
            f"{self.conversations} conversation(s), {self.transcript} kept turn(s), "
            f"{self.delivered} message number(s), {self.transport} transport row(s)"
        )


async def purge(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    *,
    retention: timedelta,
    transport_keep: timedelta = timedelta(days=1),
) -> Purged:
    """Erase what outlived its retention; how many rows of each kind went."""
    cutoff = now - retention
    conversations = 0
    async with sessions() as session:
        silent = list(
            await session.scalars(
                select(ConversationRow.pseudonym)
                .where(
                    ConversationRow.last_activity_at < cutoff,
                    ConversationRow.owner.not_in([Owner.QUEUED.value, Owner.WORKER.value]),
                )
                .limit(BATCH)
            )
        )
        for start in range(0, len(silent), 100):
            chunk = silent[start : start + 100]
            lanes = [person_lane(p) for p in chunk] + [followup_lane(p) for p in chunk]
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.lane.in_(lanes), OutboxRow.status == PENDING)
                .values(status=CANCELLED, payload=None, sent_at=now, error="retention")
            )
            await session.execute(delete(AddressRow).where(AddressRow.pseudonym.in_(chunk)))
            await session.execute(
                update(CaseRow).where(CaseRow.pseudonym.in_(chunk)).values(pseudonym=None)
            )
            await session.execute(
                delete(ConversationRow).where(ConversationRow.pseudonym.in_(chunk))
            )
            conversations += len(chunk)
        transcript = await _count_delete(
            session, delete(TranscriptRow).where(TranscriptRow.at < cutoff)
        )
        delivered = await _count_delete(
            session, delete(DeliveredRow).where(DeliveredRow.sent_at < now - DELETABLE)
        )
        ended = now - transport_keep
        transport = await _count_delete(
            session, delete(InboxRow).where(InboxRow.status != PENDING, InboxRow.done_at < ended)
        )
        transport += await _count_delete(
            session,
            delete(OutboxRow).where(OutboxRow.status != PENDING, OutboxRow.sent_at < ended),
        )
        await session.commit()
    return Purged(conversations, transcript, delivered, transport)


async def _count_delete(session: AsyncSession, statement: Delete) -> int:
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
