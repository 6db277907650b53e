"""Repositories of the core's ports. They never commit; the unit of work does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.domain import Conversation, FlowState, Language, Owner, Theme
from flows.outbox import person_lane
from resources_db.crypto import AddressCipher
from resources_db.models.core import AddressRow, ConversationRow
from resources_db.write_behind import LANES_LOCKED, keeps, update_later


class SqlConversationRepository:
    """``ConversationRepository`` on SQLAlchemy; row-locks on PostgreSQL (``FOR UPDATE``).

    Plain statements built once (one read with the address, one write), not ORM objects:
    a turn's conversation is read and written exactly once, and nothing is compiled again.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._absent: set[str] = set()
        self._loaded: set[str] = set()  # read by this transaction (and row-locked)

    async def get(self, pseudonym: str) -> Conversation | None:
        """Load one conversation, row-locked until the unit of work ends (PostgreSQL).

        The person's encrypted address comes in the same query (kept in the session), so
        that the address book compares it without another round trip. On PostgreSQL the
        same query also takes the person's outbox lane lock (after the row's), which the
        turn's first message would otherwise take in a statement of its own.
        """
        if keeps(self._session):
            lane = person_lane(pseudonym)
            found = (
                await self._session.execute(
                    _LOAD_LOCKING_LANE, {"pseudonym": pseudonym, "lane": lane}
                )
            ).first()
            if found is not None:
                self._session.info.setdefault(LANES_LOCKED, set()).add(lane)
        else:
            found = (await self._session.execute(_LOAD, {"pseudonym": pseudonym})).first()
        if found is None:
            self._absent.add(pseudonym)
            return None
        self._absent.discard(pseudonym)
        self._loaded.add(pseudonym)
        self._session.info.setdefault(CIPHERTEXTS, {})[pseudonym] = found.address
        return _to_domain(found)

    async def save(self, conversation: Conversation) -> None:
        """Insert or update one conversation (the row ``get`` loaded: no second read)."""
        values = {
            "pseudonym": conversation.pseudonym,
            "language": conversation.language.value,
            "state": conversation.state.value,
            "owner": conversation.owner.value,
            "source": conversation.source,
            "theme": conversation.theme.value if conversation.theme else None,
            "area": conversation.area,
            "results_page": conversation.results_page,
            "misunderstood": conversation.misunderstood,
            "followup_consent": conversation.followup_consent,
            "language_chosen": conversation.language_chosen,
            "crisis_flagged_at": conversation.crisis_flagged_at,
            "extra": dict(conversation.extra),
            "created_at": conversation.created_at,
            "last_activity_at": conversation.last_activity_at,
        }
        if conversation.pseudonym in self._absent:
            await self._session.execute(insert(_CONVERSATIONS), values)
            self._absent.discard(conversation.pseudonym)
            return
        changes = {k: v for k, v in values.items() if k != "pseudonym"}
        if conversation.pseudonym in self._loaded:
            # Loaded (and row-locked) by this transaction: it exists; on PostgreSQL the
            # update rides on the turn's last statement.
            await update_later(
                self._session, _CONVERSATIONS, {"pseudonym": conversation.pseudonym}, changes
            )
            return
        changes = {f"new_{k}": v for k, v in changes.items()}
        result = await self._session.execute(_UPDATE, {"key": conversation.pseudonym} | changes)
        if not getattr(result, "rowcount", 1):  # saved without a get (a new conversation)
            await self._session.execute(insert(_CONVERSATIONS), values)

    async def delete(self, pseudonym: str) -> None:
        """Erase one conversation."""
        self._loaded.discard(pseudonym)
        await self._session.execute(
            delete(ConversationRow).where(ConversationRow.pseudonym == pseudonym)
        )

    async def count(self) -> int:
        """How many conversations are kept."""
        return len((await self._session.scalars(select(ConversationRow.pseudonym))).all())


def _to_domain(row: Row[Any]) -> Conversation:
    return Conversation(
        pseudonym=row.pseudonym,
        language=Language(row.language),
        state=FlowState(row.state),
        owner=Owner(row.owner),
        source=row.source,
        theme=Theme(row.theme) if row.theme else None,
        area=row.area,
        results_page=row.results_page,
        misunderstood=row.misunderstood,
        followup_consent=row.followup_consent,
        language_chosen=row.language_chosen,
        crisis_flagged_at=row.crisis_flagged_at,
        extra=dict(row.extra or {}),
        created_at=row.created_at,
        last_activity_at=row.last_activity_at,
    )


_CONVERSATIONS: Table = cast(Table, ConversationRow.__table__)
_ADDRESSES: Table = cast(Table, AddressRow.__table__)
_LOAD = (
    select(_CONVERSATIONS, _ADDRESSES.c.ciphertext.label("address"))
    .outerjoin(_ADDRESSES, _ADDRESSES.c.pseudonym == _CONVERSATIONS.c.pseudonym)
    .where(_CONVERSATIONS.c.pseudonym == bindparam("pseudonym"))
    .with_for_update(of=_CONVERSATIONS)
)
_UPDATE = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.pseudonym == bindparam("key"))
    .values({c.name: bindparam(f"new_{c.name}") for c in _CONVERSATIONS.c if c.name != "pseudonym"})
)
# PostgreSQL: the same read, then the person's outbox lane lock, taken after the row's (the
# outer query runs once the inner one has locked the row; none is taken for a new person).
_LOCKED = _LOAD.subquery("locked")
_LOAD_LOCKING_LANE = select(
    _LOCKED, func.pg_advisory_xact_lock(func.hashtext(bindparam("lane"))).label("lane_locked")
)
# The address ciphertexts this transaction read (None: no address kept), by pseudonym.
CIPHERTEXTS = "passerelle.ciphertexts"


class EncryptedAddressBook:
    """``AddressBook``: the chat id, encrypted, in the one ``addresses`` table.

    Written only when it changes: the conversation's ``get`` usually read the ciphertext
    already, so an unchanged address costs no statement.
    """

    def __init__(self, session: AsyncSession, cipher: AddressCipher) -> None:
        self._session = session
        self._cipher = cipher
        self._known: dict[str, str | None] = {}

    def known(self, pseudonym: str) -> str | None:
        """The address this transaction read or wrote for ``pseudonym`` (None: not known)."""
        return self._known.get(pseudonym)

    async def _ciphertext(self, pseudonym: str) -> bytes | None:
        read: dict[str, bytes | None] = self._session.info.setdefault(CIPHERTEXTS, {})
        if pseudonym not in read:
            read[pseudonym] = await self._session.scalar(
                select(_ADDRESSES.c.ciphertext).where(
                    _ADDRESSES.c.pseudonym == bindparam("pseudonym")
                ),
                {"pseudonym": pseudonym},
            )
        return read[pseudonym]

    async def remember(self, pseudonym: str, address: str) -> None:
        """Store (or refresh) the encrypted address; nothing is written if it is the same."""
        if self._known.get(pseudonym) == address:
            return
        kept = await self._ciphertext(pseudonym)
        if kept is not None and self._cipher.decrypt(kept) == address:
            self._known[pseudonym] = address
            return
        sealed = self._cipher.encrypt(address)
        values = {"pseudonym": pseudonym, "ciphertext": sealed, "updated_at": datetime.now(UTC)}
        if kept is None:
            await self._session.execute(insert(_ADDRESSES), values)
        else:
            await self._session.execute(
                update(_ADDRESSES)
                .where(_ADDRESSES.c.pseudonym == pseudonym)
                .values(ciphertext=sealed, updated_at=values["updated_at"])
            )
        self._session.info[CIPHERTEXTS][pseudonym] = sealed
        self._known[pseudonym] = address

    async def address_of(self, pseudonym: str) -> str | None:
        """The decrypted address, if kept."""
        kept = await self._ciphertext(pseudonym)
        address = None if kept is None else self._cipher.decrypt(kept)
        self._known[pseudonym] = address
        return address

    async def forget(self, pseudonym: str) -> None:
        """Erase the address."""
        await self._session.execute(delete(AddressRow).where(AddressRow.pseudonym == pseudonym))
        self._session.info.setdefault(CIPHERTEXTS, {})[pseudonym] = None
        self._known[pseudonym] = None
