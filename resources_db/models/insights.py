"""Anonymous insight events (append-only, coarse at write time) and the posters' codes.

``insight_events`` has no pseudonym, alias, id of a person, coordinates or free text: a time
bucket (week, day of week, hour, in the deployment's zone), a theme, a coarse area label, a
language, a poster code and an outcome. ``posters`` records which place a code was printed
for, so that the report and ``passerelle poster --list`` can name it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.models.base import Base


class InsightRow(Base):
    """One anonymous insight event. Append-only: triggers (migration 0005) refuse UPDATE."""

    __tablename__ = "insight_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    week: Mapped[date] = mapped_column(Date, index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    hour: Mapped[int] = mapped_column(SmallInteger)
    theme: Mapped[str | None] = mapped_column(String(32))
    area: Mapped[str | None] = mapped_column(String(80))
    reach: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(48))
    language: Mapped[str | None] = mapped_column(String(8))
    came_back: Mapped[bool | None] = mapped_column(Boolean)


class PosterRow(Base):
    """A poster code and the place it was printed for (the team's words, not a person's)."""

    __tablename__ = "posters"

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    place: Mapped[str] = mapped_column(String(120))
    printed_on: Mapped[date] = mapped_column(Date)
