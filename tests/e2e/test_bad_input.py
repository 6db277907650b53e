"""Bad input on every path: a kind answer to the right person, nothing raised, nothing elsewhere.

Forged callback payloads (non-finite or out-of-range numbers, unknown verbs, numbers too big
for the database), a button pressed on a message that is not in the presser's own private
chat: the real bot against the fake Bot API, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from bot.logs import configure_logging
from tests.e2e.harness import e2e_settings, running_bot
from tests.fakes.bot_api import FakeBotApi, FakeUser

PERSON = FakeUser(id=777000444, first_name="Jo", language_code="fr")
OTHER = FakeUser(id=777000555, first_name="Lou", language_code="fr")
STAFF = -1001234567890
WORKER = FakeUser(id=5001, first_name="Julie")

FORGED = [
    "more:food:nan:inf:3",
    "more:food:inf:-inf:0",
    "more:food:91.0:0.0:3",
    "more:food:45.4:-200:3",
    "more:food:45.4:-71.9:99999999999999999999999",
    "more:food:1e400:0:0",
    "more:nope:45.4:-71.9:3",
    "more:food:45.4",
    "card:nan:inf:soupe",
    "card:91.0:0.0:soupe",
    "card:45.4",
    "card:45.400:-71.890:",
    "card:45.400:-71.890:no-such-service",
    "theme:",
    "lang:xx",
    "forget:yes",
    "case:take:1",
    "followup:yes:nan",
    "followup:yes:-1d",
    "followup:worked:inf",
    "",
    "x" * 64,
]


async def test_a_forged_button_gets_the_menu_and_nothing_breaks(database_url: str) -> None:
    stream = io.StringIO()
    handler = configure_logging("INFO", stream)
    try:
        async with FakeBotApi() as api, running_bot(api, e2e_settings(api, database_url)) as bot:
            api.send_text(PERSON, "/start")
            await api.wait_for(lambda: api.texts_to(PERSON.id))
            for number, payload in enumerate(FORGED, start=2):
                api.press(PERSON, payload)
                await api.wait_for(lambda n=number: len(api.texts_to(PERSON.id)) >= n)
                await bot.settled()
                assert len(api.texts_to(PERSON.id)) == number, f"one answer to {payload!r}"
                assert "sujet" in api.texts_to(PERSON.id)[-1], f"the menu after {payload!r}"
            assert {c.params.get("chat_id") for c in api.sent()} == {PERSON.id}
            answered = [c for c in api.calls if c.method == "answerCallbackQuery"]
            assert len(answered) == len(FORGED), "every spinner stopped"
    finally:
        logging.getLogger().removeHandler(handler)
    assert "Traceback" not in stream.getvalue()
    assert " ERROR " not in stream.getvalue()


async def test_a_button_pressed_on_another_chats_message_answers_only_the_presser(
    database_url: str,
) -> None:
    async with FakeBotApi() as api, running_bot(api, e2e_settings(api, database_url)) as bot:
        api.send_text(OTHER, "/start")
        await api.wait_for(lambda: api.texts_to(OTHER.id))
        others_message = api.last_to(OTHER.id)
        group_message: dict[str, Any] = {
            "message_id": 4242,
            "date": 1_790_000_000,
            "chat": {"id": -100999, "type": "supergroup", "title": "Un groupe"},
            "from": {"id": 123456789, "is_bot": True, "first_name": "Passerelle"},
            "text": "menu",
        }
        api.press(PERSON, "theme:food", message=others_message)
        api.press(PERSON, "human", message=group_message)
        await api.wait_for(
            lambda: (
                len(
                    [
                        c
                        for c in api.calls
                        if c.method == "answerCallbackQuery" and c.params.get("text")
                    ]
                )
                >= 2
            )
        )
        await bot.settled()
        answers = [c for c in api.calls if c.method == "answerCallbackQuery"]
        assert len(answers) == 2
        assert all("conversation privée" in c.params["text"] for c in answers)
        assert api.sent(PERSON.id) == [], "nothing sent to the presser's chat either"
        assert len(api.sent(OTHER.id)) == 1, "nothing more in the other person's chat"
        assert api.sent(-100999) == []
        async with bot.services.sessions() as session:
            from sqlalchemy import text

            assert await session.scalar(text("select count(*) from cases")) == 0


async def test_a_forged_case_number_is_answered_in_the_group_and_nothing_breaks(
    database_url: str,
) -> None:
    async with FakeBotApi() as api:
        settings = e2e_settings(
            api, database_url, staff_chat_id=STAFF, staff_allowlist="5001:Julie", team_hours="24/7"
        )
        api.forum_chats.add(STAFF)
        api.chat_members[(STAFF, WORKER.id)] = "member"
        async with running_bot(api, settings) as bot:
            card = {
                "message_id": 77,
                "date": 1_790_000_000,
                "chat": {"id": STAFF, "type": "supergroup", "title": "Équipe", "is_forum": True},
                "from": {"id": 123456789, "is_bot": True, "first_name": "Passerelle"},
                "text": "Cas",
            }
            for data in (
                "case:take:99999999999999999999",
                "case:take:²",
                "case:fly:1",
                "case:take:7",
            ):
                api.press(WORKER, data, message=card)
            api.send_text(WORKER, "/rouvrir 99999999999999999999", chat_id=STAFF)
            await api.wait_for(
                lambda: len([c for c in api.calls if c.method == "answerCallbackQuery"]) >= 4
            )
            await api.wait_for(
                lambda: any("ne trouve pas ce cas" in t for t in api.texts_to(STAFF))
            )
            await bot.settled()
            answers = [c for c in api.calls if c.method == "answerCallbackQuery"]
            said = [c for c in answers if c.params.get("text")]
            assert len(answers) == 4, "every press is answered"
            assert len(said) == 2, "#1 and #7 do not exist: said so; the malformed two: silence"
            assert [c for c in api.sent() if c.params.get("chat_id") != STAFF] == []
