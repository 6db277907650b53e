"""A follow-up through the real bot and the fake Bot API: offered, armed, sent at the right
time (never in quiet hours), silent and not forwardable, and answered."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flows.directory import SearchPage
from tests.e2e import test_handoff as handoff
from tests.e2e.harness import e2e_settings, running_bot
from tests.e2e.test_handoff import forum, in_topic, settings_for, topic
from tests.fakes.bot_api import FakeBotApi, FakeUser
from tests.fakes.core import FakeClock, FakeDirectory
from tests.unit.test_engine import card

PERSON = FakeUser(id=777000888, first_name="Alex", language_code="fr")
MONTREAL = ZoneInfo("America/Montreal")


async def test_a_follow_up_waits_for_the_morning_then_goes_silent_and_protected(
    database_url: str,
) -> None:
    # Wednesday 19:30: "demain" would be Thursday 19:30, before the quiet hours: sent then.
    # The person chooses it at 20:45 → due Thursday 20:45; the sender is asleep until 22:00
    # (the clock jumps past 21:00): it waits for Friday 09:00.
    clock = FakeClock(datetime(2026, 12, 2, 20, 45, tzinfo=MONTREAL))
    directory = FakeDirectory(page=SearchPage(cards=(card("Soupe", 300),), total=1, radius_m=2000))
    async with FakeBotApi() as api:
        settings = e2e_settings(api, database_url)
        async with running_bot(api, settings, directory=directory, clock=clock) as bot:
            api.send_text(PERSON, "/start")
            await api.wait_for(lambda: api.texts_to(PERSON.id))
            api.press(PERSON, "theme:food")
            await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 2)
            api.share_location(PERSON, 45.40, -71.89)
            await api.wait_for(
                lambda: any("relancer" in t for t in api.texts_to(PERSON.id)), timeout=10
            )
            offer = api.sent(PERSON.id, "sendMessage")[-1].params
            labels = [b["text"] for row in offer["reply_markup"]["inline_keyboard"] for b in row]
            assert labels[0].startswith("Oui")
            assert labels[-1].startswith("Non")
            assert offer.get("protect_content") is True, "PROTECT_CONTENT is on by default"
            api.press(PERSON, "followup:yes:1d")
            await api.wait_for(lambda: "demain" in api.texts_to(PERSON.id)[-1])
            await bot.settled()
            before = len(api.texts_to(PERSON.id))

            clock.advance(hours=25, minutes=15)  # Thursday 22:00: due, but quiet hours
            bot.transport.sender.wake()
            await bot.settled()
            assert len(api.texts_to(PERSON.id)) == before, "nothing at night"

            clock.advance(hours=11)  # Friday 09:00
            bot.transport.sender.wake()
            await api.wait_for(lambda: len(api.texts_to(PERSON.id)) > before, timeout=10)
            check_in = api.sent(PERSON.id, "sendMessage")[-1].params
            assert check_in["text"] == "Salut, c’est Passerelle. Est-ce que ça va ?"
            assert check_in.get("disable_notification") is True
            assert check_in.get("protect_content") is True

            api.send_text(PERSON, "non")
            await api.wait_for(lambda: "Désolé" in api.texts_to(PERSON.id)[-1])
            buttons = [d for _, d in api.buttons_to(PERSON.id)]
            assert "theme:food" in buttons
            assert "human" in buttons


async def test_forget_deletes_the_chat_and_mydata_then_shows_nothing_kept(
    database_url: str,
) -> None:
    async with FakeBotApi() as api, running_bot(api, e2e_settings(api, database_url)) as bot:
        api.send_text(PERSON, "/start")
        await api.wait_for(lambda: api.texts_to(PERSON.id))
        api.send_text(PERSON, "/mesdonnees")
        await api.wait_for(lambda: "Ce que je garde sur toi" in api.texts_to(PERSON.id)[-1])
        kept = api.texts_to(PERSON.id)[-1]
        assert "chiffré" in kept
        assert "30 jours" in kept
        await bot.settled()
        bots = [c.params for c in api.sent(PERSON.id)]
        api.send_text(PERSON, "/oublie")
        await api.wait_for(lambda: "Tout effacer" in api.texts_to(PERSON.id)[-1])
        api.press(PERSON, "forget:yes")
        await api.wait_for(lambda: "effacé" in api.texts_to(PERSON.id)[-1])
        await bot.settled()
        deleted = [c for c in api.calls if c.method == "deleteMessages"]
        assert deleted, "the chat's messages were deleted"
        ids = {int(m) for call in deleted for m in call.params["message_ids"]}
        assert {int(c.params["chat_id"]) for c in deleted} == {PERSON.id}
        assert len(ids) >= len(bots) + 2, "the bot's messages and the person's own"

        api.send_text(PERSON, "/mesdonnees")
        await api.wait_for(lambda: "rien d’autre" in api.texts_to(PERSON.id)[-1])


async def test_forget_deletes_the_copies_in_the_staff_topic_and_leaves_one_line(
    database_url: str,
) -> None:
    async with (
        FakeBotApi() as api,
        running_bot(forum(api), settings_for(api, database_url)) as bot,
    ):
        person = handoff.PERSON
        api.send_text(person, "/humain")
        thread = await topic(api)
        await handoff.card(api, thread)
        api.send_text(person, "je suis au parc, viens vite")
        await api.wait_for(lambda: bool(api.sent(handoff.STAFF, "copyMessage")))
        await bot.settled()
        copies = {
            int(m["message_id"])
            for m in api.bot_messages(handoff.STAFF, thread)
            if m.get("text") == "je suis au parc, viens vite"
        }
        assert copies
        api.send_text(person, "/oublie")
        await api.wait_for(lambda: any("Tout effacer" in t for t in api.texts_to(person.id)))
        await bot.settled()
        api.press(person, "forget:yes")
        await api.wait_for(lambda: "effacé" in api.texts_to(person.id)[-1])
        await api.wait_for(lambda: any("à sa demande" in m for m in in_topic(api, thread)))
        await bot.settled()
        deleted = {
            (int(c.params["chat_id"]), int(m))
            for c in api.calls
            if c.method == "deleteMessages"
            for m in c.params["message_ids"]
        }
        assert {(handoff.STAFF, m) for m in copies} <= deleted, "the copies are gone"
        assert any(chat == person.id for chat, _ in deleted), "and the private chat's messages"
