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

    async def get(self, pseudonym: str) -> Conversation | None:
        """Load one conversation, row-locked until the unit of work ends (PostgreSQL)."""
        row = await self._session.scalar(
            select(ConversationRow).where(ConversationRow.pseudonym == pseudonym).with_for_update()
        )
        return None if row is None else _to_domain(row)

    async def save(self, conversation: Conversation) -> None:
        """Insert or update one conversation."""
        row = await self._session.get(ConversationRow, conversation.pseudonym)
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


class EncryptedAddressBook:
    """``AddressBook``: the chat id, encrypted, in the one ``addresses`` table."""

    def __init__(self, session: AsyncSession, cipher: AddressCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def remember(self, pseudonym: str, address: str) -> None:
        """Store (or refresh) the encrypted address."""
        row = await self._session.get(AddressRow, pseudonym)
        now = datetime.now(UTC)
        if row is None:
            self._session.add(
                AddressRow(
                    pseudonym=pseudonym, ciphertext=self._cipher.encrypt(address), updated_at=now
                )
            )
        elif self._cipher.decrypt(row.ciphertext) != address:
            row.ciphertext = self._cipher.encrypt(address)
            row.updated_at = now
        await self._session.flush()

    async def address_of(self, pseudonym: str) -> str | None:
        """The decrypted address, if kept."""
        row = await self._session.get(AddressRow, pseudonym)
        return None if row is None else self._cipher.decrypt(row.ciphertext)

    async def forget(self, pseudonym: str) -> None:
        """Erase the address."""
        await self._session.execute(delete(AddressRow).where(AddressRow.pseudonym == pseudonym))
