// Helpers shared by the gates: which files of a built site are ours, and how a gate reports.
import fs from 'node:fs';
import path from 'node:path';

/** The site folder from argv, checked; exits 2 with usage when missing. */
export function siteArg(gate) {
  // Under `npm run`, the working directory is gates/: resolve against where npm was started.
  const site = process.argv[2] && path.resolve(process.env.INIT_CWD ?? '.', process.argv[2]);
  if (!site || !fs.existsSync(path.join(site, 'index.html'))) {
    console.error(`usage: node ${gate}.mjs SITE_DIR   (a built artsite site, with index.html)`);
    process.exit(2);
  }
  return site;
}

/** True for raw files copied from the pipeline (v/<version>/files/...): not ours to check. */
export function isRawCopy(rel) {
  return /^v\/[^/]+\/files\//.test(rel.split(path.sep).join('/'));
}

/** Every file of the site with one of `exts`, as paths relative to `site`, sorted; raw copies left out. */
export function siteFiles(site, exts) {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      const rel = path.relative(site, abs).split(path.sep).join('/');
      if (isRawCopy(rel + (e.isDirectory() ? '/' : ''))) continue;
      if (e.isDirectory()) walk(abs);
      else if (exts.some((x) => e.name.endsWith(x))) out.push(rel);
    }
  };
  walk(site);
  return out.sort();
}

/** Prints the verdict of a gate and exits: 0 when `failures` is empty, else 1 (one line per failure). */
export function finish(gate, failures, okSummary) {
  if (failures.length === 0) {
    console.log(`${gate}: OK (${okSummary})`);
    process.exit(0);
  }
  for (const f of failures) console.error(`${gate}: FAIL ${f}`);
  console.error(`${gate}: ${failures.length} failure${failures.length === 1 ? '' : 's'}`);
  process.exit(1);
}
