"""docker-compose.yml stays consistent with the code (the file is validated by CI too)."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.settings import Settings

ROOT = Path(__file__).parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_the_bot_gets_only_settings_that_exist() -> None:
    environment = COMPOSE["services"]["bot"]["environment"]
    fields = {name.upper() for name in Settings.model_fields}
    assert set(environment) <= fields


def test_secrets_come_from_the_environment_never_from_the_file() -> None:
    environment = COMPOSE["services"]["bot"]["environment"]
    for name in ("PSEUDONYM_KEY", "ENCRYPTION_KEY", "TELEGRAM_TOKEN"):
        assert environment[name].startswith("${")
        assert ":?" in environment[name]
    assert environment["ENVIRONMENT"] == "production"
    assert environment["DATABASE_URL"].startswith("postgresql+asyncpg://")


def test_services_start_in_order_on_health() -> None:
    services = COMPOSE["services"]
    assert services["bot"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "rasa": {"condition": "service_healthy"},
    }
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["db", "upgrade"]
    for name in ("postgres", "rasa"):
        assert "healthcheck" in services[name]


def test_rasa_serves_the_model_the_training_service_writes() -> None:
    services = COMPOSE["services"]
    train = services["nlu-train"]["command"]
    model = train[train.index("--fixed-model-name") + 1]
    out = train[train.index("--out") + 1]
    run = services["rasa"]["command"]
    assert run[run.index("--model") + 1] == f"{out}/{model}.tar.gz"
    assert services["rasa"]["image"] == services["nlu-train"]["image"]
    # The same named volume holds the model: written by the training, read by the server.
    assert f"nlu-models:{out}" in services["nlu-train"]["volumes"]
    assert f"nlu-models:{out}:ro" in services["rasa"]["volumes"]
