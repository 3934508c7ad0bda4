/**
 * The eventdb API used as a frontend developer uses it: openapi-fetch with its default settings,
 * typed by src/schema.ts (generated from /openapi.json), without a single cast. It type-checks
 * under `tsc --strict` only while the generated types are as exact as it needs them; run against
 * a server (on the seeded database), it checks that the API answers what they describe.
 *
 *   node dist/contract.js http://127.0.0.1:8000     (or EVENTDB_URL=…; see README.md)
 *
 * Prints one line per check; exits 1 when any answer is not the expected one.
 */
import createClient from "openapi-fetch";

import type { components, paths } from "./schema.js";

type Statement = components["schemas"]["Statement"];

const baseUrl = (process.argv[2] ?? process.env.EVENTDB_URL ?? "http://127.0.0.1:8000").replace(
  /\/+$/,
  "",
);
const api = createClient<paths>({ baseUrl });

// Names of the seeded database (seed/): an alias, the slug it stands for, a second speaker.
const BLINKEN = "blinken";
const BLINKEN_SLUG = "antony-blinken";
const NETANYAHU = "netanyahu";
const NETANYAHU_SLUG = "benjamin-netanyahu";
const SOURCE = "wapo-2024-06-10-blinken";
const FROM = "2024-06-10";
const TO = "2024-06-10";

/** An answer that is not the one expected: ends the step, and the program fails. */
class Unexpected extends Error {}

let passed = 0;
let failed = 0;

function check(condition: boolean, what: string): void {
  if (condition) {
    passed += 1;
    console.log(`ok    ${what}`);
  } else {
    failed += 1;
    console.log(`FAIL  ${what}`);
  }
}

/** The body of a success; an Unexpected error, saying what came instead, otherwise. */
function body<T>(what: string, answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data === undefined) {
    const error = JSON.stringify(answer.error);
    throw new Unexpected(`${what}: HTTP ${answer.response.status} instead of 200: ${error}`);
  }
  return answer.data;
}

/** The problem of a refusal with this status; an Unexpected error otherwise. */
function problem<E>(
  what: string,
  status: number,
  answer: { data?: unknown; error?: E; response: Response },
): E {
  if (answer.error === undefined || answer.response.status !== status) {
    throw new Unexpected(`${what}: HTTP ${answer.response.status} instead of ${status}`);
  }
  const type = answer.response.headers.get("Content-Type");
  if (type !== "application/problem+json") {
    throw new Unexpected(`${what}: a ${status} as ${type}, not application/problem+json`);
  }
  return answer.error;
}

/** Whether a fact dated `date` overlaps the inclusive range from–to (ISO dates compare as text). */
function overlaps(date: components["schemas"]["DateInfo"], from: string, to: string): boolean {
  return date.start !== null && date.start <= to && (date.end ?? date.start) >= from;
}

function sameIds(a: Statement[], b: Statement[]): boolean {
  return a.map((s) => s.id).join(",") === b.map((s) => s.id).join(",");
}

let blinkenTotal: Promise<number> | undefined;

/** How many statements Blinken made, as /statements?speaker=blinken counts them. */
function statementsByBlinken(): Promise<number> {
  blinkenTotal ??= api
    .GET("/statements", { params: { query: { speaker: [BLINKEN], limit: 1 } } })
    .then((answer) => body(`speaker=${BLINKEN}`, answer).total);
  return blinkenTotal;
}

async function filters(): Promise<void> {
  const all = body(
    "statements by blinken",
    await api.GET("/statements", { params: { query: { speaker: [BLINKEN], limit: 500 } } }),
  );
  const slugs = new Set(all.items.map((s) => s.speaker.slug));
  check(
    all.total > 0 && slugs.size === 1 && slugs.has(BLINKEN_SLUG),
    `speaker=${BLINKEN}: ${all.total} statements, all by ${[...slugs].join(", ")}`,
  );

  const ranged = body(
    "statements by blinken in a date range",
    await api.GET("/statements", {
      params: { query: { speaker: [BLINKEN], from: FROM, to: TO, limit: 500 } },
    }),
  );
  const outside = ranged.items.filter((s) => !overlaps(s.date, FROM, TO));
  check(
    ranged.total > 0 && ranged.total < all.total && outside.length === 0,
    `speaker=${BLINKEN}&from=${FROM}&to=${TO}: ${ranged.total} of his ${all.total}, ` +
      `${outside.length} outside the range`,
  );

  const netanyahu = body(
    "statements by netanyahu",
    await api.GET("/statements", { params: { query: { speaker: [NETANYAHU], limit: 500 } } }),
  );
  const both = body(
    "statements by two speakers",
    await api.GET("/statements", {
      params: { query: { speaker: [BLINKEN, NETANYAHU], limit: 500 } },
    }),
  );
  const speakers = [...new Set(both.items.map((s) => s.speaker.slug))].sort();
  check(
    both.total === all.total + netanyahu.total &&
      speakers.join(",") === [BLINKEN_SLUG, NETANYAHU_SLUG].sort().join(","),
    `speaker=${BLINKEN}&speaker=${NETANYAHU}: ${both.total} = ${all.total} + ${netanyahu.total}, ` +
      `by ${speakers.join(" and ")}`,
  );
}

async function paging(): Promise<void> {
  const limit = 7;
  const first = body("first page", await api.GET("/statements", { params: { query: { limit } } }));
  const pages = [first];
  let page = first;
  let linksWithoutNext = 0;
  while (page.next_cursor !== null) {
    if (pages.length > 100) throw new Unexpected("paging: more than 100 pages: a cursor loops");
    const cursor = page.next_cursor;
    const answer = await api.GET("/statements", { params: { query: { limit, cursor } } });
    page = body(`page ${pages.length + 1}`, answer);
    const link = answer.response.headers.get("Link") ?? "";
    if (page.next !== null && !link.includes(`<${page.next}>; rel="next"`)) linksWithoutNext += 1;
    pages.push(page);
  }
  const ids = pages.flatMap((p) => p.items.map((s) => s.id));
  const repeated = ids.length - new Set(ids).size;
  check(
    pages.length > 1 && repeated === 0 && ids.length === first.total && first.total_exact,
    `paging by ${limit} with next_cursor: ${pages.length} pages, ${ids.length} statements ` +
      `(total ${first.total}), ${repeated} repeated`,
  );
  check(
    page.next === null && first.prev === null && linksWithoutNext === 0,
    `the last page has no next, the first no prev; ${linksWithoutNext} Link headers without next`,
  );

  const second = pages[1];
  if (second === undefined || second.prev_cursor === null) {
    throw new Unexpected("paging: the second page has no prev_cursor");
  }
  const back = body(
    "page before the second",
    await api.GET("/statements", { params: { query: { limit, cursor: second.prev_cursor } } }),
  );
  check(sameIds(back.items, first.items), "prev_cursor of the second page gives the first page");
}

async function timeline(): Promise<void> {
  const first = body(
    "timeline",
    await api.GET("/timeline", { params: { query: { limit: 500 } } }),
  );
  let page = first;
  const items = [...page.items];
  while (page.next_cursor !== null) {
    const cursor = page.next_cursor;
    page = body(
      "timeline page",
      await api.GET("/timeline", { params: { query: { limit: 500, cursor } } }),
    );
    items.push(...page.items);
  }
  const events = new Set<string>();
  const statements = new Set<number>();
  let misdated = 0;
  for (const item of items) {
    // A discriminated union: `type` alone says which of `event` and `statement` is there.
    switch (item.type) {
      case "event":
        events.add(item.event.slug);
        if (item.date.start !== item.event.date.start) misdated += 1;
        break;
      case "statement":
        statements.add(item.statement.id);
        if (item.date.start !== item.statement.date.start) misdated += 1;
        break;
      default: {
        const unknown: never = item;
        throw new Unexpected(`timeline: an item of an unknown type: ${JSON.stringify(unknown)}`);
      }
    }
  }
  const [eventList, statementList] = await Promise.all([
    api.GET("/events", { params: { query: { limit: 1 } } }),
    api.GET("/statements", { params: { query: { limit: 1 } } }),
  ]);
  const eventTotal = body("events", eventList).total;
  const statementTotal = body("statements", statementList).total;
  check(
    events.size === eventTotal && statements.size === statementTotal && misdated === 0,
    `timeline: ${items.length} items (total ${first.total}): ` +
      `${events.size} of ${eventTotal} events, ${statements.size} of ${statementTotal} ` +
      `statements, ${misdated} dated unlike their fact`,
  );
}

async function facets(): Promise<void> {
  const blinkenTotal = await statementsByBlinken();
  const page = body(
    "facets",
    await api.GET("/statements", { params: { query: { facets: ["speaker", "mode"], limit: 1 } } }),
  );
  const speaker = page.facets.speaker;
  const mode = page.facets.mode;
  if (speaker === undefined || mode === undefined) {
    throw new Unexpected(`facets: asked for speaker and mode, got ${Object.keys(page.facets)}`);
  }
  const blinken = speaker.values.find((v) => v.value === BLINKEN_SLUG);
  check(
    speaker.exact && blinken !== undefined && blinken.count === blinkenTotal,
    `facets=speaker: ${blinken?.label} said ${blinken?.count} ` +
      `(speaker=${BLINKEN} has ${blinkenTotal})`,
  );
  const modes = mode.values.reduce((sum, v) => sum + v.count, 0);
  check(
    modes === page.total,
    `facets=mode: ${mode.values.map((v) => `${v.value} ${v.count}`).join(", ")}; of ${page.total}`,
  );

  const filtered = body(
    "facets under filters",
    await api.GET("/statements", {
      params: { query: { facets: ["speaker"], speaker: [BLINKEN, NETANYAHU], limit: 1 } },
    }),
  );
  const values = (filtered.facets.speaker?.values ?? []).map((v) => v.value).sort();
  check(
    values.join(",") === [BLINKEN_SLUG, NETANYAHU_SLUG].sort().join(","),
    `facets=speaker under speaker=${BLINKEN}&speaker=${NETANYAHU}: ${values.join(", ")}`,
  );
}

async function refusals(): Promise<void> {
  const misspelt = problem(
    "speaker=blinkn",
    422,
    await api.GET("/statements", { params: { query: { speaker: ["blinkn"] } } }),
  );
  // Narrowed on `type`, a 422's `errors` is always there: no `?.`.
  if (misspelt.type === "/problems/invalid-parameter") {
    const [refused] = misspelt.errors;
    check(
      refused.parameter === "speaker" && (refused.suggestions ?? []).includes(BLINKEN_SLUG),
      `speaker=blinkn: 422 ${misspelt.type}, parameter ${refused.parameter}, ` +
        `suggestions ${JSON.stringify(refused.suggestions)}`,
    );
  } else {
    check(false, `speaker=blinkn: 422 ${misspelt.type}`);
  }

  const limit = problem(
    "limit=0",
    422,
    await api.GET("/statements", { params: { query: { limit: 0 } } }),
  );
  check(
    limit.type === "/problems/invalid-parameter" && limit.errors[0].parameter === "limit",
    `limit=0: 422 ${limit.type}`,
  );

  const cursor = problem(
    "a cursor of another list",
    400,
    await api.GET("/statements", { params: { query: { cursor: "not-a-cursor" } } }),
  );
  check(cursor.type === "/problems/invalid-cursor", `cursor=not-a-cursor: 400 ${cursor.type}`);

  const missing = problem(
    "statement 999999",
    404,
    await api.GET("/statements/{id}", { params: { path: { id: 999999 } } }),
  );
  check(missing.type === "/problems/not-found", `/statements/999999: 404 ${missing.type}`);

  const nobody = problem(
    "actor nobody",
    404,
    await api.GET("/actors/{slug}", { params: { path: { slug: "no-such-actor" } } }),
  );
  check(
    nobody.type === "/problems/not-found" && Array.isArray(nobody.suggestions),
    `/actors/no-such-actor: 404 ${nobody.type}` +
      (nobody.type === "/problems/not-found" ? `, suggestions ${nobody.suggestions.join(",")}` : ""),
  );
}

async function details(): Promise<void> {
  const blinkenTotal = await statementsByBlinken();
  const actor = body(
    "actor",
    await api.GET("/actors/{slug}", { params: { path: { slug: BLINKEN_SLUG } } }),
  );
  check(
    actor.counts.statements === blinkenTotal,
    `/actors/${BLINKEN_SLUG}: ${actor.name}, counts ${JSON.stringify(actor.counts)}`,
  );
  const alias = await api.GET("/actors/{slug}", { params: { path: { slug: BLINKEN } } });
  check(
    body("actor by alias", alias).slug === BLINKEN_SLUG && alias.response.redirected,
    `/actors/${BLINKEN} redirects to ${new URL(alias.response.url).pathname}`,
  );

  const list = body(
    "statements of the source",
    await api.GET("/statements", { params: { query: { source: [SOURCE], limit: 500 } } }),
  );
  const statement = list.items[0];
  if (statement === undefined) throw new Unexpected(`source=${SOURCE}: no statements`);
  const byId = body(
    "statement by id",
    await api.GET("/statements/{id}", { params: { path: { id: statement.id } } }),
  );
  const bySlug = body(
    "statement by slug",
    await api.GET("/statements/{id}", { params: { path: { id: statement.slug } } }),
  );
  check(
    byId.slug === statement.slug && bySlug.id === statement.id,
    `/statements/${statement.id} and /statements/${statement.slug}: the same statement`,
  );

  const source = body(
    "source",
    await api.GET("/sources/{slug}", { params: { path: { slug: SOURCE } } }),
  );
  // Offsets count Unicode code points, as Python does: spread the text, not index it.
  const points = [...source.text];
  const wrong = list.items.filter(
    (s) => points.slice(s.evidence.start, s.evidence.end).join("") !== s.evidence.text,
  );
  check(
    points.length === source.length && wrong.length === 0,
    `/sources/${SOURCE}: ${source.length} characters of text, ${list.items.length} statements' ` +
      `evidence found in it, ${wrong.length} not`,
  );
}

async function csv(): Promise<void> {
  const blinkenTotal = await statementsByBlinken();
  const answer = await api.GET("/statements.csv", {
    params: { query: { speaker: [BLINKEN] } },
    parseAs: "text",
  });
  const text = body("statements.csv", answer);
  const [header = "", ...lines] = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const rows = lines.filter((line) => /^\d+,/.test(line)).length; // one per statement: its id
  check(
    (answer.response.headers.get("Content-Type") ?? "").startsWith("text/csv") &&
      header.split(",").includes("slug") &&
      rows === blinkenTotal,
    `/statements.csv?speaker=${BLINKEN}: a header and ${rows} rows`,
  );
}

async function main(): Promise<void> {
  console.log(`eventdb at ${baseUrl}`);
  const steps: [string, () => Promise<void>][] = [
    ["filters", filters],
    ["paging", paging],
    ["timeline", timeline],
    ["facets", facets],
    ["refusals", refusals],
    ["details", details],
    ["csv", csv],
  ];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      failed += 1;
      const message = error instanceof Unexpected ? error.message : String(error);
      console.log(`FAIL  ${name}: ${message}`);
    }
  }
  console.log(`${passed} checks passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
