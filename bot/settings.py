"""One settings class: read from the environment and ``.env``, refused early when unsafe."""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Self

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.availability import normalise_schedule
from flows.domain import Formality, Jurisdiction, Language

PLACEHOLDERS = frozenset({"", "changeme", "change-me", "change_me", "secret", "xxx", "todo"})
MIN_PSEUDONYM_KEY_CHARS = 32
# Telegram: 5 to 32 characters, Latin letters, digits and underscores, ending in "bot".
BOT_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$")


class Environment(StrEnum):
    """Where Passerelle runs; production refuses generated or missing secrets."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class TelegramMode(StrEnum):
    """How updates reach the bot."""

    POLLING = "polling"
    WEBHOOK = "webhook"


class LogFormat(StrEnum):
    """How log lines are written: readable text, or one JSON object per line."""

    TEXT = "text"
    JSON = "json"


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

    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    telegram_mode: TelegramMode = TelegramMode.POLLING
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    staff_chat_id: int | None = None
    staff_language: Language = Language.FR
    staff_organisation: str = ""
    staff_signature: str = "{name} — {organisation}"
    staff_allowlist: str = ""
    staff_max_per_minute: int = Field(default=20, gt=0)
    staff_member_cache_s: float = Field(default=120.0, ge=0)
    team_hours: str = "Mo-Fr 09:00-21:00"
    team_closed_days: str = ""
    team_public_holidays: bool = True

    nlu_url: str = "http://127.0.0.1:5005"
    nlu_timeout_s: float = Field(default=2.0, gt=0)

    # --- transport: inbox, outbox, HTTP server, replicas (docs/operations.md) ---
    http_listen: str = "0.0.0.0"  # noqa: S104 - the webhook and /metrics must be reachable
    http_port: int = Field(default=8080, ge=0, le=65535)
    log_format: LogFormat = LogFormat.TEXT
    telegram_max_per_second: float = Field(default=30.0, gt=0)
    telegram_chat_per_second: float = Field(default=1.0, gt=0)
    telegram_chat_burst: int = Field(default=10, ge=1)
    inbox_concurrency: int = Field(default=16, ge=1, le=256)
    inbox_lease_s: float = Field(default=30.0, gt=0)
    inbox_max_attempts: int = Field(default=5, ge=1)
    inbox_retry_s: float = Field(default=1.0, ge=0)
    inbox_notice_after_s: float = Field(default=8.0, gt=0)
    outbox_lease_s: float = Field(default=60.0, gt=0)
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_in_flight: int = Field(default=8, ge=1, le=64)
    transport_poll_s: float = Field(default=0.5, gt=0)
    transport_keep_s: float = Field(default=86_400.0, gt=0)
    shutdown_grace_s: float = Field(default=10.0, ge=0)

    # --- the workers' desk (flows/realert.py, flows/worker_actions.py, flows/transcript.py) --
    urgent_realert_minutes: int = Field(default=10, gt=0)
    urgent_realert_max_minutes: int = Field(default=60, gt=0)
    oncall_chat_id: int | None = None
    crisis_confirm_minutes: int = Field(default=30, ge=0)
    reopen_window_hours: int = Field(default=24, ge=0)
    retention_days: int = Field(default=30, gt=0)

    # --- follow-ups and privacy (flows/followups.py, docs/privacy.md) ---
    followup_quiet_hours: str = "21:00-09:00"
    protect_content: bool = True
    purge_at: str = "03:30"

    # Outreach: posters (deep links to the bot) and the anonymous needs & gaps report.
    bot_username: str = ""
    report_min_count: int = Field(default=5, ge=5)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: PLC0415 - validator only

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value

    @field_validator("followup_quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        if not value.strip():
            return value
        try:
            start, end = (_clock_time(part) for part in value.split("-"))
        except ValueError as err:
            raise ValueError(f"expected HH:MM-HH:MM, not {value!r}") from err
        return f"{start:%H:%M}-{end:%H:%M}"

    @field_validator("purge_at")
    @classmethod
    def _purge_at(cls, value: str) -> str:
        if not value.strip():
            return value
        try:
            return f"{_clock_time(value):%H:%M}"
        except ValueError as err:
            raise ValueError(f"expected HH:MM, not {value!r}") from err

    @field_validator("team_hours")
    @classmethod
    def _known_team_hours(cls, value: str) -> str:
        return normalise_schedule(value)

    @field_validator("bot_username")
    @classmethod
    def _bot_username(cls, value: str) -> str:
        name = re.sub(r"^(https?://)?(t\.me/|telegram\.me/)?@?", "", value.strip())
        if name and not BOT_USERNAME.match(name):
            raise ValueError(
                f"BOT_USERNAME {value!r} is not a Telegram bot username "
                "(5-32 letters, digits or _, ending in 'bot', e.g. PasserelleSherbrookeBot)"
            )
        return name

    @field_validator("staff_signature")
    @classmethod
    def _signature_has_a_name(cls, value: str) -> str:
        fields = set(re.findall(r"{(\w*)}", value))
        if "name" not in fields or not fields <= {"name", "organisation"}:
            raise ValueError("STAFF_SIGNATURE must use {name} and may use {organisation}")
        return value

    @field_validator("staff_allowlist")
    @classmethod
    def _allowlist_is_ids(cls, value: str) -> str:
        _parse_allowlist(value)
        return value

    @field_validator("team_closed_days")
    @classmethod
    def _closed_days_are_dates(cls, value: str) -> str:
        _parse_dates(value)
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

    def require_bot_username(self) -> str:
        """The bot's username, for deep links; a clear error when it is not set."""
        if not self.bot_username:
            raise SettingsError(
                "BOT_USERNAME is not set: posters link to t.me/<bot username>?start=<code>. "
                "Set it to the username @BotFather gave the bot (without the @)."
            )
        return self.bot_username

    @property
    def staff_workers(self) -> dict[int, str | None]:
        """The optional allowlist: Telegram user id → first name to sign with (or None)."""
        return _parse_allowlist(self.staff_allowlist)

    @property
    def closed_days(self) -> frozenset[date]:
        """Days the team does not work besides public holidays."""
        return _parse_dates(self.team_closed_days)

    @property
    def organisation(self) -> str:
        """The organisation workers sign with (the team's name unless set)."""
        return self.staff_organisation.strip() or self.team_name

    @property
    def turn_concurrency(self) -> int:
        """Turns at once: SQLite takes one writer at a time, so a few are enough there."""
        if self.database_url.startswith("sqlite"):
            return min(self.inbox_concurrency, 4)
        return self.inbox_concurrency

    @property
    def pool_size(self) -> int:
        """Database connections: one per turn and per message in flight, plus a few."""
        return self.turn_concurrency + self.outbox_in_flight + 4

    @property
    def telegram_connections(self) -> int:
        """Connections to the Bot API kept open: as many as database connections, for the
        same work at once (the sender's messages in flight, one button answer per turn, a
        few for the staff side's checks)."""
        return self.pool_size

    @property
    def data_dir(self) -> Path:
        """Where the embedded default keeps its files."""
        return Path("data")


def _parse_allowlist(value: str) -> dict[int, str | None]:
    """``123456789:Julie, 987654321`` → {123456789: "Julie", 987654321: None}."""
    workers: dict[int, str | None] = {}
    for item in re.split(r"[,;\s]+(?=\d)", value.strip()):
        if not item.strip():
            continue
        user_id, _, name = item.strip().partition(":")
        if not user_id.strip().isdigit():
            raise ValueError("STAFF_ALLOWLIST is a list of Telegram user ids, e.g. 123:Julie,456")
        workers[int(user_id)] = name.strip().strip(",;") or None
    return workers


def _parse_dates(value: str) -> frozenset[date]:
    try:
        return frozenset(
            date.fromisoformat(part.strip()) for part in re.split(r"[,;\s]+", value) if part
        )
    except ValueError as err:
        raise ValueError("TEAM_CLOSED_DAYS is a list of dates, e.g. 2026-12-24,2026-12-31") from err


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, ``.env`` and ``overrides``; a clear error if unsafe."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as err:
        raise SettingsError(str(err)) from err


def _clock_time(text: str) -> time:
    """``"9:05"`` / ``"21:00"`` as a time of day (no seconds, no offset)."""
    hours, sep, minutes = text.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"not a time of day: {text!r}")
    return time(int(hours), int(minutes))
