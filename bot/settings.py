"""One settings class: read from the environment and ``.env``, refused early when unsafe."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.domain import Formality, Jurisdiction, Language

PLACEHOLDERS = frozenset({"", "changeme", "change-me", "change_me", "secret", "xxx", "todo"})
MIN_PSEUDONYM_KEY_CHARS = 32


class Environment(StrEnum):
    """Where Passerelle runs; production refuses generated or missing secrets."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class TelegramMode(StrEnum):
    """How updates reach the bot."""

    POLLING = "polling"
    WEBHOOK = "webhook"


class SettingsError(Exception):
    """Settings that must not start the program, with a sentence saying what to fix."""


class Settings(BaseSettings):
    """Every setting of Passerelle; each is documented in ``.env.example``."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite+aiosqlite:///data/passerelle.db"
    pseudonym_key: SecretStr = SecretStr("")
    encryption_key: SecretStr = SecretStr("")
    log_level: str = "INFO"

    jurisdiction: Jurisdiction = Jurisdiction.QC
    timezone: str = "America/Montreal"
    default_language: Language = Language.FR
    formality: Formality = Formality.TU
    team_name: str = "Passerelle"
    hours_label_fr: str = "du lundi au vendredi, de 9 h à 21 h"
    hours_label_en: str = "Monday to Friday, 9 am to 9 pm"

    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    telegram_mode: TelegramMode = TelegramMode.POLLING
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"  # noqa: S104 - the webhook must be reachable by its proxy
    webhook_port: int = 8443
    staff_chat_id: int | None = None

    nlu_url: str = "http://127.0.0.1:5005"
    nlu_timeout_s: float = Field(default=2.0, gt=0)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: PLC0415 - validator only

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value

    @model_validator(mode="after")
    def _secrets_are_real(self) -> Self:
        problems = []
        pseudonym_key = self.pseudonym_key.get_secret_value()
        if pseudonym_key.strip().lower() in PLACEHOLDERS:
            problems.append("PSEUDONYM_KEY is missing or a placeholder")
        elif len(pseudonym_key) < MIN_PSEUDONYM_KEY_CHARS:
            problems.append(f"PSEUDONYM_KEY must be at least {MIN_PSEUDONYM_KEY_CHARS} characters")
        encryption_key = self.encryption_key.get_secret_value()
        if encryption_key.strip().lower() in PLACEHOLDERS:
            problems.append("ENCRYPTION_KEY is missing or a placeholder")
        else:
            try:
                Fernet(encryption_key.encode("ascii"))
            except (ValueError, UnicodeEncodeError):
                problems.append("ENCRYPTION_KEY is not a Fernet key (32 url-safe base64 bytes)")
        if problems:
            raise ValueError(
                "; ".join(problems)
                + ". Run `make demo` (or `passerelle keys`) to generate local keys into .env; "
                "in production, set them in the environment."
            )
        return self

    def require_telegram(self) -> None:
        """Refuse to start the Telegram bot without what it needs."""
        token = self.telegram_token.get_secret_value() if self.telegram_token else ""
        if token.strip().lower() in PLACEHOLDERS or ":" not in token:
            raise SettingsError("TELEGRAM_TOKEN is missing or not a bot token (123456:ABC…).")
        if self.telegram_mode is TelegramMode.WEBHOOK:
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if not self.webhook_url:
                raise SettingsError("WEBHOOK_URL is required in webhook mode.")
            if secret.strip().lower() in PLACEHOLDERS or len(secret) < 16:
                raise SettingsError("WEBHOOK_SECRET must be set (16+ characters) in webhook mode.")

    @property
    def data_dir(self) -> Path:
        """Where the embedded default keeps its files."""
        return Path("data")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, ``.env`` and ``overrides``; a clear error if unsafe."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as err:
        raise SettingsError(str(err)) from err
