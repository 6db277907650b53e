"""Prometheus metrics: counts and durations, never content, never ids.

One ``Metrics`` per process, on its own registry (so tests may build several). ``/metrics``
serves it in Prometheus' text format. Gauges that come from the database (inbox and outbox
depth, cases by status and priority) are refreshed by ``refresh`` every few seconds.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.inbox_processor import ProcessorEvents
from bot.outbox_sender import SenderEvents
from flows.domain import Language
from flows.understanding import Interpretation, NluUnavailable, Screening

CONTENT_TYPE = CONTENT_TYPE_LATEST
TURN_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics(ProcessorEvents, SenderEvents):
    """Every metric of Passerelle; also the processor's and the sender's event sink."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "passerelle_updates", "Inbound updates handled, by kind and outcome",
            ["kind", "outcome"], registry=r,
        )  # fmt: skip
        self.turn_seconds = Histogram(
            "passerelle_turn_seconds", "Time to handle one stored update, by kind",
            ["kind"], buckets=TURN_BUCKETS, registry=r,
        )  # fmt: skip
        self.received = Counter(
            "passerelle_updates_received", "Updates stored in the inbox, by kind", ["kind"],
            registry=r,
        )  # fmt: skip
        self.nlu_errors = Counter(
            "passerelle_nlu_errors", "NLU calls that gave no interpretation, by reason",
            ["reason"], registry=r,
        )  # fmt: skip
        self.nlu_breaker_open = Gauge(
            "passerelle_nlu_breaker_open", "1 while the NLU circuit breaker is open", registry=r
        )
        self.inbox_depth = Gauge(
            "passerelle_inbox_depth", "Inbound updates stored and not yet handled", registry=r
        )
        self.inbox_oldest = Gauge(
            "passerelle_inbox_oldest_seconds", "Age of the oldest unhandled update", registry=r
        )
        self.outbox_depth = Gauge(
            "passerelle_outbox_depth", "Messages due and not yet sent", registry=r
        )
        self.outbox_oldest = Gauge(
            "passerelle_outbox_oldest_seconds", "Age of the oldest message due", registry=r
        )
        self.outbox_sent = Counter(
            "passerelle_outbox_sent", "Outbox rows sent, by kind", ["kind"], registry=r
        )
        self.outbox_failed = Counter(
            "passerelle_outbox_failed", "Outbox rows failed or cancelled, by kind and reason",
            ["kind", "reason"], registry=r,
        )  # fmt: skip
        self.outbox_retried = Counter(
            "passerelle_outbox_retried", "Outbox rows put back for later, by kind and reason",
            ["kind", "reason"], registry=r,
        )  # fmt: skip
        self.outbox_delay = Histogram(
            "passerelle_outbox_delay_seconds", "From written to sent", ["lane"],
            buckets=TURN_BUCKETS, registry=r,
        )  # fmt: skip
        self.followups = Counter(
            "passerelle_followups", "Follow-ups sent or failed", ["outcome"], registry=r
        )
        self.cases = Gauge(
            "passerelle_cases", "Handoff cases by status and priority", ["status", "priority"],
            registry=r,
        )  # fmt: skip
        self.crisis_flags = Counter(
            "passerelle_crisis_flags", "Texts flagged by the crisis screen, by level", ["level"],
            registry=r,
        )  # fmt: skip
        for outcome in ("sent", "failed"):
            self.followups.labels(outcome)

    def render(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)

    # --- events from the processor and the sender -----------------------------------------------

    def handled(self, kind: str, seconds: float, outcome: str) -> None:
        """One inbox row handled."""
        self.updates.labels(kind, outcome).inc()
        if outcome == "done":
            self.turn_seconds.labels(kind).observe(seconds)

    def sent(self, kind: str, lane: str, age_s: float) -> None:
        """One outbox row sent."""
        self.outbox_sent.labels(kind).inc()
        self.outbox_delay.labels("staff" if lane == "staff" else "person").observe(age_s)
        if kind == "person.followup":
            self.followups.labels("sent").inc()

    def failed(self, kind: str, reason: str) -> None:
        """One outbox row failed for good or was cancelled."""
        self.outbox_failed.labels(kind, reason).inc()
        if kind == "person.followup":
            self.followups.labels("failed").inc()

    def retried(self, kind: str, reason: str) -> None:
        """One outbox row put back for later."""
        self.outbox_retried.labels(kind, reason).inc()


class CountingScreen:
    """A ``CrisisScreen`` that counts what it flags, by level."""

    def __init__(self, screen: object, metrics: Metrics) -> None:
        self._screen = screen
        self._metrics = metrics

    def screen(self, text: str) -> Screening:
        """Screen, and count a flag."""
        screening: Screening = self._screen.screen(text)  # type: ignore[attr-defined]
        if screening.flagged:
            self._metrics.crisis_flags.labels(screening.level.value).inc()
        return screening


class CountingNlu:
    """An ``Nlu`` that counts the calls that gave no interpretation."""

    def __init__(self, nlu: object, metrics: Metrics) -> None:
        self._nlu = nlu
        self._metrics = metrics

    async def parse(self, text: str, language: Language) -> Interpretation | NluUnavailable:
        """Parse, and count an outage."""
        result: Interpretation | NluUnavailable = await self._nlu.parse(text, language)  # type: ignore[attr-defined]
        if isinstance(result, NluUnavailable):
            self._metrics.nlu_errors.labels(_reason(result.reason)).inc()
        return result


def _reason(reason: str) -> str:
    """A short, bounded label from the client's reason."""
    lowered = reason.lower()
    for known in ("circuit open", "timeout", "timed out", "connect", "status", "invalid"):
        if known in lowered:
            return known.replace(" ", "_")
    return "other"
