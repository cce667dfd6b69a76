// The search page as a person uses it, in a real headless Chromium, driven by
// tests/suite/browser.rs.
//   node search.mjs URL WORDS...
// Opens URL (the search page), types each of WORDS into the words box in turn, without pressing
// Search or Enter, and after each prints what the page shows: one JSON line with a list of
// {typed, hits: [{name, runs}], marked, header} where `runs` counts each hit's run links, `marked`
// the highlighted words, and `header` what the top bar's search box says.
import { chromium } from "playwright-core";

const [url, ...words] = process.argv.slice(2);
const LIMIT = 15000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--allow-file-access-from-files"],
});
const watchdog = setTimeout(() => { console.log(JSON.stringify({ error: "timed out" })); process.exit(1); }, 60000);
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url, { timeout: LIMIT });
  const seen = [];
  let typed = "";
  for (const w of words) {
    await page.locator("#q").fill("");
    typed = w;
    await page.locator("#q").pressSequentially(w, { delay: 20 });
    // Results follow the words: wait until the status names them.
    await page.waitForFunction((t) => {
      const s = document.getElementById("search-status").textContent;
      return new URLSearchParams(location.search).get("q") === t && /result|Type a word/.test(s);
    }, w, { timeout: LIMIT }).catch(() => {});
    seen.push(await page.evaluate((t) => ({
      typed: t,
      status: document.getElementById("search-status").textContent,
      hits: [...document.querySelectorAll("#search-results > li.hit")].map((li) => ({
        name: li.querySelector("a").textContent,
        runs: li.querySelectorAll("ul.hit-runs a").length,
      })),
      marked: [...document.querySelectorAll("#search-results mark")].slice(0, 5).map((m) => m.textContent),
      header: document.getElementById("site-q")?.value ?? null,
    }), typed));
  }
  console.log(JSON.stringify(seen));
} finally {
  clearTimeout(watchdog);
  await browser.close();
}
