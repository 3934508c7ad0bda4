// Opens the reading room in chromium as a reader would, and checks it against the API:
//   source page  one mark[data-id] per evidence span the API records for the source (counted
//                through the API here), each over exactly its evidence's words; selecting a
//                statement's mark, with the keyboard or a click, shows its speaker in the card;
//                the focused mark has a visible focus ring; the print style hides the controls;
//   timeline     one shape per dated fact of the API's answer for the same range, inside the
//                plot;
//   list page    the curl command it shows fetches the same items, in the same order, and
//                its Copy button puts that command on the clipboard;
// and on every page: no console error, no uncaught exception, no failed request, no request
// outside the API. With --hostile, a second server whose fixture holds `<script>` in its text,
// names and titles: its pages must run no script of the data (no dialog) and show it as text
// (without --source, only that). Screenshots go to --screenshots.
//
//   node pages.mjs --url http://127.0.0.1:8000 --source wapo-2024-06-10-blinken \
//     --screenshots /tmp/shots [--hostile http://127.0.0.1:8001]
//   node pages.mjs --url http://127.0.0.1:8001 --hostile http://127.0.0.1:8001 --screenshots …
//
// Prints a JSON report on stdout; exits 1 (the reasons on stderr) when a check fails.

import { mkdir } from "node:fs/promises";
import { join } from "node:path";

import { options, since, watch, withBrowser } from "./lib.mjs";

const args = options();
const base = args.url.replace(/\/$/, "");
const source = args.source;
const screenshots = args.screenshots;
const TIMEOUT = 30_000;
const problems = [];
const report = { screenshots };

const words = (text) => text.replace(/\s+/g, " ").trim();

async function api(path, params = {}) {
  const url = new URL(path, base);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

// Every evidence span of the source, through the API: "kind id" → evidence text.
async function apiSpans(slug) {
  const every = async (path) => {
    const answer = await api(path, { source: slug, limit: 500 });
    if (answer.next_cursor) problems.push(`${path}?source=${slug} has more than 500 items`);
    return answer.items;
  };
  const spans = new Map();
  const add = (kind, id, evidence) => {
    if (evidence.source.slug === slug) spans.set(`${kind} ${id}`, evidence.text);
  };
  for (const s of await every("/statements")) {
    add("statement", s.id, s.evidence);
    for (const m of s.about) add("mention", `statement/${s.id}/${m.actor.slug}/${m.role}`, m.evidence);
  }
  for (const e of await every("/events")) {
    add("event", e.slug, e.evidence);
    for (const p of e.participants) add("participant", `${e.slug}/${p.actor.slug}/${p.role}`, p.evidence);
    for (const m of e.about) add("mention", `event/${e.slug}/${m.actor.slug}/${m.role}`, m.evidence);
  }
  for (const p of await every("/positions")) add("position", p.id, p.evidence);
  for (const t of await every("/terms")) add("term", t.slug, t.evidence);
  for (const p of await every("/proposals")) {
    add("proposal", p.slug, p.evidence);
    for (const phase of p.phases) add("phase", `${p.slug}/${phase.number}`, phase.evidence);
  }
  for (const a of await every("/actors")) {
    if (a.evidence) add("introduction", a.slug, a.evidence);
    for (const alias of a.aliases) add("alias", `${a.slug}/${alias.name}`, alias.evidence);
  }
  return spans;
}

// The lowest contrast between the text of the page's elements (`selector`) and what is behind
// it: the backgrounds of the element and its ancestors, translucent ones blended, on white.
// WCAG AA asks 4.5:1 of body text.
async function lowestContrast(page, selector) {
  return page.$$eval(selector, (elements) => {
    const rgba = (value) => {
      const numbers = value.match(/[\d.]+/g)?.map(Number) || [0, 0, 0, 0];
      if (value.startsWith("color(srgb")) {
        const [r, g, b, a = 1] = numbers;
        return [r * 255, g * 255, b * 255, a];
      }
      const [r, g, b, a = 1] = numbers;
      return [r, g, b, a];
    };
    const over = ([r, g, b, a], [R, G, B]) => [
      r * a + R * (1 - a),
      g * a + G * (1 - a),
      b * a + B * (1 - a),
    ];
    const luminance = (rgb) => {
      const [r, g, b] = rgb.map((c) => {
        const v = c / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    let lowest = { ratio: 21, element: null };
    for (const element of elements) {
      if (!element.textContent.trim() || !element.getClientRects().length) continue;
      const chain = [];
      for (let at = element; at; at = at.parentElement) chain.unshift(at);
      let background = [255, 255, 255];
      for (const at of chain) background = over(rgba(getComputedStyle(at).backgroundColor), background);
      const text = over(rgba(getComputedStyle(element).color), background);
      const [light, dark] = [luminance(text), luminance(background)].sort((a, b) => b - a);
      const ratio = (light + 0.05) / (dark + 0.05);
      if (ratio < lowest.ratio) {
        lowest = { ratio: Math.round(ratio * 100) / 100, element: element.outerHTML.slice(0, 120) };
      }
    }
    return lowest;
  });
}

const TEXT = "mark, p, a, dt, dd, li, label, summary, button, h1, h2, h3, .n, .hint, .kicker, .card-kind, code, text";

async function checkSource(context) {
  const page = await context.newPage();
  const watcher = watch(page, base);
  const result = { problems: watcher.problems };
  report.source = result;
  try {
    const expected = await apiSpans(source);
    const start = performance.now();
    await page.goto(`${base}/read/sources/${source}`);
    await page.locator("#source-text mark").first().waitFor({ timeout: TIMEOUT });
    result.load_ms = since(start);

    // One mark per span, over its words (a crossing span's continuations included).
    const marks = await page.$$eval("#source-text mark[data-id]", (found) =>
      found.map((mark) => {
        // A crossing span goes on in continuations: right after, or in the next paragraph.
        const parts = [mark, ...document.querySelectorAll(`mark[data-part-of="${CSS.escape(mark.id)}"]`)];
        let text = "";
        parts.forEach((part, i) => {
          const newParagraph = i > 0 && part.closest("p") !== parts[i - 1].closest("p");
          text += (newParagraph ? "\n" : "") + part.textContent;
        });
        return { key: `${mark.dataset.kind} ${mark.dataset.id}`, text };
      }),
    );
    result.marks = marks.length;
    result.expected = expected.size;
    result.by_kind = {};
    for (const mark of marks) {
      const kind = mark.key.split(" ")[0];
      result.by_kind[kind] = (result.by_kind[kind] || 0) + 1;
    }
    const seen = new Set(marks.map((mark) => mark.key));
    const missing = [...expected.keys()].filter((key) => !seen.has(key));
    const extra = marks.filter((mark) => !expected.has(mark.key)).map((mark) => mark.key);
    const wrong = marks
      .filter((mark) => expected.has(mark.key) && words(mark.text) !== words(expected.get(mark.key)))
      .map((mark) => mark.key);
    if (marks.length !== expected.size || missing.length || extra.length || wrong.length) {
      watcher.problems.push(
        `marks: ${marks.length} on the page, ${expected.size} through the API; missing ` +
          `${missing.slice(0, 5)}; not in the API ${extra.slice(0, 5)}; other words ${wrong.slice(0, 5)}`,
      );
    }

    // A statement: its mark selected with the keyboard shows its speaker.
    const statements = (await api("/statements", { source, limit: 500 })).items;
    // The first quote of the text: the screenshot shows it beside the top of the article.
    const quotes = statements.filter((s) => s.mode === "direct");
    const statement = (quotes.length ? quotes : statements).reduce((a, b) =>
      a.evidence.start <= b.evidence.start ? a : b,
    );
    const mark = page.locator(`#m-statement-${statement.id}`);
    await mark.focus();
    await page.keyboard.press("Enter");
    const card = page.locator("#fact-card");
    await card.locator(".card").first().waitFor({ timeout: TIMEOUT });
    result.keyboard = {
      statement: statement.id,
      speaker: statement.speaker.name,
      heading: (await page.locator("#fact-panel-heading").innerText()).trim(),
      card_shows_speaker: (await card.innerText()).includes(statement.speaker.name),
      focus_moved_to_card: await page.evaluate(() => document.activeElement?.id === "fact-panel-heading"),
    };
    if (!result.keyboard.card_shows_speaker) {
      watcher.problems.push(`Enter on statement ${statement.id}'s mark does not show ${statement.speaker.name}`);
    }
    result.contrast = await lowestContrast(page, TEXT);
    if (result.contrast.ratio < 4.5) {
      watcher.problems.push(`contrast ${result.contrast.ratio}:1 at ${result.contrast.element}`);
    }
    await page.locator(".legend").evaluate((legend) => legend.scrollIntoView());
    await page.screenshot({ path: join(screenshots, "reading-room-source.png") });

    // Escape returns to the mark; the arrow keys move to the next mark and show its card.
    await page.keyboard.press("Escape");
    const back = await page.evaluate(() => document.activeElement?.id);
    await page.keyboard.press("ArrowRight");
    const next = await page.evaluate(() => ({
      id: document.activeElement?.id,
      outline: getComputedStyle(document.activeElement).outlineStyle,
      outlineWidth: getComputedStyle(document.activeElement).outlineWidth,
      heading: document.getElementById("fact-panel-heading").textContent,
    }));
    result.arrows = { back_to: back, next };
    if (back !== `m-statement-${statement.id}`) watcher.problems.push(`Escape went to ${back}`);
    if (!next.id?.startsWith("m-") || next.id === back) watcher.problems.push("ArrowRight did not move");
    if (next.outline === "none" || next.outlineWidth === "0px") {
      watcher.problems.push("a focused mark shows no focus ring");
    }

    // A click on each statement's mark shows its speaker (directly, or as the statement
    // around the mark clicked, one button away).
    const clicked = [];
    for (const s of statements.slice(0, 12)) {
      // Where a reader would click: the middle of the mark's first line (the middle of its box
      // may fall on another line, outside it).
      const target = page.locator(`#m-statement-${s.id}`);
      await target.scrollIntoViewIfNeeded();
      const at = await target.evaluate((element) => {
        const line = element.getClientRects()[0];
        return { x: line.left + Math.min(line.width / 2, 20), y: line.top + line.height / 2 };
      });
      await page.mouse.click(at.x, at.y);
      let heading = (await page.locator("#fact-panel-heading").innerText()).trim();
      if (heading !== `Statement: ${s.id}`) {
        // The click landed on a mark inside the statement's: the card lists the statement
        // among the marks around it.
        await page.locator(`.also button[data-target="m-statement-${s.id}"]`).click();
        heading = (await page.locator("#fact-panel-heading").innerText()).trim();
      }
      const shows = (await card.innerText()).includes(s.speaker.name);
      clicked.push({ id: s.id, heading, shows_speaker: shows });
      if (heading !== `Statement: ${s.id}` || !shows) {
        watcher.problems.push(`a click on statement ${s.id}'s mark shows "${heading}", not its speaker`);
      }
    }
    result.clicks = clicked;

    // Close: the card goes, no mark stays selected, the focus goes back to the mark.
    await page.locator("#fact-panel button.close").click();
    result.closed = await page.evaluate(() => ({
      empty: document.getElementById("fact-panel").classList.contains("empty"),
      selected: document.querySelectorAll("mark.selected").length,
      focus: document.activeElement?.tagName,
    }));
    if (!result.closed.empty || result.closed.selected || result.closed.focus !== "MARK") {
      watcher.problems.push(`Close: ${JSON.stringify(result.closed)}`);
    }

    // On a phone's width the card is a sheet at the bottom, there only while a mark is selected.
    await page.setViewportSize({ width: 400, height: 760 });
    const sheet = () => page.evaluate(() => getComputedStyle(document.getElementById("fact-panel")).display);
    const before = await sheet();
    await page.locator(`#m-statement-${statement.id}`).focus();
    await page.keyboard.press("Enter");
    const during = await sheet();
    result.narrow = { before, during };
    if (before !== "none" || during === "none") watcher.problems.push(`narrow: ${JSON.stringify(result.narrow)}`);
    await page.setViewportSize({ width: 1200, height: 760 });

    // The print style: no controls, the marks kept.
    await page.emulateMedia({ media: "print" });
    result.print = await page.evaluate(() => ({
      header: getComputedStyle(document.querySelector("header.site")).display,
      api: getComputedStyle(document.querySelector(".api")).display,
      panel: getComputedStyle(document.querySelector("#fact-panel")).display,
      mark_line: getComputedStyle(document.querySelector("#source-text mark")).borderBottomStyle,
    }));
    await page.emulateMedia({ media: "screen" });
    const { header, api: box, panel, mark_line: line } = result.print;
    if (header !== "none" || box !== "none" || panel !== "none" || line === "none") {
      watcher.problems.push(`the print style: ${JSON.stringify(result.print)}`);
    }
  } catch (error) {
    watcher.problems.push(`source page: ${error.message.split("\n").slice(0, 8).join(" / ")}`);
    await page.screenshot({ path: join(screenshots, "source-failed.png") }).catch(() => {});
  }
  problems.push(...watcher.problems);
  await page.close();
}

async function checkTimeline(context) {
  const page = await context.newPage();
  const watcher = watch(page, base);
  const result = { problems: watcher.problems };
  report.timeline = result;
  try {
    const range = { from: "2024-06-03", to: "2024-06-12" };
    const answer = await api("/timeline", { ...range, limit: 100 });
    const dated = answer.items.filter((item) => item.date.start !== null);
    await page.goto(`${base}/read/timeline?from=${range.from}&to=${range.to}`);
    await page.locator("#timeline").waitFor({ timeout: TIMEOUT });
    const shapes = await page.$$eval("#timeline a.fact", (found) =>
      found.map((shape) => {
        const svg = shape.ownerSVGElement.getBoundingClientRect();
        const box = shape.querySelector("rect").getBoundingClientRect();
        return {
          key: `${shape.dataset.kind} ${shape.dataset.id}`,
          inside: box.left >= svg.left - 0.5 && box.right <= svg.right + 0.5 && box.width > 0,
        };
      }),
    );
    const keys = (items) => items.map((item) => `${item.type} ${item[item.type].id ?? item[item.type].slug}`).sort();
    result.shapes = shapes.length;
    result.dated_facts = dated.length;
    if (JSON.stringify(shapes.map((shape) => shape.key).sort()) !== JSON.stringify(keys(dated))) {
      watcher.problems.push(`timeline: ${shapes.length} shapes for ${dated.length} dated facts`);
    }
    if (shapes.some((shape) => !shape.inside)) watcher.problems.push("a shape lies outside the plot");
    await page.locator("figure.timeline-figure").screenshot({
      path: join(screenshots, "reading-room-timeline.png"),
    });
  } catch (error) {
    watcher.problems.push(`timeline: ${error.message.split("\n")[0]}`);
  }
  problems.push(...watcher.problems);
  await page.close();
}

async function checkList(context) {
  const page = await context.newPage();
  const watcher = watch(page, base);
  const result = { problems: watcher.problems };
  report.list = result;
  try {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    await page.goto(`${base}/read/statements?speaker=blinken&sort=-date&limit=6`);
    const curl = (await page.locator("#curl-0").innerText()).trim();
    const url = curl.match(/^curl '([^']+)'$/)?.[1];
    const shown = await page.$$eval(".results li[data-id]", (items) => items.map((item) => item.dataset.id));
    const answer = await (await fetch(url)).json();
    const fetched = answer.items.map((item) => String(item.id));
    result.curl = curl;
    result.page_items = shown;
    result.api_items = fetched;
    if (!url || JSON.stringify(shown) !== JSON.stringify(fetched) || shown.length === 0) {
      watcher.problems.push(`list: the page shows ${shown}, its curl returns ${fetched}`);
    }
    await page.locator('button[data-copy="curl-0"]').click();
    result.clipboard = await page.evaluate(() => navigator.clipboard.readText());
    if (result.clipboard !== curl) watcher.problems.push(`Copy put ${result.clipboard} on the clipboard`);
    result.contrast = await lowestContrast(page, TEXT);
    if (result.contrast.ratio < 4.5) {
      watcher.problems.push(`contrast ${result.contrast.ratio}:1 at ${result.contrast.element}`);
    }
    await page.screenshot({ path: join(screenshots, "reading-room-list.png") });

    // The next page, by its link: the API's cursor, and again the same items as its curl.
    const next = page.locator('a[rel="next"]');
    if (await next.count()) {
      await next.first().click();
      await page.waitForLoadState();
      const curl2 = (await page.locator("#curl-0").innerText()).trim();
      const url2 = curl2.match(/^curl '([^']+)'$/)?.[1];
      const shown2 = await page.$$eval(".results li[data-id]", (items) => items.map((item) => item.dataset.id));
      const fetched2 = (await (await fetch(url2)).json()).items.map((item) => String(item.id));
      result.next_page = { curl: curl2, page_items: shown2, api_items: fetched2 };
      if (JSON.stringify(shown2) !== JSON.stringify(fetched2)) {
        watcher.problems.push(`list, next page: the page shows ${shown2}, its curl returns ${fetched2}`);
      }
    }
  } catch (error) {
    watcher.problems.push(`list: ${error.message.split("\n")[0]}`);
  }
  problems.push(...watcher.problems);
  await page.close();
}

async function checkEveryPage(context) {
  // The other pages load cleanly too (no console error, nothing from elsewhere), and the first
  // Tab reaches the skip link.
  const result = { pages: {} };
  report.every_page = result;
  for (const path of ["/", "/read/sources", "/read/events", "/read/positions", "/read/actors",
    "/read/actors/antony-blinken", "/read/events/unsc-vote", "/read/timeline?rows=kind"]) {
    const page = await context.newPage();
    const watcher = watch(page, base);
    const start = performance.now();
    await page.goto(`${base}${path}`, { waitUntil: "networkidle" });
    await page.keyboard.press("Tab");
    const first = await page.evaluate(() => document.activeElement?.className);
    result.pages[path] = { load_ms: since(start), first_tab: first, problems: watcher.problems };
    if (first !== "skip") watcher.problems.push(`${path}: the first Tab reaches ${first}, not the skip link`);
    if (path === "/") await page.screenshot({ path: join(screenshots, "reading-room-home.png") });
    problems.push(...watcher.problems);
    await page.close();
  }
}

async function checkHostile(context, hostile) {
  const page = await context.newPage();
  const watcher = watch(page, hostile);
  const result = { problems: watcher.problems, dialogs: [] };
  report.hostile = result;
  page.on("dialog", async (dialog) => {
    result.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  for (const path of ["/", "/read/sources/portville-harbor-talks", "/read/actors/sam-okafor", "/read/statements", "/read/timeline"]) {
    await page.goto(`${hostile}${path}`, { waitUntil: "networkidle" });
  }
  await page.goto(`${hostile}/read/sources/portville-harbor-talks`);
  result.title = await page.locator("h1").innerText();
  result.scripts = await page.$$eval("script", (found) => found.map((script) => script.getAttribute("src")));
  const mark = page.locator('#source-text mark[data-kind="statement"]', { hasText: "<script>" }).first();
  await mark.click();
  result.card = await page.locator("#fact-card").innerText();
  if (result.dialogs.length) watcher.problems.push(`the data ran a script: ${result.dialogs}`);
  if (!result.title.includes("<script>alert('pwned')</script>")) {
    watcher.problems.push(`the title shows ${result.title}`);
  }
  if (result.scripts.length !== 1) watcher.problems.push(`scripts on the page: ${result.scripts}`);
  if (!result.card.includes("<script>alert('pwned')</script>")) {
    watcher.problems.push("the card does not show the hostile words as text");
  }
  problems.push(...watcher.problems);
  await page.close();
}

const started = performance.now();
await mkdir(screenshots, { recursive: true });
await withBrowser(
  async (context) => {
    report.browser = context.browser()?.version();
    if (source) {
      await checkSource(context);
      await checkTimeline(context);
      await checkList(context);
      await checkEveryPage(context);
    }
    if (args.hostile) await checkHostile(context, args.hostile.replace(/\/$/, ""));
  },
  { viewport: { width: 1200, height: 760 } },
);
report.total_ms = since(started);
report.problems = problems;
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
if (problems.length) {
  process.stderr.write(`${problems.map((problem) => `- ${problem}`).join("\n")}\n`);
  process.exit(1);
}
