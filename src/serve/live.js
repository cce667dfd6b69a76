// artsite serve: live reload. Injected into served pages only, never into `artsite build` output.
// Listens on /__artsite/events: `reload` reloads this page when it or something it loaded
// changed (keeping the scroll position), `css` swaps stylesheets in place, `errors` shows or
// hides a list of the site's errors.
(function () {
  "use strict";
  var me = document.currentScript;
  var build = me.getAttribute("data-build");
  var instance = me.getAttribute("data-instance");
  var here = decodeURIComponent(location.pathname).replace(/^\/+/, "");
  if (here === "" || here.slice(-1) === "/") here += "index.html";
  var scrollKey = "artsite-scroll:" + location.pathname;

  // Back where we were before a live reload.
  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(scrollKey) || "null"); } catch (e) { saved = null; }
  if (saved) {
    sessionStorage.removeItem(scrollKey);
    var restore = function () { window.scrollTo(saved[0], saved[1]); };
    restore();
    window.addEventListener("load", restore);
  }

  function sitePath(url) {
    try {
      var u = new URL(url, location.href);
      if (u.origin !== location.origin) return null;
      return decodeURIComponent(u.pathname).replace(/^\/+/, "");
    } catch (e) { return null; }
  }

  // This page and everything it loaded from the site (images, frames, scripts, styles).
  function used() {
    var set = {};
    set[here] = true;
    if (window.performance && performance.getEntriesByType) {
      performance.getEntriesByType("resource").forEach(function (e) {
        var p = sitePath(e.name);
        if (p !== null) set[p] = true;
      });
    }
    document.querySelectorAll("img[src], iframe[src], embed[src], object[data], source[src], script[src], link[href]")
      .forEach(function (el) {
        var p = sitePath(el.getAttribute("src") || el.getAttribute("data") || el.getAttribute("href"));
        if (p !== null) set[p] = true;
      });
    return set;
  }

  function reload() {
    try { sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY])); } catch (e) { /* private mode */ }
    location.reload();
  }

  function overlay(errors) {
    var box = document.getElementById("artsite-overlay");
    var key = JSON.stringify(errors);
    var dismissed = null;
    try { dismissed = sessionStorage.getItem("artsite-overlay-dismissed"); } catch (e) { dismissed = null; }
    if (!errors.length || dismissed === key) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("aside");
      box.id = "artsite-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;z-index:2147483647;left:1rem;right:1rem;bottom:1rem;max-height:50vh;" +
        "overflow:auto;margin:0;padding:1rem 1.25rem;background:#2b0b0e;color:#ffe8e8;border:2px solid #ff6b6b;" +
        "border-radius:8px;font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
        "box-shadow:0 8px 30px rgba(0,0,0,.4);text-align:left";
      document.body.appendChild(box);
    }
    box.textContent = "";
    var head = document.createElement("p");
    head.style.cssText = "margin:0 0 .5rem;font-weight:bold";
    head.textContent = "artsite: " + errors.length + (errors.length === 1 ? " error" : " errors");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.style.cssText = "float:right;font:inherit;color:inherit;background:transparent;border:1px solid currentColor;border-radius:4px;cursor:pointer";
    close.addEventListener("click", function () {
      try { sessionStorage.setItem("artsite-overlay-dismissed", key); } catch (e) { /* private mode */ }
      box.remove();
    });
    head.appendChild(close);
    box.appendChild(head);
    var list = document.createElement("ul");
    list.style.cssText = "margin:0;padding-left:1.25rem";
    errors.forEach(function (d) {
      var item = document.createElement("li");
      var where = d.path || "";
      if (d.line != null) where += ":" + d.line + (d.column != null ? ":" + d.column : "");
      item.textContent = (where ? where + ": " : "") + d.message;
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  var url = "/__artsite/events?build=" + encodeURIComponent(build) + "&instance=" + encodeURIComponent(instance) +
    "&path=" + encodeURIComponent(here);
  var events = new EventSource(url);
  events.addEventListener("reload", function (e) {
    var d = JSON.parse(e.data);
    if (d.all) return reload();
    var mine = used();
    for (var i = 0; i < d.paths.length; i++) {
      if (mine[d.paths[i]]) return reload();
    }
  });
  events.addEventListener("css", function (e) {
    var d = JSON.parse(e.data);
    document.querySelectorAll("link[rel~=stylesheet][href]").forEach(function (link) {
      var p = sitePath(link.getAttribute("href"));
      if (p !== null && d.paths.indexOf(p) >= 0) {
        var bare = link.getAttribute("href").replace(/[?#].*$/, "");
        link.setAttribute("href", bare + "?v=" + d.build);
      }
    });
  });
  events.addEventListener("errors", function (e) {
    overlay(JSON.parse(e.data));
  });
})();
