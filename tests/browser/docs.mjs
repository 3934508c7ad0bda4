// Opens the API's interactive docs in chromium as a reader would, and checks that they work:
//   /docs   Swagger UI renders the OpenAPI document (no "Unable to render"), lists every
//           operation of /openapi.json, and runs one request from the page (GET /statements:
//           "Try it out", limit=3, "Execute") whose rendered answer is a 200;
//   /redoc  ReDoc renders a section per operation, and its search finds one;
// and on both pages: no console error, no uncaught exception, no failed request, no request
// outside the API. Screenshots go to --screenshots.
//
//   node docs.mjs --url http://127.0.0.1:8000 --screenshots /tmp/shots
//
// Prints a JSON report on stdout; exits 1 (the reasons on stderr) when a check fails.

import { mkdir } from "node:fs/promises";
import { join } from "node:path";

import { options, since, watch, withBrowser } from "./lib.mjs";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const TIMEOUT = 30_000;

const args = options();
const base = args.url.replace(/\/$/, "");
const screenshots = args.screenshots;
// The operation run from the page: a list, with a `limit` the test types in.
const [tryMethod, tryPath] = ["GET", "/statements"];

function operationsOf(spec) {
  const operations = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) {
        const tag = (operation.tags || ["default"])[0];
        // ReDoc names a section after the operationId, else after its tag, path and method.
        const section = operation.operationId
          ? `operation/${operation.operationId}`
          : `tag/${tag}/paths/${path}/${method}`;
        operations.push({ name: `${method.toUpperCase()} ${path}`, section });
      }
    }
  }
  return operations;
}

async function checkSwaggerUi(context, operations, report) {
  const page = await context.newPage();
  const watcher = watch(page, base);
  const result = { problems: watcher.problems };
  report.docs = result;
  try {
    let start = performance.now();
    await page.goto(`${base}/docs`);
    // Swagger UI renders once it has fetched and parsed the document: operations, or an error.
    await page
      .locator(".swagger-ui .opblock, .swagger-ui .version-pragma, .swagger-ui .errors-wrapper")
      .first()
      .waitFor({ timeout: TIMEOUT });
    result.render_ms = since(start);
    result.swagger_ui_version = await page.evaluate(
      () => (window.versions?.swaggerUI ?? window.versions?.swaggerUi)?.version, // 5.x, 4.x
    );
    result.title = await page
      .$eval(".swagger-ui .info .title", (title) => title.innerText.trim())
      .catch(() => null);

    const text = await page.locator("body").innerText();
    if (text.includes("Unable to render")) {
      const at = text.indexOf("Unable to render");
      throw new Error(`it says: ${text.slice(at, at + 300).replace(/\s+/g, " ")}`);
    }
    const errors = page.locator(".swagger-ui .errors-wrapper");
    if (await errors.count()) {
      const listed = await errors.first().innerText();
      watcher.problems.push(`/docs lists errors in the document: ${listed}`);
    }

    const rendered = (count) => document.querySelectorAll(".swagger-ui .opblock").length >= count;
    await page
      .waitForFunction(rendered, operations.length, { timeout: 10_000 })
      .catch(() => {}); // the missing ones are named below
    result.listed = await page.$$eval(".swagger-ui .opblock", (blocks) =>
      blocks.map((block) => {
        const method = block.querySelector(".opblock-summary-method")?.textContent?.trim();
        const path = block.querySelector(".opblock-summary-path")?.getAttribute("data-path");
        return `${method} ${path}`;
      }),
    );
    const missing = operations.filter((op) => !result.listed.includes(op.name));
    if (missing.length) {
      watcher.problems.push(`/docs does not list: ${missing.map((op) => op.name).join(", ")}`);
    }
    await page.screenshot({ path: join(screenshots, "docs.png") });

    // One request from the page, as a reader tries the API: expand, "Try it out", "Execute".
    start = performance.now();
    const block = page
      .locator(`.swagger-ui .opblock.opblock-${tryMethod.toLowerCase()}`)
      .filter({ has: page.locator(`.opblock-summary-path[data-path="${tryPath}"]`) });
    await block.locator(".opblock-summary").first().click();
    await block.locator("button.try-out__btn").click();
    // A value typed by the reader goes into the request (and keeps the answer short to render).
    await block.locator('tr[data-param-name="limit"] input[type="text"]').fill("3");
    const answer = page.waitForResponse(
      (response) => new URL(response.url()).pathname === tryPath,
      { timeout: TIMEOUT },
    );
    await block.locator("button.execute").click();
    const response = await answer;
    const status = block.locator(".live-responses-table .response .response-col_status").first();
    const body = block.locator(".live-responses-table .response-col_description pre").first();
    await status.waitFor({ timeout: TIMEOUT });
    result.try_it_out = {
      operation: `${tryMethod} ${tryPath}`,
      request_url: response.url(),
      sent_limit: new URL(response.url()).searchParams.get("limit"),
      http_status: response.status(),
      rendered_status: (await status.innerText()).trim(),
      rendered_body_start: (await body.innerText()).slice(0, 80),
      ms: since(start),
    };
    if (result.try_it_out.rendered_status !== "200") {
      const shown = result.try_it_out.rendered_status;
      watcher.problems.push(`"Execute" on ${tryMethod} ${tryPath} shows ${shown}, not 200`);
    }
    if (result.try_it_out.sent_limit !== "3") {
      watcher.problems.push(`"Execute" sent ${response.url()}, not the limit typed in the form`);
    }
    // The request as the reader sees it: its URL, then the server's answer.
    await block.locator(".request-url").evaluate((element) => element.scrollIntoView());
    await page.screenshot({ path: join(screenshots, "docs-try-it-out.png") });
  } catch (error) {
    watcher.problems.push(`/docs: ${error.message.split("\n")[0]}`);
    const path = join(screenshots, "docs-failed.png");
    await page.screenshot({ path, fullPage: true }).catch(() => {});
  }
  await page.close();
}

async function checkRedoc(context, operations, report) {
  const page = await context.newPage();
  const watcher = watch(page, base);
  const result = { problems: watcher.problems };
  report.redoc = result;
  try {
    let start = performance.now();
    await page.goto(`${base}/redoc`);
    await page
      .locator('[data-section-id^="operation/"], [data-section-id^="tag/"]')
      .first()
      .waitFor({ timeout: TIMEOUT });
    result.render_ms = since(start);
    const text = await page.locator("body").innerText();
    // ReDoc's error screens: a document it cannot fetch or read.
    if (/something went wrong|error downloading/i.test(text)) {
      watcher.problems.push(`/redoc shows an error: ${text.slice(0, 300)}`);
    }
    result.listed = await page.$$eval("[data-section-id]", (sections) =>
      sections.map((section) => section.getAttribute("data-section-id")),
    );
    const missing = operations.filter((op) => !result.listed.includes(op.section));
    if (missing.length) {
      watcher.problems.push(`/redoc does not list: ${missing.map((op) => op.name).join(", ")}`);
    }

    // The search runs in a web worker (allowed by the page's policy as a blob: worker).
    start = performance.now();
    await page.locator('[role="search"] input').fill("statements");
    const hits = page.locator('[data-role="search:results"] [role="menuitem"]');
    await hits.first().waitFor({ timeout: TIMEOUT });
    result.search = { query: "statements", results: await hits.count(), ms: since(start) };
    await page.screenshot({ path: join(screenshots, "redoc.png") });
  } catch (error) {
    watcher.problems.push(`/redoc: ${error.message.split("\n")[0]}`);
    await page.screenshot({ path: join(screenshots, "redoc-failed.png") }).catch(() => {});
  }
  await page.close();
}

const started = performance.now();
await mkdir(screenshots, { recursive: true });
const spec = await (await fetch(`${base}/openapi.json`)).json();
const operations = operationsOf(spec);
const report = { openapi: spec.openapi, operations: operations.map((op) => op.name), screenshots };
await withBrowser(async (context) => {
  report.browser = context.browser()?.version();
  await checkSwaggerUi(context, operations, report);
  await checkRedoc(context, operations, report);
});
report.total_ms = since(started);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
const problems = [...report.docs.problems, ...report.redoc.problems];
if (problems.length) {
  process.stderr.write(`${problems.map((problem) => `- ${problem}`).join("\n")}\n`);
  process.exit(1);
}
