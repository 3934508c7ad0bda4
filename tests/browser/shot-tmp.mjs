import { withBrowser, watch } from "./lib.mjs";
const [url, out, width = "1280", full = "1"] = process.argv.slice(2);
await withBrowser(async (context) => {
  const page = await context.newPage();
  const w = watch(page, new URL(url).origin);
  await page.goto(url);
  await page.screenshot({ path: out, fullPage: full === "1" });
  console.log(JSON.stringify(w.problems));
}, { viewport: { width: Number(width), height: 900 } });
