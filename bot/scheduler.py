"""APScheduler, started and stopped with the application. The scheduler triggers; the
database remembers: jobs carry no data, they wake code that reads what to do from the database.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from flows.availability import TeamHours
from flows.handoff_service import HandoffService
from flows.ports import Clock, StorageBusy
from flows.realert import Realerts
from flows.service import StorageUnavailableError
from resources_db.db import create_engine, session_factory
from resources_db.retention import Purged, purge

log = logging.getLogger(__name__)

DIGEST_JOB = "opening-digest"
REALERT_JOB = "urgent-realert"
PURGE_JOB = "transcript-purge"
FOLLOWUP_JOB = "followups-due"
RETENTION_JOB = "retention-purge"
FOLLOWUP_WAKE_S = 60
# Reminders are counted in minutes: a look every minute is late by one at most.
REALERT_EVERY_S = 60.0
PURGE_AT = (3, 30)  # local time: the quiet of the night
# A digest an hour late (a laptop waking up, a slow restart) still helps; later, it is noise.
MISFIRE_GRACE_S = 3_600


class Scheduler:
    """``AsyncIOScheduler`` in the deployment's time zone; ``start``/``stop`` are idempotent."""

    def __init__(self, timezone: str) -> None:
        self._zone = ZoneInfo(timezone)
        self._scheduler = AsyncIOScheduler(timezone=self._zone)

    async def start(self) -> None:
        """Start (inside the running event loop)."""
        if not self._scheduler.running:
            self._scheduler.start()

    async def stop(self) -> None:
        """Stop without waiting for running jobs (they are short and idempotent)."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def run_at(self, job_id: str, when: datetime, func: Callable[[], Awaitable[None]]) -> None:
        """Run ``func`` once at ``when`` (replacing any job with the same id)."""
        self._scheduler.add_job(
            func,
            DateTrigger(run_date=when),
            id=job_id,
            replace_existing=True,
            misfire_grace_time=MISFIRE_GRACE_S,
            coalesce=True,
        )

    def every(self, job_id: str, seconds: float, func: Callable[[], Awaitable[None]]) -> None:
        """Run ``func`` every ``seconds`` (one run at a time; missed runs coalesce)."""
        self._scheduler.add_job(
            func,
            IntervalTrigger(seconds=seconds),
            id=job_id,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
        )

    def daily(
        self, job_id: str, hour: int, minute: int, func: Callable[[], Awaitable[None]]
    ) -> None:
        """Run ``func`` every day at ``hour``:``minute`` in the deployment's time zone."""
        self._scheduler.add_job(
            func,
            CronTrigger(hour=hour, minute=minute, timezone=self._zone),
            id=job_id,
            replace_existing=True,
            misfire_grace_time=MISFIRE_GRACE_S,
            coalesce=True,
        )

    def next_run(self, job_id: str) -> datetime | None:
        """When ``job_id`` runs next, if scheduled."""
        job = self._scheduler.get_job(job_id)
        return None if job is None else job.next_run_time or job.trigger.run_date


class OpeningDigest:
    """At each opening of the team's hours, the staff group gets the waiting cases.

    Every replica arms the same job; ``send_digest`` writes one outbox row keyed by the
    opening, so the group reads one digest however many replicas fired.
    """

    def __init__(
        self,
        scheduler: Scheduler,
        hours: TeamHours | None,
        clock: Clock,
        send_digest: Callable[[datetime], Awaitable[None]],
        system_now: Callable[[], datetime] | None = None,
    ) -> None:
        self._scheduler = scheduler
        self._hours = hours
        self._clock = clock
        self._send_digest = send_digest
        self._system_now = system_now or _system_now

    async def start(self) -> None:
        """Schedule the next digest."""
        self.arm()

    async def stop(self) -> None:
        """Nothing to release: the scheduler stops its jobs."""

    def arm(self, after: datetime | None = None) -> datetime | None:
        """Schedule the digest at the next opening (as the ``Clock`` sees it); returns it.

        ``after`` is the opening just announced, so a clock a hair early cannot announce
        the same opening twice.
        """
        if self._hours is None:
            return None
        now = self._clock.now()
        opening = self._hours.next_opening_after(max(now, after) if after else now)
        if opening is None:
            return None
        # APScheduler runs on the system clock; the delay comes from ours (tests move it).
        delay = max(opening - now, timedelta(0))
        self._scheduler.run_at(DIGEST_JOB, self._system_now() + delay, self._fire(opening))
        log.info("opening digest scheduled in %s", delay)
        return opening

    def _fire(self, opening: datetime) -> Callable[[], Awaitable[None]]:
        async def fire() -> None:
            try:
                await self._send_digest(opening)
            finally:
                self.arm(after=opening)

        return fire


class DeskJobs:
    """The desk's timed work: urgent cases nobody took, raised again (every minute, with the
    backoff ``flows/realert.py`` decides), and the card transcripts erased past retention
    (nightly). Both read what to do from the database; any replica may run them.
    """

    def __init__(
        self,
        handoff: HandoffService,
        realerts: Realerts | None,
        clock: Clock,
        *,
        after_realert: Callable[[], None] | None = None,
    ) -> None:
        self._handoff = handoff
        self._realerts = realerts
        self._clock = clock
        self._after_realert = after_realert

    def arm(self, scheduler: Scheduler) -> None:
        """Schedule the jobs (the re-alerts only when there is a staff group to alert)."""
        if self._realerts is not None:
            scheduler.every(REALERT_JOB, REALERT_EVERY_S, self._realert_job)
        scheduler.daily(PURGE_JOB, *PURGE_AT, self._purge_job)

    async def realert(self) -> int:
        """Raise again the urgent cases due now; how many were raised."""
        if self._realerts is None:
            return 0
        raised = await self._handoff.raise_untaken(self._realerts)
        if raised and self._after_realert is not None:
            self._after_realert()
        return len(raised)

    async def purge(self) -> int:
        """Erase the turns kept for cards past the retention window; how many went."""
        gone = await self._handoff.purge_transcripts(self._clock.now())
        log.info("transcript purge: %d turn(s) erased", gone)
        return gone

    async def _realert_job(self) -> None:
        try:
            await self.realert()
        except (StorageBusy, StorageUnavailableError) as err:
            log.warning("re-alerts postponed to the next minute: %s", err)

    async def _purge_job(self) -> None:
        try:
            await self.purge()
        except (StorageBusy, StorageUnavailableError) as err:
            log.warning("transcript purge postponed: %s", err)


def _system_now() -> datetime:
    return datetime.now().astimezone()


class Housekeeping:
    """Follow-ups and the retention purge, on the scheduler, with or without a staff group.

    Follow-ups are outbox rows with a due time: the job only wakes the sender, which claims
    what is due. The purge erases what outlived its retention (``resources_db.retention``).
    """

    def __init__(
        self,
        scheduler: Scheduler,
        *,
        wake_sender: Callable[[], None],
        purge: Callable[[], Awaitable[object]],
        purge_at: str,
    ) -> None:
        self._scheduler = scheduler
        self._wake_sender = wake_sender
        self._purge = purge
        self._purge_at = purge_at

    async def start(self) -> None:
        """Arm both jobs."""
        self._scheduler.every(FOLLOWUP_JOB, FOLLOWUP_WAKE_S, self._wake)
        if self._purge_at.strip():  # empty: the deployment runs `passerelle purge` itself
            hour, minute = (int(part) for part in self._purge_at.split(":"))
            self._scheduler.daily(RETENTION_JOB, hour, minute, self._nightly)

    async def stop(self) -> None:
        """Nothing to release: the scheduler stops its jobs."""

    async def _wake(self) -> None:
        self._wake_sender()

    async def _nightly(self) -> None:
        try:
            purged = await self._purge()
        except Exception:
            log.exception("retention purge failed (it runs again tomorrow)")
            return
        log.info("retention purge: %s", purged)


async def purge_now(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], now: datetime
) -> Purged:
    """The retention purge with the settings' windows."""
    return await purge(
        sessions,
        now,
        retention=timedelta(days=settings.retention_days),
        transport_keep=timedelta(seconds=settings.transport_keep_s),
    )


async def run_purge(settings: Settings) -> Purged:
    """``passerelle purge``: one purge on its own connection."""
    engine = create_engine(settings.database_url)
    try:
        return await purge_now(settings, session_factory(engine), _system_now())
    finally:
        await engine.dispose()
