// artsite search. The index is a set of small scripts (see src/output/search.rs),
// loaded on demand with <script> tags so search also works from file://.
(function () {
  "use strict";
  var me = document.currentScript;
  var root = me.src.replace(/static\/search\.js([?#].*)?$/, "");
  var S = (window.artsiteSearch = { data: null, tokenShards: {}, docShards: {}, loading: {} });

  S.meta = function (m) { S.data = m; };
  S.tokens = function (name, map) { S.tokenShards[name] = map; };
  S.docs = function (n, list) { S.docShards[n] = list; };

  function load(path) {
    if (!S.loading[path]) {
      S.loading[path] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = root + path;
        s.onload = resolve;
        s.onerror = function () { reject(new Error("cannot load " + path)); };
        document.head.appendChild(s);
      });
    }
    return S.loading[path];
  }

  // "1 result", "1,234 results": the site's own count format.
  function counted(n, noun) {
    return n.toLocaleString("en-US") + " " + noun + (n === 1 ? "" : "s");
  }
  function words(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) { return [...w].length >= 2; });
  }
  function shardOf(token) {
    return [...token].slice(0, 2).map(function (c) { return /[a-z0-9]/.test(c) ? c : "_"; }).join("");
  }
  function decode(list) {
    var out = [], prev = 0;
    list.split(".").forEach(function (d) { prev += parseInt(d, 36); out.push(prev); });
    return out;
  }
  // Ids of the artifacts with a token that starts with `word`.
  function idsFor(word) {
    var shard = shardOf(word);
    if (S.data.shards.indexOf(shard) < 0) return Promise.resolve(new Set());
    return load("search/t-" + shard + ".js").then(function () {
      var map = S.tokenShards[shard], ids = new Set();
      Object.keys(map).forEach(function (t) {
        if (t.lastIndexOf(word, 0) === 0) decode(map[t]).forEach(function (i) { ids.add(i); });
      });
      return ids;
    });
  }
  function intersect(a, b) { return a === null ? b : new Set([...a].filter(function (x) { return b.has(x); })); }

  // Runs a query: { q, version, type, stage } → Promise of { total, docs }.
  S.search = function (query, limit) {
    return load("search/meta.js").then(function () {
      var m = S.data, ws = words(query.q || "");
      var version = m.versions.find(function (v) { return v[0] === query.version; });
      var pending = ws.map(idsFor);
      return Promise.all(pending).then(function (sets) {
        var ids = null;
        sets.forEach(function (s) { ids = intersect(ids, s); });
        if (ids === null) {
          if (!version) return { total: 0, docs: [], empty: true };
          ids = new Set();
          for (var i = version[3]; i < version[4]; i++) ids.add(i);
        }
        var list = [...ids].sort(function (a, b) { return a - b; });
        if (version) list = list.filter(function (i) { return i >= version[3] && i < version[4]; });
        return filterAndFetch(list, query, limit);
      });
    });
  };

  // Loads doc shards in order, keeping docs that pass the type and stage filters.
  function filterAndFetch(list, query, limit) {
    var m = S.data, kept = [], total = 0, per = m.per_shard;
    var typeIx = query.type ? m.types.indexOf(query.type) : -1;
    var stageIx = query.stage ? m.stages.indexOf(query.stage) : -1;
    var needsDocs = typeIx >= 0 || stageIx >= 0;
    if ((query.type && typeIx < 0) || (query.stage && stageIx < 0)) return Promise.resolve({ total: 0, docs: [] });
    var shards = [];
    list.forEach(function (i) { var n = Math.floor(i / per); if (shards[shards.length - 1] !== n) shards.push(n); });
    var k = 0;
    function next() {
      if (k >= shards.length || (!needsDocs && kept.length >= limit)) {
        return { total: needsDocs ? total : list.length, docs: kept };
      }
      var n = shards[k++];
      return load("search/d-" + n + ".js").then(function () {
        list.forEach(function (i) {
          if (Math.floor(i / per) !== n) return;
          var d = S.docShards[n][i - n * per];
          if ((typeIx >= 0 && d[2] !== typeIx) || (stageIx >= 0 && d[1] !== stageIx)) return;
          total++;
          if (kept.length < limit) kept.push(d);
        });
        return next();
      });
    }
    return next();
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fill(select, values, chosen) {
    values.forEach(function (v) {
      var o = el("option", null, v);
      o.value = v;
      if (v === chosen) o.selected = true;
      select.appendChild(o);
    });
  }

  // `text` with every word that starts with one of `words` marked, as nodes.
  function marked(text, words) {
    var frag = document.createDocumentFragment();
    text.split(/([^\p{L}\p{N}]+)/u).forEach(function (part) {
      var lower = part.toLowerCase();
      var hit = words.find(function (w) { return lower.lastIndexOf(w, 0) === 0; });
      if (!hit) { frag.appendChild(document.createTextNode(part)); return; }
      var n = [...hit].length, chars = [...part];
      frag.appendChild(el("mark", null, chars.slice(0, n).join("")));
      frag.appendChild(document.createTextNode(chars.slice(n).join("")));
    });
    return frag;
  }

  // The search page: read the query from the URL, fill the filters, show
  // results as the query is typed and the filters change.
  function page() {
    var form = document.getElementById("search-form");
    if (!form) return;
    // The run's verdict chip, as the pages draw it: an icon and the word.
    function verdict(word) {
      var chip = el("span", "verdict v-" + word), icon = el("span", "v-icon", { pass: "✓", warn: "!", fail: "✕" }[word] || "–");
      icon.setAttribute("aria-hidden", "true");
      chip.appendChild(icon);
      chip.appendChild(document.createTextNode(word));
      return chip;
    }
    var status = document.getElementById("search-status"), out = document.getElementById("search-results");
    var header = document.getElementById("site-q");
    var params = new URLSearchParams(location.search);
    var fields = ["q", "version", "type", "stage"];
    fields.forEach(function (f) { if (params.get(f) && form.elements[f].tagName === "INPUT") form.elements[f].value = params.get(f); });
    if (header) header.value = form.elements.q.value;
    var asked = 0;
    // One result per artifact (name, stage and type), with the runs it is in, newest first.
    function groups(docs) {
      var byKey = new Map();
      docs.forEach(function (d) {
        var key = d[0] + "\u0000" + d[1] + "\u0000" + d[2];
        if (!byKey.has(key)) byKey.set(key, []);
        byKey.get(key).push(d);
      });
      return [...byKey.values()].map(function (list) { return list.sort(function (a, b) { return b[3] - a[3]; }); });
    }
    function run() {
      var query = {};
      fields.forEach(function (f) { query[f] = form.elements[f].value.trim(); });
      if (header) header.value = query.q;
      var words = query.q ? query.q.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean) : [];
      var mine = ++asked, t0 = performance.now();
      status.textContent = "Searching…";
      S.search(query, 200).then(function (r) {
        if (mine !== asked) return;
        out.textContent = "";
        if (r.empty) { status.textContent = "Type a word, or choose a version."; return; }
        var ms = Math.round(performance.now() - t0), found = groups(r.docs);
        status.textContent = counted(found.length, "result") + " in " + counted(r.total, "page") + (r.total > r.docs.length ? ", the first " + r.docs.length.toLocaleString("en-US") + " grouped" : "") + " (" + ms + " ms).";
        found.forEach(function (list) {
          var d = list[0], li = el("li", "hit"), a = el("a");
          a.href = root + d[4];
          a.appendChild(marked(d[0], words));
          li.appendChild(a);
          var meta = el("span", "muted");
          meta.appendChild(el("span", "badge", S.data.types[d[2]]));
          meta.appendChild(document.createTextNode(" "));
          meta.appendChild(marked(S.data.stages[d[1]], words));
          li.appendChild(document.createTextNode(" "));
          li.appendChild(meta);
          if (d[5]) { var desc = el("div", "desc"); desc.appendChild(marked(d[5], words)); li.appendChild(desc); }
          var runs = el("ul", "hit-runs");
          runs.setAttribute("aria-label", "In " + counted(list.length, "run"));
          list.forEach(function (doc) {
            var v = S.data.versions.find(function (x) { return x[2] === doc[3]; }), item = el("li"), link = el("a");
            link.href = root + doc[4];
            link.appendChild(marked(v[0], words));
            item.appendChild(link);
            item.appendChild(document.createTextNode(" "));
            item.appendChild(verdict(v[5]));
            // The errors and warnings found in this run's file, or a check's outcome.
            var found = doc[6] || [0, 0], check = S.data.types[doc[2]] === "check";
            if (found[0]) { item.appendChild(document.createTextNode(" ")); item.appendChild(el("span", "badge bad", check ? "failed" : counted(found[0], "error"))); }
            if (found[1]) { item.appendChild(document.createTextNode(" ")); item.appendChild(el("span", "badge warn", check ? "warned" : counted(found[1], "warning"))); }
            runs.appendChild(item);
          });
          li.appendChild(runs);
          out.appendChild(li);
        });
      }).catch(function (e) { if (mine === asked) status.textContent = "Search failed: " + e.message; });
    }
    // The address says what is shown, so it can be shared and goes back.
    function remember() {
      var p = new URLSearchParams();
      fields.forEach(function (f) { if (form.elements[f].value) p.set(f, form.elements[f].value); });
      try { history.replaceState(null, "", "?" + p.toString()); } catch (e) { /* file:// may refuse; the search still runs */ }
    }
    var timer = null;
    function soon() {
      clearTimeout(timer);
      timer = setTimeout(function () { remember(); run(); }, 120);
    }
    load("search/meta.js").then(function () {
      fill(form.elements.version, S.data.versions.map(function (v) { return v[0]; }), params.get("version"));
      fill(form.elements.type, S.data.types.slice().sort(), params.get("type"));
      fill(form.elements.stage, S.data.stages.slice().sort(), params.get("stage"));
      if (fields.some(function (f) { return params.get(f); })) run();
    });
    form.elements.q.addEventListener("input", soon);
    ["version", "type", "stage"].forEach(function (f) { form.elements[f].addEventListener("change", soon); });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      remember();
      run();
    });
    // Arrow keys move from the words to the results and through them.
    form.elements.q.addEventListener("keydown", function (ev) {
      var first = out.querySelector("a");
      if (ev.key === "ArrowDown" && first) { ev.preventDefault(); first.focus(); }
    });
    out.addEventListener("keydown", function (ev) {
      if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
      var hit = document.activeElement.closest("li.hit");
      if (!hit) return;
      var links = [...out.querySelectorAll("li.hit > a")], at = links.indexOf(hit.querySelector("a"));
      ev.preventDefault();
      var next = at + (ev.key === "ArrowDown" ? 1 : -1);
      if (next < 0) form.elements.q.focus(); else if (next < links.length) links[next].focus();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", page); else page();
})();
