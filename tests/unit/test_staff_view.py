"""What workers read in the staff group: titles, cards, buttons, the queue. Never who it is."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.cases import BY_PERSON, Case, CaseStatus
from flows.catalogue import Catalogue
from flows.domain import CaseReason, Language, Priority
from flows.staff_view import StaffView, format_duration, queue_order, topic_title

NOW = datetime(2026, 11, 17, 19, 3, tzinfo=UTC)
P = "e" * 64
VIEW = StaffView(Catalogue.load(), Language.FR, ZoneInfo("America/Montreal"))


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


@pytest.mark.parametrize(
    ("priority", "status", "title"),
    [
        (Priority.URGENT, CaseStatus.QUEUED, "🔴⏳ Hibou-07 #12"),
        (Priority.HIGH, CaseStatus.TAKEN, "🟠💬 Hibou-07 #12"),
        (Priority.NORMAL, CaseStatus.CLOSED, "🟢✅ Hibou-07 #12"),
    ],
)
def test_a_topic_title_says_priority_and_status_at_a_glance(
    priority: Priority, status: CaseStatus, title: str
) -> None:
    assert topic_title(priority, status, "Hibou-07", 12) == title


def test_the_card_says_what_was_chosen_why_and_since_when_never_who() -> None:
    text = VIEW.card(case(owner="w" * 64), "Julie", in_topic=True)
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


def test_flagged_messages_show_on_the_card() -> None:
    assert "encore 2 message(s) signalé(s)" in VIEW.card(case(crisis_flags=2), None, in_topic=True)


def test_card_buttons_follow_the_status() -> None:
    def verbs(c: Case) -> list[str]:
        return [b.payload.split(":")[1] for row in VIEW.card_buttons(c) for b in row]

    assert verbs(case()) == ["take", "note", "give_back", "close"]
    assert verbs(case(status=CaseStatus.TAKEN)) == ["note", "give_back", "close"]
    assert verbs(case(status=CaseStatus.CLOSED)) == ["reopen", "note"]
    assert VIEW.card_buttons(case())[0][0].payload == "case:take:12"


def test_the_queue_puts_the_most_pressing_first_then_the_longest_wait() -> None:
    old_normal = case(id=1, priority=Priority.NORMAL, queued_at=NOW - timedelta(hours=5))
    new_urgent = case(id=2, priority=Priority.URGENT, queued_at=NOW)
    old_urgent = case(id=3, priority=Priority.URGENT, queued_at=NOW - timedelta(hours=1))
    assert [c.id for c in queue_order([old_normal, new_urgent, old_urgent])] == [3, 2, 1]
    text = VIEW.queue([old_normal, new_urgent], {}, NOW + timedelta(minutes=30), digest=False)
    assert text.splitlines() == [
        "📋 Cas ouverts (2), le plus pressant d’abord :",
        "🔴⏳ Hibou-07 #2 · la personne a demandé quelqu’un · depuis 30 min",
        "🟢⏳ Hibou-07 #1 · la personne a demandé quelqu’un · depuis 5 h 30",
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


@pytest.mark.parametrize(
    ("minutes", "text"), [(0, "0 min"), (59, "59 min"), (61, "1 h 01"), (3000, "50 h 00")]
)
def test_durations_read_in_both_languages(minutes: int, text: str) -> None:
    assert format_duration(timedelta(minutes=minutes)) == text
