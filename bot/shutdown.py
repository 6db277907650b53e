"""Stopping background tasks in bounded time, without hiding the caller's own cancellation.

``task.cancel()`` then ``await task`` under ``suppress(CancelledError)`` has two faults. A
task that swallows its cancellation is awaited forever: on Python 3.11 ``asyncio.wait_for``
returns the result instead of raising when the cancellation lands just as the result arrives,
and SQLAlchemy's async pool waits for a connection with it (always on SQLite, whose pool has
one connection), so a loop cancelled while checking out a connection goes round again. And a
cancellation of the *caller* (SIGINT, a timeout around the stop) is swallowed with the
task's. Every stop path uses ``cancel_and_wait`` instead: it cancels, waits a bounded time,
cancels again what is still running, and logs each task that did not end by its name (never
what it handled).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)
CANCEL_WAIT_S = 5.0  # a cancelled task normally ends within milliseconds
RECANCEL_S = 0.1  # then, how often a task that swallowed its cancellation is asked again


async def cancel_and_wait(
    tasks: Iterable[asyncio.Task[Any]], timeout_s: float | None = None
) -> set[asyncio.Task[Any]]:
    """Cancel ``tasks`` and wait for them, at most twice ``timeout_s``; the ones left running.

    A task still running after ``timeout_s`` has swallowed its cancellation: it is named in
    the log and cancelled again, every ``RECANCEL_S`` (a loop can swallow a cancellation
    again the same way), for up to ``timeout_s`` more. One still running after that is left
    behind, named again, so that the stop goes on. If the caller itself is cancelled while
    waiting, its ``CancelledError`` propagates (the tasks have been cancelled).
    """
    wait_s = CANCEL_WAIT_S if timeout_s is None else timeout_s
    given = set(tasks)
    pending = {task for task in given if not task.done()}
    for task in pending:
        task.cancel()
    if pending:
        # ``asyncio.wait`` neither raises the tasks' CancelledError nor swallows ours.
        _, pending = await asyncio.wait(pending, timeout=wait_s)
    for task in pending:
        log.warning(
            "task %s still running %.1f s after it was cancelled; cancelling it again",
            task.get_name(),
            wait_s,
        )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while pending and (left_s := deadline - loop.time()) > 0:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=min(RECANCEL_S, left_s))
    for task in pending:
        log.error("task %s did not stop; left running", task.get_name())
    for task in given - pending:
        # Retrieved here (a stop does not raise what a background task raised): named, typed.
        if not task.cancelled() and (err := task.exception()) is not None:
            log.error("task %s had ended with %s", task.get_name(), type(err).__name__)
    return pending
