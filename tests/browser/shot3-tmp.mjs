import { withBrowser, watch } from "./lib.mjs";
const [url, out, selector] = process.argv.slice(2);
await withBrowser(async (context) => {
  const page = await context.newPage();
  const w = watch(page, new URL(url).origin);
  await page.goto(url);
  await page.locator(selector).screenshot({ path: out });
  console.log(JSON.stringify(w.problems));
});
