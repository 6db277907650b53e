"""A human when it matters: the real PTB application, the team's forum, a fake Bot API.

Every test runs on SQLite and PostgreSQL. The person and the workers are played through the
fake Bot API; what is asserted is what each of them would see in Telegram.
"""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.logs import configure_logging
from bot.settings import Settings
from flows.identity import alias_for
from tests.e2e.harness import RunningBot, e2e_settings, running_bot
from tests.fakes.bot_api import FakeBotApi, FakeUser
from tests.fakes.core import FakeClock

STAFF = -1001234567890
PERSON = FakeUser(id=777000222, first_name="Maëlys", username="maelys_du_parc", language_code="fr")
JULIE = FakeUser(id=5001, first_name="Julie Tremblay", username="julie_tg", language_code="fr")
MARC = FakeUser(id=5002, first_name="Marc", username="marc_tg", language_code="fr")
OUTSIDER = FakeUser(id=5003, first_name="Curieux", username="curieux_tg", language_code="fr")
CRISIS = "je vais me suicider ce soir"


def settings_for(api: FakeBotApi, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "staff_chat_id": STAFF,
        "staff_organisation": "Le Relais",
        "staff_allowlist": "5001:Julie,5002:Marc",
        "team_hours": "24/7",
        "team_public_holidays": False,  # the real clock may fall on a holiday
        "staff_max_per_minute": 100,
    }
    values.update(overrides)
    return e2e_settings(api, database_url, **values)


def forum(api: FakeBotApi) -> FakeBotApi:
    api.forum_chats.add(STAFF)
    for worker in (JULIE, MARC, OUTSIDER):
        api.chat_members[(STAFF, worker.id)] = "member"
    return api


def alias(bot: RunningBot, user: FakeUser = PERSON) -> str:
    return alias_for(bot.services.pseudonym(user.id))


async def topic(api: FakeBotApi, index: int = 0) -> int:
    await api.wait_for(lambda: len(api.topics) > index)
    return list(api.topics)[index]


async def card(api: FakeBotApi, thread: int | None = None) -> dict[str, Any]:
    def cards() -> list[dict[str, Any]]:
        return [
            m
            for m in api.bot_messages(STAFF, thread)
            if "reply_markup" in m and "Cas " in str(m.get("text", ""))
        ]

    await api.wait_for(lambda: bool(cards()))
    return cards()[0]


def button(message: dict[str, Any], verb: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for key in row:
            if key["callback_data"].startswith(f"case:{verb}:"):
                return str(key["callback_data"])
    raise AssertionError(f"no {verb} button on the card")


async def asked(api: FakeBotApi, thread: int, words: str) -> dict[str, Any]:
    """The newest message of the topic with buttons that says ``words``."""

    def found() -> list[dict[str, Any]]:
        return [
            m
            for m in api.bot_messages(STAFF, thread)
            if "reply_markup" in m and words in str(m.get("text", ""))
        ]

    await api.wait_for(lambda: bool(found()))
    return found()[-1]


def in_topic(api: FakeBotApi, thread: int) -> list[str]:
    return [str(m.get("text", "")) for m in api.bot_messages(STAFF, thread)]


async def audit(bot: RunningBot) -> list[tuple[str, str]]:
    async with bot.services.sessions() as session:
        rows = await session.execute(text("select action, case_alias from audit_log order by id"))
        return [(str(a), str(c)) for a, c in rows]


async def settled(bot: RunningBot) -> None:
    """Wait until the bot has handled every update and sent (and recorded) everything.

    The fake records a message when the bot sends it; the desk maps it to its case just after
    Telegram answers. A worker cannot reply to a message before it exists; a test can.
    """
    await bot.settled()


async def take(api: FakeBotApi, bot: RunningBot, thread: int, worker: FakeUser = JULIE) -> None:
    await settled(bot)
    before = len(api.texts_to(PERSON.id))
    api.press(worker, button(await card(api, thread), "take"), message=await card(api, thread))
    await api.wait_for(lambda: len(api.texts_to(PERSON.id)) > before)


async def test_crisis_to_a_worker_and_back_to_the_bot(database_url: str) -> None:
    async with (
        FakeBotApi() as api,
        running_bot(forum(api), settings_for(api, database_url)) as bot,
    ):
        api.send_text(PERSON, "/start")
        await api.wait_for(lambda: api.texts_to(PERSON.id))
        crisis = api.send_text(PERSON, CRISIS)

        thread = await topic(api)
        assert api.topics[thread] == f"🔴⏳ {alias(bot)} #1", "urgent, waiting, by alias"
        case_card = await card(api, thread)
        assert "URGENT" in case_card["text"]
        assert "écran de crise" in case_card["text"]
        await api.wait_for(lambda: CRISIS in in_topic(api, thread))
        (copy,) = api.sent(STAFF, "copyMessage")
        assert copy.params["message_id"] == crisis["message_id"], "the person's own message"
        assert "911" in "\n".join(api.texts_to(PERSON.id)), "the lines came at once"

        await take(api, bot, thread)
        assert (
            api.texts_to(PERSON.id)[-1] == "Julie — Le Relais a pris ta demande et te répond ici."
        )
        await api.wait_for(lambda: api.topics[thread] == f"🔴💬 {alias(bot)} #1")

        api.send_text(PERSON, "je suis au parc Jacques-Cartier")
        await api.wait_for(lambda: "je suis au parc Jacques-Cartier" in in_topic(api, thread))
        api.send_text(JULIE, "J’arrive dans 10 minutes, reste là.", chat_id=STAFF, thread_id=thread)
        await api.wait_for(
            lambda: (
                api.texts_to(PERSON.id)[-1]
                == "Julie — Le Relais :\nJ’arrive dans 10 minutes, reste là."
            )
        )

        sent_to_person = len(api.texts_to(PERSON.id))
        api.send_text(JULIE, "/note semble calme, pas de matériel", chat_id=STAFF, thread_id=thread)
        await api.wait_for(lambda: any("Note gardée" in t for t in in_topic(api, thread)))
        assert len(api.texts_to(PERSON.id)) == sent_to_person, "a note never reaches the person"
        assert not any("semble calme" in t for t in api.texts_to(PERSON.id))

        api.send_text(JULIE, "/fermer", chat_id=STAFF, thread_id=thread)
        # The crisis was minutes ago: the desk asks before closing, and nothing changes yet.
        question = await asked(api, thread, "Fermer le cas quand même")
        assert "a terminé la conversation" not in api.texts_to(PERSON.id)[-1]
        api.press(JULIE, button(question, "confirm"), message=question)
        await api.wait_for(
            lambda: any("a terminé la conversation" in t for t in api.texts_to(PERSON.id)[-2:])
        )
        await api.wait_for(lambda: api.topics[thread] == f"🔴✅ {alias(bot)} #1")

        api.send_text(PERSON, "/menu")
        await api.wait_for(lambda: "Choisis un sujet" in api.texts_to(PERSON.id)[-1])
        assert [a for a, _ in await audit(bot)] == ["take", "reply", "note", "close"]
        assert {c for _, c in await audit(bot)} == {alias(bot)}


async def test_with_a_worker_holding_the_case_only_the_worker_speaks(database_url: str) -> None:
    async with (
        FakeBotApi() as api,
        running_bot(forum(api), settings_for(api, database_url)) as bot,
    ):
        api.send_text(PERSON, "/start")
        await api.wait_for(lambda: api.texts_to(PERSON.id))
        api.press(PERSON, "human")
        thread = await topic(api)
        await take(api, bot, thread)
        before = len(api.texts_to(PERSON.id))

        api.send_text(PERSON, "allo ?")
        api.send_sticker(PERSON)
        api.press(PERSON, "theme:food")
        api.send_text(PERSON, "/menu")
        api.send_text(PERSON, CRISIS)
        api.send_text(JULIE, "Oui, je suis là.", chat_id=STAFF, thread_id=thread)
        api.send_text(JULIE, "Tu as mangé aujourd’hui ?", chat_id=STAFF, thread_id=thread)
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= before + 2)
        await settled(bot)
        assert api.texts_to(PERSON.id)[before:] == [
            "Julie — Le Relais :\nOui, je suis là.",
            "Julie — Le Relais :\nTu as mangé aujourd’hui ?",
        ]
        copies = api.sent(STAFF, "copyMessage")
        assert len(copies) == 3, "the texts and the sticker reached the topic as copies"
        assert any("sticker" in m for m in api.bot_messages(STAFF, thread))
        assert not [c for c in api.calls if c.method == "getFile"], "nothing was downloaded"
        # The crisis screen still runs: the case is raised and the workers alerted, loudly.
        await api.wait_for(lambda: api.topics[thread] == f"🔴💬 {alias(bot)} #1")
        alert = next(
            c for c in api.sent(STAFF, "sendMessage") if "Écran de crise" in c.params["text"]
        )
        assert not alert.params.get("disable_notification")


async def test_an_unauthorised_member_is_refused_and_nothing_reaches_the_person(
    database_url: str,
) -> None:
    stream = io.StringIO()
    handler = configure_logging("INFO", stream)
    try:
        async with (
            FakeBotApi() as api,
            running_bot(forum(api), settings_for(api, database_url)) as bot,
        ):
            api.chat_members[(STAFF, 5004)] = "kicked"
            gone = FakeUser(id=5004, first_name="Ancien")
            api.send_text(PERSON, "/start")
            await api.wait_for(lambda: api.texts_to(PERSON.id))
            api.press(PERSON, "human")
            thread = await topic(api)
            case_card = await card(api, thread)
            to_person = len(api.texts_to(PERSON.id))

            for intruder in (OUTSIDER, gone):
                api.press(intruder, button(case_card, "take"), message=case_card)
            await api.wait_for(
                lambda: len([c for c in api.calls if c.params.get("show_alert")]) >= 2
            )
            refusals = [c for c in api.calls if c.params.get("show_alert")]
            assert all("Réservé à l’équipe" in c.params.get("text", "") for c in refusals)

            await settled(bot)
            api.send_text(OUTSIDER, "coucou, c’est moi", chat_id=STAFF, thread_id=thread)
            await api.wait_for(lambda: any("Réservé" in t for t in in_topic(api, thread)))
            await settled(bot)
            assert len(api.texts_to(PERSON.id)) == to_person
            assert api.topics[thread].startswith("🟢⏳"), "still waiting for a real worker"
            assert await audit(bot) == []
    finally:
        logging.getLogger().removeHandler(handler)
    logs = stream.getvalue()
    assert "staff action refused for" in logs
    for needle in (str(OUTSIDER.id), OUTSIDER.username or "", "5004", "coucou"):
        assert needle not in logs


async def test_out_of_hours_the_person_is_told_when_and_the_team_gets_a_digest(
    database_url: str,
) -> None:
    # Saturday 2 am in Montréal; the team works weekdays.
    clock = FakeClock(datetime(2027, 1, 9, 2, 0, tzinfo=ZoneInfo("America/Montreal")))
    night_owl = FakeUser(id=777000333, first_name="Sam", language_code="en")
    async with (
        FakeBotApi() as api,
        running_bot(
            forum(api), settings_for(api, database_url, team_hours="Mo-Fr 09:00-21:00"), clock=clock
        ) as bot,
    ):
        api.send_text(PERSON, "/start")
        await api.wait_for(lambda: api.texts_to(PERSON.id))
        api.press(PERSON, "human")
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 2)
        told = api.texts_to(PERSON.id)[-1]
        assert "te répondra lundi à 9 h" in told
        assert "911" in told, "the 24/7 lines, now"

        normal = await card(api, await topic(api, 0))
        card_call = next(c for c in api.sent(STAFF, "sendMessage") if "Cas " in c.params["text"])
        assert card_call.params.get("disable_notification") is True, "no buzz at 2 am"
        assert normal["message_thread_id"] == next(iter(api.topics))

        api.send_text(night_owl, "/start")
        await api.wait_for(lambda: api.texts_to(night_owl.id))
        api.send_text(night_owl, "I want to kill myself")
        urgent_thread = await topic(api, 1)
        await card(api, urgent_thread)
        urgent_call = [c for c in api.sent(STAFF, "sendMessage") if "Cas " in c.params["text"]][1]
        assert not urgent_call.params.get("disable_notification"), "urgent always rings"
        # The person's lane and the staff lane are sent independently: wait for the person's.
        await api.wait_for(lambda: "Monday at 9 am" in "\n".join(api.texts_to(night_owl.id)))

        clock.advance(days=2, hours=7)  # Monday 9:00: the scheduler's job runs the digest
        await bot.bot.announce_opening(clock.now())
        await api.wait_for(lambda: any("Début de permanence" in m for m in api.texts_to(STAFF)))
        digest = next(c for c in api.sent(STAFF, "sendMessage") if "permanence" in c.params["text"])
        assert "message_thread_id" not in digest.params, "in the group's general thread"
        lines = digest.params["text"].splitlines()
        assert lines[0].startswith("☀️ Début de permanence : 2 cas")
        assert lines[1].startswith(f"🔴⏳ {alias(bot, night_owl)}"), "most pressing first"
        assert lines[2].startswith(f"🟢⏳ {alias(bot)}")
        assert not digest.params.get("disable_notification")

        api.send_text(JULIE, "/file", chat_id=STAFF)
        await api.wait_for(lambda: any("Cas ouverts (2)" in m for m in api.texts_to(STAFF)))
        assert [a for a, _ in await audit(bot)] == ["read", "read"]


async def test_a_person_who_blocked_the_bot_closes_the_case_with_a_note(database_url: str) -> None:
    async with (
        FakeBotApi() as api,
        running_bot(forum(api), settings_for(api, database_url)) as bot,
    ):
        api.send_text(PERSON, "/start")
        await api.wait_for(lambda: api.texts_to(PERSON.id))
        api.press(PERSON, "human")
        thread = await topic(api)
        await take(api, bot, thread)

        api.block(PERSON)
        api.send_text(JULIE, "Tu es toujours là ?", chat_id=STAFF, thread_id=thread)
        await api.wait_for(lambda: any("a bloqué le bot" in t for t in in_topic(api, thread)))
        await api.wait_for(lambda: api.topics[thread].startswith("🟢✅"))
        assert len(api.refused("sendMessage")) == 1
        async with bot.services.sessions() as session:
            status = await session.scalar(text("select status from cases"))
            addresses = await session.scalar(text("select count(*) from addresses"))
            owner = await session.scalar(text("select owner from conversations"))
        assert (status, addresses, owner) == ("closed", 0, "bot")


async def test_a_flooded_staff_group_is_waited_out_and_nothing_is_lost_or_reordered(
    database_url: str,
) -> None:
    async with (
        FakeBotApi() as api,
        running_bot(forum(api), settings_for(api, database_url)),
    ):
        api.send_text(PERSON, "/start")
        await api.wait_for(lambda: api.texts_to(PERSON.id))
        api.press(PERSON, "human")
        thread = await topic(api)
        await card(api, thread)

        api.fail_next("copyMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        written = [api.send_text(PERSON, f"message {n}") for n in range(1, 6)]
        await api.wait_for(lambda: len(api.sent(STAFF, "copyMessage")) == 5, timeout=20)
        copied = [c.params["message_id"] for c in api.sent(STAFF, "copyMessage")]
        assert copied == [m["message_id"] for m in written], "every message, in order"
        (refused,) = api.refused("copyMessage")
        retried = api.sent(STAFF, "copyMessage")[0]
        assert refused.params["message_id"] == retried.params["message_id"], "the same one again"
        assert retried.at - refused.at >= 1.0, "Telegram's retry_after was respected"
        assert in_topic(api, thread)[-5:] == [f"message {n}" for n in range(1, 6)]
        waiting = [t for t in api.texts_to(PERSON.id) if "prochaine personne" in t]
        assert len(waiting) >= 5, "every message while waiting is answered: never silence"


async def test_no_staff_side_message_reveals_who_the_person_is(database_url: str) -> None:
    async with (
        FakeBotApi() as api,
        running_bot(forum(api), settings_for(api, database_url)) as bot,
    ):
        api.send_text(PERSON, "/start parc-jc")
        await api.wait_for(lambda: api.texts_to(PERSON.id))
        api.send_text(PERSON, CRISIS)
        thread = await topic(api)
        await take(api, bot, thread)
        api.send_text(PERSON, "je suis au parc")
        api.send_sticker(PERSON)
        api.share_location(PERSON, 45.4012, -71.8923)
        api.send_text(JULIE, "/note à revoir demain", chat_id=STAFF, thread_id=thread)
        api.send_text(JULIE, "/file", chat_id=STAFF)
        api.send_text(JULIE, "/cas", chat_id=STAFF, thread_id=thread)
        api.send_text(JULIE, "/rendre", chat_id=STAFF, thread_id=thread)
        question = await asked(api, thread, "Rendre la conversation au bot quand même")
        api.press(JULIE, button(question, "confirm"), message=question)
        await api.wait_for(lambda: "te repasse au bot" in api.texts_to(PERSON.id)[-1])
        await api.wait_for(lambda: api.topics[thread].startswith("🔴✅"))
        await settled(bot)

        to_staff = [c for c in api.calls if str(c.params.get("chat_id")) == str(STAFF)]
        assert len(to_staff) >= 10
        for call in to_staff:
            # ``from_chat_id`` is the address Telegram needs to copy from; the copy itself
            # carries no author (checked below on what the group actually shows).
            shown = {k: v for k, v in call.params.items() if k != "from_chat_id"}
            blob = json.dumps(shown, ensure_ascii=False)
            for needle in (PERSON.first_name, PERSON.username or "", str(PERSON.id)):
                assert needle not in blob, f"{call.method} leaked {needle!r}"
        for message in api.bot_messages(STAFF):
            assert message["from"]["is_bot"] is True
            assert not {"forward_origin", "forward_from", "forward_sender_name"} & set(message)
        assert any("position" in t for t in in_topic(api, thread)), "location withheld, said so"
        assert not any("45.40" in json.dumps(c.params) for c in to_staff)
        assert "parc-jc" in (await card(api, thread))["text"], "the source code is shown"
        actions = [a for a, _ in await audit(bot)]
        assert actions == ["take", "note", "read", "read", "give_back"]


async def test_a_group_without_topics_gets_one_message_per_case_and_replies_route(
    database_url: str,
) -> None:
    async with FakeBotApi() as api, running_bot(api, settings_for(api, database_url)) as bot:
        api.chat_members[(STAFF, JULIE.id)] = "administrator"
        api.send_text(PERSON, "/start")
        await api.wait_for(lambda: api.texts_to(PERSON.id))
        api.press(PERSON, "human")
        case_card = await card(api)
        assert [c for c in api.calls if c.method == "createForumTopic"], "tried a topic first"
        assert "message_thread_id" not in case_card
        assert "réponds à un message de ce cas" in case_card["text"]

        api.press(JULIE, button(case_card, "take"), message=case_card)
        await api.wait_for(lambda: "a pris ta demande" in api.texts_to(PERSON.id)[-1])
        api.send_text(PERSON, "merci")
        await api.wait_for(lambda: len(api.sent(STAFF, "copyMessage")) == 1)
        relay = api.sent(STAFF, "copyMessage")[0]
        assert relay.params["reply_parameters"]["message_id"] == case_card["message_id"]
        await settled(bot)
        relayed = next(m for m in api.bot_messages(STAFF) if m.get("text") == "merci")

        api.send_text(JULIE, "Avec plaisir.", chat_id=STAFF, reply_to_message=relayed)
        await api.wait_for(
            lambda: api.texts_to(PERSON.id)[-1] == "Julie — Le Relais :\nAvec plaisir."
        )
        api.send_text(JULIE, "on en parle à la réunion", chat_id=STAFF)
        await settled(bot)
        assert api.texts_to(PERSON.id)[-1] == "Julie — Le Relais :\nAvec plaisir.", (
            "team chatter outside a case goes nowhere"
        )

        api.press(JULIE, button(case_card, "note"), message=case_card)
        await api.wait_for(lambda: any("Note pour" in t for t in api.texts_to(STAFF)))
        await settled(bot)
        prompt = next(m for m in api.bot_messages(STAFF) if "Note pour" in m.get("text", ""))
        api.send_text(JULIE, "a demandé un sac de couchage", chat_id=STAFF, reply_to_message=prompt)
        await api.wait_for(lambda: any("Note gardée" in t for t in api.texts_to(STAFF)))
        assert "sac de couchage" not in "\n".join(api.texts_to(PERSON.id))
