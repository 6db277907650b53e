"""The inbox and the outbox on SQLAlchemy: stored before acknowledged, sent in lane order.

Two kinds of access:

- inside a turn's unit of work, the core's ports ``SqlOutbox.add`` and ``SqlInbox.done``;
- outside, the receivers, processors and senders of the adapters use ``InboxStore`` and
  ``OutboxStore``, each call its own short transaction.

Rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite ignores it and
one process claims, guarded by conditional updates) and a lease (``holder``,
``lease_until``): a crashed holder's rows come back when the lease runs out. Only the
oldest pending row of a lane is ever claimable, so a lane is handled in order by whichever
replica holds its head. Payloads are encrypted with the address book's key and erased once
handled or sent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Integer,
    LargeBinary,
    String,
    Table,
    bindparam,
    column,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.inbox import LeaseLostError, Receipt
from flows.outbox import Outgoing
from resources_db.crypto import AddressCipher
from resources_db.models.base import UtcDateTime
from resources_db.models.transport import DeliveredRow, InboxRow, OutboxLaneRow, OutboxRow
from resources_db.write_behind import INDEPENDENT, LANES_LOCKED, carrying, insert_later

PENDING, DONE, FAILED = "pending", "done", "failed"
SENT, CANCELLED = "sent", "cancelled"
MAX_ERROR = 200

Now = Callable[[], datetime]
Payload = dict[str, Any]


def system_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


def seal(cipher: AddressCipher, payload: Payload) -> bytes:
    """``payload`` as encrypted JSON."""
    return cipher.encrypt(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))


def unseal(cipher: AddressCipher, blob: bytes | None) -> Payload | None:
    """The payload ``seal`` wrote; None if erased or the key changed."""
    if blob is None:
        return None
    text = cipher.decrypt(blob)
    if text is None:
        return None
    value = json.loads(text)
    return value if isinstance(value, dict) else None


async def _lease_only(session: AsyncSession) -> None:
    """This transaction only writes a lease: on PostgreSQL it need not wait for the disk.

    A lease lost in a crash is harmless (it expires; the row comes back), so its commit may
    skip the flush that durable writes (a stored update, a turn, a message marked sent) need.
    """
    if _dialect(session) == "postgresql":
        await session.execute(text("SET LOCAL synchronous_commit = off"))


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


# The heads of the inbox's lanes that nobody holds, oldest first: the first pending row of
# each lane (one pass over the pending rows, grouped by lane), then those free now. Built
# once: SQLAlchemy memoizes its cache key, so claiming (the busiest query) compiles nothing.
_INBOX_FIRSTS = (
    select(func.min(InboxRow.id)).where(InboxRow.status == PENDING).group_by(InboxRow.lane)
)
_INBOX_HEADS = (
    select(InboxRow.id)
    .where(
        InboxRow.id.in_(_INBOX_FIRSTS),
        InboxRow.status == PENDING,
        InboxRow.not_before <= bindparam("now"),
        or_(InboxRow.lease_until.is_(None), InboxRow.lease_until < bindparam("now")),
    )
    .order_by(InboxRow.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
# Store one update: leased to :holder when nothing of its lane is pending (a worker of this
# process takes it at once), else free for a processor to claim. The lane check is part of
# the insert (one round trip), and the statement is plain text with typed parameters: the
# dialects' own INSERT … ON CONFLICT cannot be cached by SQLAlchemy and was compiled again
# for every update.
_INBOX_STORE = text(
    "INSERT INTO inbox (update_id, lane, kind, payload, status, received_at, not_before,"
    " attempts, noticed, holder, lease_until)"
    " SELECT :update_id, :lane, :kind, :payload, 'pending', :now, :now, 0, :noticed,"
    " CASE WHEN lane_state.busy THEN NULL ELSE :holder END,"
    " CASE WHEN lane_state.busy THEN NULL ELSE :lease_until END"
    " FROM (SELECT EXISTS (SELECT 1 FROM inbox WHERE lane = :lane AND status = 'pending')"
    " AS busy) AS lane_state"
    " WHERE true"  # SQLite: tells its parser the ON CONFLICT belongs to the INSERT
    " ON CONFLICT (update_id) DO NOTHING"
    " RETURNING id, holder"
).bindparams(
    bindparam("update_id", type_=BigInteger()),
    bindparam("lane", type_=String()),
    bindparam("kind", type_=String()),
    bindparam("payload", type_=LargeBinary()),
    bindparam("now", type_=UtcDateTime()),
    bindparam("noticed", value=False, type_=Boolean()),
    bindparam("holder", type_=String()),
    bindparam("lease_until", type_=UtcDateTime()),
)
_LANE_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:lane))")
# The outbox's statements in a turn touch only the outbox and its lanes: they may go ahead of
# the turn's kept writes (``resources_db.write_behind``).
_ONLY_OUTBOX = {INDEPENDENT: True}
# A row for a sender to claim; the second form skips a row whose ``dedupe`` key exists.
_OUTBOX_INSERT = (
    "INSERT INTO outbox (lane, kind, payload, dedupe, status, created_at, not_before,"
    " attempts, progress) VALUES (:lane, :kind, :payload, {dedupe}, 'pending', :now,"
    " :not_before, 0, 0)"
)
_OUTBOX_TYPES = (
    bindparam("lane", type_=String()),
    bindparam("kind", type_=String()),
    bindparam("payload", type_=LargeBinary()),
    bindparam("now", type_=UtcDateTime()),
    bindparam("not_before", type_=UtcDateTime()),
)
_OUTBOX_ADD = text(_OUTBOX_INSERT.format(dedupe="NULL")).bindparams(*_OUTBOX_TYPES)
_OUTBOX_ADD_ONCE = text(
    _OUTBOX_INSERT.format(dedupe=":dedupe") + " ON CONFLICT (dedupe) DO NOTHING"
).bindparams(*_OUTBOX_TYPES, bindparam("dedupe", type_=String()))
# The first row of a lane in a transaction, leased to :holder when the lane is free (nothing
# pending, not told to wait): then it comes back with the lane's recent calls, for the
# sender's pace.
_OUTBOX_FIRST = (
    text(
        "INSERT INTO outbox (lane, kind, payload, status, created_at, not_before, attempts,"
        " progress, holder, lease_until)"
        " SELECT :lane, :kind, :payload, 'pending', :now, :now, 0, 0,"
        " CASE WHEN lane_state.free THEN :holder END,"
        " CASE WHEN lane_state.free THEN :lease_until END"
        " FROM (SELECT NOT EXISTS (SELECT 1 FROM outbox WHERE lane = :lane"
        " AND status = 'pending') AND COALESCE((SELECT ready_at <= :now FROM outbox_lanes"
        " WHERE lane = :lane), true) AS free) AS lane_state"
        " WHERE true"
        " RETURNING id, holder, (SELECT recent FROM outbox_lanes WHERE lane = :lane) AS recent"
    )
    .bindparams(
        *_OUTBOX_TYPES[:4],
        bindparam("holder", type_=String()),
        bindparam("lease_until", type_=UtcDateTime()),
    )
    .columns(column("id", Integer()), column("holder", String()), column("recent", JSON()))
)
# A lane's pace, shared by every sender.
_LANE_PACE = text(
    "INSERT INTO outbox_lanes (lane, recent, ready_at, updated_at)"
    " VALUES (:lane, :recent, :ready_at, :now)"
    " ON CONFLICT (lane) DO UPDATE SET recent = excluded.recent,"
    " ready_at = excluded.ready_at, updated_at = excluded.updated_at"
).bindparams(
    bindparam("lane", type_=String()),
    bindparam("recent", type_=JSON()),
    bindparam("ready_at", type_=UtcDateTime()),
    bindparam("now", type_=UtcDateTime()),
)
_OUTBOX_FIRSTS = (
    select(func.min(OutboxRow.id)).where(OutboxRow.status == PENDING).group_by(OutboxRow.lane)
)
# Statements of every turn and every message sent, built once on the tables (not the ORM
# classes: an ORM update would also look for loaded objects to synchronise, ≈ 0.3 ms each).
_INBOX = cast(Table, InboxRow.__table__)
_OUTBOX = cast(Table, OutboxRow.__table__)
_INBOX_DONE = (
    update(_INBOX)
    .where(
        _INBOX.c.id == bindparam("row_id"),
        _INBOX.c.status == PENDING,
        _INBOX.c.holder == bindparam("row_holder"),
    )
    .values(status=DONE, payload=None, done_at=bindparam("at"), holder=None, lease_until=None)
)
_OUTBOX_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.holder == bindparam("row_holder"))
    .values(
        status=SENT,
        sent_at=bindparam("at"),
        payload=None,
        holder=None,
        lease_until=None,
        error=None,
    )
)
_OUTBOX_LEASED = insert(_OUTBOX).returning(_OUTBOX.c.id)
_DELIVERED_TABLE = cast(Table, DeliveredRow.__table__)


# --- the ports, inside a unit of work ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DirectSend:
    """This process's sender, ready to take rows a transaction wrote, without claiming them.

    A row due now, in a lane with nothing else pending, is written already leased to
    ``holder``; once the transaction commits, ``take`` gets it (the sender sends it at once).
    A crash before it is sent changes nothing: the lease runs out and any sender claims it.
    """

    holder: str
    lease_s: float
    take: Callable[[list[OutboxEntry]], None]
    wake: Callable[[], None]


class SqlOutbox:
    """``Outbox`` port: rows written in the unit of work's transaction."""

    def __init__(
        self,
        session: AsyncSession,
        cipher: AddressCipher,
        now: Now = system_now,
        direct: DirectSend | None = None,
    ):
        self._session = session
        self._cipher = cipher
        self._now = now
        self._direct = direct
        # Lanes checked in this transaction: their recent calls if their rows go direct.
        self._lanes: dict[str, tuple[float, ...] | None] = {}
        self.taken: list[OutboxEntry] = []
        self.queued = 0  # rows written for a sender to claim

    async def add(self, item: Outgoing, *, due: datetime | None = None) -> None:
        """Queue ``item`` (a duplicate ``dedupe`` key is silently not added).

        With ``direct`` set, a row due now in a lane with nothing else pending, and not told
        to wait (a 429), is written leased to this process's sender, which gets it at
        commit. The first row of a lane in this transaction decides, in its own insert;
        the lane's later rows follow that decision (they come after it, so order holds).
        """
        now = self._now()
        direct = self._direct
        if direct is not None and item.dedupe is None and (due is None or due <= now):
            if item.lane not in self._lanes:
                await self._add_first(item, now, direct)
                return
            recent = self._lanes[item.lane]
            if recent is not None:
                await self._add_direct(item, now, recent, direct)
                return
        self.queued += 1
        values = {
            "lane": item.lane,
            "kind": item.kind,
            "payload": seal(self._cipher, item.payload()),
            "now": now,
            "not_before": due or now,
        }
        if item.dedupe is None:
            await self._session.execute(_OUTBOX_ADD, values, execution_options=_ONLY_OUTBOX)
        else:
            await self._session.execute(
                _OUTBOX_ADD_ONCE, values | {"dedupe": item.dedupe}, execution_options=_ONLY_OUTBOX
            )

    async def cancel(self, lane: str) -> None:
        """Cancel every pending row of ``lane``, in the unit of work's transaction."""
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.lane == lane, OutboxRow.status == PENDING)
            .values(status=CANCELLED, payload=None, sent_at=self._now(), error="cancelled")
        )

    async def _add_first(self, item: Outgoing, now: datetime, direct: DirectSend) -> None:
        """The lane's first row in this transaction: the insert says if the lane is free.

        On PostgreSQL an advisory lock on the lane, held to the end of the transaction, keeps
        two transactions from both finding the lane empty (taken in its own statement, so
        that the insert's snapshot sees what the lock's holder committed).
        """
        locked = self._session.info.get(LANES_LOCKED, ())
        if _dialect(self._session) == "postgresql" and item.lane not in locked:
            await self._session.execute(
                _LANE_LOCK, {"lane": item.lane}, execution_options=_ONLY_OUTBOX
            )
        payload = item.payload()
        row = (
            await self._session.execute(
                _OUTBOX_FIRST,
                {
                    "lane": item.lane,
                    "kind": item.kind,
                    "payload": seal(self._cipher, payload),
                    "now": now,
                    "holder": direct.holder,
                    "lease_until": now + timedelta(seconds=direct.lease_s),
                },
                execution_options=_ONLY_OUTBOX,
            )
        ).one()
        if row.holder is None:
            self._lanes[item.lane] = None
            self.queued += 1
            return
        recent = tuple(row.recent or ())
        self._lanes[item.lane] = recent
        self.taken.append(
            OutboxEntry(
                int(row.id), direct.holder, item.lane, item.kind, payload, 0, 0, now, recent
            )
        )

    async def _add_direct(
        self, item: Outgoing, now: datetime, recent: tuple[float, ...], direct: DirectSend
    ) -> None:
        payload = item.payload()
        row_id = (
            await self._session.execute(
                _OUTBOX_LEASED,
                {
                    "lane": item.lane,
                    "kind": item.kind,
                    "payload": seal(self._cipher, payload),
                    "status": PENDING,
                    "created_at": now,
                    "not_before": now,
                    "attempts": 0,
                    "progress": 0,
                    "holder": direct.holder,
                    "lease_until": now + timedelta(seconds=direct.lease_s),
                },
                execution_options=_ONLY_OUTBOX,
            )
        ).scalar_one()
        self.taken.append(
            OutboxEntry(
                int(row_id), direct.holder, item.lane, item.kind, payload, 0, 0, now, recent
            )
        )

    def committed(self) -> list[OutboxEntry]:
        """The rows written leased to this process's sender, handed over once (after commit)."""
        taken, self.taken = self.taken, []
        self._lanes.clear()
        return taken

    def rolled_back(self) -> None:
        """Nothing of this transaction exists: forget what it wrote."""
        self.taken = []
        self.queued = 0
        self._lanes.clear()


class SqlInbox:
    """``Inbox`` port: marks the row the turn came from done, in the turn's transaction."""

    def __init__(self, session: AsyncSession, now: Now = system_now) -> None:
        self._session = session
        self._now = now

    async def done(self, receipt: Receipt) -> None:
        """Done and erased; ``LeaseLostError`` if another processor holds it now."""
        # On PostgreSQL the turn's kept writes (conversation, insight, transcript line) ride
        # on this statement (``resources_db.write_behind``).
        result = await carrying(
            self._session,
            _INBOX_DONE,
            {"row_id": receipt.entry, "row_holder": receipt.holder, "at": self._now()},
        )
        if getattr(result, "rowcount", 0) != 1:
            raise LeaseLostError(f"inbox row {receipt.entry}")


# --- the inbox, for receivers and processors -----------------------------------------------


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One inbound thing to store: its lane, kind, payload and the channel's update id."""

    lane: str
    kind: str
    payload: Payload
    update_id: int | None = None


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """A claimed inbox row, its payload decrypted."""

    receipt: Receipt
    lane: str
    kind: str
    payload: Payload | None
    attempts: int
    received_at: datetime


@dataclass(frozen=True, slots=True)
class InboxDirect:
    """This process's inbox processor, ready to take rows as they are stored (no claim)."""

    holder: str
    lease_s: float
    free: Callable[[], int]
    take: Callable[[list[InboxEntry]], None]


class InboxStore:
    """The inbox outside turns: store, claim, release, fail, count, purge."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: AddressCipher,
        now: Now = system_now,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._now = now
        self.direct: InboxDirect | None = None

    async def store(
        self, lane: str, kind: str, payload: Payload, *, update_id: int | None = None
    ) -> bool:
        """Insert one inbound row (its own transaction); False if ``update_id`` was stored."""
        async with self._sessions() as session:
            stored = await self.store_in(session, lane, kind, payload, update_id=update_id)
            await session.commit()
        return stored

    async def store_many(self, items: Sequence[InboxItem]) -> int:
        """Insert several rows in one transaction (a polling batch); known ids are skipped.

        Returns how many rows were left for a processor to claim.

        With ``direct`` set, a row that heads an idle lane is stored already leased to this
        process's processor (up to its free workers) and handed to it after the commit: no
        claim transaction between storing an update and handling it. Whether the lane is
        idle is decided by the insert itself (one statement a row).
        """
        direct = self.direct
        room = 0 if direct is None else direct.free()
        taken: list[InboxEntry] = []
        async with self._sessions() as session:
            for item in items:
                offer = direct if direct is not None and len(taken) < room else None
                entry = await self._insert(session, item, offer)
                if entry is not None:
                    taken.append(entry)
            await session.commit()
        if taken and direct is not None:
            direct.take(taken)
        return len(items) - len(taken)

    async def _insert(
        self, session: AsyncSession, item: InboxItem, direct: InboxDirect | None
    ) -> InboxEntry | None:
        """Store ``item``; leased to ``direct`` (and returned) if nothing of its lane waits."""
        if direct is not None and _dialect(session) == "postgresql":
            # Two receivers (replicas) storing for one lane at once: one finds the other's row.
            await session.execute(_LANE_LOCK, {"lane": "in:" + item.lane})
        now = self._now()
        row = (
            await session.execute(
                _INBOX_STORE,
                {
                    "update_id": item.update_id,
                    "lane": item.lane,
                    "kind": item.kind,
                    "payload": seal(self._cipher, item.payload),
                    "now": now,
                    "holder": None if direct is None else direct.holder,
                    "lease_until": None
                    if direct is None
                    else now + timedelta(seconds=direct.lease_s),
                },
            )
        ).first()
        # No row: stored before (Telegram sent it again): handled, or being handled.
        if row is None or direct is None or row.holder is None:
            return None
        return InboxEntry(
            Receipt(int(row.id), direct.holder), item.lane, item.kind, item.payload, 0, now
        )

    async def store_in(
        self,
        session: AsyncSession,
        lane: str,
        kind: str,
        payload: Payload,
        *,
        update_id: int | None = None,
    ) -> bool:
        """``store`` inside a caller's transaction (never leased: a processor claims it)."""
        row = (
            await session.execute(
                _INBOX_STORE,
                {
                    "update_id": update_id,
                    "lane": lane,
                    "kind": kind,
                    "payload": seal(self._cipher, payload),
                    "now": self._now(),
                    "holder": None,
                    "lease_until": None,
                },
            )
        ).first()
        return row is not None

    async def claim(self, holder: str, lease_s: float) -> InboxEntry | None:
        """The oldest row that heads its lane and nobody holds, leased to ``holder``."""
        found = await self.claim_many(holder, lease_s, 1)
        return found[0] if found else None

    async def claim_many(self, holder: str, lease_s: float, limit: int) -> list[InboxEntry]:
        """Up to ``limit`` rows, each the oldest pending row of its lane and free, leased.

        One transaction for the lot; ``FOR UPDATE SKIP LOCKED`` lets another replica claim
        other lanes at the same time (SQLite: one process claims, its dispatcher alone).
        """
        now = self._now()
        async with self._sessions() as session:
            await _lease_only(session)
            ids = list(await session.scalars(_INBOX_HEADS, {"now": now, "limit": limit}))
            if not ids:
                return []
            rows = (
                await session.execute(
                    update(InboxRow)
                    .where(
                        InboxRow.id.in_(ids),
                        InboxRow.status == PENDING,
                        or_(InboxRow.lease_until.is_(None), InboxRow.lease_until < now),
                    )
                    .values(holder=holder, lease_until=now + timedelta(seconds=lease_s))
                    .returning(
                        InboxRow.id,
                        InboxRow.lane,
                        InboxRow.kind,
                        InboxRow.payload,
                        InboxRow.attempts,
                        InboxRow.received_at,
                    )
                )
            ).all()
            await session.commit()
        return [
            InboxEntry(
                Receipt(row.id, holder),
                row.lane,
                row.kind,
                unseal(self._cipher, row.payload),
                row.attempts,
                row.received_at,
            )
            for row in sorted(rows, key=lambda r: r.id)
        ]

    async def release(self, receipt: Receipt, *, retry_in_s: float) -> None:
        """The turn failed for now: count the attempt, let the row wait, then anyone retries."""
        now = self._now()
        async with self._sessions() as session:
            await session.execute(
                update(InboxRow)
                .where(InboxRow.id == receipt.entry, InboxRow.holder == receipt.holder)
                .values(
                    holder=None,
                    lease_until=None,
                    attempts=InboxRow.attempts + 1,
                    not_before=now + timedelta(seconds=retry_in_s),
                )
            )
            await session.commit()

    async def fail(self, receipt: Receipt) -> None:
        """Give up on a row for good (its payload is erased)."""
        async with self._sessions() as session:
            await session.execute(
                update(InboxRow)
                .where(InboxRow.id == receipt.entry, InboxRow.holder == receipt.holder)
                .values(status=FAILED, payload=None, done_at=self._now(), holder=None)
            )
            await session.commit()

    async def waiting_since(self, older_than_s: float) -> list[InboxEntry]:
        """Pending rows older than ``older_than_s`` whose lane was not told yet, one per lane.

        Each is marked noticed: the person hears "one moment" once per wait.
        """
        now = self._now()
        found: list[InboxEntry] = []
        async with self._sessions() as session:
            rows = await session.scalars(
                select(InboxRow)
                .where(
                    InboxRow.status == PENDING,
                    InboxRow.noticed.is_(False),
                    InboxRow.received_at < now - timedelta(seconds=older_than_s),
                )
                .order_by(InboxRow.id)
                .limit(200)
                .with_for_update(skip_locked=True)
            )
            lanes: set[str] = set()
            ids: list[int] = []
            for row in rows:
                ids.append(row.id)
                if row.lane in lanes:
                    continue
                lanes.add(row.lane)
                found.append(
                    InboxEntry(
                        Receipt(row.id, ""),
                        row.lane,
                        row.kind,
                        unseal(self._cipher, row.payload),
                        row.attempts,
                        row.received_at,
                    )
                )
            if ids:
                await session.execute(
                    update(InboxRow).where(InboxRow.id.in_(ids)).values(noticed=True)
                )
            await session.commit()
        return found

    async def mark_lane_noticed(self, lane: str) -> None:
        """Every pending row of ``lane`` counts as noticed (the person was told to wait)."""
        async with self._sessions() as session:
            await session.execute(
                update(InboxRow)
                .where(InboxRow.lane == lane, InboxRow.status == PENDING)
                .values(noticed=True)
            )
            await session.commit()

    async def depth(self) -> tuple[int, float]:
        """How many rows wait, and the age in seconds of the oldest."""
        async with self._sessions() as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(InboxRow.received_at)).where(
                        InboxRow.status == PENDING
                    )
                )
            ).one()
        age = 0.0 if oldest is None else max(0.0, (self._now() - _aware(oldest)).total_seconds())
        return int(count), age

    async def purge(self, older_than_s: float) -> int:
        """Delete handled rows older than ``older_than_s`` (their payloads are long gone)."""
        cutoff = self._now() - timedelta(seconds=older_than_s)
        async with self._sessions() as session:
            result = await session.execute(
                delete(InboxRow).where(InboxRow.status != PENDING, InboxRow.done_at < cutoff)
            )
            await session.commit()
        return int(getattr(result, "rowcount", 0) or 0)


# --- the outbox, for senders ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A claimed outbox row: its payload decrypted, and its lane's recent calls."""

    id: int
    holder: str
    lane: str
    kind: str
    payload: Payload | None
    attempts: int
    progress: int
    created_at: datetime
    recent: tuple[float, ...]
    address: str | None = None


class OutboxStore:
    """The outbox outside turns: claim lane heads, mark them, count, purge."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: AddressCipher,
        now: Now = system_now,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._now = now

    async def claim(
        self, holder: str, lease_s: float, limit: int, *, lanes: Sequence[str] | None = None
    ) -> list[OutboxEntry]:
        """Up to ``limit`` rows, each the head of a lane allowed to send now, leased."""
        now = self._now()
        heads = OutboxRow.id.in_(_OUTBOX_FIRSTS)
        free = or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until < now)
        paced = ~exists().where(OutboxLaneRow.lane == OutboxRow.lane, OutboxLaneRow.ready_at > now)
        conditions = [heads, OutboxRow.status == PENDING, OutboxRow.not_before <= now, free, paced]
        if lanes is not None:
            conditions.append(OutboxRow.lane.in_(list(lanes)))
        async with self._sessions() as session:
            await _lease_only(session)
            ids = list(
                await session.scalars(
                    select(OutboxRow.id)
                    .where(*conditions)
                    .order_by(OutboxRow.not_before, OutboxRow.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True, of=OutboxRow)
                )
            )
            if not ids:
                return []
            rows = (
                await session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id.in_(ids), OutboxRow.status == PENDING, free)
                    .values(holder=holder, lease_until=now + timedelta(seconds=lease_s))
                    .returning(
                        OutboxRow.id,
                        OutboxRow.lane,
                        OutboxRow.kind,
                        OutboxRow.payload,
                        OutboxRow.attempts,
                        OutboxRow.progress,
                        OutboxRow.created_at,
                    )
                )
            ).all()
            recent = {
                lane: tuple(values or ())
                for lane, values in await session.execute(
                    select(OutboxLaneRow.lane, OutboxLaneRow.recent).where(
                        OutboxLaneRow.lane.in_({row.lane for row in rows})
                    )
                )
            }
            await session.commit()
        return [
            OutboxEntry(
                row.id,
                holder,
                row.lane,
                row.kind,
                unseal(self._cipher, row.payload),
                row.attempts,
                row.progress,
                row.created_at,
                recent.get(row.lane, ()),
            )
            for row in sorted(rows, key=lambda r: r.id)
        ]

    async def progress(self, entry: OutboxEntry, done: int) -> None:
        """``done`` calls of a multi-part row are made: a retry starts after them."""
        async with self._sessions() as session:
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == entry.id, OutboxRow.holder == entry.holder)
                .values(progress=done)
            )
            await session.commit()

    async def sent(
        self,
        entry: OutboxEntry,
        *,
        recent: Sequence[float],
        ready_at: datetime,
        delivered: tuple[str, Sequence[int]] | None = None,
    ) -> bool:
        """Mark the row sent (payload erased) and record its lane's pace; False if not ours.

        ``delivered`` (the person and the message ids) goes to the ledger of sent messages in
        the same transaction: the fewer commits between Telegram's answer and this one, the
        smaller the window a crash can double. On PostgreSQL those rows ride on the statement
        that marks the row sent (``resources_db.write_behind``).
        """
        now = self._now()
        async with self._sessions() as session:
            if delivered is not None:
                for message_id in delivered[1]:
                    values = {
                        "pseudonym": delivered[0],
                        "chat": "person",
                        "message_id": message_id,
                        "sent_at": now,
                    }
                    await insert_later(session, _DELIVERED_TABLE, values)
            result = await carrying(
                session, _OUTBOX_SENT, {"row_id": entry.id, "row_holder": entry.holder, "at": now}
            )
            await self._pace(session, entry.lane, recent, ready_at)
            await session.commit()
        return getattr(result, "rowcount", 0) == 1

    async def retry(self, entry: OutboxEntry, *, at: datetime, error: str, count: bool) -> None:
        """Try the row again at ``at`` (``count``: this was a failed attempt, not a 429)."""
        values: dict[str, Any] = {
            "holder": None,
            "lease_until": None,
            "not_before": at,
            "error": error[:MAX_ERROR],
        }
        if count:
            values["attempts"] = OutboxRow.attempts + 1
        async with self._sessions() as session:
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == entry.id, OutboxRow.holder == entry.holder)
                .values(**values)
            )
            await session.commit()

    async def finish(self, entry: OutboxEntry, status: str, error: str) -> None:
        """End the row for good: ``failed`` (recorded) or ``cancelled`` (nobody to send to)."""
        async with self._sessions() as session:
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == entry.id, OutboxRow.holder == entry.holder)
                .values(
                    status=status,
                    payload=None,
                    sent_at=self._now(),
                    holder=None,
                    lease_until=None,
                    error=error[:MAX_ERROR],
                    attempts=OutboxRow.attempts + 1,
                )
            )
            await session.commit()

    async def blocked(
        self, entry: OutboxEntry, inbox: InboxStore, pseudonym: str, event: Payload
    ) -> None:
        """The person blocked the bot: this row fails, their lane is cancelled, and the core
        hears of it (``event``, an inbox row of their lane) — all in one transaction."""
        now = self._now()
        async with self._sessions() as session:
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == entry.id, OutboxRow.holder == entry.holder)
                .values(status=FAILED, payload=None, sent_at=now, holder=None, error="blocked")
            )
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.lane == entry.lane, OutboxRow.status == PENDING)
                .values(status=CANCELLED, payload=None, sent_at=now, error="blocked")
            )
            await inbox.store_in(session, pseudonym, "person", event)
            await session.commit()

    async def cancel_lane(self, lane: str, reason: str) -> int:
        """Cancel every pending row of ``lane`` (nobody to send them to)."""
        now = self._now()
        async with self._sessions() as session:
            result = await session.execute(
                update(OutboxRow)
                .where(OutboxRow.lane == lane, OutboxRow.status == PENDING)
                .values(status=CANCELLED, payload=None, sent_at=now, error=reason[:MAX_ERROR])
            )
            await session.commit()
        return int(getattr(result, "rowcount", 0) or 0)

    async def pace(self, lane: str, recent: Sequence[float], ready_at: datetime) -> None:
        """Record a lane's pace on its own (a 429 told us to wait)."""
        async with self._sessions() as session:
            await self._pace(session, lane, recent, ready_at)
            await session.commit()

    async def _pace(
        self, session: AsyncSession, lane: str, recent: Sequence[float], ready_at: datetime
    ) -> None:
        await session.execute(
            _LANE_PACE,
            {"lane": lane, "recent": list(recent), "ready_at": ready_at, "now": self._now()},
        )

    async def remember_trace(self, pseudonym: str, message_id: int) -> None:
        """The person's own message ``message_id`` in their chat: kept 48 h for ``/oublie``."""
        async with self._sessions() as session:
            session.add(
                DeliveredRow(
                    pseudonym=pseudonym, chat="person", message_id=message_id, sent_at=self._now()
                )
            )
            await session.commit()

    async def traces(self, pseudonym: str, since: datetime) -> dict[str, list[int]]:
        """The message numbers kept for the person since ``since``, by chat."""
        found: dict[str, list[int]] = {}
        async with self._sessions() as session:
            rows = await session.execute(
                select(DeliveredRow.chat, DeliveredRow.message_id).where(
                    DeliveredRow.pseudonym == pseudonym, DeliveredRow.sent_at >= since
                )
            )
            for chat, message_id in rows:
                found.setdefault(chat, []).append(int(message_id))
        return found

    async def forget_traces(self, pseudonym: str) -> None:
        """Erase every message number kept for the person."""
        async with self._sessions() as session:
            await session.execute(delete(DeliveredRow).where(DeliveredRow.pseudonym == pseudonym))
            await session.commit()

    async def depth(self) -> tuple[int, float]:
        """How many rows are due and unsent, and the age in seconds of the oldest."""
        now = self._now()
        async with self._sessions() as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(OutboxRow.created_at)).where(
                        OutboxRow.status == PENDING, OutboxRow.not_before <= now
                    )
                )
            ).one()
        age = 0.0 if oldest is None else max(0.0, (now - _aware(oldest)).total_seconds())
        return int(count), age

    async def purge(self, older_than_s: float) -> int:
        """Delete rows ended longer ago than ``older_than_s``, and lanes idle as long."""
        cutoff = self._now() - timedelta(seconds=older_than_s)
        async with self._sessions() as session:
            result = await session.execute(
                delete(OutboxRow).where(OutboxRow.status != PENDING, OutboxRow.sent_at < cutoff)
            )
            await session.execute(delete(OutboxLaneRow).where(OutboxLaneRow.updated_at < cutoff))
            await session.commit()
        return int(getattr(result, "rowcount", 0) or 0)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def monotonic_epoch() -> float:
    """Seconds since the epoch, for a lane's recent calls (shared by replicas)."""
    return time.time()
