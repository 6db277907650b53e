"""Where the person is, offline: postal codes, known place names, distances.

- A Canadian FSA (the first three characters of a postal code) gives a centroid from the
  ``countrystatecity-postal-codes`` package (ODbL): 1 644 FSAs with coordinates. Only the
  FSA is kept, never the full code: it is the coarse area the design allows.
- A French code postal: that package lists 6 051 French codes with their commune but *no
  coordinates*, so the deployment's gazetteer answers (by code, then by the commune name
  the package gives).
- A neighbourhood or town name: the ``gazetteer`` table, accent-, case- and
  punctuation-insensitive, with aliases ("St-Élie" finds "Saint-Élie").

Nothing is downloaded at run time.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from countrystatecity_postal_codes import get_postcodes_of_country
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.directory import Place
from flows.domain import Jurisdiction
from resources_db.models.resources import Gazetteer, GazetteerName

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = 111_195.0
MAX_NAME_TOKENS = 5
MAX_LOCATE_CHARS = 300
# Canada Post never uses D, F, I, O, Q, U; W and Z never start a code.
_FSA = re.compile(
    r"(?<![A-Za-z0-9])([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])(?:[ -]?\d[ABCEGHJ-NPRSTV-Z]\d)?"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_CODE_POSTAL = re.compile(r"(?<!\d)(\d{2}) ?(\d{3})(?!\d)")
_SAINT = {"st": "saint", "ste": "sainte", "stes": "saintes", "sts": "saints"}
KIND_PREFERENCE = {"neighbourhood": 0, "postal_code": 1, "city": 2}


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """A latitude/longitude rectangle that contains a circle (the SQL prefilter)."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One place a deployment knows, for loading into the ``gazetteer`` table."""

    jurisdiction: Jurisdiction
    kind: str
    name: str
    latitude: float
    longitude: float
    aliases: tuple[str, ...] = ()


# --- distances ----------------------------------------------------------------------------


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(latitude: float, longitude: float, radius_m: float) -> BoundingBox:
    """The smallest lat/lon box containing every point within ``radius_m``.

    Longitude degrees shrink with latitude, so the box widens toward the poles; near a pole
    (or across the antimeridian, which no Passerelle territory crosses) it spans all
    longitudes.
    """
    dlat = radius_m / METRES_PER_DEGREE_LAT
    min_lat, max_lat = max(-90.0, latitude - dlat), min(90.0, latitude + dlat)
    cos_lat = min(math.cos(math.radians(min_lat)), math.cos(math.radians(max_lat)))
    if cos_lat <= 1e-6:
        return BoundingBox(min_lat, max_lat, -180.0, 180.0)
    dlon = radius_m / (METRES_PER_DEGREE_LAT * cos_lat)
    if dlon >= 180:
        return BoundingBox(min_lat, max_lat, -180.0, 180.0)
    return BoundingBox(min_lat, max_lat, longitude - dlon, longitude + dlon)


def valid_coordinates(latitude: float, longitude: float) -> bool:
    """True for a point on Earth (finite, latitude within ±90, longitude within ±180)."""
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90.0 <= latitude <= 90.0
        and -180.0 <= longitude <= 180.0
    )


# --- names --------------------------------------------------------------------------------


def fold(text: str) -> str:
    """A matching key: lower case, no accents, no punctuation, "st" spelled "saint"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^a-z0-9]+", " ", bare).split()
    return " ".join(_SAINT.get(w, w) for w in words)


def _ngrams(key: str) -> list[str]:
    tokens = key.split()
    grams = {
        " ".join(tokens[i : i + n])
        for n in range(1, MAX_NAME_TOKENS + 1)
        for i in range(len(tokens) - n + 1)
    }
    return sorted(grams)


# --- postal codes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostalArea:
    """A postal area found in the person's text."""

    code: str  # an FSA ("J1H") or a French code postal ("25000")
    country: str


def find_postal_code(text: str, jurisdiction: Jurisdiction) -> PostalArea | None:
    """The first postal code in ``text`` for this jurisdiction, reduced to its area."""
    if jurisdiction is Jurisdiction.QC:
        match = _FSA.search(text)
        return PostalArea(match.group(1).upper(), "CA") if match else None
    match = _CODE_POSTAL.search(text)
    return PostalArea(match.group(1) + match.group(2), "FR") if match else None


@dataclass(frozen=True, slots=True)
class PostalRecord:
    """What the offline postal data says about one code."""

    latitude: float | None
    longitude: float | None
    locality: str | None


@lru_cache(maxsize=2)
def _postal_table(country: str) -> dict[str, PostalRecord]:
    table: dict[str, PostalRecord] = {}
    for entry in get_postcodes_of_country(country):
        code = entry.code.replace(" ", "").upper()
        if country == "CA":
            code = code[:3]
        table.setdefault(code, PostalRecord(entry.latitude, entry.longitude, entry.localityName))
    return table


def postal_record(area: PostalArea) -> PostalRecord | None:
    """The offline record of a postal area, if the package has it."""
    return _postal_table(area.country).get(area.code)


# --- the locator --------------------------------------------------------------------------


async def locate(session: AsyncSession, text: str, jurisdiction: Jurisdiction) -> Place | None:
    """A place from a postal code or a known name found in ``text``; None if nothing fits."""
    text = text[:MAX_LOCATE_CHARS]
    area = find_postal_code(text, jurisdiction)
    if area is not None:
        record = postal_record(area)
        if record is not None and record.latitude is not None and record.longitude is not None:
            return Place(record.latitude, record.longitude, area.code)
        found = await _gazetteer_match(session, [fold(area.code)], jurisdiction)
        if found is not None:
            return Place(found.latitude, found.longitude, area.code)
        if record is not None and record.locality:
            found = await _gazetteer_match(session, [fold(record.locality)], jurisdiction)
            if found is not None:
                return Place(found.latitude, found.longitude, area.code)
    key = fold(text)
    if not key:
        return None
    found = await _gazetteer_match(session, _ngrams(key), jurisdiction)
    if found is None:
        return None
    return Place(found.latitude, found.longitude, found.name)


async def _gazetteer_match(
    session: AsyncSession, keys: list[str], jurisdiction: Jurisdiction
) -> Gazetteer | None:
    """The best gazetteer place among ``keys``: the longest name, then the most precise."""
    if not keys:
        return None
    rows = (
        await session.execute(
            select(Gazetteer, GazetteerName.key)
            .join(GazetteerName, GazetteerName.gazetteer_id == Gazetteer.id)
            .where(Gazetteer.jurisdiction == jurisdiction.value, GazetteerName.key.in_(keys))
        )
    ).all()
    if not rows:
        return None
    best = min(
        rows,
        key=lambda row: (
            -len(row[1].split()),
            KIND_PREFERENCE.get(row[0].kind, 9),
            row[0].name,
        ),
    )
    place: Gazetteer = best[0]
    return place


async def load_gazetteer(
    session: AsyncSession, entries: Iterable[GazetteerEntry], *, demo: bool = False
) -> int:
    """Insert or update gazetteer places (by jurisdiction, kind and name) and their names.

    The caller commits. Returns how many places were written.
    """
    count = 0
    for entry in entries:
        place = await session.scalar(
            select(Gazetteer).where(
                Gazetteer.jurisdiction == entry.jurisdiction.value,
                Gazetteer.kind == entry.kind,
                Gazetteer.name == entry.name,
            )
        )
        if place is None:
            place = Gazetteer(
                jurisdiction=entry.jurisdiction.value, kind=entry.kind, name=entry.name
            )
            session.add(place)
        place.latitude = entry.latitude
        place.longitude = entry.longitude
        place.demo = demo
        await session.flush()
        await session.execute(delete(GazetteerName).where(GazetteerName.gazetteer_id == place.id))
        names: dict[str, str] = {}
        for name in (entry.name, *entry.aliases):
            key = fold(name)
            if key:
                names.setdefault(key, name)
        session.add_all(
            GazetteerName(gazetteer_id=place.id, name=name, key=key) for key, name in names.items()
        )
        count += 1
    await session.flush()
    return count
