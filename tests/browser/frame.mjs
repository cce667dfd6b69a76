// A pipeline's HTML report in the site's sandboxed frame, in a real headless Chromium,
// driven by tests/suite/browser.rs.
//   node frame.mjs URL
// Opens URL (a page with an `iframe.report`), waits for the report's own script to write
// #proof, and prints one JSON line: what #proof and #leaks say inside the frame, and every
// console message about blocked scripts.
import { chromium } from "playwright-core";

const [url] = process.argv.slice(2);
const LIMIT = 15000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--allow-file-access-from-files"],
});
const watchdog = setTimeout(() => { console.log(JSON.stringify({ error: "timed out" })); process.exit(1); }, 60000);
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const blocked = [];
  page.on("console", (m) => { if (/blocked script|sandbox/i.test(m.text())) blocked.push(m.text()); });
  await page.goto(url, { timeout: LIMIT });
  // The frame loads lazily: bring it into view.
  await page.locator("iframe.report").scrollIntoViewIfNeeded({ timeout: LIMIT });
  const deadline = Date.now() + LIMIT;
  let seen = { proof: null, leaks: null };
  while (Date.now() < deadline) {
    const frame = page.frames().find((f) => f !== page.mainFrame());
    if (frame) {
      try {
        seen = await frame.evaluate(() => ({
          proof: document.getElementById("proof")?.textContent ?? null,
          leaks: document.getElementById("leaks")?.textContent ?? null,
        }));
      } catch (e) {
        // Still loading.
      }
      if (seen.proof === "script ran") break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(JSON.stringify({ ...seen, blocked }));
} finally {
  clearTimeout(watchdog);
  await browser.close();
}
