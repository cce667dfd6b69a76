// Gate: the site works air-gapped. No HTML page or CSS file (raw copies under v/*/files/ left out)
// may load anything from another host: element src/srcset/poster/data, <link href>, SVG href,
// CSS url() and @import in .css files, <style> blocks and style="" attributes. Plain navigation
// links (<a>/<area> href, form action) may point anywhere.
// Usage: node offline-check.mjs SITE_DIR
import fs from 'node:fs';
import path from 'node:path';
import { siteArg, siteFiles, finish } from './lib.mjs';

const GATE = 'offline-check';
const site = siteArg(GATE);

// A URL leaves the site when it is scheme-relative (//host/...) or has a scheme other than these.
const LOCAL_SCHEMES = new Set(['data', 'blob', 'about', 'javascript', 'mailto', 'tel']);
function isRemote(url) {
  const u = url.trim().replace(/[\t\n\r]/g, '');
  if (/^[\\/]{2}/.test(u)) return true;
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(u);
  return m !== null && !LOCAL_SCHEMES.has(m[1].toLowerCase());
}

// Enough entity decoding to see through href="&#104;ttps://..." style obfuscation.
function decode(s) {
  return s
    .replace(/&#x([0-9a-f]+);?/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_, d) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&colon;/gi, ':').replace(/&sol;/gi, '/').replace(/&amp;/gi, '&');
}

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

/** Remote url() and @import targets in a piece of CSS starting at `offset` of `text`. */
function cssRefs(css, text, offset, where, out) {
  const clean = css.replace(/\/\*[\s\S]*?\*\//g, (c) => ' '.repeat(c.length));
  const re = /url\(\s*(['"]?)([^'")]*)\1\s*\)|@import\s+(['"])([^'"]*)\3/gi;
  for (const m of clean.matchAll(re)) {
    const url = decode(m[2] ?? m[4]);
    if (isRemote(url)) out.push(`${where}:${lineOf(text, offset + m.index)}: CSS loads ${url}`);
  }
}

// Attributes that make the browser fetch something, whatever the element.
const FETCH_ATTRS = new Set(['src', 'srcset', 'poster', 'data', 'background', 'codebase', 'manifest', 'ping', 'imagesrcset']);
// Elements whose href is a link to follow, not a resource to fetch.
const NAV_HREF = new Set(['a', 'area', 'base']);
// <link rel> values that only describe a link (nothing is fetched), e.g. a canonical URL.
const NAV_RELS = new Set(['canonical', 'alternate', 'author', 'license', 'help', 'prev', 'next', 'bookmark', 'search', 'me']);

function checkHtml(rel, text, out) {
  // Comments hide nothing from this check, but they must not be parsed as tags.
  const html = text.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '));
  const tagRe = /<([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  const attrRe = /([^\s"'=<>\/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (const t of html.matchAll(tagRe)) {
    const tag = t[1].toLowerCase();
    const at = `${rel}:${lineOf(text, t.index)}`;
    const attrs = [...t[2].matchAll(attrRe)].map((a) => [a[1].toLowerCase(), decode(a[2] ?? a[3] ?? a[4] ?? '')]);
    const rels = (attrs.find(([n]) => n === 'rel')?.[1] ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const navLink = NAV_HREF.has(tag) || (tag === 'link' && rels.length > 0 && rels.every((r) => NAV_RELS.has(r)));
    for (const [name, value] of attrs) {
      if (name === 'style') cssRefs(value, text, t.index, rel, out);
      else if (name === 'srcset' || name === 'imagesrcset') {
        for (const c of value.split(',')) {
          const url = c.trim().split(/\s+/)[0];
          if (url && isRemote(url)) out.push(`${at}: <${tag} ${name}> loads ${url}`);
        }
      } else if (FETCH_ATTRS.has(name) || ((name === 'href' || name === 'xlink:href') && !navLink)) {
        if (isRemote(value)) out.push(`${at}: <${tag} ${name}> loads ${value}`);
      } else if (tag === 'meta' && name === 'content' && /url\s*=/i.test(value)) {
        // <meta http-equiv="refresh" content="0; url=..."> sends the reader elsewhere.
        const url = value.replace(/^[^;]*;\s*url\s*=\s*/i, '').replace(/^['"]|['"]$/g, '');
        if (isRemote(url)) out.push(`${at}: <meta refresh> goes to ${url}`);
      }
    }
    // The text of a <style> element is CSS.
    if (tag === 'style') {
      const end = html.indexOf('</style', t.index);
      const start = t.index + t[0].length;
      cssRefs(html.slice(start, end < 0 ? html.length : end), text, start, rel, out);
    }
  }
}

const files = siteFiles(site, ['.html', '.css']);
const failures = [];
for (const rel of files) {
  const text = fs.readFileSync(path.join(site, rel), 'utf8');
  if (rel.endsWith('.css')) cssRefs(text, text, 0, rel, failures);
  else checkHtml(rel, text, failures);
}
finish(GATE, failures, `${files.length} files checked, nothing loads from another host`);
