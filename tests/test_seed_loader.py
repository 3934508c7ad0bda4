"""The seed loader (api.loader): what a seed file puts in the database, and what it refuses.

Most tests load tests/data/portville-harbor.yaml, a small invented article curated with every kind
of row; a test that needs a wrong file copies the fixture and changes one field. Every test runs on
SQLite and on PostgreSQL.
"""

import hashlib
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, select, text

from api import models
from api.database import create_db_engine
from api.loader import SeedError, SeedResult, load, seed_files
from api.models import Base
from api.schema_version import upgrade
from api.settings import PROJECT_ROOT
from tests.database_state import (
    assert_search_words_count_what_the_index_holds,
    snapshot,
    table_counts,
)

DATA = Path(__file__).parent / "data"
COPY = "seed"  # the folder, under tmp_path, that copy_fixture copies tests/data to
FIXTURE = DATA / "portville-harbor.yaml"
FIXTURE_SLUG = "portville-harbor-talks"

# What the fixture (and its registry, tests/data/actors.yaml) holds, table by table.
FIXTURE_COUNTS = {
    "sources": 1,
    "actors": 4,
    "actor_names": 14,
    "introductions": 4,
    "aliases": 3,
    "events": 3,
    "participants": 3,
    "proposals": 1,
    "phases": 2,
    "terms": 3,
    "statements": 3,
    "statement_terms": 1,
    "mentions": 2,
    "positions": 3,
    "search_compounds": 1,
    "search_words": 78,  # every word of the statements' and events' search texts
    # Each statement's and event's JSON document (api/stored_documents.py), in its shape.
    "statement_documents": 3,
    "event_documents": 3,
    "stored_document_shape": 1,
}

EVIDENCED_TABLES = [
    "introductions",
    "aliases",
    "events",
    "participants",
    "proposals",
    "phases",
    "terms",
    "statements",
    "mentions",
    "positions",
]

Document = dict[str, Any]


def copy_fixture(tmp_path: Path, mutate: Callable[[Document], None] | None = None) -> Path:
    """Copy tests/data to tmp_path, let `mutate` change the parsed seed file, return its path."""
    folder = tmp_path / COPY
    shutil.copytree(DATA, folder)
    path = folder / FIXTURE.name
    if mutate is not None:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        mutate(document)
        path.write_text(
            yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return path


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a new database migrated to head and holding no rows."""
    engine = create_db_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def evidence_mismatches(engine: Engine) -> list[str]:
    """Rows whose evidence_text is not the text of their source at [evidence_start:evidence_end],
    or whose sentence is not the text at [sentence_start:sentence_end] or does not hold the
    evidence whole.

    Fails when a table with evidence holds no row at all, so that "no mismatch" means something.
    """
    tables = Base.metadata.tables
    mismatches = []
    with engine.connect() as connection:
        source_rows = connection.execute(select(tables["sources"].c.id, tables["sources"].c.text))
        sources = {id_: text for id_, text in source_rows}
        for name in EVIDENCED_TABLES:
            table = tables[name]
            query = select(
                table.c.id,
                table.c.source_id,
                table.c.evidence_start,
                table.c.evidence_end,
                table.c.evidence_text,
                table.c.sentence_start,
                table.c.sentence_end,
                table.c.sentence_text,
            )
            rows = connection.execute(query).all()
            assert rows, f"{name} holds no row to check"
            for id_, source_id, start, end, evidence, s_start, s_end, sentence in rows:
                text = sources[source_id]
                if text[start:end] != evidence:
                    mismatches.append(
                        f"{name} {id_}: [{start}:{end}] is {text[start:end]!r}, "
                        f"evidence_text is {evidence!r}"
                    )
                if text[s_start:s_end] != sentence or not s_start <= start < end <= s_end:
                    mismatches.append(f"{name} {id_}: sentence [{s_start}:{s_end}] is wrong")
    return mismatches


def assert_refused(
    engine: Engine,
    tmp_path: Path,
    mutate: Callable[[Document], None],
    where: str,
) -> str:
    """Seed the good fixture, then check that a changed copy of it (same source slug) is refused
    with a message that starts "FILE: ITEM: FIELD: " (`where` is "ITEM: FIELD"), and that no row
    changed. Returns the message."""
    load(engine, [FIXTURE])
    before = snapshot(engine)
    bad = copy_fixture(tmp_path, mutate)
    with pytest.raises(SeedError) as refused:
        load(engine, [bad])
    message = str(refused.value)
    assert message.startswith(f"{bad}: {where}: "), message
    assert snapshot(engine) == before
    return message


# Loading


def test_loading_the_fixture_writes_every_row(engine: Engine) -> None:
    [result] = load(engine, [FIXTURE])

    assert result == SeedResult(
        FIXTURE_SLUG,
        "loaded",
        {
            name: n
            for name, n in FIXTURE_COUNTS.items()
            if name in EVIDENCED_TABLES or name == "statement_terms"
        },
    )
    assert table_counts(engine) == FIXTURE_COUNTS


def test_every_row_quotes_its_evidence_from_its_source(engine: Engine) -> None:
    load(engine, [FIXTURE])

    assert evidence_mismatches(engine) == []


def test_evidence_with_a_prefix_and_suffix_stores_only_the_exact_text(engine: Engine) -> None:
    load(engine, [FIXTURE])

    with engine.connect() as connection:
        alias_evidence = connection.scalar(
            select(models.Alias.evidence_text).where(models.Alias.name == "Ortiz")
        )
        demand_evidence = connection.scalar(
            select(models.Position.evidence_text).where(models.Position.stance == "demands")
        )
    assert alias_evidence == "Ortiz"
    assert demand_evidence == "the toll was cut in half"


def test_a_day_precision_date_ends_on_the_day_it_starts(engine: Engine) -> None:
    load(engine, [FIXTURE])

    with engine.connect() as connection:
        meeting = connection.execute(
            select(models.Event).where(models.Event.slug == "ortiz-meets-okafor")
        ).one()
    assert meeting.date_precision == "day"
    assert meeting.date_start == meeting.date_end == date(2024, 6, 11)
    assert meeting.date_text == "Tuesday"
    assert meeting.sort_date == date(2024, 6, 11)


def test_a_week_runs_from_its_monday_to_its_sunday(engine: Engine) -> None:
    load(engine, [FIXTURE])

    with engine.connect() as connection:
        vote = connection.execute(
            select(models.Event).where(models.Event.slug == "riverton-council-vote")
        ).one()
    assert (vote.date_precision, vote.date_start, vote.date_end, vote.sort_date) == (
        "week",
        date(2024, 6, 17),
        date(2024, 6, 23),
        date(2024, 6, 17),
    )


def test_an_approximate_date_without_an_end_stays_open(engine: Engine) -> None:
    load(engine, [FIXTURE])

    with engine.connect() as connection:
        support = connection.execute(
            select(models.Position).where(models.Position.stance == "supports")
        ).one()
    assert (support.date_precision, support.date_start, support.date_end, support.sort_date) == (
        "approximate",
        date(2024, 5, 1),
        None,
        date(2024, 5, 1),
    )


def test_an_undated_row_sorts_on_its_source_publication_date(engine: Engine) -> None:
    load(engine, [FIXTURE])

    with engine.connect() as connection:
        undated = connection.execute(
            select(models.Statement).where(models.Statement.slug == "nair-hopes-for-agreement")
        ).one()
    assert (undated.date_precision, undated.date_start, undated.date_end) == ("unknown", None, None)
    assert undated.sort_date == date(2024, 6, 12)


# Loading again


def test_seeding_twice_changes_nothing(engine: Engine) -> None:
    load(engine, [FIXTURE])
    before = snapshot(engine)

    [result] = load(engine, [FIXTURE])

    assert result == SeedResult(FIXTURE_SLUG, "unchanged", {})
    assert snapshot(engine) == before


def test_a_changed_file_replaces_its_sources_rows(engine: Engine, tmp_path: Path) -> None:
    load(engine, [FIXTURE])

    def retitle_and_add_an_alias(document: Document) -> None:
        document["events"][0]["title"] = "Ortiz and Okafor meet at the ferry terminal"
        document["actors"][3]["aliases"] = [
            {"name": "Nair", "evidence": {"exact": "Nair", "suffix": " said"}}
        ]

    changed = copy_fixture(tmp_path, retitle_and_add_an_alias)
    [result] = load(engine, [changed])

    assert result.status == "replaced"
    assert result.counts["aliases"] == 4
    # The new title's words "ferry" and "terminal" join search_words; none leaves it.
    assert table_counts(engine) == FIXTURE_COUNTS | {"aliases": 4, "search_words": 80}
    with engine.connect() as connection:
        titles = connection.scalars(select(models.Event.title).order_by(models.Event.slug)).all()
    assert titles == [
        "Ortiz and Okafor meet at the ferry terminal",
        "Riverton’s council votes on the harbor plan",
        "The toll cease-fire between the two ports holds",
    ]
    assert evidence_mismatches(engine) == []


def test_replacing_a_file_keeps_the_full_text_index_in_step(
    engine: Engine, backend: str, tmp_path: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL searches a column generated from the text: it cannot lag")

    def set_in(setting: str) -> Callable[[Document], None]:
        def mutate(document: Document) -> None:
            document["statements"][0]["setting"] = setting

        return mutate

    load(engine, [copy_fixture(tmp_path / "first", set_in("a xylophone hall"))])
    load(engine, [copy_fixture(tmp_path / "second", set_in("a zeppelin hangar"))])

    with engine.connect() as connection:
        connection.execute(
            text("INSERT INTO statements_fts(statements_fts) VALUES ('integrity-check')")
        )
        connection.execute(text("INSERT INTO events_fts(events_fts) VALUES ('integrity-check')"))
        match = text("SELECT rowid FROM statements_fts WHERE statements_fts MATCH :words")
        assert connection.scalars(match, {"words": "zeppelin"}).all() != []
        assert connection.scalars(match, {"words": "xylophone"}).all() == []  # the old setting


def test_reset_empties_every_table_before_loading(engine: Engine, tmp_path: Path) -> None:
    load(engine, [FIXTURE])

    def another_source_with_the_same_slugs(document: Document) -> None:
        document["source"]["slug"] = "portville-harbor-talks-corrected"

    other = copy_fixture(tmp_path, another_source_with_the_same_slugs)
    [result] = load(engine, [other], reset=True)

    assert result.status == "loaded"
    assert table_counts(engine) == FIXTURE_COUNTS
    with engine.connect() as connection:
        sources = connection.scalars(select(models.Source.slug)).all()
    assert sources == ["portville-harbor-talks-corrected"]


def test_a_slug_already_used_by_another_source_is_refused(engine: Engine, tmp_path: Path) -> None:
    load(engine, [FIXTURE])
    before = snapshot(engine)

    def another_source_with_the_same_slugs(document: Document) -> None:
        document["source"]["slug"] = "portville-harbor-talks-corrected"

    other = copy_fixture(tmp_path, another_source_with_the_same_slugs)
    with pytest.raises(SeedError, match="already used by source 'portville-harbor-talks'"):
        load(engine, [other])
    assert snapshot(engine) == before


# Refusing a wrong file: nothing is written, and the message says where the mistake is


def test_a_statement_by_an_unknown_speaker_is_refused(engine: Engine, tmp_path: Path) -> None:
    def unknown_speaker(document: Document) -> None:
        document["statements"][1]["speaker"] = "sam-okafor-jr"

    message = assert_refused(
        engine, tmp_path, unknown_speaker, "statements[1] 'okafor-wants-toll-halved': speaker"
    )
    assert "no actor of the registry has the slug 'sam-okafor-jr'" in message


def test_evidence_that_is_not_in_the_article_is_refused(engine: Engine, tmp_path: Path) -> None:
    def misquoted(document: Document) -> None:
        document["actors"][3]["evidence"] = "Commission chairwoman Priya Nair"

    message = assert_refused(engine, tmp_path, misquoted, "actors[3] 'priya-nair': evidence")
    assert "is not in the article" in message


def test_evidence_with_straight_quotes_is_refused_with_a_hint(
    engine: Engine, tmp_path: Path
) -> None:
    def straight_quotes(document: Document) -> None:
        document["events"][1]["evidence"] = "a vote of Riverton's council next week"

    message = assert_refused(
        engine, tmp_path, straight_quotes, "events[1] 'riverton-council-vote': evidence"
    )
    assert "other quote marks" in message


def test_evidence_found_twice_is_refused(engine: Engine, tmp_path: Path) -> None:
    def ambiguous(document: Document) -> None:
        document["actors"][0]["aliases"][0]["evidence"] = "Ortiz"

    message = assert_refused(
        engine, tmp_path, ambiguous, "actors[0] 'lena-ortiz': aliases[0] 'Ortiz': evidence"
    )
    assert "occurs more than once" in message


def test_a_duplicate_slug_is_refused(engine: Engine, tmp_path: Path) -> None:
    def two_meetings(document: Document) -> None:
        document["events"][1]["slug"] = "ortiz-meets-okafor"

    message = assert_refused(engine, tmp_path, two_meetings, "events[1] 'ortiz-meets-okafor': slug")
    assert "used twice" in message


def test_an_impossible_date_is_refused(engine: Engine, tmp_path: Path) -> None:
    def february_30(document: Document) -> None:
        document["events"][0]["date"]["start"] = "2024-02-30"

    message = assert_refused(
        engine, tmp_path, february_30, "events[0] 'ortiz-meets-okafor': date.start"
    )
    assert "2024-02-30" in message


def test_a_stance_outside_the_vocabulary_is_refused(engine: Engine, tmp_path: Path) -> None:
    def likes(document: Document) -> None:
        document["positions"][2]["stance"] = "likes"

    message = assert_refused(engine, tmp_path, likes, "positions[2] 'lena-ortiz': stance")
    assert "'likes'" in message


def test_a_week_that_does_not_start_on_a_monday_is_refused(engine: Engine, tmp_path: Path) -> None:
    def tuesday_to_monday(document: Document) -> None:
        document["events"][1]["date"].update(start="2024-06-18", end="2024-06-24")

    message = assert_refused(
        engine, tmp_path, tuesday_to_monday, "events[1] 'riverton-council-vote': date"
    )
    assert "Monday" in message


def test_a_key_given_twice_in_one_item_is_refused(engine: Engine, tmp_path: Path) -> None:
    load(engine, [FIXTURE])
    before = snapshot(engine)
    bad = copy_fixture(tmp_path)
    text = bad.read_text(encoding="utf-8")
    bad.write_text(
        text.replace("source:\n", "source:\n  title: A second title\n", 1), encoding="utf-8"
    )
    with pytest.raises(SeedError, match="the key 'title' appears twice"):
        load(engine, [bad])
    assert snapshot(engine) == before


def test_an_article_whose_sha256_does_not_match_is_refused(engine: Engine, tmp_path: Path) -> None:
    def edited_article(document: Document) -> None:
        article = tmp_path / COPY / document["source"]["file"]
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("Tuesday", "Wednesday"), encoding="utf-8")

    message = assert_refused(engine, tmp_path, edited_article, "source.sha256")
    assert "the article changed" in message


def test_a_value_too_long_for_its_column_is_refused(engine: Engine, tmp_path: Path) -> None:
    def long_cue(document: Document) -> None:
        document["statements"][0]["cue"] = "told reporters " * 20  # 300 characters: at most 200

    message = assert_refused(
        engine, tmp_path, long_cue, "statements[0] 'ortiz-closer-than-ever': cue"
    )
    assert "at most 200 characters" in message


def test_an_article_that_is_not_utf8_is_refused(engine: Engine, tmp_path: Path) -> None:
    def latin1_article(document: Document) -> None:
        article = tmp_path / COPY / document["source"]["file"]
        encoded = article.read_text(encoding="utf-8").replace("“", '"').replace("”", '"')
        latin1 = encoded.replace("’", "'").replace("Riverton", "Rivertón").encode("latin-1")
        article.write_bytes(latin1)
        document["source"]["sha256"] = hashlib.sha256(latin1).hexdigest()

    message = assert_refused(engine, tmp_path, latin1_article, "source.file")
    assert "is not UTF-8" in message


# Two seeds at once


def test_two_seeds_at_once_leave_one_copy(database_url: str) -> None:
    setup = create_db_engine(database_url)
    upgrade(setup)
    both_ready = threading.Barrier(2)

    def seed() -> SeedResult:
        engine = create_db_engine(database_url)
        try:
            both_ready.wait(timeout=10)
            [result] = load(engine, [FIXTURE])
            return result
        finally:
            engine.dispose()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(seed) for _ in range(2)]
        statuses = sorted(future.result(timeout=60).status for future in futures)

    assert statuses == ["loaded", "unchanged"]
    assert table_counts(setup) == FIXTURE_COUNTS
    setup.dispose()


# The real seed


def test_the_real_seed_loads_and_every_row_quotes_its_evidence(engine: Engine) -> None:
    paths = seed_files(PROJECT_ROOT / "seed")
    if not paths:
        pytest.skip("seed/ holds no *.yaml file yet: the curated seed is still being written")

    results = load(engine, paths)

    assert [result.status for result in results] == ["loaded"] * (len(paths) - 1)  # registry
    assert evidence_mismatches(engine) == []


# Both databases accept and refuse the same files


def test_a_nul_character_is_refused_by_field_on_both_databases(
    engine: Engine, tmp_path: Path
) -> None:
    def nul_in_a_description(document: Document) -> None:
        document["events"][0]["description"] = "Ortiz\x00Okafor"

    message = assert_refused(
        engine, tmp_path, nul_in_a_description, "events[0] 'ortiz-meets-okafor': description"
    )
    assert "NUL character" in message


def test_a_count_past_32_bits_is_refused_by_field_on_both_databases(
    engine: Engine, tmp_path: Path
) -> None:
    def three_billion_votes(document: Document) -> None:
        document["events"][1]["outcome"] = {"votes_for": 3_000_000_000}

    message = assert_refused(
        engine,
        tmp_path,
        three_billion_votes,
        "events[1] 'riverton-council-vote': outcome.votes_for",
    )
    assert "2147483647" in message


# Ids survive a reseed


def _ids(engine: Engine) -> dict[str, dict[Any, int]]:
    with engine.connect() as connection:
        return {
            "statements": dict(
                connection.execute(select(models.Statement.slug, models.Statement.id)).all()
            ),
            "events": dict(connection.execute(select(models.Event.slug, models.Event.id)).all()),
            "terms": dict(connection.execute(select(models.Term.slug, models.Term.id)).all()),
            "positions": {
                (actor, stance): id_
                for id_, actor, stance in connection.execute(
                    select(models.Position.id, models.Position.actor_id, models.Position.stance)
                )
            },
            "actors": dict(connection.execute(select(models.Actor.slug, models.Actor.id)).all()),
        }


def test_a_changed_file_keeps_the_id_of_every_fact_it_still_has(
    engine: Engine, tmp_path: Path
) -> None:
    """Both databases give the same ids: a fact keeps its id while its entry keeps its slug (or
    natural key), and a new fact takes the next id after the largest."""
    load(engine, [FIXTURE])
    before = _ids(engine)

    def reword_drop_and_add(document: Document) -> None:
        document["events"][0]["title"] = "Ortiz and Okafor meet at the ferry terminal"
        document["positions"][0]["condition"] = "only if the toll is halved"
        dropped = document["statements"].pop(0)
        document["statements"].append({**dropped, "slug": "ortiz-closer-than-ever-again"})

    load(engine, [copy_fixture(tmp_path, reword_drop_and_add)])
    after = _ids(engine)

    assert after["events"] == before["events"]
    assert after["terms"] == before["terms"]
    assert after["positions"] == before["positions"]
    assert after["actors"] == before["actors"]
    kept = {
        slug: id_ for slug, id_ in before["statements"].items() if slug != "ortiz-closer-than-ever"
    }
    assert {s: i for s, i in after["statements"].items() if s in kept} == kept
    assert (
        after["statements"]["ortiz-closer-than-ever-again"]
        == max(before["statements"].values()) + 1
    )
    assert before["statements"] == {
        "ortiz-closer-than-ever": 1,
        "okafor-wants-toll-halved": 2,
        "nair-hopes-for-agreement": 3,
    }


def test_a_changed_file_keeps_the_rows_of_each_search_word_counted(
    engine: Engine, tmp_path: Path
) -> None:
    """A reworded title, a dropped statement and a new one: search_words' numbers follow the
    rows written and removed (a search's total relies on them on PostgreSQL, api.search)."""
    load(engine, [FIXTURE])

    def reword_drop_and_add(document: Document) -> None:
        document["events"][0]["title"] = "Ortiz and Okafor meet at the ferry terminal"
        dropped = document["statements"].pop(0)
        document["statements"].append(
            {**dropped, "slug": "ortiz-closer-than-ever-again", "setting": "a zeppelin hangar"}
        )

    load(engine, [copy_fixture(tmp_path, reword_drop_and_add)])

    assert_search_words_count_what_the_index_holds(engine)


# Seeds and migrations at once, on a new SQLite file


@pytest.mark.parametrize("command", ["seed", "migrate"])
def test_two_commands_at_once_on_a_new_sqlite_file_both_succeed(
    tmp_path: Path, command: str
) -> None:
    """The second waits for the first (a lock file beside the database), then finds its work
    done: no "database is locked", no traceback."""
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    argv = [str(PROJECT_ROOT / ".venv" / "bin" / "eventdb"), command, "--database-url", url]
    if command == "seed":
        argv.append(str(FIXTURE))
    runs = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err.decode()
        assert b"Traceback" not in err and b"locked" not in err
    if command == "seed":
        statuses = sorted(
            out.decode().split("\n")[0].split(": ")[1].split(" ")[0] for out, _ in outputs
        )
        assert statuses == ["loaded", "unchanged", "unchanged"]
