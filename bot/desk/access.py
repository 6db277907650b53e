"""Who may act at the desk: members of the staff group, and only the allowlisted if any.

The channel says whether a user is a member (Telegram's ``getChatMember``; a set in memory);
this class adds the allowlist, a short cache, and the worker's keyed pseudonym and name.
Channel user ids are used here, in memory, and never stored.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping

from flows.cases import Worker
from flows.handoff_service import HandoffService


class CannotCheckError(Exception):
    """The channel did not say whether this user belongs to the staff group."""


class StaffAccess:
    """Turns a channel user into a ``Worker``, or None if they may not act."""

    def __init__(
        self,
        *,
        is_member: Callable[[int], Awaitable[bool]],
        pseudonym: Callable[[int], str],
        handoff: HandoffService,
        allowlist: Mapping[int, str | None] | None = None,
        ttl_s: float = 120.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._is_member = is_member
        self._pseudonym = pseudonym
        self._handoff = handoff
        self._allowlist = dict(allowlist or {})
        self._ttl = ttl_s
        self._monotonic = monotonic
        # By worker pseudonym: a membership answer, and until when it is trusted.
        self._cache: dict[str, tuple[bool, float]] = {}

    def pseudonym(self, member: int) -> str:
        """The keyed pseudonym of a channel user (for logs: a prefix only)."""
        return self._pseudonym(member)

    async def worker(self, member: int, *, is_bot: bool = False) -> Worker | None:
        """The worker behind ``member``, or None if they may not act.

        Raises:
            CannotCheckError: the channel could not say whether they are a member.
        """
        if is_bot or (self._allowlist and member not in self._allowlist):
            return None
        pseudonym = self._pseudonym(member)
        cached = self._cache.get(pseudonym)
        if cached is not None and cached[1] > self._monotonic():
            allowed = cached[0]
        else:
            allowed = await self._is_member(member)
            self._cache[pseudonym] = (allowed, self._monotonic() + self._ttl)
        if not allowed:
            return None
        return Worker(pseudonym, await self._handoff.worker_name(pseudonym))
