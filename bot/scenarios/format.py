"""The conversation scenario format (docs/scenarios.md): strict, so a typo is an error.

A scenario is one conversation as a person (and, where it matters, a worker) lives it. Every
key has one meaning; an unknown key is refused with the file, the step and the key, never
silently ignored — a deploying team's misspelt expectation must not pass unnoticed.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

CRISIS_LEVELS = ("none", "concern", "urgent")
CASE_STATUSES = ("none", "queued", "worker", "closed")
PRIORITIES = ("normal", "high", "urgent")
WORKER_ACTIONS = ("take", "give_back", "close", "reopen", "confirm", "cancel")
MEDIA_KEYS = ("sticker", "voice", "photo", "document", "contact")
ACTION_KEYS = (
    "say",
    "press",
    "location",
    "command",
    "wait",
    "worker",
    "worker_says",
    "worker_note",
    "worker_priority",
    "worker_ready",
    "worker_command",
    "worker_press",
    *MEDIA_KEYS,
)
WORKER_KEYS = (
    "worker",
    "worker_says",
    "worker_note",
    "worker_priority",
    "worker_ready",
    "worker_command",
    "worker_press",
)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|min|h|d)\s*$")
_UNITS = {"s": "seconds", "min": "minutes", "h": "hours", "d": "days"}


class ScenarioError(Exception):
    """A scenario file that cannot be played, with where and why."""


def parse_duration(text: str) -> timedelta:
    """``"2h"``, ``"90 min"``, ``"30s"``, ``"1d"`` → a ``timedelta``."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a duration (e.g. 30s, 10min, 2h, 1d)")
    return timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})


def _one_or_many(value: Any) -> Any:
    """``"food"`` and ``["food", "shelter"]`` both become a list."""
    if isinstance(value, str):
        return [value]
    return value


OneOrMany = Annotated[list[str], BeforeValidator(_one_or_many)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ResultsExpect(_Strict):
    """Resource results shown in the step."""

    theme: str | None = None
    count_min: int | None = Field(default=None, ge=0)
    first_open_now: bool | None = None
    all_open_now: bool | None = None
    max_distance_m: int | None = Field(default=None, ge=0)
    fits_age: int | None = Field(default=None, ge=0, le=120)
    first_id: str | None = None
    not_ids: list[str] = Field(default_factory=list)


class CaseExpect(_Strict):
    """The person's case after the step."""

    status: Literal["none", "queued", "worker", "closed"] | None = None
    priority: Literal["normal", "high", "urgent"] | None = None
    reason: str | None = None


class SeenExpect(_Strict):
    """What someone (the person, the staff group) received in the step."""

    reply: bool | None = None
    contains: list[str] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)
    first_contains: str | None = None
    language: Literal["fr", "en"] | None = None

    @field_validator("contains", "not_contains")
    @classmethod
    def _valid_patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            re.compile(pattern)
        return patterns


class StaffExpect(_Strict):
    """What the staff group received in the step."""

    reply: bool | None = None
    contains: list[str] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)


class Expect(SeenExpect):
    """Every expectation a step may carry (FORMAT.md); all given must hold."""

    crisis: OneOrMany | None = None
    crisis_category: str | None = None
    faq: OneOrMany | None = None
    theme: OneOrMany | None = None
    case: CaseExpect | None = None
    results: ResultsExpect | None = None
    staff_sees: StaffExpect | None = None
    person_sees: SeenExpect | None = None

    @field_validator("crisis")
    @classmethod
    def _known_levels(cls, levels: list[str] | None) -> list[str] | None:
        for level in levels or ():
            if level not in CRISIS_LEVELS:
                raise ValueError(f"crisis is one of {', '.join(CRISIS_LEVELS)}, not {level!r}")
        return levels


class Step(_Strict):
    """One thing the person or a worker does, and what must hold afterwards."""

    say: str | None = None
    press: str | int | None = None
    location: tuple[float, float] | None = None
    command: str | None = None
    wait: str | None = None
    worker: Literal["take", "give_back", "close", "reopen", "confirm", "cancel"] | None = None
    worker_says: str | None = None
    worker_note: str | None = None
    worker_priority: Literal["urgent", "high", "normal"] | None = None
    worker_ready: str | None = None
    worker_command: str | None = None
    worker_press: str | int | None = None
    sticker: bool | None = None
    voice: bool | None = None
    photo: bool | None = None
    document: bool | None = None
    contact: bool | None = None
    expect: Expect | None = None

    @model_validator(mode="after")
    def _exactly_one_action(self) -> Step:
        given = [key for key in ACTION_KEYS if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a step does exactly one thing ({', '.join(ACTION_KEYS)}); this one has "
                f"{', '.join(given) or 'none'}"
            )
        if self.wait is not None:
            parse_duration(self.wait)
        for typed in (self.command, self.worker_command):
            if typed is not None and not typed.startswith("/"):
                raise ValueError(f"a command starts with '/': {typed!r}")
        return self

    @property
    def action(self) -> str:
        """The one action key of the step."""
        return next(key for key in ACTION_KEYS if getattr(self, key) is not None)

    @property
    def is_worker(self) -> bool:
        """True for a worker's step (take, close…, says, note, priority, ready, command, press)."""
        return self.action in WORKER_KEYS

    def describe(self) -> str:
        """A short line naming the step, for reports."""
        value = getattr(self, self.action)
        return self.action if value is True else f"{self.action}: {value}"


class Scenario(_Strict):
    """One conversation file."""

    name: str
    jurisdiction: Literal["qc", "fr"] = "qc"
    phone_language: str = "fr"
    clock: datetime | None = None
    team_hours: str | None = None
    staff_group: bool = True
    settings: dict[str, str | int | float | bool] = Field(default_factory=dict)
    steps: list[Step] = Field(min_length=1)

    @field_validator("clock")
    @classmethod
    def _local_clock(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            raise ValueError("clock is the deployment's local time, without a UTC offset")
        return value


def load_scenario(path: Path) -> Scenario:
    """Read and validate one scenario file.

    Raises:
        ScenarioError: the file is not YAML or not a valid scenario (the message says where).
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ScenarioError(f"{path}: cannot read it as YAML: {err}") from err
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping with name and steps")
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in err.errors()
        )
        raise ScenarioError(f"{path}: {problems}") from err


def scenario_files(paths: list[Path]) -> list[Path]:
    """Every ``*.yml``/``*.yaml`` file named or found under the given folders, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.y*ml") if p.suffix in (".yml", ".yaml")))
        elif path.exists():
            found.append(path)
        else:
            raise ScenarioError(f"{path}: no such file or folder")
    return found
