"""``passerelle resources …`` as a coordinator uses it (SQLite file, no secret keys)."""

from __future__ import annotations

import json
from pathlib import Path

import frictionless
import pytest
from typer.testing import CliRunner

from bot.cli_resources import app
from resources_db.migrate import upgrade
from tests.integration.resources_territory import TERRITORY, write_sheet

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite file, and an environment with no secrets and no stray .env."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    monkeypatch.chdir(tmp_path)
    for name in ("PSEUDONYM_KEY", "ENCRYPTION_KEY", "TELEGRAM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TIMEZONE", "America/Montreal")
    monkeypatch.setenv("JURISDICTION", "qc")
    return url


def test_demo_loads_quietly_and_search_finds_it_as_json(database: str) -> None:
    loaded = runner.invoke(app, ["demo", "--quiet"])
    assert loaded.exit_code == 0, loaded.output
    assert loaded.output == ""
    found = runner.invoke(
        app,
        [
            "search",
            "--theme",
            "food",
            "--near",
            "45.40,-71.89",
            "--at",
            "2026-11-18T12:00",
            "--json",
        ],
    )
    assert found.exit_code == 0, found.output
    items = json.loads(found.stdout)
    assert len(items) >= 3
    for item in items:
        assert {"name", "themes", "distance_m", "open_now"} <= set(item)
        assert "food" in item["themes"]
        assert item["demo"] is True
    # Open now first, then the nearest: each group in the order of its distances.
    states = [item["open_now"] is True for item in items]
    assert states == sorted(states, reverse=True)
    for group in (True, False):
        distances = [i["distance_m"] for i in items if (i["open_now"] is True) is group]
        assert distances == sorted(distances)


def test_search_open_now_at_night_finds_only_what_is_open(database: str) -> None:
    runner.invoke(app, ["demo", "--quiet"])
    found = runner.invoke(
        app,
        [
            "search",
            "--theme",
            "shelter",
            "--near",
            "J1H",
            "--open-now",
            "--at",
            "2026-11-18T23:30",
            "--json",
        ],
    )
    items = json.loads(found.stdout)
    assert items
    assert all(item["open_now"] is True for item in items)


def test_search_prints_readable_cards(database: str) -> None:
    runner.invoke(app, ["demo", "--quiet"])
    found = runner.invoke(
        app, ["search", "--theme", "violence", "--near", "centre-ville", "--at", "2026-11-18T12:00"]
    )
    assert found.exit_code == 0, found.output
    assert "adresse confidentielle" in found.output
    assert "Donnée fictive" in found.output


def test_an_unknown_place_is_said_plainly(database: str) -> None:
    found = runner.invoke(app, ["search", "--theme", "food", "--near", "Atlantide"])
    assert found.exit_code == 2
    assert "Unknown place 'Atlantide'" in found.output


def test_import_a_sheet_then_check_lists_what_needs_attention(
    database: str, tmp_path: Path
) -> None:
    rows = [dict(r) for r in TERRITORY]
    rows[0]["last_verified"] = "2020-01-01"
    rows[1]["opening_hours"] = ""
    imported = runner.invoke(app, ["import", str(write_sheet(tmp_path / "equipe.csv", rows))])
    assert imported.exit_code == 0, imported.output
    assert f"{len(TERRITORY)} service" in imported.output
    checked = runner.invoke(app, ["check"])
    assert checked.exit_code == 1
    assert "Not verified recently (1)" in checked.output
    assert "Soupe A (verified 2020-01-01)" in checked.output
    assert "No opening hours (1)" in checked.output
    assert "Jeunes E" in checked.output


def test_a_bad_sheet_is_refused_naming_the_row_and_nothing_is_written(
    database: str, tmp_path: Path
) -> None:
    rows = [dict(r) for r in TERRITORY]
    rows[2]["themes"] = "bouffe"
    refused = runner.invoke(app, ["import", str(write_sheet(tmp_path / "bad.csv", rows))])
    assert refused.exit_code == 1
    assert "nothing was written" in refused.output
    assert "bad.csv, row 4, field 'themes'" in refused.output
    empty = runner.invoke(app, ["check"])
    assert empty.exit_code == 0
    assert "Every service is fresh" in empty.output


def test_export_writes_a_package_that_frictionless_accepts(database: str, tmp_path: Path) -> None:
    runner.invoke(app, ["demo", "--quiet"])
    exported = runner.invoke(app, ["export", str(tmp_path / "hsds")])
    assert exported.exit_code == 0, exported.output
    assert "Valid HSDS 3.0" in exported.output
    assert frictionless.validate(str(tmp_path / "hsds" / "datapackage.json")).valid


def test_a_database_without_tables_gets_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 2
    assert "passerelle db upgrade" in result.output
