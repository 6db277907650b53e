"""The overall sending cap: Telegram's limit is per second, so no second may go over it."""

from __future__ import annotations

import pytest

from bot.delivery import TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 1e-6)


@pytest.mark.parametrize(("rate", "reached"), [(30.0, 30.0), (2.5, 2.0), (0.5, 0.5)])
async def test_no_second_carries_more_than_the_cap_and_the_cap_is_reached(
    rate: float, reached: float
) -> None:
    clock = FakeTime()
    bucket = TokenBucket(rate, monotonic=clock.monotonic, sleep=clock.sleep)
    calls = []
    for _ in range(int(rate * 20) + 1):
        await bucket.acquire()
        calls.append(clock.now)
    most, first = 0, 0
    for last, moment in enumerate(calls):
        while moment - calls[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    assert most <= max(1, rate)
    sustained = (len(calls) - 1) / (calls[-1] - calls[0])
    assert sustained >= 0.95 * reached  # a fractional cap rounds down to whole calls
