"""Cases opened, raised, closed and reopened by the person's events; what the desk keeps of them.

What a worker would notice: what kind of crisis the case is about, when it was last flagged,
whether the person's « attends, t'es parti ? » reaches the team, and that /oublie leaves
nothing behind.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from flows.actions import CloseCase, ForgetPerson, OpenCase, ReopenCase
from flows.case_effects import CaseEffects
from flows.case_rules import CaseRules, crisis_case, priority_for, reopens_on_person_message
from flows.cases import BY_PERSON, Case, CaseStatus
from flows.domain import CaseReason, Conversation, Language, Priority
from flows.transcript import MAX_STORED_CHARS, BotNote, NoteKind, Transcribe
from flows.understanding import CrisisCategory, CrisisLevel, Screening
from tests.fakes.core import FakeClock, MemoryWorld

P = "a" * 64
OTHER = "c" * 64
JULIE = "w-julie" + "0" * 57
SUICIDE = Screening(CrisisLevel.URGENT, CrisisCategory.SUICIDE)
VIOLENCE = Screening(CrisisLevel.CONCERN, CrisisCategory.VIOLENCE)


@pytest.fixture
def rules(clock: FakeClock) -> CaseRules:
    return CaseRules(clock=clock)


def conversation(clock: FakeClock) -> Conversation:
    return Conversation(P, Language.FR, clock.now(), clock.now(), area="J1H", source="parc-jc")


def test_a_flagged_message_becomes_a_case_that_says_what_kind_of_crisis(
    rules: CaseRules, clock: FakeClock
) -> None:
    assert crisis_case(SUICIDE) == OpenCase(
        Priority.URGENT, CaseReason.CRISIS, CrisisCategory.SUICIDE, CrisisLevel.URGENT
    )
    case = rules.open_case(P, conversation(clock), crisis_case(SUICIDE))
    assert (case.priority, case.status, case.reason) == (
        Priority.URGENT,
        CaseStatus.QUEUED,
        CaseReason.CRISIS,
    )
    assert case.crisis_categories == (CrisisCategory.SUICIDE,)
    assert case.crisis_level is CrisisLevel.URGENT
    assert case.last_crisis_at == clock.now()
    assert case.context == {"language": "fr", "area": "J1H", "source": "parc-jc"}


def test_violence_at_concern_level_is_high_and_says_violence(
    rules: CaseRules, clock: FakeClock
) -> None:
    assert priority_for(VIOLENCE) is Priority.HIGH
    case = rules.open_case(P, None, crisis_case(VIOLENCE))
    assert (case.priority, case.crisis_categories) == (Priority.HIGH, (CrisisCategory.VIOLENCE,))
    assert case.crisis_level is CrisisLevel.CONCERN


def test_an_open_case_is_raised_never_lowered_and_every_flag_is_kept(
    rules: CaseRules, clock: FakeClock
) -> None:
    case = rules.open_case(P, None, OpenCase(Priority.NORMAL, CaseReason.ASKED_FOR_HUMAN))
    assert case.crisis_alerts == ()
    clock.advance(minutes=3)
    case = rules.raise_case(case, crisis_case(VIOLENCE))
    clock.advance(minutes=4)
    case = rules.raise_case(case, crisis_case(SUICIDE))
    assert case.priority is Priority.URGENT
    assert case.crisis_flags == 2
    assert [h.detail for h in case.history] == [
        "opened:asked_for_human",
        "flagged:violence:concern",
        "raised:high",
        "flagged:suicide:urgent",
        "raised:urgent",
    ]
    clock.advance(minutes=1)
    case = rules.raise_case(case, crisis_case(VIOLENCE))
    assert case.priority is Priority.URGENT, "never lowered"
    assert case.crisis_level is CrisisLevel.URGENT, "the worst level reached"
    assert case.crisis_categories == (CrisisCategory.VIOLENCE, CrisisCategory.SUICIDE)
    assert case.last_crisis_at == clock.now()


def test_a_crisis_effect_without_a_category_still_reads_as_a_crisis(rules: CaseRules) -> None:
    case = rules.open_case(P, None, OpenCase(Priority.URGENT, CaseReason.CRISIS))
    assert case.crisis_categories == (CrisisCategory.OTHER,)
    assert case.crisis_level is CrisisLevel.URGENT


# --- « attends, t'es parti ? »: who reads a message written after a close -----------------------


def ended(rules: CaseRules, clock: FakeClock, detail: str, by: str = JULIE) -> Case:
    case = rules.open_case(P, None, OpenCase(Priority.NORMAL, CaseReason.ASKED_FOR_HUMAN))
    case = case.changed(clock.now(), JULIE, "taken", status=CaseStatus.TAKEN, owner=JULIE)
    return case.changed(clock.now(), by, detail, status=CaseStatus.CLOSED, closed_at=clock.now())


@pytest.mark.parametrize(
    ("detail", "by", "after", "understood", "reopens"),
    [
        ("closed", JULIE, timedelta(seconds=30), False, True),
        ("closed", JULIE, timedelta(seconds=30), True, True),
        ("closed", JULIE, timedelta(hours=23, minutes=59), False, True),
        ("closed", JULIE, timedelta(hours=24, minutes=1), False, False),
        ("given_back", JULIE, timedelta(minutes=5), False, True),
        ("given_back", JULIE, timedelta(minutes=5), True, False),
        ("cancelled", BY_PERSON, timedelta(minutes=1), False, False),
        ("blocked", BY_PERSON, timedelta(minutes=1), False, False),
    ],
)
def test_who_reads_a_message_written_after_the_case_ended(
    rules: CaseRules,
    clock: FakeClock,
    detail: str,
    by: str,
    after: timedelta,
    understood: bool,
    reopens: bool,
) -> None:
    case = ended(rules, clock, detail, by)
    assert reopens_on_person_message(case, clock.now() + after, bot_understood=understood) is (
        reopens
    )


def test_nothing_reopens_after_erasure_or_while_a_case_is_open(
    rules: CaseRules, clock: FakeClock
) -> None:
    forgotten = replace(ended(rules, clock, "closed"), pseudonym=None)
    assert not reopens_on_person_message(forgotten, clock.now())
    still_open = rules.open_case(P, None, OpenCase(Priority.NORMAL, CaseReason.ASKED_FOR_HUMAN))
    assert not reopens_on_person_message(still_open, clock.now())
    assert not reopens_on_person_message(None, clock.now())


def test_a_reopened_case_waits_for_anyone_and_remembers_who_had_it(
    rules: CaseRules, clock: FakeClock
) -> None:
    case = ended(rules, clock, "closed")
    clock.advance(minutes=2)
    reopened = rules.reopen_for_person(case)
    assert (reopened.status, reopened.owner, reopened.closed_at) == (CaseStatus.QUEUED, None, None)
    assert reopened.queued_at == clock.now(), "its wait starts now"
    assert reopened.previous_owner == JULIE
    assert reopened.history[-1].by == BY_PERSON


# --- the effect handler: the same transaction as the person's conversation --------------------


async def apply(world: MemoryWorld, rules: CaseRules, *effects: object, who: str = P) -> None:
    handler = CaseEffects(rules)
    async with world() as uow:
        for effect in effects:
            await handler(uow, who, effect)  # type: ignore[arg-type]
        await uow.commit()


async def test_the_person_writing_back_reopens_their_case_in_its_place(
    rules: CaseRules, clock: FakeClock
) -> None:
    world = MemoryWorld()
    case = ended(rules, clock, "closed")
    world.cases[1] = replace(case, id=1)
    clock.advance(minutes=1)
    await apply(world, rules, ReopenCase(1))
    (reopened,) = world.cases.values()
    assert (reopened.id, reopened.status) == (1, CaseStatus.QUEUED), "the same case, its topic"


async def test_a_reopen_is_refused_for_someone_else_late_or_with_a_case_open(
    rules: CaseRules, clock: FakeClock
) -> None:
    world = MemoryWorld()
    world.cases[1] = replace(ended(rules, clock, "closed"), id=1)
    await apply(world, rules, ReopenCase(1), who=OTHER)
    assert world.cases[1].status is CaseStatus.CLOSED, "not their case"
    await apply(world, rules, OpenCase(Priority.NORMAL, CaseReason.ASKED_FOR_HUMAN))
    await apply(world, rules, ReopenCase(1))
    assert world.cases[1].status is CaseStatus.CLOSED, "another case is open"
    await apply(world, rules, CloseCase("cancelled"))
    clock.advance(hours=25)
    await apply(world, rules, ReopenCase(1))
    assert world.cases[1].status is CaseStatus.CLOSED, "too late"


async def test_turns_are_kept_cut_to_what_the_card_shows_and_erased_on_forget(
    rules: CaseRules, clock: FakeClock
) -> None:
    world = MemoryWorld()
    await apply(
        world,
        rules,
        Transcribe("jai faim " + "x" * 900, (BotNote(NoteKind.THEME, "food"),)),
        Transcribe(None, ()),
        Transcribe(None, (BotNote(NoteKind.LOCATION),)),
    )
    await apply(world, rules, Transcribe("autre personne"), who=OTHER)
    mine = [e for p, e in world.transcript if p == P]
    assert len(mine) == 2, "an empty turn is not kept"
    assert mine[0].person_text is not None
    assert len(mine[0].person_text) == MAX_STORED_CHARS
    assert mine[0].notes == (BotNote(NoteKind.THEME, "food"),)
    await apply(world, rules, OpenCase(Priority.NORMAL, CaseReason.ASKED_FOR_HUMAN), ForgetPerson())
    assert [p for p, _ in world.transcript] == [OTHER], "only the other person's turn is left"
    (case,) = world.cases.values()
    assert (case.pseudonym, case.status) == (None, CaseStatus.CLOSED)
