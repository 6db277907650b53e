"""The needs & gaps report: anonymous aggregates as CSV files, charts and one HTML page.

``gather`` reads counts from the database (``GROUP BY`` on insight events, and the queue
and take times of cases — never a pseudonym, an alias or a worker); ``build`` turns them into
tables through ``tables.Cube`` (small counts masked, every figure a sum of published cells);
``write`` puts the CSV files, the PNG charts and ``report.html`` (self-contained: charts are
embedded) in one folder. What is counted and what never is: docs/report.md.
"""

from __future__ import annotations

import base64
import csv
import html
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_day_names
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outreach import charts
from bot.outreach.tables import Cube, Figure, sorted_by
from flows.catalogue import Catalogue
from flows.domain import Language, Priority, Theme
from flows.insights import InsightKind, Reach
from resources_db.insights import CaseTiming, case_timings, count_events, posters

BAND_HOURS = 3  # handoffs by hour of day, in bands of three hours
BANDS = tuple(range(0, 24, BAND_HOURS))


@dataclass(frozen=True, slots=True)
class Period:
    """Whole weeks, Monday to Sunday, in the deployment's zone."""

    first_week: date
    last_week: date
    zone: ZoneInfo

    @classmethod
    def covering(cls, start: date, end: date, zone: ZoneInfo) -> Period:
        """The whole weeks that contain ``start`` to ``end``."""
        if end < start:
            raise ValueError("--to is before --from")
        return cls(
            start - timedelta(days=start.weekday()), end - timedelta(days=end.weekday()), zone
        )

    @property
    def weeks(self) -> list[date]:
        """The Monday of every week of the period."""
        count = (self.last_week - self.first_week).days // 7 + 1
        return [self.first_week + timedelta(weeks=i) for i in range(count)]

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The period as instants: from the first Monday 00:00 to the Monday after the last."""
        start = datetime.combine(self.first_week, time.min, self.zone)
        end = datetime.combine(self.last_week + timedelta(weeks=1), time.min, self.zone)
        return start, end


@dataclass(frozen=True, slots=True)
class Counts:
    """What the database says, already as counts (and case timings, never shown one by one)."""

    needs: dict[tuple[object, ...], int]
    searches: dict[tuple[object, ...], int]
    arrivals: dict[tuple[object, ...], int]
    cases: list[CaseTiming]
    places: dict[str, str]


async def gather(session: AsyncSession, period: Period) -> Counts:
    """Read the period's counts."""
    first, last = period.first_week, period.last_week
    start, end = period.bounds
    return Counts(
        needs=await count_events(session, InsightKind.NEED, ["week", "theme"], first, last),
        searches=await count_events(
            session, InsightKind.SEARCH, ["theme", "area", "reach"], first, last
        ),
        arrivals=await count_events(
            session, InsightKind.ARRIVAL, ["source", "language"], first, last
        ),
        cases=await case_timings(session, start, end),
        places={p.code: p.place for p in await posters(session)},
    )


# --- tables -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stat:
    """A statistic (minutes), not a count: ``x`` when its group is under the threshold."""

    text: str


Cell = str | Figure | Stat


@dataclass(slots=True)
class Table:
    """One table of the report: a CSV file, a table in the page, maybe a chart."""

    slug: str
    title: str
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
    chart: str | None = None
    last_is_total: bool = False


@dataclass(slots=True)
class Report:
    """Everything ``write`` puts on disk."""

    language: Language
    title: str
    period: str
    method: str
    legend: str
    empty: str
    tables: list[Table]
    charts: dict[str, bytes]


class _Builder:
    """Builds the report's sections; each population is one ``Cube``."""

    def __init__(
        self,
        counts: Counts,
        period: Period,
        *,
        threshold: int,
        language: Language,
        catalogue: Catalogue,
    ) -> None:
        self.counts = counts
        self.period = period
        self.k = threshold
        self.lang = language
        self.t = catalogue
        self.tables: list[Table] = []
        self.pictures: dict[str, bytes] = {}
        self.empty = self.say("report.empty")

    def say(self, key: str, **values: object) -> str:
        return self.t.text(key, self.lang, **values)

    def theme(self, value: object) -> str:
        label = self.t.text(f"theme.{value}", self.lang) if value in set(Theme) else str(value)
        head, _, rest = label.partition(" ")
        return rest if rest and not head.isalnum() else label  # no emoji: charts lack them

    def needs(self) -> None:
        # Needs, by theme and week.
        needs = Cube(("week", "theme"), self.counts.needs, self.k)
        weeks = self.period.weeks
        by_cell = needs.view("theme", "week")
        by_theme = needs.view("theme")
        by_week = needs.view("week")
        table = Table(
            "needs_by_theme_week",
            self.say("report.needs.title"),
            [self.say("report.theme"), *(w.isoformat() for w in weeks), self.say("report.total")],
            note=self.say("report.needs.note"),
            chart="needs_by_theme",
        )
        ordered = sorted_by(by_theme, lambda key: self.theme(key[0]))
        for (value,), total in ordered:
            cells = [by_cell.get((value, w), Figure(0)) for w in weeks]
            table.rows.append([self.theme(value), *cells, total])
        if ordered:
            table.rows.append(
                [
                    self.say("report.total"),
                    *(by_week.get((w,), Figure(0)) for w in weeks),
                    needs.total(),
                ]
            )
            table.last_is_total = True
        self.tables.append(table)
        self.pictures["needs_by_theme"] = charts.bars(
            self.say("report.chart.needs_by_theme"),
            [self.theme(key[0]) for key, _ in ordered],
            [(self.say("report.count"), [f for _, f in ordered], charts.BRAND)],
            empty=self.empty,
        )
        self.pictures["needs_by_week"] = charts.bars(
            self.say("report.chart.needs_by_week"),
            [format_date(w, "d MMM", locale=self.lang.value) for w in weeks]
            if not needs.empty
            else [],
            [
                (
                    self.say("report.count"),
                    [by_week.get((w,), Figure(0)) for w in weeks],
                    charts.BRAND,
                )
            ],
            empty=self.empty,
            horizontal=False,
        )

    def searches(self) -> None:
        # Searches: by theme and area, what was within reach, what was open.
        searches = Cube(("theme", "area", "reach"), self.counts.searches, self.k)
        near_none = searches.where("reach", [Reach.NOTHING_NEAR.value])
        closed = searches.where("reach", [Reach.CLOSED_NEAR.value])
        every, gaps, shut = (c.view("theme", "area") for c in (searches, near_none, closed))

        def area(value: object) -> str:
            return str(value) if value else self.say("report.unknown_area")

        table = Table(
            "searches_by_theme_area",
            self.say("report.searches.title"),
            [
                self.say("report.theme"),
                self.say("report.area"),
                self.say("report.searches.count"),
                self.say("report.searches.nothing_near"),
                self.say("report.searches.nothing_open"),
            ],
            note=self.say("report.searches.note"),
        )
        for key, figure in sorted(
            every.items(),
            key=lambda item: (self.theme(item[0][0]), -item[1].value, area(item[0][1])),
        ):
            table.rows.append(
                [
                    self.theme(key[0]),
                    area(key[1]),
                    figure,
                    gaps.get(key, Figure(0)),
                    shut.get(key, Figure(0)),
                ]
            )
        self.tables.append(table)
        per_theme = sorted_by(searches.view("theme"), lambda key: self.theme(key[0]))
        gaps_theme, shut_theme = near_none.view("theme"), closed.view("theme")
        table = Table(
            "service_gaps_by_theme",
            self.say("report.gaps.title"),
            [
                self.say("report.theme"),
                self.say("report.searches.count"),
                self.say("report.searches.nothing_near"),
                self.say("report.searches.nothing_open"),
            ],
            chart="gaps",
        )
        for key, figure in per_theme:
            table.rows.append(
                [
                    self.theme(key[0]),
                    figure,
                    gaps_theme.get(key, Figure(0)),
                    shut_theme.get(key, Figure(0)),
                ]
            )
        self.tables.append(table)
        self.pictures["gaps"] = charts.bars(
            self.say("report.chart.gaps"),
            [self.theme(key[0]) for key, _ in per_theme],
            [
                (self.say("report.searches.count"), [f for _, f in per_theme], charts.MUTED),
                (
                    self.say("report.searches.nothing_near"),
                    [gaps_theme.get(key, Figure(0)) for key, _ in per_theme],
                    charts.ALERT,
                ),
            ],
            empty=self.empty,
        )
        closed_theme = sorted_by(shut_theme, lambda key: self.theme(key[0]))
        table = Table(
            "nothing_open_by_theme",
            self.say("report.closed.title"),
            [self.say("report.theme"), self.say("report.searches.nothing_open")],
        )
        table.rows.extend([self.theme(key[0]), figure] for key, figure in closed_theme)
        self.tables.append(table)

    def arrivals(self) -> None:
        # Arrivals: by poster code, and languages.
        arrivals = Cube(("source", "language"), self.counts.arrivals, self.k)
        by_source = sorted_by(arrivals.view("source"), lambda key: str(key[0] or ""))
        table = Table(
            "arrivals_by_poster",
            self.say("report.arrivals.title"),
            [
                self.say("report.arrivals.code"),
                self.say("report.arrivals.place"),
                self.say("report.arrivals.count"),
            ],
            note=self.say("report.arrivals.note"),
            chart="arrivals",
        )
        for (code,), figure in by_source:
            place = self.counts.places.get(str(code), "") if code else ""
            table.rows.append(
                [str(code) if code else self.say("report.arrivals.no_code"), place, figure]
            )
        if by_source:
            table.rows.append([self.say("report.total"), "", arrivals.total()])
            table.last_is_total = True
        self.tables.append(table)
        self.pictures["arrivals"] = charts.bars(
            self.say("report.chart.arrivals"),
            [
                str(key[0]) if key[0] else self.say("report.arrivals.no_code")
                for key, _ in by_source
            ],
            [(self.say("report.arrivals.count"), [f for _, f in by_source], charts.BRAND)],
            empty=self.empty,
        )
        by_language = sorted_by(arrivals.view("language"), lambda key: str(key[0]))

        def language_name(value: object) -> str:
            key = f"report.language.{value}"
            return self.t.text(key, self.lang) if self.t.has(key) else str(value)

        table = Table(
            "languages",
            self.say("report.languages.title"),
            [self.say("report.languages.language"), self.say("report.arrivals.count")],
            chart="languages",
        )
        table.rows.extend([language_name(key[0]), figure] for key, figure in by_language)
        self.tables.append(table)
        self.pictures["languages"] = charts.bars(
            self.say("report.chart.languages"),
            [language_name(key[0]) for key, _ in by_language],
            [(self.say("report.arrivals.count"), [f for _, f in by_language], charts.BRAND)],
            empty=self.empty,
        )

    def handoffs(self) -> None:
        # Handoffs: cases by day of week and band of hours, then waiting times.
        zone = self.period.zone
        day_names = get_day_names("wide", locale=self.lang.value)
        band_names = [f"{h:02d}–{h + BAND_HOURS:02d}" for h in BANDS]
        opened: Counter[tuple[object, ...]] = Counter(
            (c.queued_at.astimezone(zone).weekday(), _band(c.queued_at.astimezone(zone).hour))
            for c in self.counts.cases
        )
        handoffs = Cube(("weekday", "band"), dict(opened), self.k)
        cell = handoffs.view("weekday", "band")
        by_day, by_band = handoffs.view("weekday"), handoffs.view("band")
        grid = [[cell.get((d, b), Figure(0)) for b in BANDS] for d in range(7)]
        table = Table(
            "handoffs_by_day_and_hour",
            self.say("report.handoffs.title"),
            [self.say("report.handoffs.day"), *band_names, self.say("report.total")],
            note=self.say("report.handoffs.note"),
            chart="handoffs",
        )
        for d in range(7):
            table.rows.append([day_names[d], *grid[d], by_day.get((d,), Figure(0))])
        table.rows.append(
            [
                self.say("report.total"),
                *(by_band.get((b,), Figure(0)) for b in BANDS),
                handoffs.total(),
            ]
        )
        table.last_is_total = True
        self.tables.append(table)
        self.pictures["handoffs"] = charts.heat_map(
            self.say("report.chart.handoffs"),
            [day_names[d] for d in range(7)],
            band_names,
            grid,
            empty=self.empty,
        )

        waits = Table(
            "waiting_times",
            self.say("report.waits.title"),
            [
                self.say("report.waits.group"),
                self.say("report.waits.median"),
                self.say("report.waits.p90"),
            ],
            note=self.say("report.waits.note", k=self.k),
        )
        taken = [c for c in self.counts.cases if c.first_taken_at is not None]
        groups: list[tuple[str, list[CaseTiming]]] = [(self.say("report.waits.all"), taken)]
        groups += [
            (day_names[d], [c for c in taken if c.queued_at.astimezone(zone).weekday() == d])
            for d in range(7)
        ]
        groups += [
            (name, [c for c in taken if _band(c.queued_at.astimezone(zone).hour) == b])
            for b, name in zip(BANDS, band_names, strict=True)
        ]
        for name, group in groups:
            waits.rows.append([name, *_wait_stats(group, self.k)])
        self.tables.append(waits)

        urgent = [c for c in self.counts.cases if c.priority == Priority.URGENT.value]
        urgent_count = Cube(
            ("priority",), {("urgent",): len(urgent)} if urgent else {}, self.k
        ).total()
        table = Table(
            "urgent_cases",
            self.say("report.urgent.title"),
            [
                self.say("report.urgent.count"),
                self.say("report.waits.median"),
                self.say("report.waits.p90"),
            ],
        )
        table.rows.append(
            [
                urgent_count,
                *_wait_stats([c for c in urgent if c.first_taken_at is not None], self.k),
            ]
        )
        self.tables.append(table)


def build(
    counts: Counts,
    period: Period,
    *,
    team: str,
    threshold: int,
    language: Language,
    catalogue: Catalogue,
) -> Report:
    """The report's tables and charts from ``counts``."""
    b = _Builder(counts, period, threshold=threshold, language=language, catalogue=catalogue)
    for section in (b.needs, b.searches, b.arrivals, b.handoffs):
        section()
    weeks = period.weeks
    say, lang, zone, k = b.say, language, period.zone, threshold
    first, last = weeks[0], weeks[-1] + timedelta(days=6)
    return Report(
        language=lang,
        title=say("report.title", team=team),
        period=say(
            "report.period",
            first=format_date(first, "long", locale=lang.value),
            last=format_date(last, "long", locale=lang.value),
            zone=str(zone),
        ),
        method=say("report.method", k=k),
        legend=say("report.masked", k=k),
        empty=b.empty,
        tables=b.tables,
        charts=b.pictures,
    )


def _band(hour: int) -> int:
    return hour - hour % BAND_HOURS


def _wait_stats(group: list[CaseTiming], threshold: int) -> list[Cell]:
    """Median and 90th percentile of minutes to take, or ``x`` for a group under threshold."""
    if len(group) < threshold:
        return [Stat("x"), Stat("x")]
    minutes = sorted(
        (c.first_taken_at - c.queued_at).total_seconds() / 60
        for c in group
        if c.first_taken_at is not None
    )
    p90 = statistics.quantiles(minutes, n=10, method="inclusive")[-1]
    return [Stat(str(round(statistics.median(minutes)))), Stat(str(round(p90)))]


# --- files ------------------------------------------------------------------------------------


def write(report: Report, folder: Path) -> list[Path]:
    """The CSV files, the charts and ``report.html`` in ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in report.tables:
        path = folder / f"{table.slug}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(table.header)
            out.writerows([_csv(c) for c in row] for row in table.rows)
        written.append(path)
    charts_dir = folder / "charts"
    charts_dir.mkdir(exist_ok=True)
    for name, png in report.charts.items():
        path = charts_dir / f"{name}.png"
        path.write_bytes(png)
        written.append(path)
    page = folder / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    written.append(page)
    return written


def _csv(cell: Cell) -> str:
    if isinstance(cell, Figure):
        return cell.csv()
    return cell.text if isinstance(cell, Stat) else cell


STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1b1b1b; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { color: #0b4f6c; margin-bottom: .2rem; }
h2 { color: #0b4f6c; border-bottom: 2px solid #0b4f6c; padding-bottom: .2rem; margin-top: 2.2rem; }
.period { color: #4a4a4a; margin-top: 0; }
.method { background: #f1f6f8; border-left: 4px solid #0b4f6c; padding: .6rem .9rem; }
.note, .legend { color: #4a4a4a; font-size: .92rem; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #c9c9c9; padding: .25rem .5rem; }
th { background: #e8eef1; text-align: left; }
td.count, td.stat { text-align: right; font-variant-numeric: tabular-nums; }
td.masked { color: #7a7a7a;
  background: repeating-linear-gradient(45deg, #fff, #fff 4px, #f0f0f0 4px, #f0f0f0 8px); }
tr.total td { font-weight: bold; }
.empty { color: #7a7a7a; font-style: italic; }
@media print { body { margin: 0; max-width: none; } section { break-inside: avoid; }
  h2 { break-after: avoid; } }
"""


def render_html(report: Report) -> str:
    """One self-contained page (charts embedded) a coordinator can open, print or paste."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{report.language.value}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(report.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{e(report.title)}</h1>",
        f'<p class="period">{e(report.period)}</p>',
        f'<p class="method">{e(report.method)}</p>',
        f'<p class="legend">{e(report.legend)}</p>',
    ]
    for table in report.tables:
        parts.append(f'<section id="{table.slug}"><h2>{e(table.title)}</h2>')
        if table.note:
            parts.append(f'<p class="note">{e(table.note)}</p>')
        if table.chart and table.chart in report.charts:
            data = base64.b64encode(report.charts[table.chart]).decode("ascii")
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{e(table.title)}"></figure>'
            )
        if table.slug == "needs_by_theme_week" and "needs_by_week" in report.charts:
            data = base64.b64encode(report.charts["needs_by_week"]).decode("ascii")
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{e(table.title)}"></figure>'
            )
        if not table.rows:
            parts.append(f'<p class="empty">{e(report.empty)}</p></section>')
            continue
        parts.append(f'<table data-table="{table.slug}"><thead><tr>')
        parts.extend(f'<th scope="col">{e(h)}</th>' for h in table.header)
        parts.append("</tr></thead><tbody>")
        for index, row in enumerate(table.rows):
            is_total = table.last_is_total and index == len(table.rows) - 1
            parts.append('<tr class="total">' if is_total else "<tr>")
            for cell in row:
                if isinstance(cell, Figure):
                    kind = "count masked" if cell.masked else "count"
                    parts.append(f'<td class="{kind}">{e(cell.text())}</td>')
                elif isinstance(cell, Stat):
                    kind = "stat masked" if cell.text == "x" else "stat"
                    parts.append(f'<td class="{kind}">{e(cell.text)}</td>')
                else:
                    parts.append(f"<td>{e(cell)}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table></section>")
    parts.append("</body></html>")
    return "\n".join(parts)
