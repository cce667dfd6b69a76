// Gate: a real browser. Loads one page of every page kind of a built site in headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core), over loopback HTTP and from file://,
// in light mode (desktop width) and dark mode (phone width). Fails on any console error, failed
// request, request to another host, HTTP status >= 400 or uncaught exception. Then runs axe-core
// in each page and fails on any serious or critical violation, naming page, rule and selectors, and
// on a page wider than its window or chart text under 11 px.
//
// Usage: node browser-check.mjs SITE_DIR [--allow-missing-kinds]
//   --allow-missing-kinds  a page kind the site has no page of is a note, not a failure
//                          (the example site has every kind, so CI leaves this off).
// Env: CHROMIUM (default /usr/bin/chromium).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { siteArg, finish } from './lib.mjs';

const GATE = 'browser-check';
const site = siteArg(GATE);
const allowMissingKinds = process.argv.includes('--allow-missing-kinds');
const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Every step is bounded; the whole gate too, so a hung browser cannot hang CI.
const LAUNCH_MS = 60_000;
const NAV_MS = 20_000;
const SETTLE_MS = 5_000;
const AXE_MS = 60_000;
const WHOLE_GATE_MS = 10 * 60_000;
const watchdog = setTimeout(() => {
  console.error(`${GATE}: FAIL the gate did not finish within ${WHOLE_GATE_MS / 1000}s`);
  process.exit(1);
}, WHOLE_GATE_MS);

/** Rejects when `promise` has not settled after `ms`. */
function bounded(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---- Which pages to load: one per page kind, found from index.json and the folder layout. ----

function exists(rel) {
  return fs.existsSync(path.join(site, rel));
}

/** index.html files found below `dir` (relative to the site), sorted. */
function indexPagesUnder(dir) {
  const out = [];
  const walk = (rel) => {
    const abs = path.join(site, rel);
    if (!fs.existsSync(abs)) return;
    for (const e of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(`${rel}/${e.name}`);
      else if (e.name === 'index.html') out.push(`${rel}/index.html`);
    }
  };
  walk(dir);
  return out;
}

/** How an ETL JSON file reads: 'ok', 'nonfinite' (Python's NaN/Infinity) or 'malformed'. */
function etlState(file) {
  const text = fs.readFileSync(file, 'utf8');
  try {
    JSON.parse(text);
    return 'ok';
  } catch {
    try {
      JSON.parse(text.replace(/-?\b(?:NaN|Infinity)\b/g, 'null'));
      return 'nonfinite';
    } catch {
      return 'malformed';
    }
  }
}

function pickPages() {
  const index = JSON.parse(fs.readFileSync(path.join(site, 'index.json'), 'utf8'));
  // Newest version first, so the pages picked are the ones people look at most.
  const versions = [...index.versions].sort((a, b) => (b.time ?? 0) - (a.time ?? 0));
  const dirOf = (v) => path.posix.dirname(v.page);
  const firstArtifact = (test) => {
    for (const v of versions) for (const a of v.artifacts) if (test(a)) return a.page;
    return null;
  };
  const firstPage = (sub, test = () => true) => {
    for (const v of versions) for (const p of indexPagesUnder(`${dirOf(v)}/${sub}`)) if (test(v, p)) return p;
    return null;
  };
  // An ETL file's page is its artifact's: key figures and the document's tree.
  const etlWith = (state) =>
    firstArtifact((a) => {
      if (!a.file || !/\/files\/etl_metadata\/.*\.json$/i.test(a.file)) return false;
      const raw = path.join(site, a.file);
      return fs.existsSync(raw) && fs.statSync(raw).size > 0 && etlState(raw) === state;
    });
  const ext = (a, re) => a.file && re.test(a.file);
  const kinds = {
    home: 'index.html',
    latest: 'latest/index.html',
    problems: 'problems/index.html',
    '404': '404.html',
    version: versions[0]?.page,
    'artifacts index': versions.map((v) => `${dirOf(v)}/artifacts/index.html`).find(exists),
    'artifact (JSON)': firstArtifact((a) => a.status === 'listed' && ext(a, /\.json$/i)),
    'artifact (image)': firstArtifact((a) => a.status === 'listed' && ext(a, /\.(png|jpe?g|gif|svg|webp)$/i)),
    'artifact (HTML report)': firstArtifact((a) => ext(a, /\.html?$/i)),
    'artifact (missing file)': firstArtifact((a) => a.status === 'missing'),
    'artifact (unlisted)': firstArtifact((a) => a.status === 'unlisted'),
    stage: firstPage('stages'),
    'etl (ok)': etlWith('ok'),
    'etl (NaN/Infinity)': etlWith('nonfinite'),
    'etl (malformed JSON)': etlWith('malformed'),
    eda: firstPage('eda'),
    trends: 'trends/index.html',
    quality: versions.map((v) => `${dirOf(v)}/quality/index.html`).find(exists),
    compare: versions.map((v) => `${dirOf(v)}/compare/index.html`).find(exists),
    search: 'search/index.html?q=clean',
  };
  // The report viewer, showing the first HTML report, as its "Open full page" links do.
  const report = versions.flatMap((v) => v.artifacts).find((a) => ext(a, /\.html?$/i));
  if (report) kinds.viewer = `view.html?src=${encodeURIComponent(report.file)}&from=${encodeURIComponent(report.page)}`;
  const pages = [];
  const missing = [];
  for (const [kind, target] of Object.entries(kinds)) {
    // A page with a query (search, the viewer) is the file before it, opened with the query.
    const [rel, query] = target ? target.split(/(?=\?)/) : [null, ''];
    if (rel && exists(rel)) pages.push({ kind, rel, query: query ?? '' });
    else missing.push(kind);
  }
  return { pages, missing };
}

// ---- A tiny static server: 127.0.0.1 only, files under the site only, stopped at the end. ----

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif',
  '.svg': 'image/svg+xml', '.webp': 'image/webp', '.pdf': 'application/pdf', '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8', '.log': 'text/plain; charset=utf-8', '.xml': 'application/xml',
};

function serve(root) {
  const server = http.createServer((req, res) => {
    let file;
    try {
      file = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type });
    fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// ---- One page load: everything that went wrong, as messages. ----

/** True for a request that would leave the machine (the context's route blocks it). */
function leaves(url, origin) {
  const u = new URL(url);
  return !['file:', 'data:', 'blob:', 'about:'].includes(u.protocol) && u.origin !== origin;
}

async function check(context, url, { axe, redirects, origin }) {
  const problems = [];
  const page = await context.newPage();
  page.setDefaultTimeout(NAV_MS);
  // A blocked request to another host is reported once, as such, not again as a failed load.
  const BLOCKED = 'net::ERR_BLOCKED_BY_CLIENT';
  // A report is the pipeline's own HTML in a sandboxed frame: what it loads or fails to load (its
  // figures from file://, where the sandbox gives it no origin; a CDN, which its page names) is the
  // report's business, not the site's.
  const inReport = (u) => (u ?? '').includes('/files/');
  page.on('request', (r) => {
    if (leaves(r.url(), origin) && !(r.frame() !== page.mainFrame() && inReport(r.frame().url()))) {
      problems.push(`request to another host: ${r.url()}`);
    }
  });
  page.on('console', (m) => {
    if (m.type() !== 'error' || m.text().includes(BLOCKED) || inReport(m.location()?.url)) return;
    problems.push(`console error: ${m.text()}${m.location()?.url ? ` (at ${m.location().url})` : ''}`);
  });
  page.on('pageerror', (e) => {
    if (!inReport(e.stack)) problems.push(`uncaught exception: ${e.message}`);
  });
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (r.frame() !== page.mainFrame() && inReport(r.frame().url())) return;
    if (!why.startsWith(BLOCKED)) problems.push(`failed request: ${r.url()} (${why})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  try {
    await page.goto(url, { waitUntil: 'load', timeout: NAV_MS });
    // A <meta http-equiv="refresh"> page (latest/) moves on by itself: follow it, then check where it lands.
    if (redirects) {
      await page.waitForURL((u) => u.href !== url, { timeout: NAV_MS });
      await page.waitForLoadState('load', { timeout: NAV_MS });
    }
    // Lazy images and frames load only near the viewport: scroll to the end, then let the network settle.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForLoadState('networkidle', { timeout: SETTLE_MS }).catch(() => {});
    if (axe) {
      await bounded(page.evaluate(AXE_SOURCE), AXE_MS, 'loading axe-core');
      // The raw EDA reports in frames are the pipeline's own files, not the theme's: frames are not checked.
      const result = await bounded(
        page.evaluate(() => window.axe.run(document, { iframes: false, resultTypes: ['violations'] })),
        AXE_MS,
        'axe-core run',
      );
      const landed = redirects ? ` (on ${page.url()}, where it redirected)` : '';
      for (const v of result.violations) {
        if (v.impact !== 'serious' && v.impact !== 'critical') continue;
        const targets = v.nodes.map((n) => n.target.join(' ')).slice(0, 8);
        const more = v.nodes.length > targets.length ? ` and ${v.nodes.length - targets.length} more` : '';
        problems.push(`axe ${v.id} (${v.impact})${landed}: ${v.help} -- ${targets.join(', ')}${more}`);
      }
    }
    // Nothing but a table's own region scrolls sideways, and chart text stays readable at any width.
    const layout = await page.evaluate(() => {
      let small = Infinity, where = '';
      for (const t of document.querySelectorAll('.lc *, .bc *')) {
        if (![...t.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) || !t.getClientRects().length) continue;
        const px = parseFloat(getComputedStyle(t).fontSize);
        if (px < small) [small, where] = [px, `${t.tagName.toLowerCase()}.${t.className}`];
      }
      return { width: document.documentElement.scrollWidth, viewport: innerWidth, small, where };
    });
    if (layout.width > layout.viewport) problems.push(`the page is ${layout.width} px wide in a ${layout.viewport} px window`);
    if (layout.small < 11) problems.push(`chart text of ${layout.small} px (${layout.where}), under 11 px`);
  } catch (e) {
    problems.push(`could not check the page: ${e.message.split('\n')[0]}`);
  } finally {
    await page.close().catch(() => {});
  }
  return problems;
}

// ---- Main ----

const { pages, missing } = pickPages();
const failures = [];
// Page problems, each with the modes (transport/colour scheme) it showed up in: one line each.
const byPage = new Map();
for (const kind of missing) {
  if (allowMissingKinds) console.log(`${GATE}: note: this site has no page of kind "${kind}"`);
  else failures.push(`(site): no page of kind "${kind}" found to check`);
}

const server = await serve(site);
const origin = `http://127.0.0.1:${server.address().port}`;
let browser;
try {
  // playwright-core launches with a fresh temporary --user-data-dir of its own and removes it on close.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: LAUNCH_MS,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  // Light mode on a desktop-sized window, dark mode on a phone-sized one: both layouts get checked
  // (tables that scroll sideways, wrapped navigation) without a third pass.
  const viewports = { light: { width: 1280, height: 900 }, dark: { width: 390, height: 844 } };
  for (const colorScheme of ['light', 'dark']) {
    const context = await browser.newContext({ colorScheme, viewport: viewports[colorScheme] });
    // Nothing may leave the machine: any http(s) request to another host is blocked and reported.
    await context.route((u) => leaves(u.href, origin), (route) => route.abort('blockedbyclient'));
    for (const transport of ['http', 'file']) {
      for (const { kind, rel, query } of pages) {
        const url = (transport === 'http' ? `${origin}/${rel}` : pathToFileURL(path.join(site, rel)).href) + query;
        // axe-core once per page and colour scheme (over HTTP); load errors over both transports.
        const redirects = /<meta[^>]*http-equiv\s*=\s*["']?refresh/i.test(fs.readFileSync(path.join(site, rel), 'utf8'));
        const problems = await check(context, url, { axe: transport === 'http', redirects, origin });
        for (const p of new Set(problems)) {
          const key = `${rel} [${kind}]: ${p}`;
          if (!byPage.has(key)) byPage.set(key, []);
          byPage.get(key).push(`${transport}/${colorScheme}`);
        }
      }
    }
    // Make sure the dark run really was dark, or its contrast results would mean nothing.
    const probe = await context.newPage();
    await probe.goto(`${origin}/index.html`, { timeout: NAV_MS });
    const dark = await probe.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
    if (dark !== (colorScheme === 'dark')) failures.push(`(site): prefers-color-scheme emulation for ${colorScheme} did not apply`);
    await context.close();
  }
} catch (e) {
  failures.push(`(browser): ${e.message.split('\n')[0]}`);
} finally {
  await browser?.close().catch(() => {});
  server.closeAllConnections();
  server.close();
  clearTimeout(watchdog);
}
for (const [key, modes] of byPage) failures.push(`${key}  (${modes.join(', ')})`);
finish(GATE, failures, `${pages.length} page kinds x http/file x light (desktop)/dark (phone), axe-core clean`);
