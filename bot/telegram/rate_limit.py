"""One place handles rate per destination: PTB's limiter for persons, the staff queue for staff.

PTB's ``AIORateLimiter`` throttles each group to 20 requests a minute and retries 429s; on a
429 it also pauses *every* request of the bot. For the staff group, ``StaffQueue`` already
paces sends and waits out 429s itself (it must, to keep its order): going through both would
count every staff call twice and let one flooded group hold up the people waiting for an
answer. So calls to the staff group pass through untouched; everything else is PTB's.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

JSONDict = dict[str, Any]


class StaffAwareRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` for every chat but the staff group, which ``StaffQueue`` paces."""

    __slots__ = ("_staff_chat_id",)

    def __init__(self, staff_chat_id: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._staff_chat_id = staff_chat_id

    async def process_request(  # noqa: PLR0917 - PTB's signature, not ours to change
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Staff-group calls go straight through; the rest is rate-limited by PTB."""
        if self._staff_chat_id is not None and str(data.get("chat_id")) == str(self._staff_chat_id):
            return await callback(*args, **kwargs)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
