"""HSDS 3.0 import and export, and the one-sheet template, on SQLite and PostgreSQL.

The HSDS input is the official example package (shared/data/hsds-3.0-example), untouched
or copied and broken on purpose.
"""

from __future__ import annotations

import csv
import os
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import frictionless
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.directory import Place, SearchQuery
from flows.domain import Jurisdiction, Theme
from resources_db import bundle as bundle_module
from resources_db.bundle import ImportRejected, Problem
from resources_db.db import create_engine, session_factory
from resources_db.directory import SqlResourceDirectory
from resources_db.hsds import export_package
from resources_db.importer import import_path
from resources_db.migrate import upgrade_async
from resources_db.models import Base
from resources_db.models.resources import (
    Address,
    Location,
    Organization,
    Phone,
    SearchPoint,
    Service,
    TaxonomyTerm,
)
from resources_db.template_sheet import schema
from tests.integration.resources_territory import (
    MONTREAL,
    ORIGIN,
    TERRITORY,
    WEDNESDAY_NOON,
    write_sheet,
)

Sessions = async_sessionmaker[AsyncSession]
EXAMPLE = Path(os.environ.get("HSDS_EXAMPLE_DIR", "/work/shared/data/hsds-3.0-example"))
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
PHONE_ID = "1554f2e2-a373-45db-a3fa-9fc48a61c15e"
QC = Jurisdiction.QC

pytestmark = pytest.mark.skipif(not EXAMPLE.is_dir(), reason="the HSDS example package is absent")


def copy_example(tmp_path: Path) -> Path:
    target = tmp_path / "package"
    shutil.copytree(EXAMPLE, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def edit_csv(path: Path, row: int, **cells: str) -> None:
    """Change cells of data row ``row`` (2 = the first data row, as a spreadsheet counts)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for name, value in cells.items():
        rows[row - 1][header.index(name)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def drop_rows(path: Path) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(header)


async def snapshot(sessions: Sessions) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every resources table, to prove a refused import changed nothing."""
    tables = [
        t for t in Base.metadata.sorted_tables if t.name not in ("conversations", "addresses")
    ]
    async with sessions() as session:
        return {
            t.name: sorted(map(tuple, (await session.execute(select(t))).all()), key=repr)
            for t in tables
        }


def where(problems: tuple[Problem, ...]) -> set[tuple[str, int | None, str | None]]:
    return {(p.file, p.row, p.field) for p in problems}


async def test_the_official_example_imports_with_its_dangling_links_reported(
    sessions: Sessions,
) -> None:
    report = await import_path(sessions, EXAMPLE, jurisdiction=QC)
    dangling = {
        (w.file, w.row, w.field)
        for w in report.warnings
        if "no " in w.message and "has id" in w.message
    }
    assert dangling == {
        ("locations.csv", 2, "organization_id"),
        ("taxonomy_terms.csv", 2, "taxonomy_id"),
        ("contacts.csv", 2, "organization_id"),
        ("contacts.csv", 2, "service_at_location_id"),
    }
    assert ("locations.csv", 2, "latitude") in where(report.warnings)  # (100, 101) is off Earth
    async with sessions() as session:
        service = await session.get(Service, SERVICE_ID)
        location = await session.scalar(select(Location))
        term = await session.scalar(select(TaxonomyTerm))
        phone = await session.get(Phone, PHONE_ID)
    assert service is not None
    assert service.name == "Community Counselling"
    assert (service.minimum_age, service.maximum_age) == (12, 100)
    assert location is not None
    assert (location.organization_id, location.latitude) == (None, None)  # only the link dropped
    assert location.name == "MyCity Civic Center"
    assert term is not None
    assert term.taxonomy_id is None
    assert phone is not None
    assert phone.number == '"+44 1234 234567"'


async def test_reimporting_the_same_package_changes_nothing(sessions: Sessions) -> None:
    await import_path(sessions, EXAMPLE, jurisdiction=QC)
    first = await snapshot(sessions)
    await import_path(sessions, EXAMPLE, jurisdiction=QC)
    second = await snapshot(sessions)
    for table in first:
        if table in ("organization", "service"):  # imported_at moves, by design
            assert len(first[table]) == len(second[table])
        else:
            assert first[table] == second[table], table


async def test_reimport_updates_by_id_and_drops_what_the_package_no_longer_lists(
    sessions: Sessions, tmp_path: Path
) -> None:
    await import_path(sessions, EXAMPLE, jurisdiction=QC)
    package = copy_example(tmp_path)
    edit_csv(package / "services.csv", 2, name="Counselling (renamed)")
    drop_rows(package / "phones.csv")
    await import_path(sessions, package, jurisdiction=QC)
    async with sessions() as session:
        names = list(await session.scalars(select(Service.name)))
        phones = await session.scalar(select(func.count()).select_from(Phone))
    assert names == ["Counselling (renamed)"]
    assert phones == 0


@pytest.mark.parametrize(
    ("file", "cells", "field"),
    [
        ("services.csv", {"minimum_age": "douze"}, "minimum_age"),
        ("services.csv", {"name": ""}, "name"),
        ("services.csv", {"status": "open"}, "status"),
        ("locations.csv", {"latitude": "45,40"}, "latitude"),
        ("locations.csv", {"longitude": ""}, "longitude"),
        ("schedules.csv", {"byday": "Monday"}, "byday"),
        ("phones.csv", {"id": "not-a-uuid"}, "id"),
    ],
)
async def test_a_broken_row_refuses_the_whole_import_and_names_it(
    sessions: Sessions, tmp_path: Path, file: str, cells: dict[str, str], field: str
) -> None:
    sheet = write_sheet(tmp_path / "territory.csv", TERRITORY)
    await import_path(sessions, sheet, jurisdiction=QC)
    before = await snapshot(sessions)
    package = copy_example(tmp_path)
    edit_csv(package / file, 2, **cells)
    with pytest.raises(ImportRejected) as refused:
        await import_path(sessions, package, jurisdiction=QC)
    assert (file, 2, field) in where(refused.value.problems)
    assert await snapshot(sessions) == before


async def test_a_missing_required_column_is_named(sessions: Sessions, tmp_path: Path) -> None:
    package = copy_example(tmp_path)
    path = package / "addresses.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r[:-1] for r in csv.reader(handle)]  # drop address_type
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(ImportRejected) as refused:
        await import_path(sessions, package, jurisdiction=QC)
    assert ("addresses.csv", 1, "address_type") in where(refused.value.problems)


async def test_a_failure_while_writing_rolls_everything_back(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await snapshot(sessions)

    async def broken(*_args: object) -> int:
        raise RuntimeError("disk full")

    # The last step of a write: everything else is already flushed in the transaction.
    monkeypatch.setattr(bundle_module, "refresh_search_points", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        await import_path(sessions, EXAMPLE, jurisdiction=QC)
    assert await snapshot(sessions) == before


async def test_the_export_is_a_valid_hsds_package(sessions: Sessions, tmp_path: Path) -> None:
    await import_path(sessions, EXAMPLE, jurisdiction=QC)
    sheet = write_sheet(tmp_path / "territory.csv", TERRITORY)
    await import_path(sessions, sheet, jurisdiction=QC)
    async with sessions() as session:
        report = await export_package(session, tmp_path / "out")
    assert report.valid, report.errors
    assert frictionless.validate(str(tmp_path / "out" / "datapackage.json")).valid
    assert report.counts["service"] == 1 + len(TERRITORY)
    with (tmp_path / "out" / "addresses.csv").open(encoding="utf-8") as handle:
        streets = {row["address_1"] for row in csv.DictReader(handle)}
    assert "1-30 Main Street" in streets
    assert not any("Maison" in s for s in streets)


async def test_a_confidential_place_leaves_no_address_in_the_export(
    sessions: Sessions, tmp_path: Path
) -> None:
    maison = next(r for r in TERRITORY if r["id"] == "maison")
    leaky = {**maison, "address": "99 rue Secrète", "postal_code": "J1H 9Z9"}
    report = await import_path(sessions, write_sheet(tmp_path / "m.csv", [leaky]), jurisdiction=QC)
    assert ("m.csv", 2, "address") in where(report.warnings)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Address)) == 0
        await export_package(session, tmp_path / "out")
    text = "".join(p.read_text("utf-8") for p in (tmp_path / "out").glob("*.csv"))
    assert "Secrète" not in text
    with (tmp_path / "out" / "locations.csv").open(encoding="utf-8") as handle:
        (location,) = list(csv.DictReader(handle))
    assert len(location["latitude"].split(".")[1]) <= 2  # an area, not a doorway


async def test_an_export_imports_back_into_an_empty_database_with_the_same_results(
    sessions: Sessions, tmp_path: Path
) -> None:
    await import_path(sessions, write_sheet(tmp_path / "t.csv", TERRITORY), jurisdiction=QC)
    async with sessions() as session:
        await export_package(session, tmp_path / "out")
    url = f"sqlite+aiosqlite:///{tmp_path / 'second.db'}"
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        second = session_factory(engine)
        report = await import_path(second, tmp_path / "out", jurisdiction=QC)
        assert not [w for w in report.warnings if "has id" in w.message]
        here = Place(*ORIGIN)
        for theme in (Theme.FOOD, Theme.VIOLENCE, Theme.HEALTH, Theme.SHELTER):
            query = SearchQuery(theme=theme, place=here, at=WEDNESDAY_NOON, limit=10)
            original = await SqlResourceDirectory(sessions, QC, MONTREAL).search(query)
            copied = await SqlResourceDirectory(second, QC, MONTREAL).search(query)
            assert [
                (c.name, c.open_now, c.next_change, c.confidential, c.last_entry, c.populations)
                for c in copied.cards
            ] == [
                (c.name, c.open_now, c.next_change, c.confidential, c.last_entry, c.populations)
                for c in original.cards
            ]
            assert [c.free for c in copied.cards] == [c.free for c in original.cards]
    finally:
        await engine.dispose()


# --- the one-sheet template ------------------------------------------------------------------


async def test_the_template_sheet_imports_and_is_searchable(
    sessions: Sessions, tmp_path: Path
) -> None:
    report = await import_path(
        sessions, write_sheet(tmp_path / "equipe.csv", TERRITORY), jurisdiction=QC
    )
    assert report.counts["service"] == len(TERRITORY)
    async with sessions() as session:
        points = await session.scalar(select(func.count()).select_from(SearchPoint))
        organizations = await session.scalar(select(func.count()).select_from(Organization))
    assert points == len(TERRITORY) + 1  # Maison G has two themes
    assert organizations == len(TERRITORY)


async def test_reimporting_a_sheet_updates_instead_of_duplicating(
    sessions: Sessions, tmp_path: Path
) -> None:
    await import_path(sessions, write_sheet(tmp_path / "a.csv", TERRITORY), jurisdiction=QC)
    renamed = [{**r, "name": r["name"] + " !"} if r["id"] == "frigo" else r for r in TERRITORY]
    await import_path(sessions, write_sheet(tmp_path / "b.csv", renamed), jurisdiction=QC)
    async with sessions() as session:
        names = list(await session.scalars(select(Service.name).order_by(Service.name)))
    assert len(names) == len(TERRITORY)
    assert "Frigo C !" in names
    assert "Frigo C" not in names


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        ({"themes": "food bouffe"}, "themes"),
        ({"latitude": "145.4"}, "latitude"),
        ({"longitude": ""}, "longitude"),
        ({"latitude": "quarante-cinq"}, "latitude"),
        ({"opening_hours": "lundi au vendredi"}, "opening_hours"),
        ({"free": "peut-être"}, "free"),
        ({"age_min": "30", "age_max": "18"}, "age_max"),
        ({"closed_from": "2026-12-10", "closed_until": "2026-12-01"}, "closed_until"),
        ({"populations": "martiens"}, "populations"),
        ({"id": ""}, "id"),
    ],
)
async def test_a_bad_sheet_line_is_refused_with_its_row_and_column(
    sessions: Sessions, tmp_path: Path, cells: dict[str, str], field: str
) -> None:
    await import_path(sessions, write_sheet(tmp_path / "ok.csv", TERRITORY[:2]), jurisdiction=QC)
    before = await snapshot(sessions)
    rows = [dict(r) for r in TERRITORY]
    rows[3].update(cells)  # the 4th line: row 5 of the sheet
    with pytest.raises(ImportRejected) as refused:
        await import_path(sessions, write_sheet(tmp_path / "bad.csv", rows), jurisdiction=QC)
    assert ("bad.csv", 5, field) in where(refused.value.problems)
    assert await snapshot(sessions) == before


async def test_the_shipped_template_is_an_empty_sheet_with_every_column() -> None:
    text = (resources.files("resources_db.template") / "passerelle-resources.csv").read_text(
        "utf-8"
    )
    header, *rest = text.splitlines()
    assert header.split(",") == [f["name"] for f in schema()["fields"]]
    assert rest == []
