"""Load curated seed files into the database: all of them in one transaction, or nothing.

Everything that can be wrong with a file is found before the first write: its schema
(api.seedfile), its references, its slugs and its evidence, which must occur exactly once in the
article. Loading the same file twice changes nothing; a changed file replaces its source's rows.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from api import models
from api.models import (
    Actor,
    Alias,
    Event,
    Participant,
    Phase,
    Position,
    Proposal,
    Source,
    Statement,
    Term,
    dated_columns,
)
from api.seedfile import DateSpec, Evidence, Quote, SeedFile
from api.text import fold, searchable

T = TypeVar("T")

# Part of what makes a load "unchanged": bump it when the loader stores rows differently.
LOADER_VERSION = b"eventdb-loader-2"

# Any fixed number works: it only has to be the same for every seeding process.
SEED_LOCK_KEY = 6_021_024


class SeedError(Exception):
    """A seed file is wrong. The message names the file, the item and the field."""


class _NoTimestampLoader(yaml.SafeLoader):
    """Keeps dates as strings, so that an impossible one (2024-02-30) is reported by field."""


def _refuse_duplicate_keys(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(key_node) for key_node, _ in node.value]
    for key in keys:
        if keys.count(key) > 1:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice in one mapping", node.start_mark
            )
    return loader.construct_mapping(node)


_NoTimestampLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _refuse_duplicate_keys
)
_NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class SeedResult:
    source: str
    status: str  # "loaded", "replaced" or "unchanged"
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _ParsedFile:
    path: Path
    spec: SeedFile
    article: str
    sha256: str


def seed_files(seed_dir: Path) -> list[Path]:
    return sorted(seed_dir.glob("*.yaml"))


def parse_seed_file(path: Path) -> _ParsedFile:
    try:
        raw_bytes = path.read_bytes()
        raw = yaml.load(raw_bytes, Loader=_NoTimestampLoader)
    except (OSError, yaml.YAMLError) as error:
        raise SeedError(f"{path}: cannot read it as YAML: {error}") from error
    if not isinstance(raw, dict):
        raise SeedError(f"{path}: expected a mapping with `source:`, `actors:`, … at the top")
    try:
        spec = SeedFile.model_validate(raw)
    except ValidationError as error:
        raise SeedError(_describe_validation(path, raw, error)) from error

    article_path = path.parent / spec.source.file
    try:
        article_bytes = article_path.read_bytes()
    except OSError as error:
        raise SeedError(f"{path}: source.file: cannot read {article_path}: {error}") from error
    article_sha = hashlib.sha256(article_bytes).hexdigest()
    if article_sha != spec.source.sha256:
        raise SeedError(
            f"{path}: source.sha256: {article_path.name} has sha256 {article_sha}, "
            f"not {spec.source.sha256}: the article changed, so every offset may be wrong"
        )
    try:
        article = article_bytes.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SeedError(
            f"{path}: source.file: {article_path.name} is not UTF-8: {error}"
        ) from error
    file_sha = hashlib.sha256(LOADER_VERSION + raw_bytes + article_bytes).hexdigest()
    return _ParsedFile(path, spec, article, file_sha)


def _describe_validation(path: Path, raw: dict[str, Any], error: ValidationError) -> str:
    lines = []
    for problem in error.errors()[:10]:
        loc = list(problem["loc"])
        where = ".".join(str(part) for part in loc) or "(top)"
        if len(loc) >= 2 and isinstance(loc[1], int):
            items = raw.get(str(loc[0])) or []
            item = items[loc[1]] if loc[1] < len(items) else {}
            slug = item.get("slug") if isinstance(item, dict) else None
            field_path = ".".join(str(part) for part in loc[2:]) or "(item)"
            where = f"{loc[0]}[{loc[1]}]" + (f" '{slug}'" if slug else "") + f": {field_path}"
        message = str(problem["msg"]).removeprefix("Value error, ")
        lines.append(f"{path}: {where}: {message} (got {problem.get('input')!r})")
    more = error.error_count() - len(lines)
    return "\n".join(lines) + (f"\n… and {more} more" if more > 0 else "")


class _Builder:
    """Turns one validated file into ORM objects, checking references and evidence on the way."""

    def __init__(self, parsed: _ParsedFile) -> None:
        self.parsed = parsed
        spec = parsed.spec.source
        self.source = Source(
            slug=spec.slug,
            title=spec.title,
            publisher=spec.publisher,
            published=spec.published,
            dateline=spec.dateline,
            byline_note=spec.byline_note,
            text=parsed.article,
            sha256=spec.sha256,
            seed_sha256=parsed.sha256,
        )
        self.actors: dict[str, Actor] = {}
        self.events: dict[str, Event] = {}
        self.proposals: dict[str, Proposal] = {}
        self.terms: dict[str, Term] = {}
        self.statements: dict[str, Statement] = {}
        self.positions: list[Position] = []

    def fail(self, where: str, message: str) -> SeedError:
        return SeedError(f"{self.parsed.path}: {where}: {message}")

    def evidence(self, selector: Evidence, where: str) -> dict[str, Any]:
        quote = selector if isinstance(selector, Quote) else Quote(exact=selector)
        needle = quote.prefix + quote.exact + quote.suffix
        text = self.parsed.article
        first = text.find(needle)
        if first < 0:
            hint = ""
            straight = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
            if needle.translate(straight) in text.translate(straight):
                hint = " (it is there with other quote marks: the article uses ’ “ ” ‘)"
            raise self.fail(f"{where}: evidence", f"{needle!r} is not in the article{hint}")
        second = text.find(needle, first + 1)
        if second >= 0:
            raise self.fail(
                f"{where}: evidence",
                f"{needle!r} occurs more than once (at {first} and {second}): "
                "add a `prefix` or `suffix` that makes it unique",
            )
        start = first + len(quote.prefix)
        end = start + len(quote.exact)
        return {
            "source": self.source,
            "evidence_start": start,
            "evidence_end": end,
            "evidence_text": text[start:end],
        }

    def dated(self, spec: DateSpec) -> dict[str, Any]:
        return dated_columns(
            spec.start, spec.end, spec.precision, spec.as_written, self.source.published
        )

    def lookup(self, table: dict[str, T], slug: str, where: str, kind: str) -> T:
        if slug not in table:
            raise self.fail(where, f"no {kind} has the slug '{slug}'")
        return table[slug]

    def unique(self, table: dict[str, Any], slug: str, where: str) -> None:
        if slug in table:
            raise self.fail(where, f"slug '{slug}' is used twice")

    def build(self) -> list[Any]:
        spec = self.parsed.spec
        for i, a in enumerate(spec.actors):
            where = f"actors[{i}] '{a.slug}'"
            self.unique(self.actors, a.slug, f"{where}: slug")
            self.actors[a.slug] = Actor(
                slug=a.slug,
                name=a.name,
                name_key=fold(a.name),
                kind=a.kind,
                titles=list(a.titles),
                description=a.description,
                wikidata_id=a.wikidata,
                **self.evidence(a.evidence, where),
                aliases=[
                    Alias(
                        name=alias.name,
                        name_key=fold(alias.name),
                        **self.evidence(alias.evidence, f"{where}: aliases[{j}] '{alias.name}'"),
                    )
                    for j, alias in enumerate(a.aliases)
                ],
            )
        for i, a in enumerate(spec.actors):
            if a.affiliation:
                where = f"actors[{i}] '{a.slug}': affiliation"
                if a.affiliation == a.slug:
                    raise self.fail(where, "an actor cannot be affiliated with itself")
                affiliation = self.lookup(self.actors, a.affiliation, where, "actor")
                self.actors[a.slug].affiliation = affiliation

        for i, e in enumerate(spec.events):
            where = f"events[{i}] '{e.slug}'"
            self.unique(self.events, e.slug, f"{where}: slug")
            outcome = e.outcome.model_dump() if e.outcome else {}
            summary = outcome.pop("summary", None)
            self.events[e.slug] = Event(
                slug=e.slug,
                kind=e.kind,
                title=e.title,
                description=e.description,
                location=e.location,
                outcome=summary,
                **outcome,
                search_text=searchable(
                    " ".join(filter(None, [e.title, e.description, e.location]))
                ),
                **self.dated(e.date),
                **self.evidence(e.evidence, where),
                participants=[
                    Participant(
                        actor=self.lookup(
                            self.actors, p.actor, f"{where}: participants[{j}].actor", "actor"
                        ),
                        role=p.role,
                        **self.evidence(p.evidence, f"{where}: participants[{j}]"),
                    )
                    for j, p in enumerate(e.participants)
                ],
            )
            seen = [(p.actor, p.role) for p in e.participants]
            if len(seen) != len(set(seen)):
                raise self.fail(f"{where}: participants", "an actor is listed twice in one role")

        for i, p in enumerate(spec.proposals):
            where = f"proposals[{i}] '{p.slug}'"
            self.unique(self.proposals, p.slug, f"{where}: slug")
            phases: dict[int, Phase] = {}
            for j, ph in enumerate(p.phases):
                if ph.number in phases:
                    raise self.fail(f"{where}: phases[{j}].number", f"phase {ph.number} twice")
                phases[ph.number] = Phase(
                    number=ph.number,
                    title=ph.title,
                    description=ph.description,
                    **self.evidence(ph.evidence, f"{where}: phases[{j}]"),
                )
            proposal = Proposal(
                slug=p.slug,
                title=p.title,
                description=p.description,
                status=p.status,
                proposed_by=(
                    self.lookup(self.actors, p.proposed_by, f"{where}: proposed_by", "actor")
                    if p.proposed_by
                    else None
                ),
                **self.dated(p.date),
                **self.evidence(p.evidence, where),
                phases=list(phases.values()),
            )
            for j, t in enumerate(p.terms):
                term_where = f"{where}: terms[{j}] '{t.slug}'"
                self.unique(self.terms, t.slug, f"{term_where}: slug")
                if t.phase is not None and t.phase not in phases:
                    raise self.fail(f"{term_where}: phase", f"the proposal has no phase {t.phase}")
                self.terms[t.slug] = Term(
                    slug=t.slug,
                    proposal=proposal,
                    phase=phases[t.phase] if t.phase is not None else None,
                    position=j + 1,
                    kind=t.kind,
                    label=t.label,
                    **self.evidence(t.evidence, term_where),
                )
            self.proposals[p.slug] = proposal

        for i, s in enumerate(spec.statements):
            where = f"statements[{i}] '{s.slug}'"
            self.unique(self.statements, s.slug, f"{where}: slug")
            evidence = self.evidence(s.evidence, where)
            if s.mode == "direct" and s.text not in evidence["evidence_text"]:
                raise self.fail(f"{where}: text", "a direct quote must occur inside its evidence")
            self.statements[s.slug] = Statement(
                slug=s.slug,
                speaker=self.lookup(self.actors, s.speaker, f"{where}: speaker", "actor"),
                text=s.text,
                mode=s.mode,
                cue=s.cue,
                setting=s.setting,
                event=(
                    self.lookup(self.events, s.event, f"{where}: event", "event")
                    if s.event
                    else None
                ),
                terms=[
                    self.lookup(self.terms, slug, f"{where}: terms", "term") for slug in s.terms
                ],
                search_text=searchable(s.text),
                **self.dated(s.date),
                **evidence,
            )

        for i, pos in enumerate(spec.positions):
            where = f"positions[{i}] ({pos.actor} {pos.stance} {pos.term or pos.proposal})"
            term = self.lookup(self.terms, pos.term, f"{where}: term", "term") if pos.term else None
            proposal = (
                term.proposal
                if term
                else self.lookup(
                    self.proposals, pos.proposal or "", f"{where}: proposal", "proposal"
                )
            )
            self.positions.append(
                Position(
                    actor=self.lookup(self.actors, pos.actor, f"{where}: actor", "actor"),
                    proposal=proposal,
                    term=term,
                    stance=pos.stance,
                    condition=pos.condition,
                    statement=(
                        self.lookup(
                            self.statements, pos.statement, f"{where}: statement", "statement"
                        )
                        if pos.statement
                        else None
                    ),
                    event=(
                        self.lookup(self.events, pos.event, f"{where}: event", "event")
                        if pos.event
                        else None
                    ),
                    **self.dated(pos.as_of),
                    **self.evidence(pos.evidence, where),
                )
            )
        return [
            self.source,
            *self.actors.values(),
            *self.events.values(),
            *self.proposals.values(),
            *self.statements.values(),
            *self.positions,
        ]


# Tables in an order that deletes children before parents.
_TABLES_CHILDREN_FIRST = [
    models.Position,
    models.statement_terms,
    models.Statement,
    models.Term,
    models.Phase,
    models.Proposal,
    models.Participant,
    models.Event,
    models.Alias,
    models.Actor,
    models.Source,
]

_SLUGGED = {
    "actor": Actor,
    "event": Event,
    "proposal": Proposal,
    "term": Term,
    "statement": Statement,
}


def _check_slugs_free(session: Session, builder: _Builder, replacing: Source | None) -> None:
    """A slug already used by another source's rows would break the unique index: say which."""
    wanted: list[tuple[str, Any, dict[str, Any]]] = [
        ("actor", Actor, builder.actors),
        ("event", Event, builder.events),
        ("proposal", Proposal, builder.proposals),
        ("term", Term, builder.terms),
        ("statement", Statement, builder.statements),
    ]
    for kind, model, rows in wanted:
        query = select(model.slug, Source.slug).join(Source, model.source_id == Source.id)
        query = query.where(model.slug.in_(list(rows)))
        if replacing is not None:
            query = query.where(model.source_id != replacing.id)
        taken = session.execute(query.limit(1)).first()
        if taken:
            raise builder.fail(
                f"{kind} '{taken[0]}'", f"the slug is already used by source '{taken[1]}'"
            )


def load(engine: Engine, paths: Sequence[Path], reset: bool = False) -> list[SeedResult]:
    """Validate every file, then write them all in one transaction (or nothing at all)."""
    parsed = [parse_seed_file(path) for path in paths]
    slugs = [p.spec.source.slug for p in parsed]
    if len(slugs) != len(set(slugs)):
        raise SeedError(f"two seed files curate the same source slug: {sorted(slugs)}")
    builders = [_Builder(p) for p in parsed]
    objects = [builder.build() for builder in builders]

    results: list[SeedResult] = []
    with engine.connect() as connection:
        connection.execution_options(sqlite_begin="IMMEDIATE")
        with Session(connection) as session, session.begin():
            if engine.dialect.name == "postgresql":
                # Two seeds started together: the second waits here, then finds the data loaded.
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEED_LOCK_KEY})
            if reset:
                for table in _TABLES_CHILDREN_FIRST:
                    session.execute(delete(table))  # type: ignore[arg-type]
            for builder, rows in zip(builders, objects, strict=True):
                results.append(_load_one(session, builder, rows))
    return results


def _load_one(session: Session, builder: _Builder, rows: Iterable[Any]) -> SeedResult:
    source = builder.source
    existing = session.scalar(select(Source).where(Source.slug == source.slug))
    if existing is not None and existing.seed_sha256 == source.seed_sha256:
        return SeedResult(source.slug, "unchanged")
    _check_slugs_free(session, builder, existing)
    if existing is not None:
        session.delete(existing)
        session.flush()
    session.add_all(rows)
    session.flush()
    counts = {
        "actors": len(builder.actors),
        "aliases": sum(len(actor.aliases) for actor in builder.actors.values()),
        "events": len(builder.events),
        "participants": sum(len(event.participants) for event in builder.events.values()),
        "proposals": len(builder.proposals),
        "phases": sum(len(proposal.phases) for proposal in builder.proposals.values()),
        "terms": len(builder.terms),
        "statements": len(builder.statements),
        "positions": len(builder.positions),
    }
    return SeedResult(source.slug, "replaced" if existing else "loaded", counts)
