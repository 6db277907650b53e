"""The worker's tools: confirmation before ending a just-flagged case, priority, ready replies,
resource cards — what the worker and the person would each notice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.actions import OpenCase, Reply, ShowPlace
from flows.case_rules import CaseRules, crisis_case
from flows.cases import Case, CaseStatus, Worker, WorkerAction
from flows.catalogue import Catalogue
from flows.directory import ResourceCard
from flows.domain import CaseReason, Conversation, Formality, Language, Owner, Priority
from flows.handoff import HandoffConfig, HandoffRules
from flows.handoff_service import HandoffService
from flows.service import KeyedLocks
from flows.signature import Signature
from flows.staff_view import StaffView
from flows.understanding import CrisisCategory, CrisisLevel, Screening
from flows.worker_actions import WorkerActions, parse_priority, ready_replies
from tests.fakes.core import FakeClock, MemoryWorld

P = "b" * 64
JULIE = Worker("w-julie" + "0" * 57, "Julie")
MARC = Worker("w-marc" + "0" * 58, "Marc")
ZONE = ZoneInfo("America/Montreal")
SUICIDE = Screening(CrisisLevel.URGENT, CrisisCategory.SUICIDE)


def actions(clock: FakeClock, formality: Formality = Formality.TU) -> WorkerActions:
    catalogue = Catalogue.load(formality)
    return WorkerActions(
        catalogue=catalogue,
        clock=clock,
        view=StaffView(catalogue, Language.FR, ZONE),
        signature=Signature(catalogue, "Le Relais"),
    )


def person(clock: FakeClock, language: Language = Language.FR) -> Conversation:
    return Conversation(P, language, clock.now(), clock.now(), owner=Owner.WORKER)


def held(clock: FakeClock, *, flagged: bool = False, by: Worker = JULIE) -> Case:
    rules = CaseRules(clock=clock)
    effect = (
        crisis_case(SUICIDE) if flagged else OpenCase(Priority.NORMAL, CaseReason.ASKED_FOR_HUMAN)
    )
    case = replace(rules.open_case(P, None, effect), id=12)
    return case.changed(
        clock.now(), by.pseudonym, "taken", status=CaseStatus.TAKEN, owner=by.pseudonym
    )


# --- confirmation before ending a case the crisis screen just flagged ---------------------------


@pytest.mark.parametrize("action", [WorkerAction.CLOSE, WorkerAction.GIVE_BACK])
def test_ending_a_just_flagged_case_asks_first_and_changes_nothing(
    clock: FakeClock, action: WorkerAction
) -> None:
    case = held(clock, flagged=True)
    clock.advance(seconds=20)
    decision = actions(clock).decide(case, person(clock), action, JULIE, holder_name="Julie")
    assert not decision.accepted
    assert decision.case == case, "still open, still Julie's"
    assert decision.to_person == (), "the person is not told goodbye"
    assert decision.audit == ()
    assert decision.confirm is not None
    assert "il y a 0 min (suicide)" in decision.confirm.text
    ((yes, _no),) = decision.confirm.buttons
    assert (
        yes.payload
        == f"case:confirm:12:{'give_back' if action is WorkerAction.GIVE_BACK else 'close'}"
    )


def test_once_confirmed_the_case_closes(clock: FakeClock) -> None:
    case = held(clock, flagged=True)
    decision = actions(clock).decide(case, person(clock), WorkerAction.CLOSE, JULIE, confirmed=True)
    assert decision.accepted
    assert decision.case.status is CaseStatus.CLOSED
    assert "a terminé la conversation" in decision.to_person[0].text  # type: ignore[union-attr]


def test_an_old_flag_or_no_flag_closes_without_asking(clock: FakeClock) -> None:
    flagged = held(clock, flagged=True)
    quiet = held(clock)
    clock.advance(minutes=31)
    assert actions(clock).decide(flagged, person(clock), WorkerAction.CLOSE, JULIE).accepted
    assert actions(clock).decide(quiet, person(clock), WorkerAction.CLOSE, JULIE).accepted


def test_a_colleague_cannot_end_a_case_even_by_confirming(clock: FakeClock) -> None:
    case = held(clock, flagged=True)
    decision = actions(clock).decide(
        case, person(clock), WorkerAction.CLOSE, MARC, confirmed=True, holder_name="Julie"
    )
    assert not decision.accepted
    assert decision.confirm is None
    assert "Julie a ce cas" in decision.to_staff[0]


async def test_through_the_service_a_flagged_case_stays_open_until_confirmed(
    clock: FakeClock,
) -> None:
    world = MemoryWorld()
    rules = HandoffRules(
        catalogue=Catalogue.load(),
        clock=clock,
        config=HandoffConfig(
            organisation="Le Relais", zone=ZONE, confirm_within=timedelta(minutes=30)
        ),
    )
    world.cases[12] = held(clock, flagged=True)
    world.conversations[P] = person(clock)
    world.addresses[P] = "424242"
    service = HandoffService(rules=rules, uow_factory=world, locks=KeyedLocks(), clock=clock)
    outcome = await service.handle(12, WorkerAction.CLOSE, JULIE)
    assert outcome is not None
    assert outcome.decision.confirm is not None
    assert world.cases[12].status is CaseStatus.TAKEN
    assert world.conversations[P].owner is Owner.WORKER
    assert world.audit == [], "nothing happened, nothing is audited"


# --- priority ------------------------------------------------------------------------------------


def test_any_colleague_may_raise_a_case_and_it_is_audited(clock: FakeClock) -> None:
    case = held(clock)
    decision = actions(clock).decide(
        case, None, WorkerAction.PRIORITY, MARC, priority=Priority.URGENT
    )
    assert decision.accepted
    assert decision.case.priority is Priority.URGENT
    assert decision.case.history[-1].detail == "priority:urgent"
    assert decision.case.history[-1].by == MARC.pseudonym
    assert decision.audit == (WorkerAction.PRIORITY,)
    assert decision.to_staff == ("Marc a mis la priorité à 🔴 URGENT.",)
    assert decision.to_person == (), "the person is not told"


def test_lowering_is_allowed_and_a_repeat_or_a_closed_case_is_refused(clock: FakeClock) -> None:
    case = held(clock, flagged=True)
    lowered = actions(clock).decide(
        case, None, WorkerAction.PRIORITY, JULIE, priority=Priority.NORMAL
    )
    assert lowered.case.priority is Priority.NORMAL
    again = actions(clock).decide(
        lowered.case, None, WorkerAction.PRIORITY, JULIE, priority=Priority.NORMAL
    )
    assert not again.accepted
    assert "déjà en priorité 🟢 normal" in again.to_staff[0]
    closed = replace(case, status=CaseStatus.CLOSED)
    assert (
        not actions(clock)
        .decide(closed, None, WorkerAction.PRIORITY, JULIE, priority=Priority.HIGH)
        .accepted
    )
    assert not actions(clock).decide(case, None, WorkerAction.PRIORITY, JULIE).accepted


@pytest.mark.parametrize(
    ("typed", "priority"),
    [
        ("urgent", Priority.URGENT),
        ("Urgente", Priority.URGENT),
        ("haute", Priority.HIGH),
        ("high", Priority.HIGH),
        ("prioritaire", Priority.HIGH),
        ("normale", Priority.NORMAL),
        ("🟢", Priority.NORMAL),
        ("bof", None),
        ("", None),
    ],
)
def test_priorities_are_named_in_both_languages(typed: str, priority: Priority | None) -> None:
    assert parse_priority(typed) is priority


# --- ready replies ----------------------------------------------------------------------------


def test_the_team_has_ready_replies_each_with_a_label_and_no_blank_to_fill() -> None:
    catalogue = Catalogue.load()
    replies = ready_replies(catalogue)
    assert len(replies) >= 6
    assert replies[0] == "hello"
    for reply in replies:
        for language in Language:
            assert catalogue.text(f"staff.ready.{reply}.label", language)
            assert "{" not in catalogue.text(f"staff.ready.{reply}.text", language)
            assert len(catalogue.text(f"staff.ready.{reply}.label", language)) <= 30


def test_a_ready_reply_reaches_the_person_in_their_language_signed(clock: FakeClock) -> None:
    case = held(clock)
    decision = actions(clock).decide(
        case, person(clock, Language.EN), WorkerAction.READY_REPLY, JULIE, ready_reply="safe_now"
    )
    assert decision.accepted
    (message,) = decision.to_person
    assert isinstance(message, Reply)
    assert message.text == "Julie — Le Relais:\nAre you safe right now?"
    assert decision.to_staff == ("💬 Julie a envoyé une réponse prête :\nAre you safe right now?",)
    assert decision.audit == (WorkerAction.READY_REPLY,)


def test_a_ready_reply_says_vous_where_the_team_does(clock: FakeClock) -> None:
    decision = actions(clock, Formality.VOUS).decide(
        held(clock), person(clock), WorkerAction.READY_REPLY, JULIE, ready_reply="safe_now"
    )
    assert decision.to_person[0].text.endswith("Est-ce que vous êtes en sécurité, là, maintenant ?")  # type: ignore[union-attr]


def test_only_the_holder_sends_a_ready_reply_and_only_a_known_one(clock: FakeClock) -> None:
    case = held(clock)
    by_marc = actions(clock).decide(
        case,
        person(clock),
        WorkerAction.READY_REPLY,
        MARC,
        ready_reply="hello",
        holder_name="Julie",
    )
    assert not by_marc.accepted
    assert by_marc.to_person == ()
    unknown = actions(clock).decide(
        case, person(clock), WorkerAction.READY_REPLY, JULIE, ready_reply="nope"
    )
    assert not unknown.accepted
    assert "rien n’est parti" in unknown.to_staff[0]
    queued = replace(case, status=CaseStatus.QUEUED, owner=None)
    assert (
        not actions(clock)
        .decide(queued, person(clock), WorkerAction.READY_REPLY, JULIE, ready_reply="hello")
        .accepted
    )


# --- resource cards ---------------------------------------------------------------------------


def card(*, confidential: bool = False) -> ResourceCard:
    return ResourceCard(
        service_id="svc-1",
        name="Soupe populaire du centre",
        organization="Moisson Estrie",
        themes=(),
        distance_m=450,
        open_now=True,
        next_change=None,
        always_open=False,
        address="123 rue King Ouest",
        latitude=45.40,
        longitude=-71.89,
        phone="819 555-0100",
        conditions=None,
        what_to_bring=None,
        free=True,
        walk_in=True,
        verified_on=None,
        confidential=confidential,
    )


def test_a_resource_card_reaches_the_person_signed_with_its_pin(clock: FakeClock) -> None:
    decision = actions(clock).decide(
        held(clock), person(clock), WorkerAction.SEND_RESOURCE, JULIE, resource=card()
    )
    assert decision.accepted
    text, pin = decision.to_person
    assert isinstance(text, Reply)
    assert text.text.startswith("Julie — Le Relais :\nSoupe populaire du centre")
    assert "819 555-0100" in text.text
    assert pin == ShowPlace(45.40, -71.89, "Soupe populaire du centre", "123 rue King Ouest")
    assert decision.to_staff == (
        "📇 Julie a envoyé la fiche « Soupe populaire du centre » à la personne.",
    )
    assert decision.audit == (WorkerAction.SEND_RESOURCE,)


def test_a_confidential_place_gets_no_address_and_no_pin(clock: FakeClock) -> None:
    decision = actions(clock).decide(
        held(clock),
        person(clock),
        WorkerAction.SEND_RESOURCE,
        JULIE,
        resource=card(confidential=True),
    )
    (text,) = decision.to_person
    assert "123 rue King" not in text.text  # type: ignore[union-attr]


def test_a_vanished_resource_or_a_colleague_sends_nothing(clock: FakeClock) -> None:
    gone = actions(clock).decide(held(clock), person(clock), WorkerAction.SEND_RESOURCE, JULIE)
    assert not gone.accepted
    assert "La liste a changé" in gone.to_staff[0]
    by_marc = actions(clock).decide(
        held(clock), person(clock), WorkerAction.SEND_RESOURCE, MARC, resource=card()
    )
    assert not by_marc.accepted
    assert by_marc.to_person == ()
