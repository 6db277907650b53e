"""The dated registry of emergency numbers and crisis lines, read from ``crisis_lines.toml``.

A wrong number in a crisis is worse than none, so the file is validated strictly at load
(unknown keys, missing fields, bad kinds are errors) and every entry carries the date it was
last checked; ``stale_warning`` turns old dates into a start-up warning.
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flows.domain import Jurisdiction
from flows.understanding import CrisisLine, CrisisLines

DEFAULT_PATH = Path(__file__).with_name("crisis_lines.toml")

AUDIENCES = frozenset(
    {
        "suicide",
        "distress",
        "violence",
        "sexual_assault",
        "youth",
        "children",
        "drugs",
        "medical",
        "police",
        "shelter",
        "cannot_speak",
    }
)


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    contact: str = Field(min_length=1)
    kind: Literal["call", "sms"]
    hours: str = Field(min_length=1)
    audience: tuple[str, ...] = Field(min_length=1)
    source: str = Field(pattern=r"^https?://")
    verified: date


class _Jurisdiction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    emergency_number: str = Field(min_length=1)
    verified: date
    lines: tuple[_Line, ...] = Field(min_length=1)


class _Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    qc: _Jurisdiction
    fr: _Jurisdiction


class CrisisLineRegistryError(ValueError):
    """The registry file is missing, unreadable or invalid."""


class FileCrisisLineRegistry:
    """``CrisisLineRegistry`` read from a dated TOML file."""

    def __init__(self, lines: dict[Jurisdiction, CrisisLines], dates: tuple[date, ...]) -> None:
        self._lines = lines
        self._dates = dates

    @classmethod
    def load(cls, path: Path | None = None) -> FileCrisisLineRegistry:
        """Read and validate the registry (the one shipped with the package by default)."""
        path = path or DEFAULT_PATH
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            registry = _Registry.model_validate(raw)
        except (OSError, tomllib.TOMLDecodeError, ValidationError) as err:
            raise CrisisLineRegistryError(f"crisis line registry {path}: {err}") from err
        lines: dict[Jurisdiction, CrisisLines] = {}
        dates: list[date] = []
        for jurisdiction in Jurisdiction:
            entry: _Jurisdiction = getattr(registry, jurisdiction.value)
            for line in entry.lines:
                unknown = set(line.audience) - AUDIENCES
                if unknown:
                    raise CrisisLineRegistryError(
                        f"crisis line registry {path}: {line.name}: unknown audience {unknown}"
                    )
            lines[jurisdiction] = CrisisLines(
                emergency_number=entry.emergency_number,
                lines=tuple(_to_line(line) for line in entry.lines),
                verified=entry.verified.isoformat(),
            )
            dates.extend([entry.verified, *(line.verified for line in entry.lines)])
        return cls(lines, tuple(dates))

    def lines_for(self, jurisdiction: Jurisdiction) -> CrisisLines:
        """The emergency number and lines of one jurisdiction."""
        return self._lines[jurisdiction]

    def stale_warning(self, today: date, max_age_days: int = 180) -> str | None:
        """A warning naming how many entries are older than ``max_age_days``, or None."""
        limit = today - timedelta(days=max_age_days)
        stale = sorted(d for d in self._dates if d < limit)
        if not stale:
            return None
        return (
            f"crisis line registry: {len(stale)} of {len(self._dates)} dates older than "
            f"{max_age_days} days (oldest {stale[0].isoformat()}); re-check the numbers and "
            f"update 'verified' in {DEFAULT_PATH.name}"
        )


def _to_line(line: _Line) -> CrisisLine:
    return CrisisLine(
        name=line.name,
        contact=line.contact,
        kind=line.kind,
        hours=line.hours,
        source=line.source,
        verified=line.verified.isoformat(),
        audience=",".join(line.audience),
    )
