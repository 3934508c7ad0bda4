import { withBrowser, watch } from "./lib.mjs";
const [url, out] = process.argv.slice(2);
await withBrowser(async (context) => {
  const page = await context.newPage();
  const w = watch(page, new URL(url).origin);
  await page.goto(url);
  const mark = page.locator('mark[data-kind="statement"]').nth(3);
  await mark.focus();
  await page.keyboard.press("Enter");
  await page.waitForTimeout(200);
  await page.screenshot({ path: out });
  console.log(JSON.stringify(w.problems), await page.locator("#fact-card").innerText());
});
