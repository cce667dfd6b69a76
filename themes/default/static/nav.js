// artsite run navigation: the version switcher and the links to later runs.
// A run's pages say nothing of the runs after it, so a new run leaves them
// as they are; this draws what they would say from the site's navigation
// files (see src/output/nav.rs), loaded with <script> tags so it works from
// file:// too. Without it the pages keep their links to earlier runs.
//
// Hooks, each with data-nav-run (the page's run id) and data-nav-key (the
// page's key across runs):
//   <details class="switcher" hidden>…<li class="all">…</li></ul></details>
//     gets the page in the runs around this one, newest first;
//   <span data-nav-next="in {id} →" data-nav-none="…" hidden></span>
//     becomes a link to the page in the nearest later run that has it.
(function () {
  "use strict";
  var me = document.currentScript;
  var root = me.src.replace(/static\/nav\.js([?#].*)?$/, "");
  var hooks = document.querySelectorAll("[data-nav-key]");
  if (!hooks.length) return;
  var N = (window.artsiteNav = { data: null, shards: {}, loading: {} });
  var SPAN = 5;

  N.runs = function (d) { N.data = d; };
  N.keys = function (n, map) { N.shards[n] = map; };

  function load(path) {
    if (!N.loading[path]) {
      N.loading[path] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = root + path;
        s.onload = resolve;
        s.onerror = function () { reject(new Error("cannot load " + path)); };
        document.head.appendChild(s);
      });
    }
    return N.loading[path];
  }

  // 32-bit FNV-1a over the key's UTF-8 bytes: the shard the site put it in.
  function shardOf(key, shards) {
    var h = 0x811c9dc5;
    new TextEncoder().encode(key).forEach(function (b) { h = Math.imul(h ^ b, 0x01000193) >>> 0; });
    return h % shards;
  }

  // The path of the page of `key` in each run that has it, by the run's place.
  function pagesOf(key) {
    return load("nav/runs.js").then(function () {
      var n = shardOf(key, N.data.shards);
      return load("nav/k-" + n + ".js").then(function () {
        var at = {};
        (N.shards[n][key] || []).forEach(function (span) {
          for (var i = span[0]; i < span[1]; i++) at[i] = N.data.runs[i][2] + span[2];
        });
        return at;
      });
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function link(href, text, rel) {
    var a = el("a", null, text);
    a.href = root + href;
    if (rel) a.rel = rel;
    return a;
  }
  // The run's verdict chip, as the pages draw it: an icon and the word.
  function verdict(word) {
    var chip = el("span", "verdict v-" + word);
    var icon = el("span", "v-icon", { pass: "✓", warn: "!", fail: "✕" }[word] || "–");
    icon.setAttribute("aria-hidden", "true");
    chip.appendChild(icon);
    chip.appendChild(document.createTextNode(word === "skip" ? "no data" : word));
    return chip;
  }

  // The runs within SPAN of run `me`, newest first, each with this page there
  // or, when it has none, its summary.
  function switcher(box, me, at) {
    var runs = N.data.runs, all = box.querySelector("li.all"), list = all.parentNode;
    var lo = Math.max(0, me - SPAN), hi = Math.min(runs.length - 1, me + SPAN);
    for (var i = hi; i >= lo; i--) {
      var li = el("li");
      li.appendChild(verdict(runs[i][1]));
      li.appendChild(document.createTextNode(" "));
      if (i === me) {
        var strong = el("strong", null, runs[i][0]);
        strong.setAttribute("aria-current", "true");
        li.appendChild(strong);
      } else if (at[i]) {
        li.appendChild(link(at[i], runs[i][0]));
      } else {
        li.appendChild(link(runs[i][2] + "index.html", runs[i][0]));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("span", "muted", "(not in this run: summary)"));
      }
      list.insertBefore(li, all);
    }
    box.hidden = false;
  }

  // The page in the nearest later run that has it, or the hook's word for none.
  function next(slot, me, at) {
    var runs = N.data.runs;
    for (var i = me + 1; i < runs.length; i++) {
      if (!at[i]) continue;
      slot.replaceWith(link(at[i], slot.getAttribute("data-nav-next").replace("{id}", runs[i][0]), "next"));
      return;
    }
    slot.replaceWith(el("span", "muted", slot.getAttribute("data-nav-none")));
  }

  hooks.forEach(function (hook) {
    var key = hook.getAttribute("data-nav-key"), run = hook.getAttribute("data-nav-run");
    pagesOf(key).then(function (at) {
      var me = N.data.runs.findIndex(function (r) { return r[0] === run; });
      if (me < 0) return;
      if (hook.hasAttribute("data-nav-next")) next(hook, me, at);
      else switcher(hook, me, at);
    }).catch(function () { /* the navigation files are missing: the page stays as built */ });
  });
})();
