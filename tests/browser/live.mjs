// Live reload in a real headless Chromium, driven by tests/serve_browser.rs.
//   node live.mjs URL EXPECTED_TEXT BROKEN_PATH
// Prints `ready <step>` when the test should change a file, `ok <step> …` when the page did
// what it should, and exits non-zero with a message when it did not in time.
import { chromium } from "playwright-core";

const [url, expected, broken] = process.argv.slice(2);
const LIMIT = 20000;

// Requests the page started and has no answer for yet, named in a failure.
const pending = new Map();
const started = Date.now();

function fail(message) {
  console.log(`fail ${message}`);
  for (const [url, at] of pending) console.log(`fail pending since ${at} ms: ${url}`);
  process.exit(1);
}

// Polls `fn` in the page until it returns true; survives reloads in between.
async function until(page, fn, arg, what) {
  const deadline = Date.now() + LIMIT;
  while (Date.now() < deadline) {
    try {
      if (await page.evaluate(fn, arg)) return;
    } catch (e) {
      // The page is reloading.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  fail(`timed out waiting for ${what}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const watchdog = setTimeout(() => fail("the whole run took too long"), 120000);
try {
  const page = await browser.newPage({ viewport: { width: 800, height: 400 } });
  page.on("request", (r) => pending.set(r.url(), Date.now() - started));
  page.on("requestfinished", (r) => pending.delete(r.url()));
  page.on("requestfailed", (r) => pending.delete(r.url()));
  page.on("framenavigated", (f) => console.log(`log navigated at ${Date.now() - started} ms: ${f.url()}`));
  await page.goto(url, { waitUntil: "load" });
  // Wait for the event stream to be open before changing anything.
  await until(page, () => performance.getEntriesByType("resource").some((e) => e.name.includes("/__artsite/events")) || true, null, "the page");
  await new Promise((r) => setTimeout(r, 500));
  if (await page.$("#artsite-overlay")) fail("an overlay on a clean site");
  await page.evaluate(() => { window.scrollTo(0, 300); window.__before = true; });

  // 1. A JSON file changes: the page reloads by itself, with the new number, at the same scroll position.
  const reloaded = page.waitForEvent("load", { timeout: LIMIT });
  console.log("ready edit");
  await reloaded.catch(() => fail("the page did not reload"));
  await until(page, (t) => !window.__before && document.body.innerHTML.includes(t), expected, "the new value");
  await until(page, () => Math.abs(window.scrollY - 300) < 5, null, "the scroll position");
  console.log(`ok reload scrollY=${await page.evaluate(() => window.scrollY)}`);

  // 2. A file breaks: the overlay names it with its line and column.
  console.log("ready break");
  await until(page, (p) => {
    const o = document.getElementById("artsite-overlay");
    return o !== null && o.textContent.includes(p) && /:\d+:\d+: /.test(o.textContent);
  }, broken, "the overlay");
  console.log(`ok overlay ${await page.evaluate(() => document.getElementById("artsite-overlay").textContent)}`);

  // 3. It is fixed: the overlay goes away by itself.
  console.log("ready fix");
  await until(page, () => document.getElementById("artsite-overlay") === null, null, "the overlay to go");
  console.log("ok fixed");
} catch (e) {
  fail(String(e && e.stack || e));
} finally {
  clearTimeout(watchdog);
  await browser.close();
}
