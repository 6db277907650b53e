"""Webhook mode refuses strangers; the console runs the same engine with no token at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.e2e.harness import e2e_settings, running_bot
from tests.fakes.bot_api import FakeBotApi, FakeUser

ROOT = Path(__file__).parents[2]
SECRET = "webhook-secret-0123456789"


async def test_webhook_requests_without_the_secret_token_get_403(database_url: str) -> None:
    person = FakeUser(id=31337, first_name="Nour")
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1_790_000_000,
            "chat": {"id": person.id, "type": "private", "first_name": "Nour"},
            "from": person.as_dict(),
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with FakeBotApi() as api:
        settings = e2e_settings(
            api,
            database_url,
            telegram_mode="webhook",
            webhook_url="https://bot.example.invalid",
            webhook_secret=SECRET,
        )
        async with running_bot(api, settings) as bot:
            assert api.webhook_url == "https://bot.example.invalid/telegram"
            url = f"http://127.0.0.1:{bot.bot.http.port}/telegram"
            async with httpx.AsyncClient() as client:
                missing = await client.post(url, json=update)
                wrong = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
                )
                right = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                )
                again = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                )
            assert (missing.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
            assert again.status_code == 200, "Telegram's redelivery is acknowledged"
            await api.wait_for(lambda: api.texts_to(person.id))
            await bot.settled()
            assert len(api.texts_to(person.id)) == 1, "only the authenticated update, once"


async def test_a_webhook_update_is_acknowledged_only_once_stored(database_url: str) -> None:
    """While the database refuses the insert, Telegram gets 503 and will send it again."""
    person = FakeUser(id=31338, first_name="Nour")
    update = {
        "update_id": 7,
        "message": {
            "message_id": 3,
            "date": 1_790_000_000,
            "chat": {"id": person.id, "type": "private", "first_name": "Nour"},
            "from": person.as_dict(),
            "text": "/aide",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with FakeBotApi() as api:
        settings = e2e_settings(
            api,
            database_url,
            telegram_mode="webhook",
            webhook_url="https://bot.example.invalid",
            webhook_secret=SECRET,
        )
        async with running_bot(api, settings) as bot:
            url = f"http://127.0.0.1:{bot.bot.http.port}/telegram"
            inbox = bot.transport.inbox
            real_store = inbox.store_many

            async def broken(*args: object, **kwargs: object) -> None:
                raise ConnectionError("database away")

            inbox.store_many = broken  # type: ignore[method-assign]
            async with httpx.AsyncClient() as client:
                refused = await client.post(url, json=update, headers=headers)
                inbox.store_many = real_store  # type: ignore[method-assign]
                accepted = await client.post(url, json=update, headers=headers)
            assert (refused.status_code, accepted.status_code) == (503, 200)
            await api.wait_for(lambda: api.texts_to(person.id))
            await bot.settled()
            answers = api.texts_to(person.id)
            assert any("Voici ce que je sais faire" in t for t in answers)
            assert len(answers) == len(set(answers)), "the stored update was handled once"


async def test_health_and_metrics_are_served(database_url: str) -> None:
    async with FakeBotApi() as api, running_bot(api, e2e_settings(api, database_url)) as bot:
        person = FakeUser(id=31339, first_name="Nour")
        api.send_text(person, "/start")
        await api.wait_for(lambda: api.texts_to(person.id))
        await bot.settled()
        base = f"http://127.0.0.1:{bot.bot.http.port}"
        async with httpx.AsyncClient() as client:
            health = await client.get(f"{base}/healthz")
            metrics = await client.get(f"{base}/metrics")
        assert health.status_code == 200
        assert health.json()["database"] == "ok"
        assert health.json()["nlu"].startswith("unreachable"), "nothing listens on the NLU port"
        text = metrics.text
        assert 'passerelle_updates_total{kind="person",outcome="done"} 1.0' in text
        assert "passerelle_outbox_depth 0.0" in text
        assert "passerelle_inbox_depth 0.0" in text
        assert 'passerelle_outbox_sent_total{kind="person.message"} 1.0' in text
        assert "passerelle_turn_seconds_bucket" in text


def test_console_without_a_tty_prints_the_welcome_and_exits(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        "PSEUDONYM_KEY": "console-test-key-" + "z" * 24,
        "ENCRYPTION_KEY": "kG7W1kR3oVwQpZ1s8dYv3b5Qx9T2mN4cL6hJ0fA8eUo=",
        "NLU_URL": "http://127.0.0.1:9",
        "NLU_TIMEOUT_S": "0.3",
    }
    cli = [sys.executable, "-m", "bot"]
    subprocess.run([*cli, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    result = subprocess.run(
        [*cli, "chat"],
        input="bonjour\n1\n/position 45.40,-71.89\n",
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = result.stdout
    assert "c’est anonyme" in out
    assert "Ce n’est pas un service d’urgence" in out
    assert "911" in out
    assert "[1] 🍽 Manger" in out
    assert "> bonjour" in out
    assert "Les boutons marchent toujours" in out  # NLU down: a clear sentence, no crash
    assert "où es-tu à peu près" in out  # "1" pressed the first button: food
    assert result.stderr == ""
