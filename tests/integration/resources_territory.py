"""A small, hand-checked territory for directory tests, written as a template sheet.

Every place sits at a known distance north or east of ``ORIGIN`` so that each expected
order, radius and opening state can be worked out by hand:

| id | theme | where | hours | notes |
|---|---|---|---|---|
| soupe | food | 300 m N | Mo-Fr 11:30-13:00, closed on holidays | free, walk-in, EN text |
| jeunes | food | 800 m E | Mo-Fr 15:00-18:00 | ages 12-17 |
| banque | food | 1.2 km N | Tu,Th 13:00-16:00; PH off | free, by appointment, what to bring |
| frigo | food | 2.5 km E | 24/7 | free, walk-in |
| epicerie | food | 4 km N | Mo-Sa 10:00-18:00, closed on holidays | not free, walk-in |
| refuge | shelter | 600 m E | Mo-Su 19:00-08:00 | open on holidays, last entry midnight |
| ado | shelter | 1.9 km E | 24/7 | ages 12-17, youth |
| maison | violence | 1.7 km N | 24/7 | confidential (shown ≈ 2 km), women and families |
| clinique | health | 500 m N | Mo-Fr 09:00-17:00 | closed 2026-11-16 to 11-30 (Travaux) |
| juridique | legal | 10 km E | Mo-Fr 09:00-17:00 | only legal service: 15 km widening |
| emploi | employment | 30 km N | Mo-Fr 09:00-17:00 | only one: 50 km widening |
"""

from __future__ import annotations

import csv
import math
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from resources_db.template_sheet import schema

MONTREAL = ZoneInfo("America/Montreal")
ORIGIN = (45.4000, -71.9000)
WEDNESDAY_NOON = datetime(2026, 11, 18, 12, 0, tzinfo=MONTREAL)
FETE_NATIONALE_NOON = datetime(2026, 6, 24, 12, 0, tzinfo=MONTREAL)  # a Wednesday
METRES_PER_DEGREE = 111_195.0


def point(north_m: float = 0, east_m: float = 0) -> tuple[float, float]:
    """A point ``north_m`` and ``east_m`` from ``ORIGIN`` (good to a metre at this scale)."""
    lat = ORIGIN[0] + north_m / METRES_PER_DEGREE
    lon = ORIGIN[1] + east_m / (METRES_PER_DEGREE * math.cos(math.radians(ORIGIN[0])))
    return round(lat, 6), round(lon, 6)


def line(
    key: str, name: str, themes: str, where: tuple[float, float], **extra: str
) -> dict[str, str]:
    """One template line with sensible defaults."""
    lat, lon = where
    row = {
        "id": key,
        "organization": f"Organisme {key}",
        "name": name,
        "themes": themes,
        "address": f"{len(key)} rue Test",
        "city": "Sherbrooke",
        "postal_code": "J1H 1A1",
        "latitude": str(lat),
        "longitude": str(lon),
        "phone": "+1 819 555-0100",
        "opening_hours": "Mo-Fr 09:00-17:00",
        "last_verified": "2026-11-01",
    }
    row.update(extra)
    return row


TERRITORY: list[dict[str, str]] = [
    line(
        "soupe",
        "Soupe A",
        "food",
        point(north_m=300),
        opening_hours="Mo-Fr 11:30-13:00",
        closed_on_holidays="oui",
        free="oui",
        walk_in="oui",
        conditions="Pour tout le monde.",
        conditions_en="Everyone welcome.",
    ),
    line(
        "jeunes",
        "Jeunes E",
        "food",
        point(east_m=800),
        opening_hours="Mo-Fr 15:00-18:00",
        age_min="12",
        age_max="17",
        free="oui",
        walk_in="oui",
    ),
    line(
        "banque",
        "Banque B",
        "food",
        point(north_m=1200),
        opening_hours="Tu,Th 13:00-16:00; PH off",
        free="oui",
        walk_in="non",
        what_to_bring="Preuve de résidence",
        what_to_bring_en="Proof of address",
    ),
    line(
        "frigo",
        "Frigo C",
        "food",
        point(east_m=2500),
        opening_hours="24/7",
        free="oui",
        walk_in="oui",
    ),
    line(
        "epicerie",
        "Épicerie D",
        "food",
        point(north_m=4000),
        opening_hours="Mo-Sa 10:00-18:00",
        closed_on_holidays="oui",
        free="non",
        walk_in="oui",
    ),
    line(
        "refuge",
        "Refuge F",
        "shelter",
        point(east_m=600),
        opening_hours="Mo-Su 19:00-08:00",
        closed_on_holidays="non",
        last_entry="00:00",
    ),
    line(
        "ado",
        "Ado I",
        "shelter",
        point(east_m=1900),
        opening_hours="24/7",
        age_min="12",
        age_max="17",
        populations="youth",
    ),
    line(
        "maison",
        "Maison G",
        "violence shelter",
        point(north_m=1700),
        opening_hours="24/7",
        confidential_address="oui",
        populations="women families",
        area="Centre-ville",
        address="",
        postal_code="",
    ),
    line(
        "clinique",
        "Clinique H",
        "health",
        point(north_m=500),
        closed_from="2026-11-16",
        closed_until="2026-11-30",
        closure_reason="Travaux",
        closure_reason_en="Renovations",
    ),
    line("juridique", "Clinique juridique I", "legal", point(east_m=10_000)),
    line("emploi", "Emploi J", "employment", point(north_m=30_000)),
]

GAZETTEER = """jurisdiction,kind,name,latitude,longitude,aliases
qc,neighbourhood,Saint-Élie,45.396,-72.039,saint-élie-d'orford|st-élie
qc,neighbourhood,Centre-ville,45.401,-71.892,centre ville|downtown
qc,city,Sherbrooke,45.4042,-71.8929,
fr,postal_code,25000,47.2380,6.0240,Besançon
"""


def write_sheet(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write ``rows`` as a template sheet (every column, in the template's order)."""
    fields = [f["name"] for f in schema()["fields"]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in fields})
    return path
