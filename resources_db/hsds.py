"""Import and export of the HSDS 3.0 Tabular Data Package (CSV files + ``datapackage.json``).

Import
    Every CSV the package has is checked with frictionless against the *official* HSDS 3.0
    descriptor shipped in ``resources_db/hsds_schema`` (never the descriptor that comes with
    the files). Wrong types, missing required values or columns, duplicate ids, an
    unreadable schedule and half or unreadable coordinates reject the whole import, each
    problem named by file, row and field; nothing is written. A foreign key that points
    nowhere (neither in the files nor in the database) is a warning and only that link is
    dropped (or the row, when it means nothing without it). Coordinates outside ±90/±180
    are a warning too: the official example package itself carries such placeholders, and
    the location is kept, without coordinates (``passerelle resources check`` lists it).
    Passerelle's own facts travel as HSDS attributes (``resources_db.vocabulary``).

Export
    The tables Passerelle keeps, as the HSDS CSV files with exactly the official columns,
    and a ``datapackage.json`` made from the official descriptor; the result is validated
    with frictionless before the export reports success. Confidential locations are
    exported without any address and with their area centroid rounded to ~1 km.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import frictionless
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.domain import Theme
from resources_db.bundle import Bundle, ImportRejected, Problem, existing_ids
from resources_db.geo import valid_coordinates
from resources_db.hours import HolidayRule, HoursError, parse_osm, slot_from_hsds
from resources_db.models.resources import (
    Address,
    Attribute,
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
    Taxonomy,
    TaxonomyTerm,
)
from resources_db.tabular import Table, read_table, write_table
from resources_db.vocabulary import (
    CAPACITY_LEVELS,
    FACT_TAXONOMY_ID,
    FACTS,
    OUR_TAXONOMY_IDS,
    OUR_TERM_IDS,
    POPULATIONS,
    THEME_LABELS,
    THEME_TAXONOMY_ID,
    fact_term_id,
    stable_id,
    theme_term_id,
)

# HSDS resource name → the model it fills, in write order (parents first).
IMPORTED: dict[str, type[Any]] = {
    "organization": Organization,
    "location": Location,
    "service": Service,
    "service_at_location": ServiceAtLocation,
    "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm,
    "address": Address,
    "phone": Phone,
    "schedule": Schedule,
    "language": ServiceLanguage,
    "required_document": RequiredDocument,
    "attribute": Attribute,
}
# Links without which a row means nothing here: a dangling one drops the row.
ROW_NEEDS: dict[str, tuple[str, ...]] = {
    "service_at_location": ("service_id", "location_id"),
    "attribute": ("taxonomy_term_id",),
}
# A row must keep at least one of these links, or it is attached to nothing we keep.
OWNERS: dict[str, tuple[str, ...]] = {
    "address": ("location_id",),
    "phone": ("location_id", "service_id", "organization_id", "service_at_location_id"),
    "schedule": ("service_id", "location_id", "service_at_location_id"),
    "language": ("service_id", "location_id", "phone_id"),
    "required_document": ("service_id",),
}
CONFIDENTIAL_EXPORT_DECIMALS = 2
UNKNOWN_ORGANIZATION = {
    "id": stable_id("organization", "unknown"),
    "name": "Organisation inconnue / Unknown organization",
    "description": "Stands for the organization of services imported without a valid one.",
}


@cache
def descriptor() -> dict[str, Any]:
    """The official HSDS 3.0 ``datapackage.json``."""
    text = (resources.files("resources_db.hsds_schema") / "datapackage.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _resources() -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in descriptor()["resources"]}


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Package:
    """The checked, typed tables of one HSDS package folder."""

    folder: Path
    tables: dict[str, Table]
    warnings: tuple[Problem, ...]


def read_package(folder: Path) -> Package:
    """Check every HSDS CSV in ``folder`` and read it; raise ``ImportRejected`` on errors."""
    if not folder.is_dir():
        raise ImportRejected([Problem(str(folder), None, None, "is not a folder")])
    errors: list[Problem] = []
    warnings: list[Problem] = []
    tables: dict[str, Table] = {}
    for name, resource in _resources().items():
        path = folder / resource["path"]
        if not path.exists():
            continue
        table, table_errors, table_warnings = read_table(path, resource["schema"])
        errors.extend(table_errors)
        warnings.extend(table_warnings)
        if table is not None:
            tables[name] = table
    if not errors and "service" not in tables:
        errors.append(Problem(str(folder), None, None, "has no services.csv: not an HSDS package"))
    if not errors:
        errors.extend(_content_problems(tables))
    if errors:
        raise ImportRejected(errors)
    return Package(folder, tables, tuple(warnings))


def _content_problems(tables: dict[str, Table]) -> list[Problem]:
    """What frictionless cannot see: coordinate pairs and schedule rules."""
    problems: list[Problem] = []
    if "location" in tables:
        table = tables["location"]
        for row_number, row in table.rows:
            lat, lon = row["latitude"], row["longitude"]
            if (lat is None) != (lon is None):
                missing = "longitude" if lon is None else "latitude"
                problems.append(
                    Problem(table.file, row_number, missing, "latitude and longitude go together")
                )
    if "schedule" in tables:
        table = tables["schedule"]
        for row_number, row in table.rows:
            try:
                slot_from_hsds(
                    freq=row["freq"],
                    byday=row["byday"],
                    opens_at=row["opens_at"],
                    closes_at=row["closes_at"],
                )
            except HoursError as err:
                field = "freq" if "freq" in str(err) else "byday"
                problems.append(Problem(table.file, row_number, field, str(err)))
    return problems


# --- from package to bundle -------------------------------------------------------------------


async def bundle_from_package(
    session: AsyncSession, package: Package, *, now: datetime, demo: bool = False
) -> Bundle:
    """Map the package onto Passerelle's tables, resolving links against the database too."""
    bundle = Bundle(warnings=list(package.warnings))
    source = f"hsds:{package.folder.name}"[:120]
    kept: dict[str, set[str]] = {}
    all_ids = {
        name: {row["id"] for _, row in table.rows if row.get("id")}
        for name, table in package.tables.items()
    }
    # Dangling links in the tables Passerelle does not keep are reported all the same: the
    # package is checked whole.
    for name, table in package.tables.items():
        if name not in IMPORTED:
            await _warn_dangling(session, table, name, all_ids, bundle)
            bundle.skipped_files.append(table.file)
    ours: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for name, model in IMPORTED.items():
        if name not in package.tables:
            kept.setdefault(name, set())
            continue
        table = package.tables[name]
        await _known_in_database(session, name, table, kept)
        rows_out: list[dict[str, Any]] = []
        for row_number, row in table.rows:
            if name in ("taxonomy", "taxonomy_term") and (
                row["id"] in OUR_TAXONOMY_IDS or row["id"] in OUR_TERM_IDS
            ):
                continue  # Passerelle's own vocabulary is rewritten on every export
            if name == "attribute" and row["taxonomy_term_id"] in OUR_TERM_IDS:
                ours[row["link_id"]].append((table.file, {**row, "_row": row_number}))
                continue
            mapped = _resolve_links(
                name, table.file, row_number, row, kept=kept, others=all_ids, bundle=bundle
            )
            if mapped is None:
                continue
            if name == "location":
                _check_range(table.file, row_number, mapped, bundle)
            rows_out.append(_to_model(name, model, mapped, source=source, now=now, demo=demo))
        kept[name] = kept.get(name, set()) | {r["id"] for r in rows_out}
        bundle.rows[model] = rows_out
    _apply_our_attributes(bundle, ours)
    return bundle


async def _warn_dangling(
    session: AsyncSession,
    table: Table,
    name: str,
    all_ids: dict[str, set[str]],
    bundle: Bundle,
) -> None:
    """Report the dangling links of a table Passerelle checks but does not keep."""
    for key in _resources()[name]["schema"].get("foreignKeys", []):
        field, target = key["fields"], key["reference"]["resource"]
        known = all_ids.get(target, set())
        missing = {row[field] for _, row in table.rows if row.get(field)} - known
        if missing and target in IMPORTED:
            known = known | await existing_ids(session, IMPORTED[target], missing)
        for row_number, row in table.rows:
            value = row.get(field)
            if value and value not in known:
                bundle.warnings.append(_dangling(table.file, row_number, field, target, value))


def _dangling(file: str, row: int, field: str, target: str, value: str) -> Problem:
    return Problem(file, row, field, f"no {target} has id {value!r} (in the files or the database)")


async def _known_in_database(
    session: AsyncSession, name: str, table: Table, kept: dict[str, set[str]]
) -> None:
    """Add to ``kept`` the link targets of ``table`` that the database already holds."""
    for key in _resources()[name]["schema"].get("foreignKeys", []):
        field, target = key["fields"], key["reference"]["resource"]
        if target not in IMPORTED:
            continue
        wanted = {row[field] for _, row in table.rows if row.get(field)}
        wanted -= kept.get(target, set())
        if wanted:
            found = await existing_ids(session, IMPORTED[target], wanted)
            kept[target] = kept.get(target, set()) | found


def _resolve_links(
    name: str,
    file: str,
    row_number: int,
    row: dict[str, Any],
    *,
    kept: dict[str, set[str]],
    others: dict[str, set[str]],
    bundle: Bundle,
) -> dict[str, Any] | None:
    """The row with each dangling link dropped, or None when the row cannot stand alone.

    ``kept`` holds, per table, the ids imported so far and those found in the database;
    ``others`` the ids of every table in the package (for links to tables not kept, such as
    a phone's contact, which are checked but not stored).
    """
    result = dict(row)
    for key in _resources()[name]["schema"].get("foreignKeys", []):
        field, target = key["fields"], key["reference"]["resource"]
        value = result.get(field)
        if not value:
            continue
        if target not in IMPORTED:
            if value not in others.get(target, set()):
                bundle.warnings.append(_dangling(file, row_number, field, target, value))
            continue
        if value in kept.get(target, set()):
            continue
        if field in ROW_NEEDS.get(name, ()):
            problem = _dangling(file, row_number, field, target, value)
            bundle.warnings.append(
                Problem(file, row_number, field, problem.message + "; row skipped")
            )
            return None
        bundle.warnings.append(
            Problem(
                file,
                row_number,
                field,
                _dangling(file, row_number, field, target, value).message + "; link dropped",
            )
        )
        result[field] = None
    owners = OWNERS.get(name)
    if owners and not any(result.get(f) for f in owners):
        bundle.warnings.append(
            Problem(file, row_number, None, "linked to nothing Passerelle keeps; row skipped")
        )
        return None
    return result


def _check_range(file: str, row_number: int, row: dict[str, Any], bundle: Bundle) -> None:
    """Coordinates off the globe are dropped, with a warning (see the module docstring)."""
    lat, lon = row.get("latitude"), row.get("longitude")
    if lat is not None and lon is not None and not valid_coordinates(lat, lon):
        bundle.warnings.append(
            Problem(
                file,
                row_number,
                "latitude",
                f"({lat}, {lon}) is not a point on Earth; coordinates dropped, so this "
                "location cannot be found by distance",
            )
        )
        row["latitude"] = row["longitude"] = None


def _to_model(
    name: str,
    model: type[Any],
    row: dict[str, Any],
    *,
    source: str,
    now: datetime,
    demo: bool,
) -> dict[str, Any]:
    columns = {c.name for c in model.__table__.columns}
    out = {k: v for k, v in row.items() if k in columns}
    if name == "organization":
        out.update(source=source, imported_at=now, demo=demo)
    elif name == "service":
        out.update(source=source, source_ref=row["id"], imported_at=now, demo=demo)
        for number in ("minimum_age", "maximum_age"):
            if out.get(number) is not None:
                out[number] = int(out[number])
    elif name == "location":
        out["demo"] = demo
    elif name == "phone" and out.get("extension") is not None:
        out["extension"] = str(out["extension"])
    elif name == "schedule" and out.get("interval") is not None:
        out["interval"] = int(out["interval"])
    return out


def _apply_our_attributes(
    bundle: Bundle, ours: dict[str, list[tuple[str, dict[str, Any]]]]
) -> None:
    """Read Passerelle's facts and themes back into their columns and tables."""
    services = {r["id"]: r for r in bundle.rows.get(Service, [])}
    locations = {r["id"]: r for r in bundle.rows.get(Location, [])}
    documents = {r["id"]: r for r in bundle.rows.get(RequiredDocument, [])}
    for link_id, attributes in ours.items():
        for file, attribute in attributes:
            kind, code = OUR_TERM_IDS[attribute["taxonomy_term_id"]]
            row_number = attribute["_row"]
            target = services.get(link_id) or locations.get(link_id) or documents.get(link_id)
            if target is None:
                bundle.warnings.append(
                    Problem(file, row_number, "link_id", "not a row of this package; ignored")
                )
                continue
            problem = _apply_fact(
                bundle, target, link_id, kind=kind, code=code, value=attribute["value"]
            )
            if problem:
                bundle.warnings.append(Problem(file, row_number, "value", problem))
    # A location shown as an area only keeps no street address, whatever the files said.
    confidential = {lid for lid, r in locations.items() if r.get("confidential")}
    if confidential:
        kept = [a for a in bundle.rows.get(Address, []) if a["location_id"] not in confidential]
        if len(kept) != len(bundle.rows.get(Address, [])):
            bundle.warnings.append(
                Problem("addresses.csv", None, None, "addresses of confidential places not kept")
            )
        bundle.rows[Address] = kept


def _apply_fact(
    bundle: Bundle, target: dict[str, Any], link_id: str, *, kind: str, code: str, value: Any
) -> str | None:
    text = (value or "").strip()
    if kind == "theme":
        bundle.sets[ServiceTheme].append({"service_id": link_id, "theme": code})
        return None
    if code in ("free", "walk_in", "no_id_needed", "anonymous", "pets_allowed", "always_open"):
        target[code] = _truth(text)
    elif code == "demo":
        target["demo"] = _truth(text) is True or target.get("demo", False)
    elif code == "confidential_address":
        target["confidential"] = _truth(text) is True
    elif code in ("area", "source", "source_ref", "eligibility_description_en", "alert_en"):
        target[code] = text or None
    elif code == "document_en":
        target["document_en"] = text or None
    elif code == "holidays":
        if text not in {r.value for r in HolidayRule}:
            return f"{text!r} is not open, closed or unknown"
        target["holidays"] = text
    elif code == "opening_hours":
        try:
            target["opening_hours"] = parse_osm(text)
        except HoursError as err:
            return str(err)
    elif code == "capacity_level":
        if text not in CAPACITY_LEVELS:
            return f"{text!r} is not one of {', '.join(CAPACITY_LEVELS)}"
        target["capacity_level"] = text
    elif code == "capacity_updated_at":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return f"{text!r} is not a date and time"
        target["capacity_updated_at"] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    elif code == "last_entry":
        try:
            target["last_entry"] = time.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            return f"{text!r} is not a time of day (HH:MM)"
    elif code == "population":
        if text not in POPULATIONS:
            return f"{text!r} is not a known population"
        bundle.sets[ServicePopulation].append({"service_id": link_id, "population": text})
    elif code == "closure":
        return _closure_fact(bundle, target, link_id, text)
    return None


def _closure_fact(bundle: Bundle, target: dict[str, Any], link_id: str, text: str) -> str | None:
    try:
        data = json.loads(text)
        starts_on = date.fromisoformat(data["starts_on"])
        ends_on = date.fromisoformat(data["ends_on"]) if data.get("ends_on") else None
    except (ValueError, KeyError, TypeError):
        return "not a closure ({starts_on, ends_on, reason})"
    is_service = "status" in target
    bundle.rows[Closure].append(
        {
            "id": stable_id("closure", link_id, starts_on.isoformat()),
            "service_id": link_id if is_service else None,
            "location_id": None if is_service else link_id,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "reason": data.get("reason"),
            "reason_en": data.get("reason_en"),
        }
    )
    return None


def _truth(text: str) -> bool | None:
    lowered = text.lower()
    if lowered in ("true", "yes", "oui", "1"):
        return True
    if lowered in ("false", "no", "non", "0"):
        return False
    return None


# --- export -----------------------------------------------------------------------------------

EXPORTED = (
    "organization",
    "service",
    "location",
    "service_at_location",
    "address",
    "phone",
    "schedule",
    "language",
    "required_document",
    "taxonomy",
    "taxonomy_term",
    "attribute",
)


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote, and frictionless's verdict on it."""

    folder: Path
    counts: dict[str, int]
    valid: bool
    errors: tuple[str, ...]


async def export_package(session: AsyncSession, folder: Path) -> ExportReport:
    """Write the directory as an HSDS 3.0 package into ``folder`` and validate it."""
    tables = await _Export(session).rows()
    return await asyncio.to_thread(_write_package, folder, tables)


def _write_package(folder: Path, tables: dict[str, list[dict[str, Any]]]) -> ExportReport:
    folder.mkdir(parents=True, exist_ok=True)
    official = _resources()
    counts: dict[str, int] = {}
    for name in EXPORTED:
        write_table(folder / official[name]["path"], _fields(name), tables[name])
        counts[name] = len(tables[name])
    package = {k: v for k, v in descriptor().items() if k != "resources"}
    package["name"] = "passerelle_export"
    package["title"] = "Passerelle resource directory (HSDS 3.0)"
    package["created"] = datetime.now(UTC).replace(microsecond=0).isoformat()
    package["resources"] = [_pruned(official[name]) for name in EXPORTED]
    (folder / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    report = frictionless.validate(str(folder / "datapackage.json"))
    errors = tuple(
        f"{task.name}: {error.message}" for task in report.tasks for error in task.errors
    )
    return ExportReport(folder, counts, bool(report.valid), errors)


def _fields(name: str) -> list[str]:
    return [f["name"] for f in _resources()[name]["schema"]["fields"]]


def _pruned(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource descriptor without foreign keys to tables the export leaves out."""
    copy: dict[str, Any] = json.loads(json.dumps(resource))
    schema = copy["schema"]
    keys = [k for k in schema.get("foreignKeys", []) if k["reference"]["resource"] in EXPORTED]
    if keys:
        schema["foreignKeys"] = keys
    else:
        schema.pop("foreignKeys", None)
    return copy


def _plain(row: Any, name: str) -> dict[str, Any]:
    return {f: getattr(row, f, None) for f in _fields(name)}


class _Export:
    """Reads every table once and writes the HSDS rows, facts becoming attributes."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._out: dict[str, list[dict[str, Any]]] = {name: [] for name in EXPORTED}
        self._attributes: list[dict[str, Any]] = []
        self._confidential: set[str] = set()

    async def _all(self, model: type[Any]) -> list[Any]:
        statement = select(model).order_by(*model.__table__.primary_key)
        return list(await self._session.scalars(statement))

    def _fact(
        self, link_id: str, entity: str, code: str, value: Any, discriminator: str = ""
    ) -> None:
        if value is None:
            return
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, datetime):
            text = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        else:
            text = str(value)
        self._attributes.append(
            {
                "id": stable_id("attribute", entity, link_id, code, discriminator),
                "link_id": link_id,
                "taxonomy_term_id": fact_term_id(code),
                "link_type": "passerelle",
                "link_entity": entity,
                "value": text,
            }
        )

    async def rows(self) -> dict[str, list[dict[str, Any]]]:
        for org in await self._all(Organization):
            row = _plain(org, "organization")
            row["description"] = row["description"] or org.name  # required by HSDS
            self._out["organization"].append(row)
        await self._locations()
        await self._services()
        await self._closures()
        for name, model in (
            ("service_at_location", ServiceAtLocation),
            ("phone", Phone),
            ("schedule", Schedule),
            ("language", ServiceLanguage),
            ("attribute", Attribute),
        ):
            self._out[name] = [_plain(r, name) for r in await self._all(model)]
        self._out["address"] = [
            _plain(a, "address")
            for a in await self._all(Address)
            if a.location_id not in self._confidential
        ]
        for doc in await self._all(RequiredDocument):
            self._out["required_document"].append(_plain(doc, "required_document"))
            self._fact(doc.id, "required_document", "document_en", doc.document_en)
        self._out["taxonomy"] = [
            _plain(t, "taxonomy") for t in await self._all(Taxonomy) if t.id not in OUR_TAXONOMY_IDS
        ]
        self._out["taxonomy"].extend(_our_taxonomies())
        self._out["taxonomy_term"] = [
            _plain(t, "taxonomy_term")
            for t in await self._all(TaxonomyTerm)
            if t.id not in OUR_TERM_IDS
        ]
        self._out["taxonomy_term"].extend(_our_terms())
        self._out["attribute"].extend(self._attributes)
        return self._out

    async def _locations(self) -> None:
        for loc in await self._all(Location):
            row = _plain(loc, "location")
            if loc.confidential:
                self._confidential.add(loc.id)
                for axis in ("latitude", "longitude"):
                    if row[axis] is not None:
                        row[axis] = round(row[axis], CONFIDENTIAL_EXPORT_DECIMALS)
                self._fact(loc.id, "location", "confidential_address", True)
            self._fact(loc.id, "location", "area", loc.area)
            if loc.demo:
                self._fact(loc.id, "location", "demo", True)
            self._out["location"].append(row)

    async def _services(self) -> None:
        themes: dict[str, list[str]] = defaultdict(list)
        for link in await self._all(ServiceTheme):
            themes[link.service_id].append(link.theme)
        populations: dict[str, list[str]] = defaultdict(list)
        for link in await self._all(ServicePopulation):
            populations[link.service_id].append(link.population)
        known_themes = {t.value for t in Theme}
        for svc in await self._all(Service):
            row = _plain(svc, "service")
            if row["organization_id"] is None:  # its link was dropped on import
                row["organization_id"] = UNKNOWN_ORGANIZATION["id"]
                if UNKNOWN_ORGANIZATION not in self._out["organization"]:
                    self._out["organization"].append(UNKNOWN_ORGANIZATION)
            self._out["service"].append(row)
            for theme in themes.get(svc.id, ()):
                if theme in known_themes:
                    self._attributes.append(
                        {
                            "id": stable_id("attribute", "service", svc.id, "theme", theme),
                            "link_id": svc.id,
                            "taxonomy_term_id": theme_term_id(Theme(theme)),
                            "link_type": "passerelle",
                            "link_entity": "service",
                            "value": theme,
                        }
                    )
            for code in ("free", "walk_in", "no_id_needed", "anonymous", "pets_allowed"):
                self._fact(svc.id, "service", code, getattr(svc, code))
            if svc.always_open:
                self._fact(svc.id, "service", "always_open", True)
            if svc.holidays and svc.holidays != HolidayRule.UNKNOWN.value:
                self._fact(svc.id, "service", "holidays", svc.holidays)
            for code in (
                "opening_hours",
                "capacity_level",
                "capacity_updated_at",
                "last_entry",
                "eligibility_description_en",
                "alert_en",
                "source",
                "source_ref",
            ):
                self._fact(svc.id, "service", code, getattr(svc, code))
            if svc.demo:
                self._fact(svc.id, "service", "demo", True)
            for population in populations.get(svc.id, ()):
                self._fact(svc.id, "service", "population", population, population)

    async def _closures(self) -> None:
        for closure in await self._all(Closure):
            if closure.service_id:
                entity, link = "service", closure.service_id
            elif closure.location_id:
                entity, link = "location", closure.location_id
            else:
                continue
            value = json.dumps(
                {
                    "starts_on": closure.starts_on.isoformat(),
                    "ends_on": closure.ends_on.isoformat() if closure.ends_on else None,
                    "reason": closure.reason,
                    "reason_en": closure.reason_en,
                },
                ensure_ascii=False,
            )
            self._fact(link, entity, "closure", value, closure.starts_on.isoformat())


def _our_taxonomies() -> list[dict[str, Any]]:
    return [
        {
            "id": THEME_TAXONOMY_ID,
            "name": "Passerelle themes",
            "description": "The 14 themes Passerelle searches by (one service may have several).",
            "version": "1",
        },
        {
            "id": FACT_TAXONOMY_ID,
            "name": "Passerelle outreach facts",
            "description": "Access conditions and hours facts that HSDS 3.0 has no column for.",
            "version": "1",
        },
    ]


def _our_terms() -> list[dict[str, Any]]:
    terms = [
        {
            "id": theme_term_id(theme),
            "code": theme.value,
            "name": f"{fr} / {en}",
            "description": f"Theme: {en}",
            "taxonomy": "Passerelle themes",
            "taxonomy_id": THEME_TAXONOMY_ID,
        }
        for theme, (fr, en) in THEME_LABELS.items()
    ]
    seen: set[str] = set()
    for fact in FACTS:
        if fact.code in seen:
            continue
        seen.add(fact.code)
        terms.append(
            {
                "id": fact_term_id(fact.code),
                "code": fact.code,
                "name": fact.code.replace("_", " "),
                "description": fact.description,
                "taxonomy": "Passerelle outreach facts",
                "taxonomy_id": FACT_TAXONOMY_ID,
            }
        )
    return terms
