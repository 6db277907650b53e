"""The dated crisis-line registry, and how the crisis protocol shows it to a person."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from flows.catalogue import Catalogue
from flows.crisis_protocol import MAX_LINES_IN_REPLY, crisis_lines_text, crisis_replies
from flows.domain import Formality, Jurisdiction, Language
from flows.understanding import CrisisCategory, CrisisLevel, Screening
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
        assert date.fromisoformat(line.verified) <= date(2026, 11, 21)
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
