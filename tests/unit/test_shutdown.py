"""Stopping background tasks: bounded, named in the logs when stuck, never hiding a cancellation.

The operator's view: a stop always returns, and the log says which task would not end (by
its name, never what it was handling).
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot import shutdown
from bot.shutdown import cancel_and_wait

# A hang must fail the test, not hold CI; the bound is far above what any of these needs.
HANG_S = 60


@pytest.fixture(autouse=True)
def short_patience(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(shutdown, "CANCEL_WAIT_S", 0.05)
    monkeypatch.setattr(shutdown, "RECANCEL_S", 0.01)
    caplog.set_level(logging.INFO, logger="bot.shutdown")


async def _forever() -> None:
    await asyncio.Event().wait()


async def swallows_once(swallowed: list[str]) -> None:
    """Waits for ever; its first cancellation is caught and handled, then it waits again
    (what code does that turns a CancelledError into an ordinary error and goes on)."""
    try:
        await _forever()
    except asyncio.CancelledError:
        swallowed.append("once")
    await _forever()


async def test_a_task_that_swallows_its_cancellation_once_is_named_and_still_stopped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    swallowed: list[str] = []
    stubborn = asyncio.create_task(swallows_once(swallowed), name="inbox-3")
    polite = asyncio.create_task(_forever(), name="inbox-4")
    await asyncio.sleep(0)

    async with asyncio.timeout(HANG_S):
        left = await cancel_and_wait([stubborn, polite])

    assert left == set()
    assert swallowed == ["once"]
    assert stubborn.done()
    assert polite.done()
    assert "task inbox-3 still running" in caplog.text
    assert "inbox-4" not in caplog.text, "a task that stops when asked is not reported"


async def test_a_loop_that_swallows_cancellations_again_is_asked_until_it_stops(
    caplog: pytest.LogCaptureFixture,
) -> None:
    swallowed: list[int] = []

    async def loop() -> None:
        while len(swallowed) < 3:
            try:
                await _forever()
            except asyncio.CancelledError:
                swallowed.append(1)  # goes round again, as a poll loop would
        await _forever()

    task = asyncio.create_task(loop(), name="outbox-sender")
    await asyncio.sleep(0)
    try:
        async with asyncio.timeout(HANG_S):
            left = await cancel_and_wait([task], timeout_s=0.5)
    finally:
        swallowed.extend([1, 1, 1])  # whatever happened, the next cancellation ends it
        task.cancel()

    assert left == set()
    assert task.done()
    assert "task outbox-sender still running" in caplog.text
    assert "left running" not in caplog.text


async def test_a_task_that_never_stops_is_left_behind_named_and_the_stop_returns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = asyncio.Event()

    async def deaf() -> None:
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(deaf(), name="outbox-sender")
    await asyncio.sleep(0)
    try:
        async with asyncio.timeout(HANG_S):
            left = await cancel_and_wait([task])
    finally:
        release.set()

    assert left == {task}
    assert "task outbox-sender did not stop; left running" in caplog.text
    await task


async def test_the_callers_own_cancellation_is_not_swallowed() -> None:
    swallowed: list[str] = []
    stubborn = asyncio.create_task(swallows_once(swallowed), name="telegram-polling")
    await asyncio.sleep(0)
    stopping = asyncio.create_task(cancel_and_wait([stubborn], timeout_s=HANG_S))
    await asyncio.sleep(0)
    assert stubborn.cancelling(), "the task was asked to stop"

    stopping.cancel()  # SIGINT, or a timeout around the stop
    with pytest.raises(asyncio.CancelledError):
        await stopping
    stubborn.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stubborn


async def test_a_task_that_had_failed_is_reported_by_name_and_error_type_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def fails() -> None:
        raise ValueError("je vais me suicider ce soir")

    task = asyncio.create_task(fails(), name="transport-gauges")
    await asyncio.sleep(0)
    async with asyncio.timeout(HANG_S):
        assert await cancel_and_wait([task]) == set()

    assert "task transport-gauges had ended with ValueError" in caplog.text
    assert "suicider" not in caplog.text
