"""Async client of Rasa's HTTP API: ``POST /model/parse`` → ``Interpretation``.

Rasa being slow, down or confused is an expected event, not an error: every failure becomes
``NluUnavailable(reason)`` and the person still gets buttons. A circuit breaker stops asking a
server that keeps failing (each try would cost the person ``timeout_s``), and lets one trial
request through after ``reset_after_s`` so the bot recovers by itself.

Nothing here logs message text: only event kinds and reasons.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from flows.domain import Language, Theme
from flows.understanding import Entity, Intent, Interpretation, NluUnavailable

log = logging.getLogger(__name__)

ENTITY_KINDS = frozenset({"place", "postal_code"})
NEED_PREFIX = "need_"
FAQ_INTENT = "faq"
# Rasa intent names that map one to one onto ``Intent`` (need_* and faq are handled apart).
PLAIN_INTENTS = frozenset(
    i.value for i in Intent if i not in (Intent.NEED, Intent.FAQ, Intent.UNKNOWN)
)
# Entities from lookup tables and regexes are exact; DIET's learned ones come after.
EXTRACTOR_ORDER = {"RegexEntityExtractor": 0, "EntitySynonymMapper": 0}


class _RasaIntent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    confidence: float = 0.0
    full_retrieval_intent_name: str | None = None


class _RasaEntity(BaseModel):
    model_config = ConfigDict(extra="ignore")

    entity: str
    value: Any = None
    extractor: str | None = None


class _RankedIntent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    confidence: float = 0.0


class _RasaParse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    intent: _RasaIntent | None = None
    entities: list[_RasaEntity] = []
    intent_ranking: list[_RankedIntent] = []
    response_selector: dict[str, Any] | None = None


class _SelectedResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    intent_response_key: str | None = None
    confidence: float = 0.0


class _RankedResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    intent_response_key: str | None = None
    confidence: float = 0.0


class _Selection(BaseModel):
    model_config = ConfigDict(extra="ignore")

    response: _SelectedResponse
    ranking: list[_RankedResponse] = []


class RasaNluClient:
    """``Nlu`` port over Rasa's ``/model/parse``, with a timeout and a circuit breaker."""

    def __init__(
        self,
        base_url: str,
        timeout_s: float = 2.0,
        *,
        http: httpx.AsyncClient | None = None,
        failure_threshold: int = 3,
        reset_after_s: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self._url = base_url.rstrip("/") + "/model/parse"
        self._timeout_s = timeout_s
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout_s)
        self._failure_threshold = failure_threshold
        self._reset_after_s = reset_after_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def circuit_open(self) -> bool:
        """True while the breaker refuses to call Rasa (before the next trial)."""
        return self._opened_at is not None

    async def parse(self, text: str, language: Language) -> Interpretation | NluUnavailable:
        """Interpret one message. Never raises for an outage: returns ``NluUnavailable``.

        One bilingual model reads French and English alike, so ``language`` is not sent.
        """
        del language
        if not text.strip():
            return Interpretation(Intent.UNKNOWN, 0.0)
        if self._opened_at is not None:
            if self._trial_in_flight or self._clock() - self._opened_at < self._reset_after_s:
                return NluUnavailable("circuit open")
            self._trial_in_flight = True  # half-open: this call is the one trial
        try:
            reading = await self._request(text)
        except _RasaFailure as failure:
            self._record_failure(failure.reason)
            return NluUnavailable(failure.reason)
        finally:
            self._trial_in_flight = False
        self._record_success()
        return reading

    async def aclose(self) -> None:
        """Close the HTTP client (only if this client created it)."""
        if self._owns_http:
            await self._http.aclose()

    # --- internals ------------------------------------------------------------------------

    async def _request(self, text: str) -> Interpretation:
        try:
            async with asyncio.timeout(self._timeout_s):
                response = await self._http.post(
                    self._url, json={"text": text}, timeout=self._timeout_s
                )
        except (TimeoutError, httpx.TimeoutException) as err:
            raise _RasaFailure("timeout") from err
        except httpx.ConnectError as err:
            raise _RasaFailure("connection refused") from err
        except httpx.HTTPError as err:
            raise _RasaFailure(f"transport error ({type(err).__name__})") from err
        if response.status_code != httpx.codes.OK:
            raise _RasaFailure(f"http {response.status_code}")
        try:
            parsed = _RasaParse.model_validate_json(response.content)
        except ValidationError as err:
            raise _RasaFailure("bad response") from err
        return _interpretation(parsed)

    def _record_failure(self, reason: str) -> None:
        self._failures += 1
        if self._opened_at is not None:
            self._opened_at = self._clock()
            log.warning("nlu circuit stays open after a failed trial: %s", reason)
        elif self._failures >= self._failure_threshold:
            self._opened_at = self._clock()
            log.warning("nlu circuit opened after %d failures: %s", self._failures, reason)
        else:
            log.warning("nlu unavailable: %s", reason)

    def _record_success(self) -> None:
        if self._opened_at is not None:
            log.info("nlu circuit closed: Rasa answers again")
        self._failures = 0
        self._opened_at = None


class _RasaFailure(Exception):
    """Rasa did not give a usable answer (internal: turned into ``NluUnavailable``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _unit(value: float) -> float:
    """A confidence Rasa gave, made safe: finite and within [0, 1]."""
    if not math.isfinite(value):
        return 0.0
    return min(max(value, 0.0), 1.0)


def _theme_of(name: str | None) -> Theme | None:
    """The theme of a ``need_<theme>`` intent name, if it is one of ours."""
    if not name or not name.startswith(NEED_PREFIX):
        return None
    theme_id = name.removeprefix(NEED_PREFIX)
    return Theme(theme_id) if theme_id in Theme.__members__.values() else None


def _interpretation(parsed: _RasaParse) -> Interpretation:
    """Map Rasa's parse onto the core's ``Interpretation``."""
    name = parsed.intent.name if parsed.intent else None
    confidence = _unit(parsed.intent.confidence) if parsed.intent else 0.0
    entities = _entities(parsed.entities)
    if not name:
        return Interpretation(Intent.UNKNOWN, 0.0, entities=entities)
    if name.startswith(NEED_PREFIX):
        theme = _theme_of(name)
        if theme is not None:
            return Interpretation(Intent.NEED, confidence, theme=theme, entities=entities)
        return Interpretation(Intent.UNKNOWN, confidence, entities=entities)
    second, second_confidence = _second_theme(parsed)
    extra: dict[str, Any] = {
        "entities": entities,
        "second_theme": second,
        "second_theme_confidence": second_confidence,
    }
    if name == FAQ_INTENT or name.startswith(f"{FAQ_INTENT}/"):
        selections = _selections(parsed)
        topic, topic_confidence = _faq_topic(parsed, selections)
        if topic is None:
            return Interpretation(Intent.UNKNOWN, confidence, **extra)
        runner_up, runner_up_confidence = _faq_runner_up(selections, topic)
        return Interpretation(
            Intent.FAQ,
            confidence,
            faq_key=topic,
            faq_confidence=topic_confidence,
            faq_runner_up=runner_up,
            faq_runner_up_confidence=runner_up_confidence,
            **extra,
        )
    if name in PLAIN_INTENTS:
        return Interpretation(Intent(name), confidence, **extra)
    return Interpretation(Intent.UNKNOWN, confidence, **extra)


def _second_theme(parsed: _RasaParse) -> tuple[Theme | None, float]:
    """The best ``need_<theme>`` of the ranking (the top intent is not a need)."""
    best: tuple[Theme | None, float] = (None, 0.0)
    for ranked in parsed.intent_ranking:
        theme = _theme_of(ranked.name)
        confidence = _unit(ranked.confidence)
        if theme is not None and (best[0] is None or confidence > best[1]):
            best = (theme, confidence)
    return best


def _selections(parsed: _RasaParse) -> list[_Selection]:
    """The ResponseSelector's answers for the FAQ (its own key, then ``default``), read once."""
    selections: list[_Selection] = []
    selector = parsed.response_selector or {}
    for key in (FAQ_INTENT, "default"):
        raw = selector.get(key)
        if raw is None:
            continue
        try:
            selections.append(_Selection.model_validate(raw))
        except ValidationError:
            continue
    return selections


def _faq_topic(parsed: _RasaParse, selections: list[_Selection]) -> tuple[str | None, float]:
    """The FAQ topic and the selector's confidence in it.

    From the ResponseSelector's response, else from the full retrieval intent name (then the
    confidence is the one the selector's ranking gives that topic, 0.0 if absent).
    """
    candidates: list[tuple[str | None, float | None]] = [
        (s.response.intent_response_key, s.response.confidence) for s in selections
    ]
    if parsed.intent is not None:
        candidates.append((parsed.intent.full_retrieval_intent_name, None))
    prefix = f"{FAQ_INTENT}/"
    for candidate, given in candidates:
        if candidate and candidate.startswith(prefix) and candidate.removeprefix(prefix):
            ranked = (
                r.confidence
                for s in selections
                for r in s.ranking
                if r.intent_response_key == candidate
            )
            confidence = given if given is not None else next(ranked, 0.0)
            return candidate.removeprefix(prefix), _unit(confidence)
    return None, 0.0


def _faq_runner_up(selections: list[_Selection], topic: str) -> tuple[str | None, float]:
    """The selector's best other topic than ``topic``, with its confidence."""
    prefix = f"{FAQ_INTENT}/"
    best: tuple[str | None, float] = (None, 0.0)
    for selection in selections:
        for ranked in selection.ranking:
            key = (ranked.intent_response_key or "").removeprefix(prefix)
            confidence = _unit(ranked.confidence)
            if key and key != topic and confidence > best[1]:
                best = (key, confidence)
    return best


def _entities(raw: list[_RasaEntity]) -> tuple[Entity, ...]:
    """Place and postal-code entities, exact extractors first, without duplicates."""
    ranked = sorted(
        (e for e in raw if e.entity in ENTITY_KINDS and isinstance(e.value, str)),
        key=lambda e: EXTRACTOR_ORDER.get(e.extractor or "", 1),
    )
    seen: set[tuple[str, str]] = set()
    out: list[Entity] = []
    for entity in ranked:
        value = " ".join(str(entity.value).split())
        if entity.entity == "postal_code":
            value = value.upper()
        if value and (entity.entity, value) not in seen:
            seen.add((entity.entity, value))
            out.append(Entity(entity.entity, value))
    return tuple(out)
