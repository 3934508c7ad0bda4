// The browser harness: Debian's chromium, headless, driven by playwright-core, and a watcher
// that records what a page does wrong (console errors, uncaught exceptions, failed requests,
// requests that leave the API's origin). Scripts beside this file use it; the Python side
// (harness.py) runs them from pytest.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium } from "playwright-core";

export const CHROMIUM = process.env.EVENTDB_CHROMIUM || "/usr/bin/chromium";

// The machine has no internet: nothing may phone home (updates, sync, field trials, QUIC probes).
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Runs `use(context)` in a new headless chromium with a new, empty profile, then closes both. */
export async function withBrowser(use, { viewport = { width: 1280, height: 900 } } = {}) {
  const profile = await mkdtemp(join(tmpdir(), "eventdb-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    timeout: 30_000,
  });
  try {
    return await use(context);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** Records every problem of `page` from now on, in `watcher.problems`; `origin` is the API's
 * (http://host:port): a request anywhere else is a problem too. */
export function watch(page, origin) {
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") {
      const where = message.location()?.url || "";
      problems.push(`console error: ${message.text()} ${where}`.trim());
    }
  });
  page.on("pageerror", (error) => problems.push(`uncaught exception: ${error.message}`));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !/^(data|blob|about):/.test(url)) {
      problems.push(`request outside the API: ${request.method()} ${url}`);
    }
  });
  page.on("requestfailed", (request) => {
    const why = request.failure()?.errorText;
    problems.push(`failed request: ${request.method()} ${request.url()} (${why})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) {
      problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
    }
  });
  return { problems };
}

/** Milliseconds since `start` (a `performance.now()`), rounded. */
export function since(start) {
  return Math.round(performance.now() - start);
}

/** Parses `--name value` pairs of the command line into an object. */
export function options(argv = process.argv.slice(2)) {
  const parsed = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) {
      throw new Error(`expected --name value pairs, got: ${argv.join(" ")}`);
    }
    parsed[argv[i].slice(2)] = argv[i + 1];
  }
  return parsed;
}
