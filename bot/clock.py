"""The system clock adapter."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


class SystemClock:
    """``Clock`` on the machine's clock, in the deployment's time zone."""

    def __init__(self, timezone: str) -> None:
        self._zone = ZoneInfo(timezone)

    def now(self) -> datetime:
        """The current instant, aware, in the deployment's zone."""
        return datetime.now(self._zone)
