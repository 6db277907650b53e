"""The worker's desk through the real PTB application and the fake Bot API.

What a worker sees on the card, urgent cases raised again while nobody takes them (the
scheduler's job, run with an injected clock), the question before ending a case just
flagged, the person's words after a close, ready replies and resource cards sent from the
group. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.scheduler import PURGE_JOB, REALERT_JOB
from resources_db.db import create_engine, session_factory
from resources_db.importer import load_demo
from tests.e2e.harness import RunningBot, running_bot
from tests.e2e.test_handoff import (
    CRISIS,
    JULIE,
    PERSON,
    STAFF,
    alias,
    asked,
    button,
    card,
    forum,
    in_topic,
    settings_for,
    take,
    topic,
)
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.core import FakeClock

ONCALL = -1009999999999
ZONE = ZoneInfo("America/Montreal")


def clock_now() -> FakeClock:
    return FakeClock(datetime.now(ZONE).replace(microsecond=0))


async def with_demo(database_url: str, day: date) -> None:
    engine = create_engine(database_url)
    try:
        await load_demo(session_factory(engine), today=day)
    finally:
        await engine.dispose()


async def asked_for_a_human(api: FakeBotApi, bot: RunningBot) -> int:
    api.send_text(PERSON, "/start")
    await api.wait_for(lambda: api.texts_to(PERSON.id))
    api.press(PERSON, "human")
    thread = await topic(api)
    await bot.settled()
    return thread


async def test_the_card_shows_what_led_to_the_request(database_url: str) -> None:
    async with (
        FakeBotApi() as api,
        running_bot(forum(api), settings_for(api, database_url)) as bot,
    ):
        api.send_text(PERSON, "/start")
        await api.wait_for(lambda: api.texts_to(PERSON.id))
        api.press(PERSON, "theme:food")
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 2)
        api.send_text(PERSON, "je dors dans mon char depuis mardi")
        await bot.settled()
        api.send_text(PERSON, CRISIS)
        thread = await topic(api)

        text = (await card(api, thread))["text"]
        assert "Crise — suicide" in text, "what the crisis screen found, in words"
        assert "Avant la demande" in text
        assert "« je dors dans mon char depuis mardi »" in text, "the person's own words"
        assert "Manger" in text, "the theme they chose"
        assert "langue français" in text
        assert "🤖" in text, "one line of what the bot already did"
        assert "Maëlys" not in text
        assert "maelys" not in text


async def test_an_urgent_case_nobody_takes_is_raised_again_until_taken(
    database_url: str,
) -> None:
    clock = clock_now()
    async with FakeBotApi() as api:
        forum(api)
        settings = settings_for(api, database_url, oncall_chat_id=ONCALL)
        async with running_bot(api, settings, clock=clock) as bot:
            assert bot.bot.scheduler is not None
            assert bot.bot.scheduler.next_run(REALERT_JOB) is not None, "the job is armed"
            api.send_text(PERSON, "/start")
            await api.wait_for(lambda: api.texts_to(PERSON.id))
            api.send_text(PERSON, CRISIS)
            thread = await topic(api)
            await bot.settled()
            told = len(api.texts_to(PERSON.id))

            clock.advance(minutes=9)
            assert await bot.bot.desk_jobs.realert() == 0, "not yet"
            clock.advance(minutes=2)
            assert await bot.bot.desk_jobs.realert() == 1
            await bot.settled()
            reminder = await asked(api, thread, "Toujours personne sur ce cas")
            assert "attend depuis 11 min" in reminder["text"]
            assert "Relance n° 1" in reminder["text"]
            assert button(reminder, "take"), "one tap to take it"
            oncall = [str(m.get("text", "")) for m in api.bot_messages(ONCALL)]
            assert any(alias(bot) in t and "#1" in t for t in oncall), "the on-call chat too"
            news = api.texts_to(PERSON.id)[told:]
            assert any("n’a encore pu te répondre" in t for t in news), "told honestly"
            assert any("911" in t for t in news), "and the 24/7 lines"

            clock.advance(minutes=10)
            assert await bot.bot.desk_jobs.realert() == 0, "backoff: 20 minutes next"
            clock.advance(minutes=10)
            assert await bot.bot.desk_jobs.realert() == 1
            await bot.settled()
            await asked(api, thread, "Relance n° 2")
            assert len(api.texts_to(PERSON.id)) == told + 1, "the person is told once"

            api.send_text(JULIE, "/file", chat_id=STAFF)
            await api.wait_for(
                lambda: any(
                    "attend depuis 31 min" in t and "relancé 2 fois" in t
                    for t in api.texts_to(STAFF)
                )
            )

            await take(api, bot, thread)
            clock.advance(hours=3)
            assert await bot.bot.desk_jobs.realert() == 0, "taken: no more reminders"


async def test_closing_just_after_a_crisis_alert_asks_first(database_url: str) -> None:
    async with (
        FakeBotApi() as api,
        running_bot(forum(api), settings_for(api, database_url)) as bot,
    ):
        thread = await asked_for_a_human(api, bot)
        await take(api, bot, thread)
        api.send_text(PERSON, "jai pris toutes mes pilules")
        await api.wait_for(lambda: api.topics[thread].startswith("🔴"))
        await bot.settled()
        before = len(api.texts_to(PERSON.id))

        api.press(JULIE, button(await card(api, thread), "close"), message=await card(api, thread))
        question = await asked(api, thread, "Fermer le cas quand même")
        assert "surdose" in question["text"] or "suicide" in question["text"]
        api.press(JULIE, button(question, "cancel"), message=question)
        await api.wait_for(lambda: any("rien n’a changé" in t for t in in_topic(api, thread)))
        await bot.settled()
        assert len(api.texts_to(PERSON.id)) == before, "the person heard nothing"
        assert api.topics[thread].startswith("🔴💬"), "still held"

        api.send_text(JULIE, "/fermer", chat_id=STAFF, thread_id=thread)
        await bot.settled()
        question = await asked(api, thread, "Fermer le cas quand même")
        api.press(JULIE, button(question, "confirm"), message=question)
        await api.wait_for(
            lambda: any("a terminé la conversation" in t for t in api.texts_to(PERSON.id)[-2:])
        )
        await api.wait_for(lambda: api.topics[thread].startswith("🔴✅"))


async def test_a_message_after_a_close_reaches_the_topic(database_url: str) -> None:
    async with (
        FakeBotApi() as api,
        running_bot(forum(api), settings_for(api, database_url)) as bot,
    ):
        thread = await asked_for_a_human(api, bot)
        await take(api, bot, thread)
        api.send_text(JULIE, "/fermer", chat_id=STAFF, thread_id=thread)
        await api.wait_for(
            lambda: any("a terminé la conversation" in t for t in api.texts_to(PERSON.id)[-2:])
        )
        await bot.settled()

        api.send_text(PERSON, "attends, t'es parti ?")
        await api.wait_for(lambda: "attends, t'es parti ?" in in_topic(api, thread))
        await api.wait_for(
            lambda: any("a réécrit" in t and "Julie l’avait" in t for t in in_topic(api, thread))
        )
        await api.wait_for(lambda: api.topics[thread].startswith("🟢⏳"))  # waiting again
        assert any("transmets ton message" in t for t in api.texts_to(PERSON.id)[-2:])


async def test_a_ready_reply_from_the_card(database_url: str) -> None:
    async with (
        FakeBotApi() as api,
        running_bot(forum(api), settings_for(api, database_url)) as bot,
    ):
        thread = await asked_for_a_human(api, bot)
        await take(api, bot, thread)
        await bot.settled()
        held = await card(api, thread)
        api.press(JULIE, button(held, "ready"), message=held)
        picker = await asked(api, thread, "Réponses prêtes")
        choice = next(
            key["callback_data"]
            for row in picker["reply_markup"]["inline_keyboard"]
            for key in row
            if key["callback_data"].endswith(":still_there")
        )
        api.press(JULIE, choice, message=picker)
        await api.wait_for(lambda: api.texts_to(PERSON.id)[-1].startswith("Julie — Le Relais :"))
        assert "toujours là" in api.texts_to(PERSON.id)[-1]
        await api.wait_for(
            lambda: any("a envoyé une réponse prête" in t for t in in_topic(api, thread))
        )

        api.send_text(JULIE, "/file", chat_id=STAFF)
        await api.wait_for(
            lambda: any(
                "avec Julie depuis" in t and "Qui a quoi : Julie 1" in t
                for t in api.texts_to(STAFF)
            )
        )


async def test_a_resource_card_sent_from_the_desk(database_url: str) -> None:
    await with_demo(database_url, datetime.now(ZONE).date())
    async with (
        FakeBotApi() as api,
        running_bot(forum(api), settings_for(api, database_url)) as bot,
    ):
        thread = await asked_for_a_human(api, bot)
        await take(api, bot, thread)
        await bot.settled()
        api.send_text(JULIE, "/ressource manger J1H", chat_id=STAFF, thread_id=thread)
        listing = await asked(api, thread, "J1H")
        first: dict[str, Any] = listing["reply_markup"]["inline_keyboard"][0][0]
        name = first["text"].split(". ", 1)[1].rstrip("…")
        before = len(api.texts_to(PERSON.id))
        api.press(JULIE, first["callback_data"], message=listing)
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) > before)
        sent = api.texts_to(PERSON.id)[-1]
        assert sent.startswith("Julie — Le Relais"), "signed by the worker"
        assert name in sent, "the card of the service picked"
        await api.wait_for(lambda: any("a envoyé la fiche" in t for t in in_topic(api, thread)))


async def test_a_new_case_links_the_earlier_one(database_url: str) -> None:
    async with (
        FakeBotApi() as api,
        running_bot(forum(api), settings_for(api, database_url)) as bot,
    ):
        thread = await asked_for_a_human(api, bot)
        await take(api, bot, thread)
        api.send_text(JULIE, "/fermer", chat_id=STAFF, thread_id=thread)
        await api.wait_for(
            lambda: any("a terminé la conversation" in t for t in api.texts_to(PERSON.id)[-2:])
        )
        await bot.settled()
        api.press(PERSON, "human")
        second = await topic(api, 1)
        text = (await card(api, second))["text"]
        assert "Cas précédents : #1" in text
        assert f"https://t.me/c/{str(STAFF).removeprefix('-100')}/{thread}" in text


async def test_the_nightly_job_erases_card_transcripts_past_retention(database_url: str) -> None:
    clock = clock_now()
    async with FakeBotApi() as api:
        forum(api)
        settings = settings_for(api, database_url, retention_days=30)
        async with running_bot(api, settings, clock=clock) as bot:
            assert bot.bot.scheduler is not None
            assert bot.bot.scheduler.next_run(PURGE_JOB) is not None, "armed every night"
            api.send_text(PERSON, "/start")
            api.send_text(PERSON, "je dors dans mon char depuis mardi")
            await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 2)
            await bot.settled()
            assert await bot.bot.desk_jobs.purge() == 0, "kept within the window"
            clock.advance(days=31)
            assert await bot.bot.desk_jobs.purge() >= 1
            api.press(PERSON, "human")
            text = (await card(api, await topic(api)))["text"]
            assert "je dors dans mon char" not in text, "gone from the card too"
