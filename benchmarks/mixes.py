"""The questions of the benchmark, each as a mix of distinct URLs, for eventdb and for Datasette.

For each question type, `build_pools` draws URLs the way people would ask them (popular speakers
and recent dates more often; a plain list, newest first, a year or a month of it, several values
at once…) until it has `distinct` different eventdb URLs, in the order they first came up: a
popularity ranking. Each eventdb URL has its Datasette twin, the same question asked of the same
SQLite file with Datasette's JSON API. benchmarks/mix.lua then draws from a ranking with a Zipf
skew, so that a few URLs are asked often and most rarely.

The draws are seeded: the same corpus and seed give the same URLs, on every run and machine.
"""

import random
import sqlite3
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from api.paging import DEFAULT_LIMIT, PageRequest, filters_fingerprint
from api.search import ID_OF_KEY

QUESTIONS = (
    "statements by speaker",
    "events in a date range",
    "positions by term and stance",
    "full-text search",
    "timeline of an actor",
    "deep page",
    "single item",
)
MIX = "mix of all questions"
# Datasette names a database after its file: benchmarks/run.py links the corpus as db.sqlite3.
DATASETTE_DATABASE = "db"
# Datasette's equivalent of eventdb's pages: 50 rows, as a plain JSON array.
PAGE = {"_size": str(DEFAULT_LIMIT), "_shape": "array"}

Pair = tuple[str, str]  # an eventdb path and its Datasette twin


@dataclass(frozen=True)
class Pool:
    """The distinct URLs of one question type, most popular first."""

    question: str
    ours: list[str]
    datasette: list[str]


@dataclass(frozen=True)
class Facts:
    """What the URLs are made of, read from the corpus."""

    speakers: list[tuple[int, str, str]]  # id, slug, name; most statements first
    timeline_actors: list[tuple[int, str]]  # id, slug; most events and statements first
    terms: list[tuple[int, str]]  # id, slug; most positions first
    stances: list[str]  # most positions first
    first_day: date
    last_day: date
    words: list[str]  # words of the statements, most frequent first
    phrases: list[str]  # two words that follow each other in a statement
    statement_keys: list[tuple[str, int]]  # (sort_date, id) of statements picked at random


def _query(path: str, **params: str | list[str]) -> str:
    if not params:
        return path
    return path + "?" + urllib.parse.urlencode(params, safe=",:", quote_via=urllib.parse.quote)


def read_facts(database: Path, rng: random.Random, sample: int) -> Facts:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        speakers = [
            (int(i), str(slug), str(name))
            for i, slug, name, _ in connection.execute(
                "SELECT a.id, a.slug, a.name, count(*) AS n FROM statements s "
                "JOIN actors a ON a.id = s.speaker_id GROUP BY a.id ORDER BY n DESC, a.id"
            )
        ]
        timeline_actors = [
            (int(i), str(slug))
            for i, slug, _ in connection.execute(
                "SELECT a.id, a.slug, "
                "(SELECT count(*) FROM statements s WHERE s.speaker_id = a.id) + "
                "(SELECT count(*) FROM participants p WHERE p.actor_id = a.id) AS n "
                "FROM actors a ORDER BY n DESC, a.id"
            )
            if _ > 0
        ]
        terms = [
            (int(i), str(slug))
            for i, slug, _ in connection.execute(
                "SELECT t.id, t.slug, count(p.id) AS n FROM terms t "
                "LEFT JOIN positions p ON p.term_id = t.id GROUP BY t.id ORDER BY n DESC, t.id"
            )
        ]
        stances = [
            str(stance)
            for (stance,) in connection.execute(
                "SELECT stance FROM positions GROUP BY stance ORDER BY count(*) DESC, stance"
            )
        ]
        first, last = connection.execute(
            "SELECT min(sort_date), max(sort_date) FROM events WHERE date_start IS NOT NULL"
        ).fetchone()
        (top,) = connection.execute("SELECT max(id) FROM statements").fetchone()
        picked = rng.sample(range(1, int(top) + 1), min(sample, int(top)))
        keys: list[tuple[str, int]] = []
        texts: list[str] = []
        for start in range(0, len(picked), 500):
            chunk = picked[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for sort_date, i, search_text in connection.execute(
                f"SELECT sort_date, id, search_text FROM statements WHERE id IN ({marks})", chunk
            ):
                keys.append((str(sort_date), int(i)))
                texts.append(str(search_text))
    finally:
        connection.close()
    counts = Counter(word for text in texts for word in text.split())
    phrases = sorted(
        {
            " ".join(pair)
            for text in texts[:500]
            for pair in zip(text.split(), text.split()[1:], strict=False)
        }
    )
    rng.shuffle(keys)
    rng.shuffle(phrases)
    return Facts(
        speakers=speakers,
        timeline_actors=timeline_actors,
        terms=terms,
        stances=stances,
        first_day=date.fromisoformat(str(first)),
        last_day=date.fromisoformat(str(last)),
        words=[word for word, _ in counts.most_common() if len(word) > 2],
        phrases=phrases,
        statement_keys=keys,
    )


class _Draw:
    """Random choices with the skew of news: low ranks (popular actors, recent days) come up most."""

    def __init__(self, rng: random.Random, facts: Facts) -> None:
        self.rng = rng
        self.facts = facts

    def rank(self, count: int, power: float = 2.0) -> int:
        return min(count - 1, int(count * self.rng.random() ** power))

    def day(self) -> date:
        span = (self.facts.last_day - self.facts.first_day).days
        return self.facts.last_day - timedelta(days=self.rank(span + 1, 2.0))

    def period(self) -> tuple[date, date]:
        """A day, a week, a month, a year or a few weeks, most of them recent."""
        day, roll = self.day(), self.rng.random()
        if roll < 0.35:
            return day, day
        if roll < 0.55:
            start = day - timedelta(days=day.weekday())
            return start, start + timedelta(days=6)
        if roll < 0.8:
            start = day.replace(day=1)
            return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if roll < 0.92:
            return day.replace(month=1, day=1), day.replace(month=12, day=31)
        return day, day + timedelta(days=self.rng.randint(2, 90))

    def newest_first(self, share: float) -> bool:
        return self.rng.random() < share


def _dates(period: tuple[date, date] | None) -> tuple[dict[str, str], dict[str, str]]:
    """eventdb's from/to: the facts whose period overlaps the range, open-ended ones too. Datasette
    is asked the same in SQL (`_where`): its filters cannot say "no end, or an end after"."""
    if period is None:
        return {}, {}
    start, end = (day.isoformat() for day in period)
    overlap = f"date_start <= '{end}' AND (date_end IS NULL OR date_end >= '{start}')"
    return {"from": start, "to": end}, {"_where": overlap}


def _sort(newest_first: bool) -> tuple[dict[str, str], dict[str, str]]:
    if newest_first:
        return {"sort": "-date"}, {"_sort_desc": "sort_date"}
    return {}, {"_sort": "sort_date"}


def _table(table: str, **params: str) -> str:
    return _query(f"/{DATASETTE_DATABASE}/{table}.json", **params, **PAGE)


def statements_by_speaker(draw: _Draw) -> Pair:
    speakers = draw.facts.speakers
    speaker_id, slug, name = speakers[draw.rank(len(speakers))]
    ours: dict[str, str] = {"speaker": name if draw.rng.random() < 0.15 else slug}
    theirs: dict[str, str] = {"speaker_id": str(speaker_id)}
    if draw.rng.random() < 0.1:  # two speakers at once (any of them)
        other_id, other_slug, _ = speakers[draw.rank(len(speakers))]
        if other_id != speaker_id:
            ours = {"speaker": f"{slug},{other_slug}"}
            theirs = {"speaker_id__in": f"{speaker_id},{other_id}"}
    roll = draw.rng.random()
    dates = _dates(draw.period() if roll < 0.35 else None)
    sort = _sort(draw.newest_first(0.3))
    return (
        _query("/statements", **ours, **dates[0], **sort[0]),
        _table("statements", **theirs, **dates[1], **sort[1]),
    )


def events_in_a_date_range(draw: _Draw) -> Pair:
    dates = _dates(draw.period())
    sort = _sort(draw.newest_first(0.25))
    return (
        _query("/events", **dates[0], **sort[0]),
        _table("events", **dates[1], **sort[1]),
    )


def positions_by_term_and_stance(draw: _Draw) -> Pair:
    terms, stances = draw.facts.terms, draw.facts.stances
    term_id, slug = terms[draw.rank(len(terms), 1.5)]
    chosen = [stances[draw.rank(len(stances), 1.0)]]
    if draw.rng.random() < 0.35:  # e.g. opposes,rejects: any of them
        chosen = sorted({*chosen, stances[draw.rank(len(stances), 1.0)]})
    stance_ours = {"stance": ",".join(chosen)}
    stance_theirs = {"stance": chosen[0]} if len(chosen) == 1 else {"stance__in": ",".join(chosen)}
    dates = _dates(draw.period() if draw.rng.random() < 0.25 else None)
    sort = _sort(draw.newest_first(0.3))
    return (
        _query("/positions", term=slug, **stance_ours, **dates[0], **sort[0]),
        _table("positions", term_id=str(term_id), **stance_theirs, **dates[1], **sort[1]),
    )


def full_text_search(draw: _Draw) -> Pair:
    """One or two words (each also a prefix, on both), or a quoted phrase, in date order.

    Datasette is asked the same FTS5 query, "word"* for a word, which means what eventdb's `q`
    means. Not with `_search`: it matches the full-text index's rowid with the table's, and the
    index keeps a row under its key in list order (migration 0007), so it answered `[]` to
    every search; `_where` takes the statement's id out of the key, as eventdb does. (eventdb
    also finds a hyphenated word of the data spelled the other way: `synth` writes none.)"""
    words, roll = draw.facts.words, draw.rng.random()
    if roll < 0.1 and draw.facts.phrases:
        phrase = draw.facts.phrases[draw.rank(len(draw.facts.phrases), 1.0)]
        ours, theirs = f'"{phrase}"', f'"{phrase}"'
    else:
        chosen = [words[draw.rank(len(words), 1.5)]]
        if roll < 0.35:
            chosen.append(words[draw.rank(len(words), 1.5)])
        ours = " ".join(chosen)
        theirs = " ".join(f'"{word}"*' for word in chosen)
    sort = _sort(draw.newest_first(0.3))
    matched = (  # the words are tokens of [a-z0-9]: nothing to escape
        f"id IN (SELECT {ID_OF_KEY} FROM statements_fts WHERE statements_fts MATCH '{theirs}')"
    )
    return (
        _query("/statements", q=ours, **sort[0]),
        _table("statements", _where=matched, **sort[1]),
    )


def _timeline_sql(with_dates: bool, newest_first: bool) -> str:
    dates = (
        " AND {t}.date_start IS NOT NULL AND {t}.date_start <= :to"
        " AND ({t}.date_end IS NULL OR {t}.date_end >= :from)"
        if with_dates
        else ""
    )
    order = " DESC" if newest_first else ""
    return (
        "SELECT 'event' AS type, e.id, e.slug, e.title AS text, e.sort_date, e.date_precision "
        "FROM events e WHERE e.id IN (SELECT event_id FROM participants WHERE actor_id = :actor)"
        + dates.format(t="e")
        + " UNION ALL SELECT 'statement', s.id, s.slug, s.text, s.sort_date, s.date_precision "
        "FROM statements s WHERE s.speaker_id = :actor"
        + dates.format(t="s")
        + f" ORDER BY sort_date{order}, type{order}, id{order} LIMIT {DEFAULT_LIMIT}"
    )


def timeline_of_an_actor(draw: _Draw) -> Pair:
    """Datasette has no merged list of two tables: it is asked the same question in SQL."""
    actors = draw.facts.timeline_actors
    actor_id, slug = actors[draw.rank(len(actors))]
    period = draw.period() if draw.rng.random() < 0.35 else None
    newest_first = draw.newest_first(0.3)
    dates, _ = _dates(period)
    sort, _ = _sort(newest_first)
    return (
        _query("/timeline", actor=slug, **dates, **sort),
        _query(
            f"/{DATASETTE_DATABASE}.json",
            sql=_timeline_sql(period is not None, newest_first),
            actor=str(actor_id),
            **dates,
            _shape="array",
        ),
    )


def deep_page(draw: _Draw) -> Pair:
    """The page after a statement anywhere in the whole list, as a cursor of eventdb's would
    continue it; Datasette's `_next` does the same by (sort_date, id)."""
    keys = draw.facts.statement_keys
    sort_date, statement_id = keys[draw.rng.randrange(len(keys))]
    newest_first = draw.newest_first(0.3)
    sort = _sort(newest_first)
    # A cursor remembers the filters (here only `sort`, when it is given).
    fingerprint = filters_fingerprint(list(sort[0].items()))
    cursor = PageRequest(
        "/statements", fingerprint, sort[0].get("sort", "date"), DEFAULT_LIMIT, None
    ).cursor_to("next", (sort_date, statement_id))
    return (
        _query("/statements", **sort[0], cursor=cursor),
        _table("statements", **sort[1], _next=f"{sort_date},{statement_id}"),
    )


def single_item(draw: _Draw) -> Pair:
    _, statement_id = draw.facts.statement_keys[draw.rng.randrange(len(draw.facts.statement_keys))]
    return (
        f"/statements/{statement_id}",
        f"/{DATASETTE_DATABASE}/statements/{statement_id}.json?_shape=array",
    )


DRAWS: dict[str, Callable[[_Draw], Pair]] = {
    "statements by speaker": statements_by_speaker,
    "events in a date range": events_in_a_date_range,
    "positions by term and stance": positions_by_term_and_stance,
    "full-text search": full_text_search,
    "timeline of an actor": timeline_of_an_actor,
    "deep page": deep_page,
    "single item": single_item,
}


def build_pools(database: Path, distinct: int, seed: int) -> list[Pool]:
    """`distinct` URLs of each question type, most popular first, with their Datasette twins."""
    facts = read_facts(database, random.Random(seed), sample=max(3 * distinct, 3000))
    pools = []
    for number, question in enumerate(QUESTIONS):
        draw = _Draw(random.Random(seed * 1000 + number), facts)
        found: dict[str, str] = {}
        for _ in range(distinct * 500):
            ours, theirs = DRAWS[question](draw)
            found.setdefault(ours, theirs)
            if len(found) == distinct:
                break
        else:
            raise RuntimeError(
                f"{question}: only {len(found)} distinct URLs in this corpus; ask for fewer"
            )
        pools.append(Pool(question, list(found), list(found.values())))
    return pools


def write_mix(path: Path, groups: Iterable[list[str]]) -> Path:
    """A URL file of benchmarks/mix.lua: groups separated by a blank line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join("\n".join(urls) for urls in groups) + "\n")
    return path


def zipf_shares(count: int, exponent: float) -> tuple[float, float, int, int]:
    """Of the requests of one question type: the share of the most popular URL, of the ten most
    popular, and how many URLs take half and nine tenths of them."""
    weights = [1 / rank**exponent for rank in range(1, count + 1)]
    total = sum(weights)
    running, half, most = 0.0, 0, 0
    for rank, weight in enumerate(weights, 1):
        running += weight
        if not half and running >= total / 2:
            half = rank
        if not most and running >= total * 0.9:
            most = rank
    return weights[0] / total, sum(weights[:10]) / total, half, most
