"""The team's closed days: public holidays of the jurisdiction and days the team chose."""

from __future__ import annotations

from datetime import date

import holidays

from flows.domain import Jurisdiction

# Québec's statutory holidays are provincial (Fête nationale, Journée nationale des patriotes);
# France's are national (Alsace-Moselle's extra days would need the "6AE" subdivision).
_CALENDARS = {Jurisdiction.QC: ("CA", "QC"), Jurisdiction.FR: ("FR", None)}


class TeamClosedDays:
    """``ClosedDays``: public holidays (if observed) plus the team's own closed days."""

    def __init__(
        self,
        jurisdiction: Jurisdiction,
        *,
        public_holidays: bool = True,
        extra: frozenset[date] = frozenset(),
    ) -> None:
        country, subdivision = _CALENDARS[jurisdiction]
        self._holidays = (
            holidays.country_holidays(country, subdiv=subdivision) if public_holidays else None
        )
        self._extra = extra

    def is_closed(self, day: date) -> bool:
        """True on a public holiday (when observed) or a day the team closed."""
        if day in self._extra:
            return True
        return self._holidays is not None and day in self._holidays
