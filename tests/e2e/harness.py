"""Runs the real PTB ``Application`` against the fake Bot API, polling over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram.ext import Application

from bot.bootstrap import Services, build_services
from bot.settings import Settings
from bot.telegram.app import build_application
from flows.ports import Clock, Nlu, ResourceDirectory
from resources_db.crypto import generate_key
from tests.fakes.bot_api import FakeBotApi


@dataclass
class RunningBot:
    application: Application  # type: ignore[type-arg]
    services: Services
    settings: Settings


def e2e_settings(api: FakeBotApi, database_url: str, **overrides: Any) -> Settings:
    """Settings for a bot that talks to ``api``; no ``.env`` file is read."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "pseudonym_key": "e2e-pseudonym-key-" + "x" * 24,
        "encryption_key": generate_key(),
        "telegram_token": api.token,
        "telegram_base_url": api.base_url,
        "telegram_base_file_url": api.base_url.replace("/bot", "/file/bot"),
        "team_name": "Équipe de rue test",
        "nlu_url": "http://127.0.0.1:9",  # nothing listens: NLU unavailable unless faked
        "nlu_timeout_s": 0.5,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def running_bot(
    api: FakeBotApi,
    settings: Settings,
    *,
    nlu: Nlu | None = None,
    directory: ResourceDirectory | None = None,
    clock: Clock | None = None,
    poll: bool = True,
) -> AsyncIterator[RunningBot]:
    """Start the application (polling ``api`` unless ``poll`` is False); close it after."""
    services = build_services(settings, nlu=nlu, directory=directory, clock=clock)
    application = build_application(settings, services)
    try:
        async with application:
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()
            assert application.updater is not None
            if poll:
                await application.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                yield RunningBot(application, services, settings)
            finally:
                try:
                    if application.updater.running:
                        await application.updater.stop()
                finally:
                    await application.stop()
                    if application.post_stop is not None:  # as run_polling does
                        await application.post_stop(application)
    finally:
        await services.aclose()
