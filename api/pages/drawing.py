"""The timeline's picture, computed on the server: where each fact goes on a date axis.

A fact is drawn from the first day of its period to the end of its last day, so a fact of one
day is a tick, "last week" a bar seven days wide, and a fact with no end ("in a few weeks")
runs to the end of the axis and fades out. Undated facts have no place on an axis: they are
listed apart. Facts are grouped in rows (by actor or by kind); facts of a row that would overlap
go on separate lanes of the row, so that no shape hides another.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from api.pages.render import MONTHS

WIDTH = 1000
LABEL_WIDTH = 210  # the row labels, left of the plot
PLOT_LEFT = LABEL_WIDTH + 10
PLOT_RIGHT = WIDTH - 15
AXIS_HEIGHT = 34
LANE = 10  # a shape's height
LANE_GAP = 3
ROW_PADDING = 6
MIN_WIDTH = 2.0  # a tick is at least this wide, however long the axis
LABEL_CHARACTERS = 30


@dataclass(frozen=True)
class Fact:
    """A fact to draw: its kind and id (as the API names them), its period, its row, and what
    a reader is told about it."""

    kind: str  # statement or event
    id: str
    start: date | None
    end: date | None
    precision: str
    row: str  # the key of its row
    row_label: str
    title: str
    href: str


@dataclass
class Shape:
    fact: Fact
    x: float
    lane: int  # in its row: facts of a row that overlap go on lanes of their own
    width: float
    open: bool  # open-ended: it fades out
    y: float = 0


@dataclass
class Row:
    key: str
    label: str
    href: str | None
    y: float
    height: float
    lanes: list[float] = field(default_factory=list)  # the x where each lane is free again
    shapes: list[Shape] = field(default_factory=list)


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    major: bool


@dataclass
class Picture:
    start: date
    end: date  # the last day on the axis
    width: int
    height: float
    rows: list[Row]
    ticks: list[Tick]

    @property
    def shapes(self) -> list[Shape]:
        return [shape for row in self.rows for shape in row.shapes]


def axis(facts: Sequence[Fact], start: date | None, end: date | None) -> tuple[date, date] | None:
    """The days the axis shows: the range asked for, else the facts' own (with room after the
    last for an open-ended fact to fade out); None when no fact is dated."""
    dated = [fact for fact in facts if fact.start is not None]
    if not dated:
        return None
    first = start or min(fact.start for fact in dated if fact.start is not None)
    last = end or max(fact.end or fact.start for fact in dated if fact.start is not None)
    if end is None and any(fact.end is None for fact in dated):
        last += timedelta(days=max(7, (last - first).days // 10))
    return first, max(first, last)


def ticks(start: date, end: date, x: "Scale") -> list[Tick]:
    days = (end - start).days + 1
    found: list[Tick] = []
    if days <= 62:
        every = 1 if days <= 16 else 7
        for n in range(days):
            day = start + timedelta(days=n)
            labelled = every == 1 or day.weekday() == 0 or n == 0
            label = f"{day.day} {MONTHS[day.month - 1]}" if labelled else ""
            found.append(Tick(x(day), label, labelled))
    elif days <= 800:
        month = date(start.year, start.month, 1)
        while month <= end:
            if month >= start:
                label = MONTHS[month.month - 1] + (f" {month.year}" if month.month == 1 else "")
                found.append(Tick(x(month), label, True))
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        if found and found[0].x - x(start) > 40:  # name the year where the axis begins
            found.insert(0, Tick(x(start), f"{MONTHS[start.month - 1]} {start.year}", False))
    else:
        for year in range(start.year, end.year + 1):
            january = date(year, 1, 1)
            if january >= start:
                found.append(Tick(x(january), str(year), True))
    return found


class Scale:
    """Days to x: the axis runs from the start of its first day to the end of its last."""

    def __init__(self, start: date, end: date) -> None:
        self.start = start
        self.days = (end - start).days + 1
        self.per_day = (PLOT_RIGHT - PLOT_LEFT) / self.days

    def __call__(self, day: date) -> float:
        return PLOT_LEFT + (day - self.start).days * self.per_day


def draw(
    facts: Sequence[Fact], start: date | None, end: date | None, row_links: dict[str, str]
) -> Picture | None:
    """The picture of the dated facts (None when none is dated), on the range asked for, or on
    the facts' own."""
    found = axis(facts, start, end)
    if found is None:
        return None
    first, last = found
    x = Scale(first, last)
    after_last = last + timedelta(days=1)
    dated = [fact for fact in facts if fact.start is not None]
    # Rows in the order of their first fact as listed; lanes filled from the earliest fact on,
    # whichever way the list is sorted.
    rows: dict[str, Row] = {}
    for fact in dated:
        if fact.row not in rows:
            rows[fact.row] = Row(fact.row, fact.row_label, row_links.get(fact.row), 0, 0)
    for fact in sorted(dated, key=lambda fact: fact.start or first):
        row = rows[fact.row]
        begin = max(fact.start or first, first)
        finish = min((fact.end or last) + timedelta(days=1), after_last)
        left = x(begin)
        width = max(x(finish) - left, MIN_WIDTH) if finish > begin else MIN_WIDTH
        lane = next((n for n, free in enumerate(row.lanes) if free <= left), len(row.lanes))
        if lane == len(row.lanes):
            row.lanes.append(0)
        row.lanes[lane] = left + width + 1
        row.shapes.append(Shape(fact, round(left, 2), lane, round(width, 2), fact.end is None))
    y = float(AXIS_HEIGHT)
    for row in rows.values():
        row.y = y
        row.height = ROW_PADDING * 2 + len(row.lanes) * (LANE + LANE_GAP) - LANE_GAP
        for shape in row.shapes:
            shape.y = y + ROW_PADDING + shape.lane * (LANE + LANE_GAP)
        y += row.height
    return Picture(first, last, WIDTH, y + 4, list(rows.values()), ticks(first, last, x))


def short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"
