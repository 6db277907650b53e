"""CSV tables checked against a Table Schema with frictionless, then read as typed values.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is
row 2 (frictionless counts the same way).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import frictionless
from frictionless import Error as FrictionlessError

from resources_db.bundle import Problem

MAX_TABLE_PROBLEMS = 100


@dataclass(frozen=True, slots=True)
class Table:
    """A CSV file's rows as typed values, with the spreadsheet row number of each."""

    file: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, Any]], ...]


def read_table(
    path: Path, schema: dict[str, Any], *, label: str | None = None
) -> tuple[Table | None, list[Problem], list[Problem]]:
    """Check ``path`` against ``schema`` and read it; returns (table, errors, warnings).

    Columns are matched by name, in any order; an unknown column is a warning, a missing
    required column an error. A table is returned only when there are no errors.
    """
    name = label or path.name
    errors: list[Problem] = []
    warnings: list[Problem] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = tuple(h.strip() for h in next(reader, []))
            raw = list(reader)
    except UnicodeDecodeError:
        return None, [Problem(name, None, None, "is not UTF-8 text; save it as CSV UTF-8")], []
    except csv.Error as err:
        return None, [Problem(name, None, None, f"is not a readable CSV file ({err})")], []
    fields = {f["name"]: f for f in schema["fields"]}
    if not header:
        return None, [Problem(name, 1, None, "has no header row")], []
    seen: set[str] = set()
    for label_ in header:
        if label_ in seen:
            errors.append(Problem(name, 1, label_, "column appears twice"))
        seen.add(label_)
        if label_ not in fields:
            warnings.append(Problem(name, 1, label_, "unknown column, ignored"))
    for field_name, spec in fields.items():
        required = spec.get("constraints", {}).get("required", False)
        if required and field_name not in seen:
            errors.append(Problem(name, 1, field_name, "required column is missing"))
    if errors:
        return None, errors, warnings
    errors.extend(_frictionless_problems(path, schema, name))
    if errors:
        return None, errors[:MAX_TABLE_PROBLEMS], warnings
    rows = []
    for index, values in enumerate(raw, start=2):
        if not any(cell.strip() for cell in values):
            continue
        record: dict[str, Any] = {}
        for position, column in enumerate(header):
            if column not in fields:
                continue
            cell = values[position].strip() if position < len(values) else ""
            record[column] = convert(cell, fields[column])
        for column in fields:
            record.setdefault(column, None)
        rows.append((index, record))
    return Table(name, header, tuple(rows)), [], warnings


def _frictionless_problems(path: Path, schema: dict[str, Any], name: str) -> list[Problem]:
    """Types, formats, required cells, enums and unique ids, as frictionless checks them."""
    descriptor = {k: v for k, v in schema.items() if k != "foreignKeys"}
    resource = frictionless.Resource(
        path=path.name,
        basepath=str(path.parent),
        schema=frictionless.Schema.from_descriptor(descriptor),
        detector=frictionless.Detector(schema_sync=True),
        encoding="utf-8-sig",
    )
    report = resource.validate(limit_errors=MAX_TABLE_PROBLEMS)
    problems: list[Problem] = []
    failed_cells: set[tuple[int, str]] = set()
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None)
            if error.type == "primary-key" and row is not None:
                if any(r == row for r, _ in failed_cells):
                    continue  # the id cell's own error already says it
                problems.append(Problem(name, row, "id", "this id is already used on another row"))
                continue
            if error.type in ("missing-label", "extra-label", "blank-row"):
                continue  # columns are matched by name above; blank rows are skipped
            if row is not None and field:
                failed_cells.add((row, field))
            problems.append(Problem(name, row, field, _describe(error)))
    return problems


_KINDS = {
    "string/uuid": "UUID",
    "string/email": "e-mail address",
    "string/uri": "URL",
    "date": "date (YYYY-MM-DD)",
    "time": "time (HH:MM or HH:MM:SS)",
    "datetime": "date and time (YYYY-MM-DDTHH:MM:SSZ)",
    "boolean": "yes/no value (oui, non, yes, no)",
}


def _describe(error: FrictionlessError) -> str:
    cell = getattr(error, "cell", None)
    note = getattr(error, "note", "") or ""
    if error.type == "type-error":
        kind = note.replace('type is "', "").rstrip('"').replace("/default", "")
        return f"{cell!r} is not a valid {_KINDS.get(kind, kind)}"
    if error.type == "constraint-error":
        if "required" in note:
            return "is required but empty"
        if "enum" in note:
            allowed = note.split(" is ", 1)[-1].strip('"')
            return f"{cell!r} is not one of {allowed}"
        return f"{cell!r} breaks the constraint {note}"
    if error.type == "unique-error":
        return f"{cell!r} is already used on another row"
    return str(error.message)


def convert(cell: str, spec: dict[str, Any]) -> Any:
    """A checked cell as a Python value (empty cells are None)."""
    if cell == "":
        return None
    kind = spec.get("type", "string")
    if kind == "number":
        number = float(cell)
        return int(number) if number.is_integer() else number
    if kind == "integer":
        return int(cell)
    if kind == "boolean":
        return cell in spec.get("trueValues", ("true",))
    if kind == "date":
        return date.fromisoformat(cell)
    if kind == "datetime":
        moment = datetime.fromisoformat(cell)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if kind == "time":
        return time.fromisoformat(cell).replace(tzinfo=None)
    return cell


def write_table(path: Path, fields: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """Write rows as CSV with exactly ``fields`` as columns (missing values left empty)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(fields)
        for row in rows:
            writer.writerow([_text(row.get(name)) for name in fields])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
