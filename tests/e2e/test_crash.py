"""Kill -9 in the middle of a load, restart: every message answered, in order, duplicates counted;
and again in the middle of 1 000 due follow-ups: every check-in delivered, none at night.

The real ``passerelle run`` polls the fake Bot API over HTTP; 100 people send five commands
each, all at once. When a third of the answers are out, the process is killed with SIGKILL
(no shutdown of any kind) and started again. What was stored is handled; what Telegram was
not told it had received, it sends again; what was decided and not yet sent, the outbox
sends. The only doubles possible are the messages Telegram accepted in the instant before
the kill, before they were marked sent: at most one outbox batch.

The follow-up case runs the process in a zone where it is early afternoon (the default quiet
hours, 21:00-09:00, are far), arms 1 000 follow-ups due a minute ago, and kills the process
when a third of the check-ins are out. A due row becomes a turn in the person's inbox lane
(stored once, whatever the crash), the turn sends the check-in through the outbox: what can
double is, again, a check-in Telegram accepted just before the kill.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.e2e.processes import (
    BotProcess,
    CrashLoad,
    FollowUpLoad,
    Load,
    R_co,
    bot_env,
    drained,
    midday_zone,
    wait_until,
)
from tests.fakes.bot_api import FakeBotApi

PEOPLE = 100
FOLLOWUPS = 1000
IN_FLIGHT = 8  # OUTBOX_IN_FLIGHT: the messages a sender may have in flight at once


async def crash_and_recover(
    api: FakeBotApi, load: CrashLoad[R_co], process: BotProcess, *, kill_after: int
) -> R_co:
    """Start, load, SIGKILL after ``kill_after`` answers, restart, wait for all: the report."""
    try:
        return await _crash_and_recover(api, load, process, kill_after=kill_after)
    finally:
        process.kill()  # whatever happened, no process outlives the test


async def _crash_and_recover(
    api: FakeBotApi, load: CrashLoad[R_co], process: BotProcess, *, kill_after: int
) -> R_co:
    started = time.monotonic()

    def mark(what: str) -> None:
        print(f"  {time.monotonic() - started:6.1f} s  {what}")

    process.start()
    await process.ready()
    mark("ready")
    await load.arrive()
    await wait_until(lambda: api.delivered_count >= kill_after, 120, f"{kill_after} answers")
    process.kill()
    killed_at = api.delivered_count
    mark(f"killed after {killed_at} answers")
    assert killed_at < load.expected, "the kill came before the load was done"
    process.start()
    await process.ready()
    mark("restarted")
    await wait_until(
        lambda: api.delivered_count >= load.expected and load.report().missing == 0,
        180,
        "every message answered",
        every=0.5,
    )
    mark("all answered")
    await drained([process], 60)
    mark("drained")
    assert process.terminate() == 0, "a graceful stop exits cleanly"
    return load.report()


async def test_sigkill_mid_load_then_restart_answers_every_message_once_in_order(
    database_url: str, tmp_path: Path
) -> None:
    async with FakeBotApi() as api:
        env = bot_env(
            api, database_url, TELEGRAM_MAX_PER_SECOND="60", OUTBOX_IN_FLIGHT=str(IN_FLIGHT)
        )
        process = BotProcess(env, tmp_path)
        load = Load(api, PEOPLE)
        report = await crash_and_recover(api, load, process, kill_after=load.expected // 3)
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    print(f"\ncrash test ({backend}): {report}")
    assert report.missing == 0, "every inbound message got its answer"
    assert report.answered == load.expected
    assert report.reordered_people == 0, "each person's answers came in the order they wrote"
    assert report.duplicates <= IN_FLIGHT, "only what was in flight at the kill may double"


async def test_sigkill_mid_followups_then_restart_delivers_every_check_in_by_day(
    database_url: str, tmp_path: Path
) -> None:
    async with FakeBotApi() as api:
        env = bot_env(
            api,
            database_url,
            TIMEZONE=midday_zone(),
            FOLLOWUP_QUIET_HOURS="21:00-09:00",
            OUTBOX_IN_FLIGHT=str(IN_FLIGHT),
        )
        process = BotProcess(env, tmp_path)
        load = FollowUpLoad(api, env, FOLLOWUPS)
        report = await crash_and_recover(api, load, process, kill_after=load.expected // 3)
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    print(f"\nfollow-up crash test ({backend}): {report}")
    assert report.missing == 0, "every armed person got their check-in"
    assert report.delivered == FOLLOWUPS
    assert report.in_quiet_hours == 0, "no check-in in the quiet hours"
    assert report.not_discreet == 0, "every check-in silent and not forwardable"
    assert report.duplicates <= IN_FLIGHT, "only what was in flight at the kill may double"
