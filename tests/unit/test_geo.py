"""Where the person is: postal codes offline, place names, distances and the search box."""

from __future__ import annotations

import math

import pytest

from flows.domain import Jurisdiction
from resources_db.geo import (
    PostalArea,
    bounding_box,
    find_postal_code,
    fold,
    haversine_m,
    postal_record,
    valid_coordinates,
)

MONTREAL = (45.5017, -73.5673)
QUEBEC = (46.8139, -71.2080)
SHERBROOKE = (45.4042, -71.8929)


def test_haversine_matches_known_distances() -> None:
    # Montréal – Québec city centres: about 233 km as the crow flies.
    assert haversine_m(*MONTREAL, *QUEBEC) == pytest.approx(233_000, rel=0.01)
    # One minute of latitude is a nautical mile.
    assert haversine_m(45.0, -71.0, 45.0 + 1 / 60, -71.0) == pytest.approx(1852, rel=0.005)
    assert haversine_m(*SHERBROOKE, *SHERBROOKE) == 0


@pytest.mark.parametrize("radius_m", [500, 5_000, 50_000])
@pytest.mark.parametrize("latitude", [45.4, 48.4, 62.0])
def test_the_box_holds_the_whole_circle_and_not_much_more(latitude: float, radius_m: int) -> None:
    box = bounding_box(latitude, -71.9, radius_m)
    for bearing in range(0, 360, 5):
        # A point on the circle, found by walking ``radius_m`` along ``bearing``.
        lat, lon = _destination(latitude, -71.9, bearing, radius_m * 0.9999)
        assert box.min_lat <= lat <= box.max_lat
        assert box.min_lon <= lon <= box.max_lon
    # The box's corners are outside the circle: it is a tight fit, not the whole map.
    assert haversine_m(latitude, -71.9, box.max_lat, box.max_lon) > radius_m
    assert haversine_m(latitude, -71.9, latitude, box.max_lon) < radius_m * 1.05


def _destination(lat: float, lon: float, bearing: float, distance: float) -> tuple[float, float]:
    radius = 6_371_008.8
    phi, lmb, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    delta = distance / radius
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lmb2 = lmb + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), math.degrees(lmb2)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Saint-Élie-d'Orford", "saint elie d orford"),
        ("st-elie d’orford", "saint elie d orford"),
        ("  FLEURIMONT!! ", "fleurimont"),
        ("Ste-Catherine", "sainte catherine"),
        ("Montréal-Nord", "montreal nord"),
    ],
)
def test_place_names_match_whatever_the_accents_case_and_punctuation(
    typed: str, expected: str
) -> None:
    assert fold(typed) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("J1H 2A3", "J1H"),
        ("mon code c'est j1e4k5 merci", "J1E"),
        ("près de J1K", "J1K"),
        ("h2x-1y4", "H2X"),
    ],
)
def test_a_canadian_postal_code_is_reduced_to_its_area(text: str, code: str) -> None:
    assert find_postal_code(text, Jurisdiction.QC) == PostalArea(code, "CA")


@pytest.mark.parametrize("text", ["bonjour", "D1A 2B3", "J1", "W1A", "12345"])
def test_text_without_a_canadian_postal_code_gives_none(text: str) -> None:
    assert find_postal_code(text, Jurisdiction.QC) is None


def test_a_french_code_postal_is_found_in_a_sentence() -> None:
    assert find_postal_code("je suis à 25000 Besançon", Jurisdiction.FR) == PostalArea(
        "25000", "FR"
    )
    assert find_postal_code("75 011", Jurisdiction.FR) == PostalArea("75011", "FR")
    assert find_postal_code("appelle le 0612345678", Jurisdiction.FR) is None


def test_sherbrooke_fsas_have_centroids_in_sherbrooke_offline() -> None:
    for code in ("J1H", "J1E", "J1G", "J1J", "J1K", "J1L", "J1M", "J1N"):
        record = postal_record(PostalArea(code, "CA"))
        assert record is not None
        assert record.latitude is not None
        assert record.longitude is not None
        assert haversine_m(record.latitude, record.longitude, *SHERBROOKE) < 12_000, code


def test_french_codes_have_a_commune_but_no_coordinates_in_the_package() -> None:
    record = postal_record(PostalArea("25000", "FR"))
    assert record is not None
    assert record.latitude is None
    assert record.locality is not None
    assert fold(record.locality) == "besancon"


@pytest.mark.parametrize(
    ("lat", "lon", "valid"),
    [(45.4, -71.9, True), (100, 101, False), (45.4, -181, False), (math.nan, 0, False)],
)
def test_points_off_the_globe_are_not_coordinates(lat: float, lon: float, valid: bool) -> None:
    assert valid_coordinates(lat, lon) is valid
