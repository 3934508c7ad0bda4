"""Rows into the API's JSON documents: every converter, in one module.

A query (api.queries) selects the columns a document needs in the order its `*_FIELDS` tuple
names them, and the converter here unpacks a row in that same order into plain dicts and lists,
which orjson writes as they are. No ORM object and no Pydantic validation per item: the Pydantic
models in api.schemas describe these documents in the OpenAPI schema, and the tests validate real
answers against that schema.
"""

from typing import Any

import orjson

from api.database import Row

Document = dict[str, Any]

EVIDENCE_FIELDS = (
    "source_slug",
    "source_title",
    "evidence_start",
    "evidence_end",
    "evidence_text",
    "sentence_start",
    "sentence_end",
    "sentence_text",
)
DATE_FIELDS = ("date_start", "date_end", "date_precision", "date_text")
ACTOR_REF_FIELDS = ("slug", "name", "kind")


def evidence(row: Row, at: int) -> Document:
    """The evidence whose EVIDENCE_FIELDS begin at `row[at]`."""
    source_slug, source_title, start, end, text, s_start, s_end, s_text = row[at : at + 8]
    return {
        "source": {"slug": source_slug, "title": source_title},
        "start": start,
        "end": end,
        "text": text,
        "sentence": {"start": s_start, "end": s_end, "text": s_text},
    }


def date(row: Row, at: int) -> Document:
    start, end, precision, as_written = row[at : at + 4]
    return {"start": start, "end": end, "precision": precision, "as_written": as_written}


def actor_ref(row: Row, at: int) -> Document | None:
    slug, name, kind = row[at : at + 3]
    return None if slug is None else {"slug": slug, "name": name, "kind": kind}


def parsed_list(value: Any) -> list[Any]:
    """A JSON column: SQLite hands over its text, psycopg the parsed value."""
    return orjson.loads(value) if isinstance(value, str) else list(value or [])


# Actors ------------------------------------------------------------------------------------------

ACTOR_FIELDS = (
    "id",
    *ACTOR_REF_FIELDS,
    "description",
    "wikidata_id",
    *(f"affiliation_{f}" for f in ACTOR_REF_FIELDS),
    "titles",
    *EVIDENCE_FIELDS,
)


def actor(row: Row, aliases: list[Document]) -> Document:
    _, slug, name, kind, description, wikidata_id = row[:6]
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "titles": parsed_list(row[9]),
        "affiliation": actor_ref(row, 6),
        "description": description,
        "wikidata_id": wikidata_id,
        "aliases": aliases,
        "evidence": evidence(row, 10) if row[10] is not None else None,
    }


def alias(row: Row) -> Document:
    return {"name": row[1], "evidence": evidence(row, 2)}


# Events --------------------------------------------------------------------------------------

EVENT_FIELDS = (
    "id",
    "slug",
    "kind",
    "title",
    "description",
    "location",
    "outcome",
    "votes_for",
    "votes_against",
    "abstentions",
    "hostages_freed",
    "casualties",
    *DATE_FIELDS,
    *EVIDENCE_FIELDS,
)


def event(row: Row, participants: list[Document], about: list[Document]) -> Document:
    (_, slug, kind, title, description, location, summary, votes_for, votes_against,
     abstentions, hostages_freed, casualties) = row[:12]  # fmt: skip
    return {
        "slug": slug,
        "kind": kind,
        "title": title,
        "description": description,
        "date": date(row, 12),
        "location": location,
        "outcome": {
            "summary": summary,
            "votes_for": votes_for,
            "votes_against": votes_against,
            "abstentions": abstentions,
            "hostages_freed": hostages_freed,
            "casualties": casualties,
        },
        "participants": participants,
        "about": about,
        "evidence": evidence(row, 16),
    }


EVENT_REF_FIELDS = ("slug", "kind", "title")


def event_ref(row: Row, at: int) -> Document | None:
    slug, kind, title = row[at : at + 3]
    return None if slug is None else {"slug": slug, "kind": kind, "title": title}


# Statements ----------------------------------------------------------------------------------

STATEMENT_FIELDS = (
    "id",
    "slug",
    "text",
    "mode",
    "cue",
    "setting",
    "same_as",
    *(f"speaker_{f}" for f in ACTOR_REF_FIELDS),
    "anonymous",
    *(f"event_{f}" for f in EVENT_REF_FIELDS),
    *DATE_FIELDS,
    *EVIDENCE_FIELDS,
)


def statement(
    row: Row, terms: list[Document], about: list[Document], same_as: list[Document]
) -> Document:
    id_, slug, text, mode, cue, setting = row[:6]
    return {
        "id": id_,
        "slug": slug,
        "speaker": actor_ref(row, 7),
        "anonymous": bool(row[10]),
        "text": text,
        "mode": mode,
        "cue": cue,
        "setting": setting,
        "date": date(row, 14),
        "event": event_ref(row, 11),
        "terms": terms,
        "about": about,
        "same_as": same_as,
        "evidence": evidence(row, 18),
    }


STATEMENT_REF_FIELDS = ("id", "slug", "text", *(f"speaker_{f}" for f in ACTOR_REF_FIELDS))


def statement_ref(row: Row, at: int) -> Document | None:
    id_, slug, text = row[at : at + 3]
    if id_ is None:
        return None
    return {"id": id_, "slug": slug, "speaker": actor_ref(row, at + 3), "text": text}


# Proposals, terms and positions ------------------------------------------------------------

PROPOSAL_FIELDS = (
    "id",
    "slug",
    "title",
    "description",
    "status",
    "status_note",
    *(f"proposed_by_{f}" for f in ACTOR_REF_FIELDS),
    *DATE_FIELDS,
    *EVIDENCE_FIELDS,
)


def proposal(row: Row, phases: list[Document], terms: list[Document]) -> Document:
    _, slug, title, description, status, status_note = row[:6]
    return {
        "slug": slug,
        "title": title,
        "description": description,
        "status": status,
        "status_note": status_note,
        "proposed_by": actor_ref(row, 6),
        "date": date(row, 9),
        "phases": phases,
        "terms": terms,
        "evidence": evidence(row, 13),
    }


TERM_FIELDS = (
    "id",
    "slug",
    "number",
    "kind",
    "title",
    "proposal_slug",
    "proposal_title",
    "phase_number",
    "phase_title",
    *EVIDENCE_FIELDS,
)


def term(row: Row) -> Document:
    _, slug, number, kind, title, proposal_slug, proposal_title, phase_number, phase_title = row[:9]
    return {
        "slug": slug,
        "proposal": {"slug": proposal_slug, "title": proposal_title},
        "phase": None if phase_number is None else {"number": phase_number, "title": phase_title},
        "number": number,
        "kind": kind,
        "title": title,
        "text": row[13],  # the evidence's text: the term in the article's words
        "evidence": evidence(row, 9),
    }


POSITION_FIELDS = (
    "id",
    "stance",
    "condition",
    *(f"actor_{f}" for f in ACTOR_REF_FIELDS),
    "proposal_slug",
    "proposal_title",
    "term_slug",
    "term_title",
    *(f"statement_{f}" for f in STATEMENT_REF_FIELDS),
    *(f"event_{f}" for f in EVENT_REF_FIELDS),
    *DATE_FIELDS,
    *EVIDENCE_FIELDS,
)


def position(row: Row) -> Document:
    id_, stance, condition = row[:3]
    proposal_slug, proposal_title, term_slug, term_title = row[6:10]
    return {
        "id": id_,
        "actor": actor_ref(row, 3),
        "proposal": {"slug": proposal_slug, "title": proposal_title},
        "term": None if term_slug is None else {"slug": term_slug, "title": term_title},
        "stance": stance,
        "condition": condition,
        "date": date(row, 19),
        "statement": statement_ref(row, 10),
        "event": event_ref(row, 16),
        "evidence": evidence(row, 23),
    }


# Sources -------------------------------------------------------------------------------------

SOURCE_FIELDS = (
    "id",
    "slug",
    "title",
    "publisher",
    "published",
    "dateline",
    "byline_note",
    "sha256",
    "length",
)


def source(row: Row) -> Document:
    _, slug, title, publisher, published, dateline, byline_note, sha256, length = row[:9]
    return {
        "slug": slug,
        "title": title,
        "publisher": publisher,
        "published": published,
        "dateline": dateline,
        "byline_note": byline_note,
        "sha256": sha256,
        "length": length,
    }


def grouped(rows: list[Row], convert: Any) -> dict[Any, list[Document]]:
    """Related rows by the id of the item they belong to (their first column), in order."""
    found: dict[Any, list[Document]] = {}
    for row in rows:
        found.setdefault(row[0], []).append(convert(row))
    return found
