"""The report's HTML page, opened in a real headless Chromium (Debian's, driven by Playwright):
its charts load and its tables say what the counts are. Fails, never skips, without Chromium
(``scripts/ensure-chromium.sh`` installs it; ``make test`` and ``.ci/run`` call it).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import sync_playwright

from bot.outreach.report import Counts, Period, build, write
from flows.catalogue import Catalogue
from flows.domain import Language
from resources_db.insights import CaseTiming

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MONTREAL = ZoneInfo("America/Montreal")
WEEK = date(2026, 11, 16)
TUESDAY = datetime(2026, 11, 17, 10, 0, tzinfo=MONTREAL)


def sample_counts() -> Counts:
    return Counts(
        needs={(WEEK, "food"): 12, (WEEK, "shelter"): 3, (WEEK + timedelta(weeks=1), "food"): 8},
        searches={("food", "J1H", "open_near"): 9, ("shelter", "J1H", "nothing_near"): 6},
        arrivals={("parc-jc", "fr"): 14, (None, "en"): 5, ("banque", "fr"): 2},
        cases=[
            CaseTiming(TUESDAY, TUESDAY + timedelta(minutes=5 * i), "normal", "asked_for_human")
            for i in range(1, 8)
        ],
        places={"parc-jc": "Parc Jacques-Cartier"},
    )


@pytest.fixture
def page_path(tmp_path: Path) -> Path:
    period = Period(WEEK, WEEK + timedelta(weeks=1), MONTREAL)
    report = build(
        sample_counts(),
        period,
        team="Travail de rue Sherbrooke",
        threshold=5,
        language=Language.FR,
        catalogue=Catalogue.load(),
    )
    write(report, tmp_path / "report")
    return tmp_path / "report" / "report.html"


def test_the_report_page_shows_its_charts_and_tables_in_chromium(page_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            images = page.eval_on_selector_all(
                "img",
                "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.alt])",
            )
            assert len(images) == 6
            for complete, width, height, alt in images:
                assert complete, alt
                assert width > 0, alt
                assert height > 0, alt
            tables = page.eval_on_selector_all("table", "ts => ts.map(t => t.dataset.table)")
            assert "needs_by_theme_week" in tables
            assert "handoffs_by_day_and_hour" in tables
            food = page.locator('table[data-table="needs_by_theme_week"] tr', has_text="Manger")
            assert food.locator("td").all_inner_texts() == ["Manger", "12", "8", "20"]
            shelter = page.locator('table[data-table="needs_by_theme_week"] tr', has_text="Dormir")
            assert shelter.locator("td").all_inner_texts()[1] == "x"
            banque = page.locator('table[data-table="arrivals_by_poster"] tr', has_text="banque")
            assert banque.locator("td").all_inner_texts()[-1] == "x"
            assert page.title() == "Besoins et manques — Travail de rue Sherbrooke"
            # Self-contained: nothing fetched beyond the file itself (charts are embedded).
            assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
        finally:
            browser.close()
