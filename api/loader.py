"""Load the seed files: the actor registry and the curated sources, in one transaction, or nothing.

Everything that can be wrong with a file is found before the first write (`check`): its schema
(api.seedfile), its references, its slugs and its evidence, which must occur exactly once in the
article. Loading the same files twice writes nothing; a changed file changes only its rows that
changed, each keeping its id (api.table_sync). Two loads started together queue
(api.database.exclusive_writer); the second finds the work done.
"""

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Engine, Table, bindparam, delete, select, update
from sqlalchemy.exc import DBAPIError

from api import stored_documents
from api.database import exclusive_writer
from api.models import (
    FACT_TABLES,
    Actor,
    ActorName,
    Alias,
    Event,
    Introduction,
    Mention,
    Participant,
    Phase,
    Position,
    Proposal,
    SearchCompound,
    SearchWord,
    Source,
    Statement,
    Term,
    dated_columns,
    statement_terms,
    table_of,
)
from api.search import SEARCHED, indexed_words
from api.seedfile import (
    DateSpec,
    EvidenceSpec,
    MentionSpec,
    OutcomeSpec,
    Quote,
    RegistryFile,
    SeedFile,
)
from api.table_sync import Plan, Row, apply_deletes, apply_writes, plan
from api.text import compounds, fold, search_tokens, sentence_around, sentence_breaks, words

T = TypeVar("T")
# Keys looked up in one statement: under every database's limit of bound parameters.
KEYS_PER_LOOKUP = 1_000

# Part of what makes a load "unchanged": bump it when the loader stores rows differently.
LOADER_VERSION = b"eventdb-loader-3"
REGISTRY_NAME = "actors.yaml"


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


def seed_files(seed_dir: Path) -> list[Path]:
    """The registry, then every source file of a seed folder."""
    return sorted(seed_dir.glob("*.yaml"), key=lambda path: (path.name != REGISTRY_NAME, path))


# Reading the files ---------------------------------------------------------------------------


def _read_yaml(path: Path) -> tuple[bytes, Any]:
    try:
        raw = path.read_bytes()
        return raw, yaml.load(raw, Loader=_NoTimestampLoader)
    except (OSError, yaml.YAMLError) as error:
        raise SeedError(f"{path}: cannot read it as YAML: {error}") from error


def _validate(path: Path, raw: Any, model: type[BaseModel]) -> Any:
    if not isinstance(raw, dict):
        raise SeedError(f"{path}: expected a mapping with `source:`, `actors:`, … at the top")
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise SeedError(_describe_validation(path, raw, error)) from error


def _describe_validation(path: Path, raw: dict[str, Any], error: ValidationError) -> str:
    lines = []
    for problem in error.errors()[:10]:
        loc = list(problem["loc"])
        where = ".".join(str(part) for part in loc) or "(top)"
        if len(loc) >= 2 and isinstance(loc[1], int):
            items = raw.get(str(loc[0])) or []
            item = items[loc[1]] if loc[1] < len(items) else {}
            name = (item.get("slug") or item.get("actor")) if isinstance(item, dict) else None
            field_path = ".".join(str(part) for part in loc[2:]) or "(item)"
            where = f"{loc[0]}[{loc[1]}]" + (f" '{name}'" if name else "") + f": {field_path}"
        message = str(problem["msg"]).removeprefix("Value error, ")
        shown = problem.get("input")
        shown = repr(shown)[:80] if not isinstance(shown, dict) else "a mapping"
        lines.append(f"{path}: {where}: {message} (got {shown})")
    more = error.error_count() - len(lines)
    return "\n".join(lines) + (f"\n… and {more} more" if more > 0 else "")


@dataclass
class _Registry:
    path: Path
    spec: RegistryFile
    raw: bytes


@dataclass
class _SourceFile:
    path: Path
    spec: SeedFile
    article: str
    sha256: str  # of the loader, the file, its article and the registry: "unchanged" if equal


def _parse(paths: Sequence[Path]) -> tuple[_Registry, list[_SourceFile]]:
    registries: list[_Registry] = []
    sources: list[tuple[Path, bytes, Any]] = []
    for path in paths:
        raw, document = _read_yaml(path)
        if isinstance(document, dict) and "source" not in document and "actors" in document:
            registries.append(_Registry(path, _validate(path, document, RegistryFile), raw))
        else:
            sources.append((path, raw, document))
    if not registries and sources:
        beside = sources[0][0].parent / REGISTRY_NAME
        if not beside.exists():
            raise SeedError(
                f"{sources[0][0]}: no actor registry: give {REGISTRY_NAME} (the actors every "
                f"source refers to) with the files, or put it beside them"
            )
        raw, document = _read_yaml(beside)
        registries.append(_Registry(beside, _validate(beside, document, RegistryFile), raw))
    if len(registries) != 1:
        names = ", ".join(str(r.path) for r in registries) or "none"
        raise SeedError(f"give exactly one actor registry ({REGISTRY_NAME}); got: {names}")
    registry = registries[0]
    parsed = [_parse_source(path, raw, document, registry) for path, raw, document in sources]
    slugs = [p.spec.source.slug for p in parsed]
    if len(slugs) != len(set(slugs)):
        raise SeedError(f"two seed files curate the same source slug: {sorted(slugs)}")
    return registry, parsed


def _parse_source(path: Path, raw: bytes, document: Any, registry: _Registry) -> _SourceFile:
    spec: SeedFile = _validate(path, document, SeedFile)
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
    if "\x00" in article:
        raise SeedError(f"{path}: source.file: {article_path.name} contains a NUL character")
    digest = hashlib.sha256(LOADER_VERSION + raw + article_bytes + registry.raw).hexdigest()
    return _SourceFile(path, spec, article, digest)


# Rows of the files ---------------------------------------------------------------------------


def _registry_rows(registry: _Registry) -> tuple[list[Row], dict[str, list[str]]]:
    """The actors (affiliation as a slug) and each actor's registry aliases."""
    seen: set[str] = set()
    rows = []
    names: dict[str, list[str]] = {}
    slugs = {a.slug for a in registry.spec.actors}
    for i, actor in enumerate(registry.spec.actors):
        where = f"{registry.path}: actors[{i}] '{actor.slug}'"
        if actor.slug in seen:
            raise SeedError(f"{where}: slug: slug '{actor.slug}' is used twice")
        seen.add(actor.slug)
        if actor.affiliation == actor.slug:
            raise SeedError(f"{where}: affiliation: an actor cannot be affiliated with itself")
        if actor.affiliation and actor.affiliation not in slugs:
            raise SeedError(f"{where}: affiliation: no actor has the slug '{actor.affiliation}'")
        rows.append(
            {
                "slug": actor.slug,
                "name": actor.name,
                "name_key": fold(actor.name),
                "kind": str(actor.kind),
                "affiliation": actor.affiliation,
                "description": actor.description,
                "wikidata_id": actor.wikidata,
            }
        )
        names[actor.slug] = [actor.name, *actor.aliases]
    return rows, names


class _SourceBuilder:
    """One source file's rows, checking references and evidence on the way."""

    def __init__(self, parsed: _SourceFile, actors: dict[str, list[str]]) -> None:
        self.parsed = parsed
        self.actors = actors  # registry slug -> the names it is known by
        self.breaks = sentence_breaks(parsed.article)
        self.tables: dict[str, list[Row]] = {}
        self.compound_texts: list[str] = []  # texts whose hyphenated words search must know

    def fail(self, where: str, message: str) -> SeedError:
        return SeedError(f"{self.parsed.path}: {where}: {message}")

    def add(self, table: str, row: Row) -> Row:
        self.tables.setdefault(table, []).append(row)
        return row

    def evidence(self, selector: EvidenceSpec, where: str) -> Row:
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
        sentence_start, sentence_end = sentence_around(text, start, end, self.breaks)
        return {
            "source": self.parsed.spec.source.slug,
            "evidence_start": start,
            "evidence_end": end,
            "evidence_text": text[start:end],
            "sentence_start": sentence_start,
            "sentence_end": sentence_end,
            "sentence_text": text[sentence_start:sentence_end],
        }

    def dated(self, spec: DateSpec) -> Row:
        published = self.parsed.spec.source.published
        return dated_columns(spec.start, spec.end, spec.precision, spec.as_written, published)

    def actor(self, slug: str, where: str) -> str:
        if slug not in self.actors:
            raise self.fail(where, f"no actor of the registry has the slug '{slug}'")
        return slug

    def unique(self, seen: set[Any], key: Any, where: str, what: str) -> None:
        if key in seen:
            raise self.fail(where, what)
        seen.add(key)

    def mentions(
        self, about: list[MentionSpec], fact: str, slug: str, dated: dict[str, Any], where: str
    ) -> list[str]:
        """The rows of `about`, and the names of the actors it mentions (for search)."""
        names: list[str] = []
        seen: set[Any] = set()
        for j, mention in enumerate(about):
            here = f"{where}: about[{j}]"
            row = self.add(
                "mentions",
                {
                    "actor": self.actor(mention.actor, f"{here}.actor"),
                    "statement": slug if fact == "statement" else None,
                    "event": slug if fact == "event" else None,
                    "role": str(mention.role),
                    "sort_date": dated["sort_date"],
                    "span": dated["span"],
                    **self.evidence(mention.evidence, here),
                },
            )
            self.unique(
                seen, (mention.actor, row["evidence_start"]), here, "this mention is listed twice"
            )
            names += [*self.actors[mention.actor], row["evidence_text"]]
        return names

    def build(self) -> dict[str, list[Row]]:
        spec = self.parsed.spec
        source_slug = spec.source.slug
        self.add(
            "sources",
            {
                "slug": source_slug,
                "title": spec.source.title,
                "publisher": spec.source.publisher,
                "published": spec.source.published,
                "dateline": spec.source.dateline,
                "byline_note": spec.source.byline_note,
                "text": self.parsed.article,
                "sha256": spec.source.sha256,
                "seed_sha256": self.parsed.sha256,
            },
        )
        local_names: dict[str, list[str]] = {}
        introduced: set[str] = set()
        for i, intro in enumerate(spec.actors):
            where = f"actors[{i}] '{intro.actor}'"
            self.unique(introduced, intro.actor, where, "the actor is introduced twice")
            self.add(
                "introductions",
                {
                    "actor": self.actor(intro.actor, f"{where}: actor"),
                    "titles": list(intro.titles),
                    **self.evidence(intro.evidence, where),
                },
            )
            seen: set[str] = set()
            for j, alias in enumerate(intro.aliases):
                here = f"{where}: aliases[{j}] '{alias.name}'"
                self.unique(seen, fold(alias.name), here, "the alias is listed twice")
                self.add(
                    "aliases",
                    {
                        "actor": intro.actor,
                        "name": alias.name,
                        "name_key": fold(alias.name),
                        **self.evidence(alias.evidence, here),
                    },
                )
                local_names.setdefault(intro.actor, []).append(alias.name)

        def names_of(slug: str) -> list[str]:
            return [*self.actors[slug], *local_names.get(slug, [])]

        events: set[str] = set()
        for i, e in enumerate(spec.events):
            where = f"events[{i}] '{e.slug}'"
            self.unique(events, e.slug, f"{where}: slug", f"slug '{e.slug}' is used twice")
            outcome = (e.outcome or OutcomeSpec()).model_dump()  # every column, null if unsaid
            evidence = self.evidence(e.evidence, where)
            dated = self.dated(e.date)
            searched = [e.title, e.description, e.location, evidence["sentence_text"]]
            seen_roles: set[Any] = set()
            for j, part in enumerate(e.participants):
                here = f"{where}: participants[{j}]"
                self.add(
                    "participants",
                    {
                        "event": e.slug,
                        "actor": self.actor(part.actor, f"{here}.actor"),
                        "role": str(part.role),
                        "sort_date": dated["sort_date"],
                        "span": dated["span"],
                        **self.evidence(part.evidence, here),
                    },
                )
                self.unique(
                    seen_roles,
                    (part.actor, part.role),
                    f"{where}: participants",
                    "an actor is listed twice in one role",
                )
                searched += names_of(part.actor)
            searched += self.mentions(e.about, "event", e.slug, dated, where)
            self.compound_texts += [s for s in searched if s]
            self.add(
                "events",
                {
                    "slug": e.slug,
                    "kind": str(e.kind),
                    "title": e.title,
                    "description": e.description,
                    "location": e.location,
                    "outcome": outcome.pop("summary", None),
                    **outcome,
                    "search_text": search_tokens(" ".join(s for s in searched if s)),
                    **dated,
                    **evidence,
                },
            )

        proposals: set[str] = set()
        terms: dict[str, str] = {}  # term slug -> proposal slug
        for i, p in enumerate(spec.proposals):
            where = f"proposals[{i}] '{p.slug}'"
            self.unique(proposals, p.slug, f"{where}: slug", f"slug '{p.slug}' is used twice")
            self.add(
                "proposals",
                {
                    "slug": p.slug,
                    "title": p.title,
                    "description": p.description,
                    "status": str(p.status),
                    "status_note": p.status_note,
                    "proposed_by": self.actor(p.proposed_by, f"{where}: proposed_by")
                    if p.proposed_by
                    else None,
                    **self.dated(p.date),
                    **self.evidence(p.evidence, where),
                },
            )
            numbers: set[int] = set()
            for j, ph in enumerate(p.phases):
                here = f"{where}: phases[{j}]"
                self.unique(numbers, ph.number, f"{here}.number", f"phase {ph.number} twice")
                self.add(
                    "phases",
                    {
                        "proposal": p.slug,
                        "number": ph.number,
                        "title": ph.title,
                        "description": ph.description,
                        **self.evidence(ph.evidence, here),
                    },
                )
            for j, t in enumerate(p.terms):
                here = f"{where}: terms[{j}] '{t.slug}'"
                if t.slug in terms:
                    raise self.fail(f"{here}: slug", f"slug '{t.slug}' is used twice")
                terms[t.slug] = p.slug
                if t.phase is not None and t.phase not in numbers:
                    raise self.fail(f"{here}: phase", f"the proposal has no phase {t.phase}")
                self.add(
                    "terms",
                    {
                        "slug": t.slug,
                        "proposal": p.slug,
                        "phase": (p.slug, t.phase) if t.phase is not None else None,
                        "number": j + 1,
                        "kind": str(t.kind),
                        "title": t.title,
                        **self.evidence(t.evidence, here),
                    },
                )

        statements: set[str] = set()
        for i, s in enumerate(spec.statements):
            where = f"statements[{i}] '{s.slug}'"
            self.unique(statements, s.slug, f"{where}: slug", f"slug '{s.slug}' is used twice")
            evidence = self.evidence(s.evidence, where)
            if s.mode == "direct" and s.text not in evidence["evidence_text"]:
                raise self.fail(f"{where}: text", "a direct quote must occur inside its evidence")
            if s.event and s.event not in events:
                raise self.fail(f"{where}: event", f"no event has the slug '{s.event}'")
            for slug in s.terms:
                if slug not in terms:
                    raise self.fail(f"{where}: terms", f"no term has the slug '{slug}'")
                self.add("statement_terms", {"statement": s.slug, "term": slug})
            if len(set(s.terms)) != len(s.terms):
                raise self.fail(f"{where}: terms", "a term is listed twice")
            if s.same_as == s.slug:
                raise self.fail(f"{where}: same_as", "a statement cannot be the same as itself")
            dated = self.dated(s.date)
            searched = [
                s.text,
                *names_of(self.actor(s.speaker, f"{where}: speaker")),
                s.setting,
                s.cue,
                evidence["sentence_text"],
                *self.mentions(s.about, "statement", s.slug, dated, where),
            ]
            event = next((e for e in spec.events if e.slug == s.event), None)
            if event is not None:
                searched += [event.location, event.title]
            self.compound_texts += [x for x in searched if x]
            self.add(
                "statements",
                {
                    "slug": s.slug,
                    "speaker": s.speaker,
                    "text": s.text,
                    "mode": str(s.mode),
                    "cue": s.cue,
                    "setting": s.setting,
                    "event": s.event,
                    "same_as": s.same_as,
                    "search_text": search_tokens(" ".join(x for x in searched if x)),
                    **dated,
                    **evidence,
                },
            )

        seen_positions: set[Any] = set()
        for i, pos in enumerate(spec.positions):
            where = f"positions[{i}] ({pos.actor} {pos.stance} {pos.term or pos.proposal})"
            if pos.term and pos.term not in terms:
                raise self.fail(f"{where}: term", f"no term has the slug '{pos.term}'")
            proposal = terms[pos.term] if pos.term else pos.proposal or ""
            if proposal not in proposals:
                raise self.fail(f"{where}: proposal", f"no proposal has the slug '{proposal}'")
            if pos.statement and pos.statement not in statements:
                raise self.fail(
                    f"{where}: statement", f"no statement has the slug '{pos.statement}'"
                )
            if pos.event and pos.event not in events:
                raise self.fail(f"{where}: event", f"no event has the slug '{pos.event}'")
            row = self.add(
                "positions",
                {
                    "actor": self.actor(pos.actor, f"{where}: actor"),
                    "proposal": proposal,
                    "term": pos.term,
                    "stance": str(pos.stance),
                    "condition": pos.condition,
                    "statement": pos.statement,
                    "event": pos.event,
                    **self.dated(pos.date),
                    **self.evidence(pos.evidence, where),
                },
            )
            key = (pos.actor, proposal, pos.term, row["evidence_start"])
            self.unique(seen_positions, key, where, "the same position is listed twice")
        return self.tables


@dataclass
class Checked:
    """Seed files that passed every check, with the rows they hold."""

    registry: _Registry
    actors: list[Row]
    names: dict[str, list[str]]
    sources: list[tuple[_SourceFile, dict[str, list[Row]], list[str]]]


def check(paths: Sequence[Path]) -> Checked:
    """Every check that needs no database: schema, references, slugs, evidence and dates."""
    registry, parsed = _parse(paths)
    actors, names = _registry_rows(registry)
    sources = []
    for source in parsed:
        builder = _SourceBuilder(source, names)
        sources.append((source, builder.build(), builder.compound_texts))
    return Checked(registry, actors, names, sources)


# Writing ------------------------------------------------------------------------------------------

# A source file to write: what it holds, and the texts whose hyphenated words search must know.
_Changed = tuple[_SourceFile, dict[str, list[Row]], list[str]]

_TABLES = {
    "sources": table_of(Source),
    "actors": table_of(Actor),
    "introductions": table_of(Introduction),
    "aliases": table_of(Alias),
    "events": table_of(Event),
    "participants": table_of(Participant),
    "mentions": table_of(Mention),
    "proposals": table_of(Proposal),
    "phases": table_of(Phase),
    "terms": table_of(Term),
    "statements": table_of(Statement),
    "statement_terms": statement_terms,
    "positions": table_of(Position),
}
# Tables of a source's facts, parents first, each with its natural key.
_FACT_KEYS: list[tuple[str, tuple[str, ...]]] = [
    ("introductions", ("source_id", "actor_id")),
    ("aliases", ("source_id", "actor_id", "name_key")),
    ("events", ("slug",)),
    ("participants", ("event_id", "actor_id", "role")),
    ("proposals", ("slug",)),
    ("phases", ("proposal_id", "number")),
    ("terms", ("slug",)),
    ("statements", ("slug",)),
    ("statement_terms", ("statement_id", "term_id")),
    ("mentions", ("statement_id", "event_id", "actor_id", "evidence_start")),
    ("positions", ("source_id", "actor_id", "proposal_id", "term_id", "evidence_start")),
]
# Columns that name another row by its key, and the table they point into.
_REFERENCES = {
    "source": ("source_id", "sources"),
    "actor": ("actor_id", "actors"),
    "speaker": ("speaker_id", "actors"),
    "proposed_by": ("proposed_by_id", "actors"),
    "affiliation": ("affiliation_id", "actors"),
    "event": ("event_id", "events"),
    "proposal": ("proposal_id", "proposals"),
    "phase": ("phase_id", "phases"),
    "term": ("term_id", "terms"),
    "statement": ("statement_id", "statements"),
}


def load(engine: Engine, paths: Sequence[Path], reset: bool = False) -> list[SeedResult]:
    """Check every file, then write them all in one transaction (or nothing at all)."""
    checked = check(paths)
    try:
        with exclusive_writer(engine), engine.begin() as connection:
            return _write(connection, checked, reset)
    except DBAPIError as error:  # every file passed its checks: say what the database refused
        raise SeedError(f"the database refused the data: {error.orig}") from error


def _write(connection: Connection, checked: Checked, reset: bool) -> list[SeedResult]:
    if reset:
        # Every table: the words and compounds of search too, which a load only adds to
        # otherwise (it writes those of what it loads again).
        named = [ActorName, Source, Actor, SearchWord, SearchCompound]
        for table in [*FACT_TABLES, *(table_of(model) for model in named)]:
            connection.execute(delete(table))
    ids: dict[str, dict[tuple[Any, ...], int]] = {}

    actor_plan = _plan_actors(connection, checked.actors)
    ids["actors"] = actor_plan.ids

    existing = {
        slug: (source_id, sha)
        for source_id, slug, sha in connection.execute(
            select(Source.id, Source.slug, Source.seed_sha256)
        )
    }
    changed = [
        (source, rows, words_)
        for source, rows, words_ in checked.sources
        if existing.get(source.spec.source.slug, (None, None))[1] != source.sha256
    ]
    results = [
        SeedResult(source.spec.source.slug, "unchanged")
        for source, _, _ in checked.sources
        if existing.get(source.spec.source.slug, (None, None))[1] == source.sha256
    ]
    source_plan = plan(
        connection,
        _TABLES["sources"],
        ("slug",),
        [rows["sources"][0] for _, rows, _ in changed],
        Source.slug.in_([source.spec.source.slug for source, _, _ in changed]),
    )
    ids["sources"] = {**{(slug,): sid for slug, (sid, _) in existing.items()}, **source_plan.ids}
    owned = [ids["sources"][(source.spec.source.slug,)] for source, _, _ in changed]
    _refuse_taken_slugs(connection, changed, owned)

    plans: list[Plan] = [actor_plan, source_plan]  # parents first
    searched: dict[str, Plan] = {}
    for name, key in _FACT_KEYS:
        table = _TABLES[name]
        wanted = [_resolved(row, ids, name) for _, rows, _ in changed for row in rows.get(name, [])]
        if name == "statement_terms":
            scope = table.c.statement_id.in_(
                select(Statement.id).where(Statement.source_id.in_(owned))
            )
        else:
            scope = table.c.source_id.in_(owned)
        found = plan(connection, table, key, wanted, scope)
        ids[name] = found.ids
        plans.append(found)
        if name in SEARCHED:
            searched[name] = found

    apply_deletes(connection, [p for p in reversed(plans) if p is not actor_plan])
    _write_actors(connection, actor_plan)
    apply_writes(connection, [p for p in plans if p is not actor_plan])
    _refuse_removed_actors_in_use(connection, checked, actor_plan)
    apply_deletes(connection, [actor_plan])
    _refuse_unknown_same_as(connection, changed)
    _sync_names(connection, checked)
    _add_compounds(connection, [w for _, _, words_ in changed for w in words_])
    _keep_search_words(connection, searched)
    if reset or changed or actor_plan.changed:
        stored_documents.refresh(connection)

    for source, rows, _ in changed:
        slug = source.spec.source.slug
        counts = {name: len(rows.get(name, [])) for name, _ in _FACT_KEYS}
        results.append(SeedResult(slug, "replaced" if slug in existing else "loaded", counts))
    order = [source.spec.source.slug for source, _, _ in checked.sources]
    return sorted(results, key=lambda r: order.index(r.source))


def _plan_actors(connection: Connection, actors: list[Row]) -> Plan:
    """The registry's actors, each keeping its id; a new one takes the next id."""
    table = _TABLES["actors"]
    known = dict(connection.execute(select(table.c.slug, table.c.id)).all())
    next_id = max(known.values(), default=0) + 1
    for row in actors:
        if row["slug"] not in known:
            known[row["slug"]] = next_id
            next_id += 1
    wanted = [
        {
            **{k: v for k, v in row.items() if k != "affiliation"},
            "id": known[row["slug"]],
            "affiliation_id": known[row["affiliation"]] if row["affiliation"] else None,
        }
        for row in actors
    ]
    return plan(connection, table, ("slug",), wanted, None)


def _write_actors(connection: Connection, found: Plan) -> None:
    """New actors first without their affiliation (it may be another new actor), then every
    change, affiliations included."""
    table = found.table
    if found.inserts:
        connection.execute(table.insert(), [{**r, "affiliation_id": None} for r in found.inserts])
    for row in [*found.updates, *(r for r in found.inserts if r["affiliation_id"])]:
        connection.execute(table.update().where(table.c.id == row["id"]).values(**row))


def _refuse_removed_actors_in_use(connection: Connection, checked: Checked, found: Plan) -> None:
    """An actor taken out of the registry while a source not being loaded still refers to it."""
    removed = {row["id"]: row["slug"] for row in found.deletes}
    if not removed:
        return
    for table, column in (
        (table_of(Introduction), "actor_id"),
        (table_of(Statement), "speaker_id"),
        (table_of(Participant), "actor_id"),
        (table_of(Mention), "actor_id"),
        (table_of(Position), "actor_id"),
        (table_of(Alias), "actor_id"),
        (table_of(Proposal), "proposed_by_id"),
    ):
        used = connection.execute(
            select(table.c[column], Source.slug)
            .join(Source, Source.id == table.c.source_id)
            .where(table.c[column].in_(list(removed)))
            .limit(1)
        ).first()
        if used:
            raise SeedError(
                f"{checked.registry.path}: actor '{removed[used[0]]}' is no longer in the "
                f"registry, but source '{used[1]}' still refers to it: load that source too, "
                "or keep the actor"
            )


def _resolved(row: Row, ids: dict[str, dict[tuple[Any, ...], int]], table: str) -> Row:
    """A wanted row with its references (slugs) turned into ids."""
    found: Row = {}
    for name, value in row.items():
        if name not in _REFERENCES:
            found[name] = value
            continue
        column, target = _REFERENCES[name]
        if value is None:
            found[column] = None
        else:
            key = value if isinstance(value, tuple) else (value,)
            if target == "phases":
                key = (ids["proposals"][(key[0],)], key[1])
            found[column] = ids[target][key]
    return found


def _refuse_taken_slugs(connection: Connection, changed: list[_Changed], owned: list[int]) -> None:
    """A slug already used by a source that is not being loaded would break a unique index."""
    for name in ("events", "proposals", "terms", "statements"):
        table = _TABLES[name]
        for source, rows, _ in changed:
            slugs = [row["slug"] for row in rows.get(name, [])]
            taken = connection.execute(
                select(table.c.slug, Source.slug)
                .join(Source, Source.id == table.c.source_id)
                .where(table.c.slug.in_(slugs), table.c.source_id.not_in(owned))
                .limit(1)
            ).first()
            if taken:
                raise SeedError(
                    f"{source.path}: {name[:-1]} '{taken[0]}': the slug is already used by "
                    f"source '{taken[1]}'"
                )


def _refuse_unknown_same_as(connection: Connection, changed: list[_Changed]) -> None:
    """`same_as` names a statement of another source, loaded now or before."""
    statements = table_of(Statement)
    for source, rows, _ in changed:
        for i, row in enumerate(rows.get("statements", [])):
            target = row["same_as"]
            if target is None:
                continue
            found = connection.execute(
                select(Source.slug)
                .join(statements, statements.c.source_id == Source.id)
                .where(statements.c.slug == target)
            ).first()
            where = f"{source.path}: statements[{i}] '{row['slug']}': same_as"
            if found is None:
                raise SeedError(f"{where}: no statement of any source has the slug '{target}'")
            if found[0] == source.spec.source.slug:
                raise SeedError(f"{where}: '{target}' is a statement of the same source")


def _sync_names(connection: Connection, checked: Checked) -> None:
    """Every key an actor is asked for by: slug, name and aliases (registry, and every source's
    in the database), and every run of whole words of them."""
    aliases: dict[int, list[str]] = {}
    for actor_id, name in connection.execute(select(Alias.actor_id, Alias.name)):
        aliases.setdefault(actor_id, []).append(name)
    slugs = dict(connection.execute(select(Actor.slug, Actor.id)).all())
    keys: dict[tuple[str, int], bool] = {}
    for slug, names in checked.names.items():
        actor_id = slugs[slug]
        for name in [slug, *names, *aliases.get(actor_id, [])]:
            tokens = words(name)
            keys[(" ".join(tokens), actor_id)] = True
            for size in range(1, len(tokens)):
                for start in range(len(tokens) - size + 1):
                    run = (" ".join(tokens[start : start + size]), actor_id)
                    keys.setdefault(run, False)
    wanted = [
        {"key": key, "actor_id": actor_id, "exact": exact}
        for (key, actor_id), exact in sorted(keys.items())
        if key and len(key) <= 300
    ]
    found = plan(connection, table_of(ActorName), ("key", "actor_id"), wanted, None)
    apply_deletes(connection, [found])
    apply_writes(connection, [found])


def _keep_search_words(connection: Connection, searched: dict[str, Plan]) -> None:
    """The words of the written search texts join search_words (never removed), and each
    word's number of rows in each searched table follows the rows written and removed."""
    words_table = table_of(SearchWord)
    changes: dict[str, Counter[str]] = {}
    for name, found in searched.items():
        change: Counter[str] = Counter()
        for row in [*found.inserts, *found.updates]:
            change.update(indexed_words([row["search_text"]]))
        for row in [*found.deletes, *found.replaced]:
            change.subtract(indexed_words([row["search_text"]]))
        changes[name] = change
    written = {word for change in changes.values() for word, n in change.items() if n > 0}
    _insert_missing(connection, words_table, "word", {w: {"word": w} for w in written})
    for name, change in changes.items():
        held = words_table.c[f"in_{name}"]
        rows = [{"w": word, "n": n} for word, n in sorted(change.items()) if n]
        if rows:
            connection.execute(
                update(words_table)
                .where(words_table.c.word == bindparam("w"))
                .values({held: held + bindparam("n")}),
                rows,
            )


def _add_compounds(connection: Connection, texts: list[str]) -> None:
    """The hyphenated words of the loaded texts, for search (api.search); never removed: a
    compound no text holds any more only adds a spelling that finds nothing."""
    found: dict[str, str] = {}
    for text in texts:
        found.update(compounds(text))
    rows = {j: {"joined": j, "parts": parts} for j, parts in found.items() if len(j) <= 300}
    _insert_missing(connection, table_of(SearchCompound), "joined", rows)


def _insert_missing(connection: Connection, table: Table, key: str, rows: dict[str, Row]) -> None:
    """Insert the rows (by their key) that the table does not hold yet."""
    wanted = sorted(rows)
    known: set[str] = set()
    for start in range(0, len(wanted), KEYS_PER_LOOKUP):
        chunk = wanted[start : start + KEYS_PER_LOOKUP]
        known.update(connection.scalars(select(table.c[key]).where(table.c[key].in_(chunk))))
    new = [rows[k] for k in wanted if k not in known]
    if new:
        connection.execute(table.insert(), new)
