"""Repositories of the core's ports. They never commit; the unit of work does."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.domain import Conversation, FlowState, Language, Owner, Theme
from resources_db.crypto import AddressCipher
from resources_db.models.core import AddressRow, ConversationRow


class SqlConversationRepository:
    """``ConversationRepository`` on SQLAlchemy; row-locks on PostgreSQL (``FOR UPDATE``)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._absent: set[str] = set()

    async def get(self, pseudonym: str) -> Conversation | None:
        """Load one conversation, row-locked until the unit of work ends (PostgreSQL).

        The person's address row comes in the same query (into the session), so that the
        address book compares it without another round trip.
        """
        found = (
            await self._session.execute(
                select(ConversationRow, AddressRow)
                .outerjoin(AddressRow, AddressRow.pseudonym == ConversationRow.pseudonym)
                .where(ConversationRow.pseudonym == pseudonym)
                .with_for_update(of=ConversationRow)
            )
        ).first()
        if found is None:
            self._absent.add(pseudonym)
            return None
        self._absent.discard(pseudonym)
        # The session's identity map holds unchanged rows weakly: without a strong reference
        # they would be collected before ``save`` and ``remember``, each then reading its row
        # again (two more statements a turn).
        self._session.info.setdefault(LOADED, []).append(tuple(found))
        if found[1] is None:
            self._session.info.setdefault(NO_ADDRESS, set()).add(pseudonym)
        return _to_domain(found[0])

    async def save(self, conversation: Conversation) -> None:
        """Insert or update one conversation (the row ``get`` loaded: no second read)."""
        row = (
            None
            if conversation.pseudonym in self._absent
            else await self._session.get(ConversationRow, conversation.pseudonym)
        )
        self._absent.discard(conversation.pseudonym)
        if row is None:
            row = ConversationRow(pseudonym=conversation.pseudonym)
            self._session.add(row)
        row.language = conversation.language.value
        row.state = conversation.state.value
        row.owner = conversation.owner.value
        row.source = conversation.source
        row.theme = conversation.theme.value if conversation.theme else None
        row.area = conversation.area
        row.results_page = conversation.results_page
        row.misunderstood = conversation.misunderstood
        row.followup_consent = conversation.followup_consent
        row.language_chosen = conversation.language_chosen
        row.crisis_flagged_at = conversation.crisis_flagged_at
        row.extra = dict(conversation.extra)
        row.created_at = conversation.created_at
        row.last_activity_at = conversation.last_activity_at
        await self._session.flush()

    async def delete(self, pseudonym: str) -> None:
        """Erase one conversation."""
        await self._session.execute(
            delete(ConversationRow).where(ConversationRow.pseudonym == pseudonym)
        )

    async def count(self) -> int:
        """How many conversations are kept."""
        return len((await self._session.scalars(select(ConversationRow.pseudonym))).all())


def _to_domain(row: ConversationRow) -> Conversation:
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


NO_ADDRESS = "passerelle.no_address"
LOADED = "passerelle.loaded"


class EncryptedAddressBook:
    """``AddressBook``: the chat id, encrypted, in the one ``addresses`` table.

    Written only when it changes: the row is usually in the session already (the
    conversation's ``get`` loaded it), so an unchanged address costs no statement.
    """

    def __init__(self, session: AsyncSession, cipher: AddressCipher) -> None:
        self._session = session
        self._cipher = cipher
        self._known: dict[str, str | None] = {}

    def known(self, pseudonym: str) -> str | None:
        """The address this transaction read or wrote for ``pseudonym`` (None: not known)."""
        return self._known.get(pseudonym)

    async def _row(self, pseudonym: str) -> AddressRow | None:
        if pseudonym in self._session.info.get(NO_ADDRESS, ()):
            return None
        return await self._session.get(AddressRow, pseudonym)

    async def remember(self, pseudonym: str, address: str) -> None:
        """Store (or refresh) the encrypted address; nothing is written if it is the same."""
        if self._known.get(pseudonym) == address:
            return
        row = await self._row(pseudonym)
        now = datetime.now(UTC)
        if row is None:
            self._session.add(
                AddressRow(
                    pseudonym=pseudonym, ciphertext=self._cipher.encrypt(address), updated_at=now
                )
            )
            self._session.info.get(NO_ADDRESS, set()).discard(pseudonym)
            await self._session.flush()
        elif self._cipher.decrypt(row.ciphertext) != address:
            row.ciphertext = self._cipher.encrypt(address)
            row.updated_at = now
            await self._session.flush()
        self._known[pseudonym] = address

    async def address_of(self, pseudonym: str) -> str | None:
        """The decrypted address, if kept."""
        row = await self._row(pseudonym)
        address = None if row is None else self._cipher.decrypt(row.ciphertext)
        self._known[pseudonym] = address
        return address

    async def forget(self, pseudonym: str) -> None:
        """Erase the address."""
        await self._session.execute(delete(AddressRow).where(AddressRow.pseudonym == pseudonym))
        self._session.info.setdefault(NO_ADDRESS, set()).add(pseudonym)
        self._known[pseudonym] = None
