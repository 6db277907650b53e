"""The staff group's outbox: FIFO, paced under ~20 a minute, 429s waited out, nothing lost."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from telegram.error import BadRequest, RetryAfter, TimedOut

from bot.telegram.rate_limit import StaffAwareRateLimiter
from bot.telegram.staff_queue import Send, StaffQueue


@dataclass
class Time:
    """A monotonic clock that only moves when someone sleeps."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds
        await asyncio.sleep(0)


@dataclass
class Group:
    """A staff group whose next answers the test scripts."""

    failures: list[Exception] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)

    async def post(self, text: str) -> str:
        self.attempts.append(text)
        if self.failures:
            raise self.failures.pop(0)
        self.received.append(text)
        return text


def job(group: Group, *texts: str):  # type: ignore[no-untyped-def]
    async def run(send: Send) -> None:
        for text in texts:
            await send(lambda text=text: group.post(text))

    return run


@pytest.fixture
def time_() -> Time:
    return Time()


@pytest.fixture
async def queue(time_: Time):  # type: ignore[no-untyped-def]
    staff = StaffQueue(max_per_minute=20, monotonic=time_.monotonic, sleep=time_.sleep)
    await staff.start()
    yield staff
    await staff.stop()


async def test_jobs_run_in_the_order_they_were_queued(queue: StaffQueue) -> None:
    group = Group()
    for index in range(5):
        queue.put("relay", job(group, f"m{index}a", f"m{index}b"))
    await queue.join()
    assert group.received == [f"m{i}{p}" for i in range(5) for p in "ab"]


async def test_a_429_is_waited_out_and_the_same_message_sent_again(
    queue: StaffQueue, time_: Time
) -> None:
    group = Group(failures=[RetryAfter(7)])
    queue.put("relay", job(group, "first", "second"))
    queue.put("relay", job(group, "third"))
    await queue.join()
    assert group.attempts == ["first", "first", "second", "third"]
    assert group.received == ["first", "second", "third"], "nothing lost, nothing reordered"
    assert 7.1 in time_.slept


async def test_sends_are_paced_under_the_groups_budget(time_: Time) -> None:
    queue = StaffQueue(max_per_minute=3, monotonic=time_.monotonic, sleep=time_.sleep)
    await queue.start()
    group = Group()
    queue.put("burst", job(group, *[f"m{i}" for i in range(7)]))
    await queue.join()
    await queue.stop()
    assert group.received == [f"m{i}" for i in range(7)]
    assert time_.now >= 120, "7 messages at 3 a minute take two full minutes of waiting"


async def test_a_network_blip_is_retried(queue: StaffQueue) -> None:
    group = Group(failures=[TimedOut(), TimedOut()])
    queue.put("relay", job(group, "hello"))
    await queue.join()
    assert group.received == ["hello"]


async def test_a_refused_job_is_logged_and_the_queue_goes_on(
    queue: StaffQueue, caplog: pytest.LogCaptureFixture
) -> None:
    group = Group(failures=[BadRequest("Bad Request: message thread not found")])
    queue.put("relay", job(group, "lost"))
    queue.put("relay", job(group, "next"))
    await queue.join()
    assert group.received == ["next"]
    assert "Message thread not found" in caplog.text
    assert "lost" not in caplog.text, "never the content"


async def test_a_crashing_job_does_not_stop_the_queue(queue: StaffQueue) -> None:
    group = Group()

    async def broken(_send: Send) -> None:
        raise RuntimeError("boom")

    queue.put("broken", broken)
    queue.put("relay", job(group, "after"))
    await queue.join()
    assert group.received == ["after"]


async def test_stopping_lets_queued_jobs_finish(time_: Time) -> None:
    queue = StaffQueue(max_per_minute=20, monotonic=time_.monotonic, sleep=time_.sleep)
    await queue.start()
    group = Group()
    for index in range(3):
        queue.put("relay", job(group, f"m{index}"))
    await queue.stop()
    await queue.stop()  # idempotent
    assert group.received == ["m0", "m1", "m2"]


async def test_staff_calls_bypass_ptbs_limiter_so_the_queue_alone_handles_their_rate() -> None:
    limiter = StaffAwareRateLimiter(-100123, max_retries=3)
    attempts: list[str] = []

    async def flooded(chat: str) -> bool:
        attempts.append(chat)
        if len(attempts) == 1:
            raise RetryAfter(0)
        return True

    with pytest.raises(RetryAfter):
        await limiter.process_request(
            flooded, ("staff",), {}, "sendMessage", {"chat_id": -100123}, None
        )
    assert attempts == ["staff"], "not retried behind the queue's back"

    attempts.clear()
    ok = await limiter.process_request(
        flooded, ("person",), {}, "sendMessage", {"chat_id": 42}, None
    )
    assert ok is True
    assert attempts == ["person", "person"], "a person's message is retried by PTB"
