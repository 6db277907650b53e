"""Webhook mode refuses strangers; the console runs the same engine with no token at all."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.e2e.harness import e2e_settings, running_bot
from tests.fakes.bot_api import FakeBotApi, FakeUser

ROOT = Path(__file__).parents[2]
SECRET = "webhook-secret-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    port = _free_port()
    async with FakeBotApi() as api:
        settings = e2e_settings(api, database_url)
        async with running_bot(api, settings, poll=False) as bot:
            assert bot.application.updater is not None
            await bot.application.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="telegram",
                secret_token=SECRET,
                webhook_url="https://bot.example.invalid/telegram",
            )
            try:
                assert api.webhook_url == "https://bot.example.invalid/telegram"
                url = f"http://127.0.0.1:{port}/telegram"
                async with httpx.AsyncClient() as client:
                    missing = await client.post(url, json=update)
                    wrong = await client.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
                    )
                    right = await client.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                    )
                assert (missing.status_code, wrong.status_code, right.status_code) == (
                    403,
                    403,
                    200,
                )
                await api.wait_for(lambda: api.texts_to(person.id))
                assert len(api.texts_to(person.id)) == 1, "only the authenticated update is handled"
            finally:
                await bot.application.updater.stop()


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
