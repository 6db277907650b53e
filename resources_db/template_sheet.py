"""The one-sheet CSV template: one line per service at one place, for teams without HSDS.

The columns are described in ``resources_db/template/schema.json`` (a frictionless Table
Schema) and ``resources_db/template/README.md``; an empty sheet to fill is
``resources_db/template/passerelle-resources.csv``. Each line becomes an organization (shared
by name), a service, a location, their link, an address, phones, hours and a closure, with
ids derived from the line's own ``id``: importing the sheet again updates those rows.

Everything the team controls is checked strictly: unknown themes or populations,
unreadable opening hours, half or impossible coordinates, an age range upside down or a
closure ending before it starts reject the sheet, with the row and the column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from flows.domain import Jurisdiction, Theme
from resources_db.bundle import Bundle, ImportRejected, Problem
from resources_db.geo import fold, valid_coordinates
from resources_db.hours import (
    HolidayRule,
    HoursError,
    byday_of,
    holiday_rule_of_osm,
    is_osm_always_open,
    parse_osm,
    slots_from_osm,
)
from resources_db.models.resources import (
    Address,
    Closure,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServicePopulation,
    ServiceTheme,
)
from resources_db.tabular import Table, read_table
from resources_db.vocabulary import POPULATIONS, stable_id

_SPLIT = re.compile(r"[\s,;]+")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
THEME_IDS = tuple(t.value for t in Theme)


@cache
def schema() -> dict[str, Any]:
    """The template's Table Schema."""
    text = (resources.files("resources_db.template") / "schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def read_template(path: Path) -> Table:
    """Check the sheet with frictionless and read it; raise ``ImportRejected`` on errors."""
    table, errors, _warnings = read_table(path, schema())
    if errors or table is None:
        raise ImportRejected(errors)
    return table


def bundle_from_template(
    table: Table, *, jurisdiction: Jurisdiction, now: datetime, demo: bool = False
) -> Bundle:
    """The rows the sheet describes; raise ``ImportRejected`` listing every problem."""
    bundle = Bundle()
    errors: list[Problem] = []
    for row_number, row in table.rows:
        line = _Line(table.file, row_number, row)
        problems = line.check()
        if problems:
            errors.extend(problems)
        elif not errors:
            line.emit(bundle, jurisdiction=jurisdiction, now=now, demo=demo)
    if errors:
        raise ImportRejected(errors)
    return bundle


@dataclass
class _Line:
    """One sheet line: its checks, then the rows it stands for."""

    file: str
    row_number: int
    row: dict[str, Any]
    themes: list[str] = field(default_factory=list)
    populations: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    osm: str | None = None

    def check(self) -> list[Problem]:
        """Everything wrong with the line (an empty list when it can be imported)."""
        row = self.row
        problems: list[Problem] = []

        def problem(field_name: str, message: str) -> None:
            problems.append(Problem(self.file, self.row_number, field_name, message))

        self.themes = _words(row["themes"])
        for theme in self.themes:
            if theme not in THEME_IDS:
                problem("themes", f"{theme!r} is not a theme; use: {' '.join(THEME_IDS)}")
        self.populations = _words(row["populations"])
        for population in self.populations:
            if population not in POPULATIONS:
                problem("populations", f"{population!r} is not one of: {' '.join(POPULATIONS)}")
        self.languages = _words(row["languages"])
        for language in self.languages:
            if not _LANGUAGE.match(language):
                problem("languages", f"{language!r} is not a language code like fr, en, es")
        lat, lon = row["latitude"], row["longitude"]
        if (lat is None) != (lon is None):
            missing = "longitude" if lon is None else "latitude"
            problem(missing, "latitude and longitude go together")
        elif lat is not None and not valid_coordinates(lat, lon):
            problem("latitude", f"({lat}, {lon}) is not a point on Earth")
        if row["opening_hours"]:
            try:
                self.osm = parse_osm(row["opening_hours"])
            except HoursError as err:
                problem("opening_hours", str(err))
        low, high = row["age_min"], row["age_max"]
        if low is not None and high is not None and low > high:
            problem("age_max", f"is below age_min ({low})")
        if row["closed_until"] is not None and row["closed_from"] is None:
            problem("closed_from", "a closure needs its first day")
        elif (
            row["closed_from"] and row["closed_until"] and row["closed_until"] < row["closed_from"]
        ):
            problem("closed_until", "ends before closed_from")
        confidential = bool(row["confidential_address"])
        if confidential and not (row["area"] or row["city"]):
            problem("area", "a confidential place needs the area to show instead of its address")
        if row["address"] and not confidential:
            for needed in ("city", "postal_code"):
                if not row[needed]:
                    problem(needed, "an address needs its city and postal code")
        return problems

    def emit(
        self, bundle: Bundle, *, jurisdiction: Jurisdiction, now: datetime, demo: bool
    ) -> None:
        """Add the line's rows to ``bundle`` (call after ``check`` found nothing wrong)."""
        row, key, osm = self.row, self.row["id"], self.osm
        org_id = stable_id("template", "organization", fold(row["organization"]))
        service_id = stable_id("template", "service", key)
        location_id = stable_id("template", "location", key)
        source = (row["source"] or f"template:{self.file}")[:120]
        is_demo = demo or bool(row["demo"])
        confidential = bool(row["confidential_address"])
        always_open = bool(osm) and is_osm_always_open(osm or "")
        holidays = HolidayRule.UNKNOWN
        if row["closed_on_holidays"] is not None:
            holidays = HolidayRule.CLOSED if row["closed_on_holidays"] else HolidayRule.OPEN
        elif osm:
            holidays = holiday_rule_of_osm(osm)
        if org_id not in bundle.ids(Organization):
            bundle.rows[Organization].append(
                {
                    "id": org_id,
                    "name": row["organization"],
                    "demo": is_demo,
                    "source": source,
                    "imported_at": now,
                }
            )
        bundle.rows[Location].append(
            {
                "id": location_id,
                "organization_id": org_id,
                "location_type": "physical",
                "name": row["name"],
                "latitude": row["latitude"],
                "longitude": row["longitude"],
                "confidential": confidential,
                "area": row["area"] or row["city"],
                "demo": is_demo,
            }
        )
        bundle.rows[Service].append(
            {
                "id": service_id,
                "organization_id": org_id,
                "name": row["name"],
                "description": row["description"],
                "url": row["website"],
                "email": row["email"],
                "status": "active",
                "eligibility_description": row["conditions"],
                "eligibility_description_en": row["conditions_en"],
                "alert": row["alert"],
                "alert_en": row["alert_en"],
                "minimum_age": row["age_min"],
                "maximum_age": row["age_max"],
                "assured_date": row["last_verified"],
                "free": row["free"],
                "walk_in": row["walk_in"],
                "no_id_needed": row["no_id_needed"],
                "anonymous": row["anonymous"],
                "pets_allowed": row["pets_allowed"],
                "capacity_level": row["capacity"],
                "capacity_updated_at": row["capacity_updated"] if row["capacity"] else None,
                "always_open": always_open,
                "holidays": holidays.value,
                "opening_hours": osm,
                "last_entry": row["last_entry"],
                "source": source,
                "source_ref": key,
                "imported_at": now,
                "demo": is_demo,
            }
        )
        bundle.rows[ServiceAtLocation].append(
            {
                "id": stable_id("template", "service_at_location", key),
                "service_id": service_id,
                "location_id": location_id,
            }
        )
        self._address(bundle, location_id, jurisdiction, confidential=confidential)
        self._details(bundle, service_id)
        if osm:
            _schedules(bundle, key, service_id, osm, always_open=always_open, holidays=holidays)

    def _address(
        self, bundle: Bundle, location_id: str, jurisdiction: Jurisdiction, *, confidential: bool
    ) -> None:
        row = self.row
        if not row["address"]:
            return
        if confidential:
            bundle.warnings.append(
                Problem(
                    self.file,
                    self.row_number,
                    "address",
                    "confidential place: the address is not kept",
                )
            )
            return
        country = (row["country"] or ("CA" if jurisdiction is Jurisdiction.QC else "FR")).upper()
        bundle.rows[Address].append(
            {
                "id": stable_id("template", "address", row["id"]),
                "location_id": location_id,
                "address_1": row["address"],
                "city": row["city"],
                "state_province": _province(country, row["postal_code"]),
                "postal_code": row["postal_code"],
                "country": country,
                "address_type": "physical",
            }
        )

    def _details(self, bundle: Bundle, service_id: str) -> None:
        """Phones, closure, what to bring, languages, themes and populations."""
        row, key = self.row, self.row["id"]
        numbers = [n.strip() for n in (row["phone"] or "").split(";") if n.strip()]
        for index, number in enumerate(numbers):
            bundle.rows[Phone].append(
                {
                    "id": stable_id("template", "phone", key, str(index)),
                    "service_id": service_id,
                    "number": number,
                    "type": "voice",
                }
            )
        if row["closed_from"] is not None:
            bundle.rows[Closure].append(
                {
                    "id": stable_id("template", "closure", key),
                    "service_id": service_id,
                    "starts_on": row["closed_from"],
                    "ends_on": row["closed_until"],
                    "reason": row["closure_reason"],
                    "reason_en": row["closure_reason_en"],
                }
            )
        if row["what_to_bring"] or row["what_to_bring_en"]:
            bundle.rows[RequiredDocument].append(
                {
                    "id": stable_id("template", "required_document", key),
                    "service_id": service_id,
                    "document": row["what_to_bring"] or row["what_to_bring_en"],
                    "document_en": row["what_to_bring_en"],
                }
            )
        for language in dict.fromkeys(self.languages):
            bundle.rows[ServiceLanguage].append(
                {
                    "id": stable_id("template", "language", key, language),
                    "service_id": service_id,
                    "code": language,
                }
            )
        for theme in dict.fromkeys(self.themes):
            bundle.sets[ServiceTheme].append({"service_id": service_id, "theme": theme})
        for population in dict.fromkeys(self.populations):
            bundle.sets[ServicePopulation].append(
                {"service_id": service_id, "population": population}
            )


def _words(cell: str | None) -> list[str]:
    return [word for word in _SPLIT.split((cell or "").lower()) if word]


def _schedules(
    bundle: Bundle,
    key: str,
    service_id: str,
    osm: str,
    *,
    always_open: bool,
    holidays: HolidayRule,
) -> None:
    """HSDS schedule rows for the export; the search evaluates the OSM string itself."""
    if always_open:
        spans = [("MO,TU,WE,TH,FR,SA,SU", time(0), time(23, 59))]
    else:
        spans = [(byday_of(s), s.opens, s.closes) for s in slots_from_osm(osm)]
    note = "Closed on public holidays." if holidays is HolidayRule.CLOSED else None
    for index, (byday, opens, closes) in enumerate(spans):
        bundle.rows[Schedule].append(
            {
                "id": stable_id("template", "schedule", key, str(index)),
                "service_id": service_id,
                "freq": "WEEKLY",
                "byday": byday,
                "opens_at": opens,
                "closes_at": closes,
                "description": osm,
                "notes": note,
            }
        )


def _province(country: str, postal_code: str | None) -> str:
    """HSDS wants a state/province: Québec for Canada here, the département in France."""
    if country == "FR" and postal_code:
        return postal_code.strip()[:2]
    return "QC" if country == "CA" else country
