// Gate: the Nu Html Checker (vnu.jar, from the vnu-jar npm package, run on the machine's Java)
// over every HTML page and CSS file of a built site, except the raw copies under v/*/files/.
// Zero errors allowed; each error is printed as page:line:column: message.
// Usage: node html-validate.mjs SITE_DIR
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteArg, siteFiles, finish } from './lib.mjs';

const GATE = 'html-validate';
const site = siteArg(GATE);
const jar = fileURLToPath(new URL('./node_modules/vnu-jar/build/dist/vnu.jar', import.meta.url));
const files = siteFiles(site, ['.html', '.css']);
const failures = [];

// One JVM per chunk keeps the command line short on big sites; each run is bounded to 5 minutes.
const CHUNK = 500;
for (let i = 0; i < files.length; i += CHUNK) {
  const chunk = files.slice(i, i + CHUNK);
  const r = spawnSync(
    'java',
    ['-jar', jar, '--errors-only', '--also-check-css', '--format', 'json', '--stdout', ...chunk],
    { cwd: site, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 },
  );
  if (r.error || r.signal) {
    finish(GATE, [`could not run vnu.jar: ${r.error?.message ?? 'killed by ' + r.signal}`]);
  }
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    finish(GATE, [`vnu.jar exited ${r.status} without a JSON report: ${(r.stderr || r.stdout).slice(0, 2000)}`]);
  }
  for (const m of report.messages) {
    if (m.type !== 'error' && m.type !== 'non-document-error') continue;
    const page = m.url ? path.relative(site, fileURLToPath(m.url)) : '(no file)';
    const where = m.lastLine ? `:${m.lastLine}:${m.firstColumn ?? m.lastColumn ?? 0}` : '';
    const extract = m.extract ? `  near: ${JSON.stringify(m.extract.trim().slice(0, 120))}` : '';
    failures.push(`${page}${where}: ${m.message}${extract}`);
  }
}
finish(GATE, failures, `${files.length} files checked, 0 errors`);
