"""The dated crisis-line registry, and how the crisis protocol shows it to a person."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from flows.catalogue import Catalogue
from flows.crisis_protocol import (
    MAX_LINES_IN_REPLY,
    crisis_lines_text,
    crisis_replies,
    lines_for_theme,
    select_lines,
)
from flows.domain import Formality, Jurisdiction, Language, Theme
from flows.understanding import CrisisCategory, CrisisLevel, CrisisLine, Screening
from nlu.crisis_lines import DEFAULT_PATH, CrisisLineRegistryError, FileCrisisLineRegistry

REGISTRY = FileCrisisLineRegistry.load()
CATALOGUE = Catalogue.load()


def _contacts(jurisdiction: Jurisdiction) -> set[str]:
    return {line.contact for line in REGISTRY.lines_for(jurisdiction).lines}


def test_quebec_lines_from_the_research_notes() -> None:
    qc = REGISTRY.lines_for(Jurisdiction.QC)
    assert qc.emergency_number == "911"
    assert {"1 866 277-3553", "535353", "811", "1 800 363-9010", "1 800 668-6868"} <= _contacts(
        Jurisdiction.QC
    )
    assert "988" not in _contacts(Jurisdiction.QC), "Québec routes 988 to 1 866 APPELLE"


def test_france_lines_from_the_research_notes() -> None:
    fr = REGISTRY.lines_for(Jurisdiction.FR)
    assert fr.emergency_number == "112"
    assert {"15", "17", "3114", "115", "119", "3919", "114"} <= _contacts(Jurisdiction.FR)
    assert {line.kind for line in fr.lines if line.contact == "114"} == {"sms"}


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_every_line_is_sourced_and_dated(jurisdiction: Jurisdiction) -> None:
    lines = REGISTRY.lines_for(jurisdiction)
    assert date.fromisoformat(lines.verified)
    for line in lines.lines:
        assert line.source.startswith(("https://", "http://")), line.name
        # no date in the future of the last desk check (2026-12-01: the sexual-assault lines)
        assert date.fromisoformat(line.verified) <= date(2026, 12, 1)
        assert line.kind in {"call", "sms"}
        assert line.hours
        assert line.audience


def test_a_fresh_registry_gives_no_warning() -> None:
    assert REGISTRY.stale_warning(date(2026, 12, 1)) is None


def test_an_old_registry_warns_with_the_oldest_date_and_no_numbers() -> None:
    warning = REGISTRY.stale_warning(date(2027, 9, 1))
    assert warning is not None
    assert "2026-11-21" in warning
    assert "180 days" in warning
    assert "3114" not in warning


def test_the_age_limit_is_configurable() -> None:
    assert REGISTRY.stale_warning(date(2026, 12, 1), max_age_days=5) is not None
    assert REGISTRY.stale_warning(date(2026, 12, 1), max_age_days=10) is None


def test_only_old_entries_are_counted(tmp_path: Path) -> None:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    old = text.replace("verified = 2026-11-21", "verified = 2025-01-01", 1)
    path = tmp_path / "lines.toml"
    path.write_text(old, encoding="utf-8")
    warning = FileCrisisLineRegistry.load(path).stale_warning(date(2026, 12, 1))
    assert warning is not None
    assert warning.startswith("crisis line registry: 1 of ")
    assert "2025-01-01" in warning


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "call"', 'kind = "fax"'), "kind"),
        (('hours = "24/7"', 'hourz = "24/7"'), "hourz"),
        (("verified = 2026-11-21", 'verified = "yesterday"'), "verified"),
        (('audience = ["violence"]', 'audience = ["vilence"]'), "vilence"),
        (('source = "https://leplacoteux.com/?p=113364"', 'source = "leplacoteux"'), "source"),
    ],
)
def test_an_invalid_registry_fails_loudly(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert change[0] in text
    path = tmp_path / "lines.toml"
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(CrisisLineRegistryError, match=message):
        FileCrisisLineRegistry.load(path)


def test_a_missing_registry_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(CrisisLineRegistryError):
        FileCrisisLineRegistry.load(tmp_path / "absent.toml")


# --- the crisis protocol --------------------------------------------------------------------


def _replies(
    jurisdiction: Jurisdiction, language: Language, category: CrisisCategory | None
) -> list[str]:
    screening = Screening(CrisisLevel.URGENT, category) if category else None
    lines = REGISTRY.lines_for(jurisdiction)
    return [r.text for r in crisis_replies(CATALOGUE, lines, language, screening)]


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("category", [*CrisisCategory, None])
def test_every_crisis_reply_is_short_and_puts_the_emergency_number_first(
    jurisdiction: Jurisdiction, language: Language, category: CrisisCategory | None
) -> None:
    warm, lines = _replies(jurisdiction, language, category)
    emergency = REGISTRY.lines_for(jurisdiction).emergency_number
    assert len(warm) < 400
    assert lines.splitlines()[0].startswith("🆘")
    assert emergency in lines.splitlines()[0]
    shown = [row for row in lines.splitlines() if row.startswith(("📞", "💬"))]
    assert 2 <= len(shown) <= MAX_LINES_IN_REPLY


def test_the_number_comes_first_on_each_line_so_it_is_easy_to_tap() -> None:
    _, lines = _replies(Jurisdiction.QC, Language.FR, CrisisCategory.SUICIDE)
    assert "📞 1 866 277-3553 — " in lines
    assert "💬 texto au 535353 — " in lines


def test_an_overdose_reply_says_call_naloxone_and_stay() -> None:
    warm, _ = _replies(Jurisdiction.QC, Language.EN, CrisisCategory.OVERDOSE)
    assert warm.startswith("🆘 Call 911 now")
    assert "naloxone" in warm
    assert "stay with the person" in warm
    warm_fr, _ = _replies(Jurisdiction.FR, Language.FR, CrisisCategory.OVERDOSE)
    assert warm_fr.startswith("🆘 Appelle le 112 maintenant")


def test_a_child_gets_the_youth_lines_first() -> None:
    _, qc = _replies(Jurisdiction.QC, Language.FR, CrisisCategory.CHILD_ABUSE)
    first_line = next(row for row in qc.splitlines() if row.startswith(("📞", "💬")))
    assert "Jeunesse, J’écoute" in first_line
    _, fr = _replies(Jurisdiction.FR, Language.FR, CrisisCategory.CHILD_ABUSE)
    assert "📞 119 — " in fr.splitlines()[2]


def test_violence_gets_the_violence_line_first() -> None:
    _, qc = _replies(Jurisdiction.QC, Language.EN, CrisisCategory.VIOLENCE)
    assert "SOS violence conjugale" in qc.splitlines()[2]
    _, fr = _replies(Jurisdiction.FR, Language.FR, CrisisCategory.VIOLENCE)
    assert "3919" in fr
    assert "114" in fr


def test_suicide_in_quebec_shows_1_866_appelle_first() -> None:
    _, qc = _replies(Jurisdiction.QC, Language.FR, CrisisCategory.SUICIDE)
    assert "1 866 277-3553" in qc.splitlines()[2]
    _, fr = _replies(Jurisdiction.FR, Language.FR, CrisisCategory.SUICIDE)
    assert "3114" in fr.splitlines()[2]


def test_vouvoiement_reaches_the_crisis_reply() -> None:
    formal = Catalogue.load(Formality.VOUS)
    lines = REGISTRY.lines_for(Jurisdiction.FR)
    screening = Screening(CrisisLevel.URGENT, CrisisCategory.SUICIDE)
    warm, _ = crisis_replies(formal, lines, Language.FR, screening)
    assert "vous" in warm.text
    assert " tu " not in warm.text


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_the_emergency_text_lists_every_line(jurisdiction: Jurisdiction) -> None:
    lines = REGISTRY.lines_for(jurisdiction)
    text = crisis_lines_text(CATALOGUE, lines, Language.FR)
    for line in lines.lines:
        assert re.search(re.escape(line.contact), text), line.name


# --- issue 8: the number in the first message, sexual assault, minors, pinned lines ---------


@pytest.mark.parametrize("formality", list(Formality))
@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("category", [*CrisisCategory, None])
@pytest.mark.parametrize("level", [CrisisLevel.URGENT, CrisisLevel.CONCERN])
def test_the_first_crisis_message_always_names_the_emergency_number(
    formality: Formality,
    jurisdiction: Jurisdiction,
    language: Language,
    category: CrisisCategory | None,
    level: CrisisLevel,
) -> None:
    # None: a crisis raised by the NLU alone, with no category from the screen.
    catalogue = Catalogue.load(formality)
    lines = REGISTRY.lines_for(jurisdiction)
    screening = Screening(level, category) if category is not None else None
    first, _ = crisis_replies(catalogue, lines, language, screening)
    assert lines.emergency_number in first.text


def test_every_first_crisis_template_has_the_number_placeholder() -> None:
    keys = [k for k in CATALOGUE.entries if k.startswith("crisis.first.")] + ["crisis.warm"]
    assert {f"crisis.first.{c}" for c in CrisisCategory} <= set(keys)
    for key in keys:
        for variant, template in CATALOGUE.entries[key].items():
            assert "{number}" in template, (key, variant)


def test_a_self_harm_message_that_bleeds_gets_the_number_first() -> None:
    # "je me suis encore coupée, ça arrête pas de saigner" once got a first message without 911
    screening = Screening(CrisisLevel.URGENT, CrisisCategory.SELF_HARM)
    first, _ = crisis_replies(
        CATALOGUE, REGISTRY.lines_for(Jurisdiction.QC), Language.FR, screening
    )
    assert "911" in first.text


def test_a_sexual_assault_gets_the_sexual_assault_line_first() -> None:
    _, qc = _replies(Jurisdiction.QC, Language.FR, CrisisCategory.SEXUAL_ASSAULT)
    shown = [row for row in qc.splitlines() if row.startswith(("📞", "💬"))]
    assert shown[0].startswith("📞 1 888 933-9007 — ")
    assert "24/7" in shown[0]
    _, fr = _replies(Jurisdiction.FR, Language.FR, CrisisCategory.SEXUAL_ASSAULT)
    shown = [row for row in fr.splitlines() if row.startswith(("📞", "💬"))]
    assert shown[0].startswith("📞 3919 — "), "24/7 and confirmed: first"
    assert any(row.startswith("📞 0 800 05 95 95 — ") for row in shown)


def test_the_sexual_assault_reply_says_it_is_not_their_fault() -> None:
    warm, _ = _replies(Jurisdiction.QC, Language.EN, CrisisCategory.SEXUAL_ASSAULT)
    assert "not your fault" in warm
    assert "911" in warm


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_the_sexual_assault_lines_are_sourced_and_dated(jurisdiction: Jurisdiction) -> None:
    lines = [
        line
        for line in REGISTRY.lines_for(jurisdiction).lines
        if "sexual_assault" in line.audience.split(",")
    ]
    assert lines
    for line in lines:
        assert line.source.startswith("https://")
        assert date.fromisoformat(line.verified) >= date(2026, 11, 21)


@pytest.mark.parametrize("category", list(CrisisCategory))
@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_a_minor_in_crisis_gets_youth_lines_first(
    category: CrisisCategory, jurisdiction: Jurisdiction
) -> None:
    lines = REGISTRY.lines_for(jurisdiction)
    chosen = select_lines(lines, category, minor=True)
    assert set(chosen[0].audience.split(",")) & {"youth", "children"}
    assert 2 <= len(chosen) <= MAX_LINES_IN_REPLY
    adult = select_lines(lines, category)
    # the line that fits the danger best is still shown
    assert adult[0] in chosen


def test_a_minor_in_a_suicidal_crisis_in_quebec() -> None:
    lines = REGISTRY.lines_for(Jurisdiction.QC)
    screening = Screening(CrisisLevel.URGENT, CrisisCategory.SUICIDE)
    first, rows = crisis_replies(CATALOGUE, lines, Language.FR, screening, minor=True)
    shown = [row for row in rows.text.splitlines() if row.startswith(("📞", "💬"))]
    assert "Jeunesse, J’écoute" in shown[0]
    assert any("1 866 277-3553" in row for row in shown)
    assert "911" in first.text


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
@pytest.mark.parametrize("theme", [Theme.VIOLENCE, Theme.MENTAL_HEALTH, Theme.SUBSTANCE_USE])
@pytest.mark.parametrize("minor", [False, True])
def test_results_pin_two_or_three_lines_that_fit_the_theme(
    jurisdiction: Jurisdiction, theme: Theme, minor: bool
) -> None:
    lines = REGISTRY.lines_for(jurisdiction)
    chosen = lines_for_theme(lines, theme, minor=minor)
    assert 2 <= len(chosen) <= 3
    assert len(chosen) < len(lines.lines), "not the whole registry"
    if minor:
        assert set(chosen[0].audience.split(",")) & {"youth", "children"}


def test_the_lines_pinned_fit_the_theme() -> None:
    qc, fr = REGISTRY.lines_for(Jurisdiction.QC), REGISTRY.lines_for(Jurisdiction.FR)

    def contacts(lines: tuple[CrisisLine, ...]) -> list[str]:
        return [line.contact for line in lines]

    assert contacts(lines_for_theme(qc, Theme.VIOLENCE))[0] == "1 800 363-9010"
    assert "1 888 933-9007" in contacts(lines_for_theme(qc, Theme.VIOLENCE))
    assert contacts(lines_for_theme(qc, Theme.SUBSTANCE_USE))[0] == "1 800 265-2626"
    assert contacts(lines_for_theme(qc, Theme.MENTAL_HEALTH))[:2] == ["811", "1 866 277-3553"]
    assert contacts(lines_for_theme(fr, Theme.VIOLENCE))[0] == "3919"
    assert contacts(lines_for_theme(fr, Theme.MENTAL_HEALTH))[0] == "3114"
    assert contacts(lines_for_theme(fr, Theme.SUBSTANCE_USE))[0] == "15"
    assert lines_for_theme(qc, Theme.FOOD) == ()


def test_the_pinned_lines_render_with_the_emergency_number() -> None:
    lines = REGISTRY.lines_for(Jurisdiction.QC)
    chosen = lines_for_theme(lines, Theme.SUBSTANCE_USE)
    text = crisis_lines_text(CATALOGUE, lines, Language.FR, only=chosen)
    assert text.splitlines()[0].startswith("🆘")
    assert "911" in text.splitlines()[0]
    assert [row for row in text.splitlines() if row.startswith(("📞", "💬"))] == [
        CATALOGUE.text(
            "crisis.line_sms" if line.kind == "sms" else "crisis.line_call",
            Language.FR,
            contact=line.contact,
            name=line.name,
            hours=line.hours,
        )
        for line in chosen
    ]
