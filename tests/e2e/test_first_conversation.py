"""A person meets Passerelle on Telegram: the real PTB application, a fake Bot API over HTTP."""

from __future__ import annotations

import io
import logging

from sqlalchemy import text

from bot.logs import configure_logging
from flows.directory import ResourceCard, SearchPage
from flows.domain import Theme
from flows.understanding import Intent, Interpretation
from resources_db.models import Base
from tests.e2e.harness import e2e_settings, running_bot
from tests.fakes.bot_api import FakeBotApi, FakeUser
from tests.fakes.core import FakeDirectory, FakeNlu

PERSON = FakeUser(id=777000111, first_name="Maëlys", username="maelys_du_parc", language_code="fr")


async def test_start_then_theme_button_then_place(database_url: str) -> None:
    async with FakeBotApi() as api, running_bot(api, e2e_settings(api, database_url)):
        api.send_text(PERSON, "/start parc-jc")
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 1)
        welcome = api.texts_to(PERSON.id)[0]
        assert "anonyme" in welcome
        assert "pas un service d’urgence" in welcome
        assert "911" in welcome
        assert "Équipe de rue test" in welcome
        labels = [label for label, _ in api.buttons_to(PERSON.id)]
        assert "🍽 Manger" in labels
        assert "🙋 Parler à quelqu’un" in labels
        assert "🆘 Urgence" in labels

        api.press(PERSON, "theme:food")
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 2)
        ask = api.sent(PERSON.id, "sendMessage")[-1].params
        assert "où es-tu" in ask["text"]
        keyboard = ask["reply_markup"]["keyboard"]
        assert keyboard[0][0]["request_location"] is True


async def test_english_speaker_is_welcomed_in_english(database_url: str) -> None:
    person = FakeUser(id=5550001, first_name="Sam", language_code="en-CA")
    async with FakeBotApi() as api, running_bot(api, e2e_settings(api, database_url)):
        api.send_text(person, "/start")
        await api.wait_for(lambda: api.texts_to(person.id))
        welcome = api.texts_to(person.id)[0]
        assert "anonymous" in welcome
        assert "not an emergency service" in welcome


async def test_stickers_and_voice_notes_get_a_kind_answer_and_are_never_downloaded(
    database_url: str,
) -> None:
    async with FakeBotApi() as api, running_bot(api, e2e_settings(api, database_url)):
        api.send_sticker(PERSON)
        api.send_voice(PERSON)
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 3)
        first, *answers = api.texts_to(PERSON.id)
        assert "anonyme" in first, "a first message without Start hears the welcome's promises"
        assert len(answers) == 2
        for reply in answers:
            assert "Je lis seulement le texte" in reply
        assert not [c for c in api.calls if c.method == "getFile"]


async def test_group_chats_and_bots_are_ignored(database_url: str) -> None:
    other_bot = FakeUser(id=42424242, first_name="Spam", is_bot=True)
    async with FakeBotApi() as api, running_bot(api, e2e_settings(api, database_url)) as bot:
        api.send_text(PERSON, "/start", chat_id=-100999)
        api.send_text(other_bot, "/start")
        api.send_text(PERSON, "/aide")
        await api.wait_for(lambda: api.texts_to(PERSON.id))
        await bot.settled()
        assert api.sent(-100999) == []
        assert api.sent(other_bot.id) == []
        assert "Voici ce que je sais faire" in "\n".join(api.texts_to(PERSON.id))


async def test_long_replies_are_split_and_user_text_is_escaped(database_url: str) -> None:
    long_text = "<b>" + "a" * 9_000
    async with FakeBotApi() as api, running_bot(api, e2e_settings(api, database_url)):
        api.send_text(PERSON, long_text)
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 2)
        texts = api.texts_to(PERSON.id)
        assert all(len(t) <= 4096 for t in texts)
        assert any("très long" in t for t in texts)


async def test_a_person_who_blocked_the_bot_is_forgotten_as_an_address(database_url: str) -> None:
    async with FakeBotApi() as api, running_bot(api, e2e_settings(api, database_url)) as bot:
        api.send_text(PERSON, "/start")
        await api.wait_for(lambda: api.texts_to(PERSON.id))
        async with bot.services.sessions() as session:
            assert (await session.scalar(text("select count(*) from addresses"))) == 1
        api.block(PERSON)
        api.send_text(PERSON, "/aide")
        await api.wait_for(lambda: api.refused("sendMessage"))
        await bot.settled()
        async with bot.services.sessions() as session:
            assert (await session.scalar(text("select count(*) from addresses"))) == 0


async def test_nothing_identifying_reaches_logs_or_database(database_url: str) -> None:
    """The whole first conversation with production logging at DEBUG: nothing identifying."""
    stream = io.StringIO()
    handler = configure_logging("DEBUG", stream)
    secret_text = "je dors dehors depuis mardi pres du parc Jacques-Cartier"
    nlu = FakeNlu({secret_text: Interpretation(Intent.NEED, 0.93, theme=Theme.SHELTER)})
    async with (
        FakeBotApi() as api,
        running_bot(api, e2e_settings(api, database_url), nlu=nlu) as bot,
    ):
        api.send_text(PERSON, "/start parc-jc")
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 1)
        api.send_text(PERSON, secret_text)
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 2)
        api.press(PERSON, "theme:food")
        api.send_sticker(PERSON)
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 4)
        dump = []
        async with bot.services.sessions() as session:
            for table in Base.metadata.sorted_tables:
                rows = (await session.execute(table.select())).all()
                dump.extend(repr(tuple(row)) for row in rows)
            kept = await session.scalar(text("select count(*) from conversations"))
            assert kept == 1, "the conversation is kept, under its pseudonym"
    logging.getLogger().removeHandler(handler)
    logs = stream.getvalue()
    assert "event TextReceived" in logs, "logging was on and recorded the events"
    haystack = logs + "\n".join(dump)
    for needle in (PERSON.first_name, PERSON.username, str(PERSON.id), secret_text, "dehors"):
        assert needle not in haystack


async def test_telegram_429_is_waited_out_and_nothing_is_lost(database_url: str) -> None:
    async with FakeBotApi() as api, running_bot(api, e2e_settings(api, database_url)):
        api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        api.send_text(PERSON, "/start")
        await api.wait_for(lambda: api.texts_to(PERSON.id), timeout=15)
        assert "anonyme" in api.texts_to(PERSON.id)[0]
        assert len(api.refused("sendMessage")) == 1
        assert len(api.texts_to(PERSON.id)) == 1, "the refused message was sent again, once"


async def test_a_persons_messages_are_answered_in_the_order_sent(database_url: str) -> None:
    """The first message takes longest to understand; answers must still come in order."""
    import asyncio

    from flows.domain import Language

    class SlowFirst:
        async def parse(self, text: str, language: Language) -> Interpretation:
            await asyncio.sleep(0.3 if text == "un" else 0)
            return Interpretation(
                Intent.NEED,
                0.9,
                theme={"un": Theme.FOOD, "deux": Theme.SHELTER, "trois": Theme.HEALTH}[text],
            )

    async with (
        FakeBotApi() as api,
        running_bot(api, e2e_settings(api, database_url), nlu=SlowFirst()),
    ):
        for word in ("un", "deux", "trois"):
            api.send_text(PERSON, word)
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 4)
        # The first message also hears the welcome's promises (no Start was pressed).
        asked = [t.split(" :")[0] for t in api.texts_to(PERSON.id) if "anonyme" not in t]
        assert asked == ["🍽 Manger", "🛏 Dormir, se loger", "🩺 Santé"]


def _place(service_id: str, name: str, distance: int, *, open_now: bool) -> ResourceCard:
    return ResourceCard(
        service_id=service_id,
        name=name,
        organization="Le Relais",
        themes=(Theme.FOOD,),
        distance_m=distance,
        open_now=open_now,
        next_change=None,
        always_open=open_now,
        address="12 rue King Ouest, Sherbrooke",
        latitude=45.401,
        longitude=-71.891,
        phone="+1 819 555-0142",
        conditions=None,
        what_to_bring=None,
        free=True,
        walk_in=True,
        verified_on=None,
    )


async def test_results_are_one_list_and_a_place_button_opens_its_card_and_pin(
    database_url: str,
) -> None:
    places = (
        _place("frigo", "Frigo partagé", 900, open_now=True),
        _place("soupe", "Soupe populaire", 150, open_now=False),
    )
    directory = FakeDirectory(page=SearchPage(cards=places, total=2, radius_m=5_000))
    async with (
        FakeBotApi() as api,
        running_bot(api, e2e_settings(api, database_url), directory=directory),
    ):
        api.send_text(PERSON, "/start")
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 1)
        api.press(PERSON, "theme:food")
        await api.wait_for(lambda: len(api.texts_to(PERSON.id)) >= 2)
        api.share_location(PERSON, 45.40, -71.89)
        await api.wait_for(lambda: any("Soupe populaire" in t for t in api.texts_to(PERSON.id)))
        await api.wait_quiet()
        # The list, then (once a week at most) the offer of a follow-up.
        listing = next(t for t in reversed(api.texts_to(PERSON.id)) if "Soupe populaire" in t)
        assert "1. Frigo partagé — 900 m · 🟢 ouvert 24 h/24" in listing
        assert "2. Soupe populaire — 150 m · 🔴 fermé" in listing
        assert "☎" not in listing
        assert api.sent(PERSON.id, "sendVenue") == [], "pins come with a place's card"
        shown = next(
            c.params for c in api.sent(PERSON.id, "sendMessage") if c.params.get("text") == listing
        )
        keyboard = (shown.get("reply_markup") or {}).get("inline_keyboard", [])
        labels = [b["text"] for row in keyboard for b in row]
        assert labels[:2] == ["1. Frigo partagé", "2. Soupe populaire"]

        api.press(PERSON, "card:45.400:-71.890:soupe")
        await api.wait_for(lambda: len(api.sent(PERSON.id, "sendVenue")) == 1)
        card = api.texts_to(PERSON.id)[-1]
        assert card.startswith("Soupe populaire")
        assert "☎ +1 819 555-0142" in card
        assert "🏠 12 rue King Ouest, Sherbrooke" in card
