"""Urgent cases cannot fall through: raised again, with backoff, until a worker takes one.

The real engine and services on the in-memory world, a clock the test moves: what the group,
the on-call chat and the person would each see, and when.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.actions import OpenCase
from flows.availability import TeamAvailability, TeamHours
from flows.case_effects import CaseEffects
from flows.case_rules import CaseRules, crisis_case
from flows.cases import BY_BOT, Case, CaseStatus
from flows.catalogue import Catalogue
from flows.domain import CaseReason, Conversation, Jurisdiction, Language, Priority
from flows.realert import RealertPolicy, Realerts
from flows.staff_view import StaffView
from flows.understanding import CrisisCategory, CrisisLevel, Screening
from nlu.crisis_lines import FileCrisisLineRegistry
from tests.fakes.core import FakeClock, MemoryWorld

P = "d" * 64
ZONE = ZoneInfo("America/Montreal")
OVERDOSE = Screening(CrisisLevel.URGENT, CrisisCategory.OVERDOSE)
VIOLENCE = Screening(CrisisLevel.CONCERN, CrisisCategory.VIOLENCE)


def realerts(clock: FakeClock, *, oncall: bool = False, hours: TeamHours | None = None) -> Realerts:
    catalogue = Catalogue.load()
    return Realerts(
        catalogue=catalogue,
        view=StaffView(catalogue, Language.FR, ZONE),
        clock=clock,
        availability=TeamAvailability(catalogue=catalogue, clock=clock, hours=hours, zone=ZONE),
        crisis_lines=FileCrisisLineRegistry.load(),
        jurisdiction=Jurisdiction.QC,
        oncall=oncall,
    )


def urgent(clock: FakeClock) -> Case:
    return replace(CaseRules(clock=clock).open_case(P, None, crisis_case(OVERDOSE)), id=7)


def person(clock: FakeClock) -> Conversation:
    return Conversation(P, Language.FR, clock.now(), clock.now())


def minutes_after(case: Case, policy: RealertPolicy) -> float | None:
    due = policy.next_at(case)
    return None if due is None else (due - case.queued_at).total_seconds() / 60


def test_an_untaken_urgent_case_is_raised_after_10_then_20_then_40_minutes_capped_at_60(
    clock: FakeClock,
) -> None:
    policy = RealertPolicy()
    case = urgent(clock)
    schedule = []
    for _ in range(5):
        due = minutes_after(case, policy)
        assert due is not None
        schedule.append(due)
        clock.current = case.queued_at + timedelta(minutes=due)
        case = case.changed(clock.now(), BY_BOT, "realerted")
    assert schedule == [10, 30, 70, 130, 190]


def test_only_waiting_urgent_or_flagged_cases_are_raised(clock: FakeClock) -> None:
    policy = RealertPolicy()
    case = urgent(clock)
    later = clock.now() + timedelta(hours=3)
    assert policy.is_due(case, later)
    assert not policy.is_due(replace(case, status=CaseStatus.TAKEN), later)
    assert not policy.is_due(replace(case, status=CaseStatus.CLOSED), later)
    assert not policy.is_due(case, clock.now() + timedelta(minutes=9, seconds=59))
    # Violence at the « concerning » level is high, and flagged: it cannot fall through either.
    hiding = replace(CaseRules(clock=clock).open_case(P, None, crisis_case(VIOLENCE)), id=8)
    assert hiding.priority is Priority.HIGH
    assert policy.is_due(hiding, later)
    # A worker who judged it normal stops the reminders; a plain request is never reminded.
    assert not policy.is_due(replace(case, priority=Priority.NORMAL), later)
    asked = CaseRules(clock=clock).open_case(
        P, None, OpenCase(Priority.HIGH, CaseReason.ASKED_FOR_HUMAN)
    )
    assert not policy.is_due(asked, later)


def test_a_new_flag_is_an_alert_too_so_the_next_one_counts_from_it(clock: FakeClock) -> None:
    rules = CaseRules(clock=clock)
    case = urgent(clock)
    clock.advance(minutes=8)
    case = rules.raise_case(case, crisis_case(OVERDOSE))
    assert minutes_after(case, RealertPolicy()) == 18


def test_the_group_is_told_how_long_it_has_waited_and_the_person_once_honestly(
    clock: FakeClock,
) -> None:
    case = urgent(clock)
    clock.advance(minutes=10)
    first = realerts(clock).decide(case, person(clock), reachable=True)
    assert first is not None
    assert first.count == 1
    assert first.to_staff == (
        "⏰ Toujours personne sur ce cas (crise — surdose) : il attend depuis 10 min."
        " Relance n° 1. Qui peut le prendre ?"
    )
    assert first.buttons[0][0].payload == "case:take:7"
    assert first.to_oncall is None, "no on-call chat configured"
    (told,) = first.to_person
    assert "Personne de l’équipe n’a encore pu te répondre" in told.text  # type: ignore[union-attr]
    assert "911" in told.text  # type: ignore[union-attr]
    clock.advance(minutes=20)
    second = realerts(clock).decide(first.case, person(clock), reachable=True)
    assert second is not None
    assert second.count == 2
    assert "il attend depuis 30 min" in second.to_staff
    assert second.to_person == (), "told once, not at every reminder"


def test_the_on_call_chat_gets_the_alias_number_and_kind_only(clock: FakeClock) -> None:
    case = urgent(clock)
    clock.advance(minutes=11)
    realert = realerts(clock, oncall=True).decide(case, person(clock), reachable=True)
    assert realert is not None
    assert realert.to_oncall == (
        f"⏰ Passerelle : le cas {case.alias} (#7, crise — surdose) attend depuis 11 min"
        " sans réponse dans le groupe de l’équipe."
    )
    assert P not in realert.to_oncall


def test_out_of_hours_the_person_hears_when_the_team_is_back_and_the_lines(
    clock: FakeClock,
) -> None:
    hours = TeamHours("Mo-Fr 09:00-21:00", ZONE)
    clock.advance(hours=9)  # Tuesday 23:00
    case = urgent(clock)
    clock.advance(minutes=10)
    realert = realerts(clock, hours=hours).decide(case, person(clock), reachable=True)
    assert realert is not None
    text = realert.to_person[0].text  # type: ignore[union-attr]
    assert "L’équipe n’est pas là en ce moment" in text
    assert "demain à 9 h" in text
    assert "911" in text


def test_a_person_who_cannot_be_reached_is_not_written_to(clock: FakeClock) -> None:
    case = urgent(clock)
    clock.advance(minutes=10)
    realert = realerts(clock).decide(case, None, reachable=False)
    assert realert is not None
    assert realert.to_person == ()
    assert realert.to_staff


async def test_reminders_read_back_from_the_database_until_someone_takes_it(
    clock: FakeClock,
) -> None:
    world = MemoryWorld()
    world.addresses[P] = "424242"
    world.conversations[P] = person(clock)
    async with world() as uow:
        await CaseEffects(CaseRules(clock=clock))(uow, P, crisis_case(OVERDOSE))
        await uow.commit()
    (case_id,) = world.cases

    async def tick(desk: Realerts) -> list[str]:
        sent = []
        async with world() as uow:
            for case in desk.due(await uow.cases.open_cases()):
                outcome = await desk.apply(uow, case.id)
                assert outcome is not None
                sent.append(outcome.realert.to_staff)
                if outcome.realert.to_person:
                    assert outcome.address == "424242"
            await uow.commit()
        return sent

    clock.advance(minutes=9)
    assert await tick(realerts(clock)) == []
    clock.advance(minutes=1)
    assert len(await tick(realerts(clock))) == 1
    assert await tick(realerts(clock)) == [], "a second tick at once sends nothing"
    clock.advance(minutes=20)
    # A restarted desk (a new object) reads the schedule back from the stored history.
    assert len(await tick(realerts(clock))) == 1
    world.cases[case_id] = replace(world.cases[case_id], status=CaseStatus.TAKEN, owner="w" * 64)
    clock.advance(hours=2)
    assert await tick(realerts(clock)) == [], "taken: never again"


async def test_a_case_taken_between_the_list_and_the_reminder_is_left_alone(
    clock: FakeClock,
) -> None:
    world = MemoryWorld()
    world.cases[7] = urgent(clock)
    clock.advance(minutes=15)
    desk = realerts(clock)
    due = desk.due(world.cases.values())
    world.cases[7] = replace(world.cases[7], status=CaseStatus.TAKEN, owner="w" * 64)
    async with world() as uow:
        assert await desk.apply(uow, due[0].id) is None
    assert [h.detail for h in world.cases[7].history][-1] != "realerted"


@pytest.mark.parametrize(
    ("reason", "what"),
    [
        (CaseReason.ASKED_FOR_HUMAN, "(la personne a demandé quelqu’un)"),
        (CaseReason.NOT_UNDERSTOOD, "(le bot ne comprenait pas, la personne a accepté quelqu’un)"),
    ],
)
def test_a_case_a_worker_made_urgent_is_reminded_too(
    clock: FakeClock, reason: CaseReason, what: str
) -> None:
    case = replace(
        CaseRules(clock=clock).open_case(P, None, OpenCase(Priority.NORMAL, reason)), id=3
    )
    raised = case.changed(clock.now(), "w" * 64, "priority:urgent", priority=Priority.URGENT)
    clock.advance(minutes=10)
    realert = realerts(clock).decide(raised, person(clock), reachable=True)
    assert realert is not None
    assert what in realert.to_staff
