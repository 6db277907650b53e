"""Settings refuse to start with missing or placeholder secrets, with a sentence that helps."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, TelegramMode, load_settings
from resources_db.crypto import generate_key

GOOD = {"pseudonym_key": "p" * 40, "encryption_key": generate_key()}


def make(**values: object) -> Settings:
    return load_settings(_env_file=None, **{**GOOD, **values})


@pytest.fixture(autouse=True)
def _no_env_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PSEUDONYM_KEY", "ENCRYPTION_KEY", "TELEGRAM_TOKEN", "WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("placeholder", ["", "change-me", "CHANGEME", "secret"])
def test_placeholder_pseudonym_key_stops_start_up(placeholder: str) -> None:
    with pytest.raises(SettingsError, match="PSEUDONYM_KEY is missing or a placeholder"):
        make(pseudonym_key=placeholder)


def test_short_pseudonym_key_is_refused() -> None:
    with pytest.raises(SettingsError, match="at least 32"):
        make(pseudonym_key="short-but-not-placeholder")


@pytest.mark.parametrize("bad", ["", "change-me", "not-a-fernet-key"])
def test_bad_encryption_key_stops_start_up(bad: str) -> None:
    with pytest.raises(SettingsError, match="ENCRYPTION_KEY"):
        make(encryption_key=bad)


def test_the_error_says_how_to_fix_it() -> None:
    with pytest.raises(SettingsError, match="make demo"):
        make(pseudonym_key="")


def test_telegram_needs_a_real_token_and_webhook_a_secret() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_TOKEN"):
        make().require_telegram()
    with pytest.raises(SettingsError, match="WEBHOOK_URL"):
        make(telegram_token="1:abc", telegram_mode=TelegramMode.WEBHOOK).require_telegram()
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        make(
            telegram_token="1:abc",
            telegram_mode=TelegramMode.WEBHOOK,
            webhook_url="https://example.org",
            webhook_secret="change-me",
        ).require_telegram()
    make(telegram_token="1:abc").require_telegram()


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(SettingsError, match="time zone"):
        make(timezone="Mars/Olympus")


def test_every_setting_is_documented_in_env_example() -> None:
    documented = {
        line.split("=", 1)[0].strip().lower()
        for line in (Path(__file__).parents[2] / ".env.example")
        .read_text(encoding="utf-8")
        .splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    assert set(Settings.model_fields) <= documented
