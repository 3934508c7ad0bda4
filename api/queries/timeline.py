"""The timeline: events and statements in one chronological list."""

from typing import Any

from sqlalchemy import ColumnElement, Select, literal, select, tuple_, union_all
from sqlalchemy.orm import Session

from api.models import Event, Participant, Statement
from api.pagination import COUNT_LIMIT, PageRequest, PageResult, count, decode_cursor, encode_cursor
from api.params import DateRange
from api.queries.actors import resolve_actors
from api.queries.common import with_source
from api.queries.dates import date_branches
from api.queries.events import EVENT_OPTIONS
from api.queries.statements import STATEMENT_OPTIONS

EVENT, STATEMENT = 0, 1  # on the same day, events come before what was said about them


def timeline_page(
    session: Session, dates: DateRange, actor: str | None, page: PageRequest, sort: str
) -> PageResult[Event | Statement]:
    """Events and statements in one chronological list, sorted by (date, kind, id).

    Each list (and each of its date branches) is paged on its own index first (ORDER BY … LIMIT
    inside each), so a page costs a few short index walks and a merge of at most
    limit + 1 keys from each, however many facts the actor has.
    """
    descending = sort.startswith("-")
    after = None
    if page.cursor:
        after = decode_cursor(page.cursor, sort, (Event.sort_date, Event.id, Event.id))
    branches: list[Select[Any]] = []
    total, total_exact = 0, True
    ids = resolve_actors(session, actor, "actor") if actor else None
    walks = [
        (kind, model, conditions)
        for kind, model in ((EVENT, Event), (STATEMENT, Statement))
        for conditions in date_branches(model, dates)
    ]
    for kind, model, conditions in walks:
        columns = (
            literal(kind).label("kind"),
            model.id.label("id"),
            model.sort_date.label("sort_date"),
        )
        branch = select(*columns).where(*conditions)
        if ids is not None and model is Event:
            branch = branch.where(
                Event.id.in_(select(Participant.event_id).where(Participant.actor_id.in_(ids)))
            )
        if ids is not None and model is Statement:
            branch = branch.where(Statement.speaker_id.in_(ids))
        counted, exact = count(session, branch)
        total, total_exact = total + counted, total_exact and exact
        if after is not None:
            branch = branch.where(_after_in_branch(model, kind, after, descending))
        order = (model.sort_date, model.id)
        branch = branch.order_by(*(c.desc() if descending else c for c in order)).limit(
            page.limit + 1
        )
        branches.append(select(branch.subquery()))
    merged = union_all(*branches).subquery("timeline")
    key = (merged.c.sort_date, merged.c.kind, merged.c.id)
    rows = session.execute(
        select(*key).order_by(*(c.desc() if descending else c for c in key)).limit(page.limit + 1)
    ).all()
    served = [(kind, row_id) for _, kind, row_id in rows[: page.limit]]
    next_cursor = None
    if len(rows) > page.limit:
        next_cursor = encode_cursor(sort, tuple(rows[page.limit - 1]))
    return PageResult(
        _load_timeline(session, served), min(total, COUNT_LIMIT), total_exact, next_cursor
    )


def _after_in_branch(
    model: Any, kind: int, after: list[Any], descending: bool
) -> ColumnElement[bool]:
    """The rows of one branch that sort after the cursor (date, kind, id) of the merged list."""
    day, cursor_kind, cursor_id = after
    if kind == cursor_kind:
        key, last = (
            tuple_(model.sort_date, model.id),
            tuple_(literal(day, type_=model.sort_date.type), literal(cursor_id)),
        )
        return key < last if descending else key > last
    later_on_same_day = (kind > cursor_kind) != descending
    condition: ColumnElement[bool]
    if descending:
        condition = model.sort_date <= day if later_on_same_day else model.sort_date < day
    else:
        condition = model.sort_date >= day if later_on_same_day else model.sort_date > day
    return condition


def _load_timeline(session: Session, keys: list[tuple[int, int]]) -> list[Event | Statement]:
    event_ids = [i for kind, i in keys if kind == EVENT]
    statement_ids = [i for kind, i in keys if kind == STATEMENT]
    events = {
        e.id: e
        for e in session.scalars(
            select(Event).where(Event.id.in_(event_ids)).options(*EVENT_OPTIONS, with_source(Event))
        )
    }
    statements = {
        s.id: s
        for s in session.scalars(
            select(Statement)
            .where(Statement.id.in_(statement_ids))
            .options(*STATEMENT_OPTIONS, with_source(Statement))
        )
    }
    return [events[i] if kind == EVENT else statements[i] for kind, i in keys]
