"""What workers read in the staff group: titles, cards, buttons, the queue. Never who it is."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.cases import BY_BOT, BY_PERSON, REALERTED, Case, CaseStatus, StatusChange, WorkerAction
from flows.catalogue import Catalogue
from flows.domain import CaseReason, Language, Priority
from flows.staff_view import (
    CARD_LIMIT,
    CasePayload,
    StaffView,
    case_payload,
    case_title,
    format_duration,
    parse_case_payload,
    queue_order,
    text_length,
)
from flows.transcript import BotNote, NoteKind, TranscriptEntry
from flows.understanding import CrisisCategory, CrisisLevel

NOW = datetime(2026, 11, 17, 19, 3, tzinfo=UTC)  # 14:03 in Montréal
P = "e" * 64
JULIE = "w-julie" + "0" * 57
VIEW = StaffView(Catalogue.load(), Language.FR, ZoneInfo("America/Montreal"))
VIEW_EN = StaffView(Catalogue.load(), Language.EN, ZoneInfo("America/Montreal"))


def case(**changes: object) -> Case:
    base = Case(
        id=12,
        pseudonym=P,
        alias="Hibou-07",
        priority=Priority.HIGH,
        reason=CaseReason.ASKED_FOR_HUMAN,
        status=CaseStatus.QUEUED,
        opened_at=NOW,
        queued_at=NOW,
        context={"theme": "shelter", "area": "J1H", "language": "en", "source": "parc-jc"},
    )
    return replace(base, **changes)


def crisis_case(*flags: tuple[int, str], **changes: object) -> Case:
    """A crisis case flagged at these minutes after NOW with ``category:level``."""
    history = [StatusChange(NOW, CaseStatus.QUEUED, BY_BOT, "opened:crisis")]
    history += [
        StatusChange(NOW + timedelta(minutes=m), CaseStatus.QUEUED, BY_BOT, f"flagged:{what}")
        for m, what in flags
    ]
    values: dict[str, object] = {
        "reason": CaseReason.CRISIS,
        "priority": Priority.URGENT,
        "history": tuple(history),
    }
    values.update(changes)
    return case(**values)


def said(minutes: int, text: str | None, *notes: BotNote) -> TranscriptEntry:
    return TranscriptEntry(NOW - timedelta(minutes=minutes), text, notes)


@pytest.mark.parametrize(
    ("priority", "status", "title"),
    [
        (Priority.URGENT, CaseStatus.QUEUED, "🔴⏳ Hibou-07 #12"),
        (Priority.HIGH, CaseStatus.TAKEN, "🟠💬 Hibou-07 #12"),
        (Priority.NORMAL, CaseStatus.CLOSED, "🟢✅ Hibou-07 #12"),
    ],
)
def test_a_case_title_says_priority_and_status_at_a_glance(
    priority: Priority, status: CaseStatus, title: str
) -> None:
    assert case_title(priority, status, "Hibou-07", 12) == title


def test_the_card_says_what_was_chosen_why_and_since_when_never_who() -> None:
    text = VIEW.card(case(owner="w" * 64), "Julie", hint=VIEW.text("staff.hint_topic"))
    assert "🟠 prioritaire · ⏳ en attente" in text
    assert "Cas Hibou-07 (#12)" in text
    assert "la personne a demandé quelqu’un" in text
    assert "🛏 Dormir, se loger" in text
    assert "secteur J1H" in text
    assert "langue anglais" in text
    assert "« parc-jc »" in text
    assert "17/11 14:03" in text, "in the team's time zone"
    assert "Avec : Julie" in text
    assert P not in text


def test_the_card_says_what_kind_of_crisis_in_words() -> None:
    text = VIEW.card(crisis_case((0, "suicide:urgent")), None, hint=VIEW.text("staff.hint_topic"))
    assert "🔴 Crise — suicide (urgent)" in text
    concern = VIEW.card(
        crisis_case((0, "violence:concern"), priority=Priority.HIGH),
        None,
        hint=VIEW.text("staff.hint_topic"),
    )
    assert "🟠 Crise — violence, danger (inquiétant)" in concern


def test_several_flags_show_every_kind_the_worst_level_and_the_last_time() -> None:
    flagged = crisis_case((0, "violence:concern"), (9, "suicide:urgent"), (12, "violence:concern"))
    text = VIEW.card(flagged, None, hint=VIEW.text("staff.hint_topic"))
    assert "🔴 Crise — violence, danger, suicide (urgent)" in text
    assert "3 messages signalés, le dernier à 14:15" in text


def test_a_crisis_case_stored_before_flags_were_recorded_still_reads_as_a_crisis() -> None:
    legacy = case(reason=CaseReason.CRISIS, priority=Priority.URGENT)
    assert "🔴 Crise — détresse (urgent)" in VIEW.card(
        legacy, None, hint=VIEW.text("staff.hint_topic")
    )


def test_the_card_shows_the_wait_and_the_earlier_cases_of_the_same_person() -> None:
    earlier = [
        case(id=7, opened_at=datetime(2026, 11, 10, 15, tzinfo=UTC)),
        case(id=3, opened_at=datetime(2026, 11, 2, 15, tzinfo=UTC)),
    ]
    text = VIEW.card(
        case(),
        None,
        hint=VIEW.text("staff.hint_topic"),
        now=NOW + timedelta(minutes=25),
        earlier=earlier,
    )
    assert "En attente depuis : 17/11 14:03 (25 min)" in text
    assert "Cas précédents : #7 (10/11/26), #3 (02/11/26)" in text


def test_before_the_request_the_persons_words_newest_last_and_what_the_bot_did() -> None:
    transcript = [
        said(9, "jai faim", BotNote(NoteKind.THEME, "food")),
        said(
            8,
            "J1H",
            BotNote(NoteKind.PLACES_SUGGESTED, "Soupe populaire"),
            BotNote(NoteKind.PLACES_SUGGESTED, "Le Tremplin"),
        ),
        said(7, None, BotNote(NoteKind.NOT_UNDERSTOOD)),
        said(
            2,
            "je veux parler à quelqu’un\nsvp",
            BotNote(NoteKind.ASKED_HUMAN, "asked_for_human"),
            BotNote(NoteKind.PROMISED, "demain à 9 h"),
        ),
    ]
    lines = VIEW.card(
        case(), None, hint=VIEW.text("staff.hint_topic"), now=NOW, transcript=transcript
    ).splitlines()
    start = lines.index("Avant la demande :")
    assert lines[start + 1 : start + 4] == [
        "13:54 « jai faim »",
        "13:55 « J1H »",
        "14:01 « je veux parler à quelqu’un svp »",
    ]
    assert lines[start + 4] == (
        "🤖 Le bot : sujet 🍽 Manger · lieux proposés : Soupe populaire, Le Tremplin"
        " · a promis une réponse demain à 9 h"
        " · demande d’humain : la personne a demandé quelqu’un · n’a pas compris (1 fois)"
    )
    assert lines[-1].startswith("✍️"), "the hint stays last"


def test_the_card_keeps_only_the_last_messages_and_cuts_long_ones() -> None:
    transcript = [said(60 - n, f"message {n} " + "x" * 400) for n in range(8)]
    text = VIEW.card(
        case(), None, hint=VIEW.text("staff.hint_topic"), now=NOW, transcript=transcript
    )
    assert "message 2 " not in text
    assert "message 3 " in text
    assert "message 7 " in text
    assert "x" * 300 not in text, "each message is cut"
    assert "…" in text


def test_the_card_never_exceeds_one_message_and_drops_the_oldest_words_first() -> None:
    transcript = [said(60 - n, f"m{n} " + "😢" * 270) for n in range(5)]
    text = VIEW.card(
        case(), None, hint=VIEW.text("staff.hint_topic"), now=NOW, transcript=transcript, limit=1500
    )
    assert text_length(text) <= 1500
    assert "m4 " in text, "the newest message stays"
    assert "m0 " not in text, "the oldest gives way"
    assert text.splitlines()[-1].startswith("✍️")
    full = VIEW.card(
        case(), None, hint=VIEW.text("staff.hint_topic"), now=NOW, transcript=transcript
    )
    assert text_length(full) <= CARD_LIMIT


def test_a_case_waiting_again_says_who_had_it() -> None:
    reopened = case(
        history=(
            StatusChange(NOW, CaseStatus.TAKEN, JULIE, "taken"),
            StatusChange(NOW, CaseStatus.CLOSED, JULIE, "closed"),
            StatusChange(NOW, CaseStatus.QUEUED, BY_PERSON, "reopened_by_person"),
        )
    )
    text = VIEW.card(reopened, None, hint=VIEW.text("staff.hint_topic"), previous_holder="Julie")
    assert "La personne a réécrit après la fermeture" in text
    assert "Avec : personne pour l’instant (avant : Julie)" in text


def test_the_card_reads_in_english_for_an_english_team() -> None:
    text = VIEW_EN.card(
        crisis_case((0, "overdose:urgent")), None, hint=VIEW.text("staff.hint_topic")
    )
    assert "🔴 Crisis — overdose (urgent)" in text
    assert "Case Hibou-07 (#12)" in text


def test_card_buttons_follow_the_status_and_offer_the_other_priorities() -> None:
    def verbs(c: Case) -> list[str]:
        return [b.payload for row in VIEW.card_buttons(c) for b in row]

    assert verbs(case()) == [
        "case:take:12",
        "case:note:12",
        "case:give_back:12",
        "case:close:12",
        "case:priority:12:urgent",
        "case:priority:12:normal",
    ]
    assert verbs(case(status=CaseStatus.TAKEN))[:2] == ["case:ready:12", "case:note:12"]
    assert verbs(case(status=CaseStatus.CLOSED)) == ["case:reopen:12", "case:note:12"]
    labels = [b.label for row in VIEW.card_buttons(case()) for b in row]
    assert "🔴 Passer en urgent" in labels


def test_payloads_read_back_and_fit_telegram() -> None:
    assert parse_case_payload("case:take:12") == CasePayload("take", 12)
    assert parse_case_payload("case:res:12:food:45.401:-71.892:0:ab12cd34") == CasePayload(
        "res", 12, "food:45.401:-71.892:0:ab12cd34"
    )
    assert parse_case_payload("case:take:douze") is None
    assert parse_case_payload("case:take:²") is None, "a digit int() refuses"
    assert parse_case_payload("theme:food") is None
    longest = case_payload("res", 999_999, "substance_use:-45.401:-171.892:4:ab12cd34")
    assert len(longest.encode()) <= 64


def test_closing_a_just_flagged_case_asks_with_yes_and_no() -> None:
    flagged = crisis_case((0, "suicide:urgent"), status=CaseStatus.TAKEN)
    prompt = VIEW.confirm_end(flagged, WorkerAction.CLOSE, NOW + timedelta(minutes=4))
    assert "il y a 4 min (suicide)" in prompt.text
    assert "Fermer le cas quand même ?" in prompt.text
    ((yes, no),) = prompt.buttons
    assert (yes.label, yes.payload) == ("Oui, fermer", "case:confirm:12:close")
    assert (no.label, no.payload) == ("Non", "case:cancel:12")
    give_back = VIEW.confirm_end(flagged, WorkerAction.GIVE_BACK, NOW)
    assert give_back.buttons[0][0].payload == "case:confirm:12:give_back"


def test_the_ready_reply_picker_shows_what_each_reply_says() -> None:
    text, buttons = VIEW.ready_picker(case(), ("hello", "safe_now"))
    assert "Réponses prêtes pour Hibou-07" in text
    assert "« Est-ce que tu es en sécurité, là, maintenant ? »" in text
    assert [b.payload for (b,) in buttons] == ["case:ready:12:hello", "case:ready:12:safe_now"]


def test_the_queue_puts_the_most_pressing_first_then_the_longest_wait() -> None:
    old_normal = case(id=1, priority=Priority.NORMAL, queued_at=NOW - timedelta(hours=5))
    new_urgent = case(id=2, priority=Priority.URGENT, queued_at=NOW)
    old_urgent = case(id=3, priority=Priority.URGENT, queued_at=NOW - timedelta(hours=1))
    assert [c.id for c in queue_order([old_normal, new_urgent, old_urgent])] == [3, 2, 1]
    text = VIEW.queue([old_normal, new_urgent], {}, NOW + timedelta(minutes=30), digest=False)
    assert text.splitlines() == [
        "📋 Cas ouverts (2), le plus pressant d’abord :",
        "🔴⏳ Hibou-07 #2 · la personne a demandé quelqu’un · ⏳ attend depuis 30 min",
        "🟢⏳ Hibou-07 #1 · la personne a demandé quelqu’un · ⏳ attend depuis 5 h 30",
    ]


def test_the_queue_says_who_holds_what_since_when_and_how_often_it_was_raised() -> None:
    waiting = crisis_case(
        (0, "overdose:urgent"),
        id=4,
        history=(
            StatusChange(NOW, CaseStatus.QUEUED, BY_BOT, "flagged:overdose:urgent"),
            StatusChange(NOW + timedelta(minutes=10), CaseStatus.QUEUED, BY_BOT, REALERTED),
            StatusChange(NOW + timedelta(minutes=30), CaseStatus.QUEUED, BY_BOT, REALERTED),
        ),
    )
    held = case(id=5, status=CaseStatus.TAKEN, owner=JULIE, taken_at=NOW + timedelta(minutes=20))
    held_too = case(id=6, status=CaseStatus.TAKEN, owner=JULIE, taken_at=NOW)
    text = VIEW.queue(
        [held, waiting, held_too], {JULIE: "Julie"}, NOW + timedelta(minutes=35), digest=False
    )
    assert text.splitlines()[1:] == [
        "🔴⏳ Hibou-07 #4 · crise — surdose · ⏳ attend depuis 35 min · ⏰ relancé 2 fois",
        "🟠💬 Hibou-07 #5 · la personne a demandé quelqu’un · 💬 avec Julie depuis 15 min",
        "🟠💬 Hibou-07 #6 · la personne a demandé quelqu’un · 💬 avec Julie depuis 35 min",
        "Qui a quoi : Julie 2",
    ]


def test_an_empty_queue_says_so() -> None:
    assert VIEW.queue([], {}, NOW, digest=False) == "📋 Aucun cas ouvert."


@pytest.mark.parametrize(
    ("detail", "expected"),
    [("blocked", "a bloqué le bot"), ("forgotten", "tout effacé"), ("cancelled", "annulé")],
)
def test_workers_are_told_why_the_person_ended_a_case(detail: str, expected: str) -> None:
    closed = case().changed(NOW, BY_PERSON, detail, status=CaseStatus.CLOSED)
    note = VIEW.person_note(closed)
    assert note is not None
    assert expected in note


def test_a_worker_closing_a_case_needs_no_extra_note() -> None:
    closed = case().changed(NOW, "w" * 64, "closed", status=CaseStatus.CLOSED)
    assert VIEW.person_note(closed) is None


def test_a_crisis_alert_in_a_topic_says_what_kind() -> None:
    alert = VIEW.alert(crisis_case((0, "suicide:urgent")))
    assert "Priorité : 🔴 URGENT" in alert
    assert "suicide (urgent)" in alert


@pytest.mark.parametrize(
    ("minutes", "text"), [(0, "0 min"), (59, "59 min"), (61, "1 h 01"), (3000, "50 h 00")]
)
def test_durations_read_in_both_languages(minutes: int, text: str) -> None:
    assert format_duration(timedelta(minutes=minutes)) == text


def test_every_kind_of_crisis_has_words_for_the_team() -> None:
    catalogue = Catalogue.load()
    for category in CrisisCategory:
        assert catalogue.has(f"staff.crisis.category.{category}"), category
    for level in CrisisLevel:
        assert catalogue.has(f"staff.crisis.level.{level}"), level


def test_a_kind_of_crisis_without_words_yet_still_reads_as_distress() -> None:
    odd = crisis_case((0, "something_new:urgent"))
    assert "🔴 Crise — détresse (urgent)" in VIEW.card(
        odd, None, hint=VIEW.text("staff.hint_topic")
    )
