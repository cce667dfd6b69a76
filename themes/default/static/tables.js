// Sorting and filtering for long tables. Pages read well without it: this
// only adds a filter box and sort buttons to tables of more than ten rows,
// brings up the filter lists a page puts above a table (`data-filters-for`),
// and lets the keyboard reach a table that is wider than its box.
(function () {
  "use strict";
  function cellValue(cell) {
    var num = cell.querySelector("[data-value]");
    var raw = num ? num.getAttribute("data-value") : cell.textContent.replace(/,/g, "").trim();
    var n = parseFloat(raw);
    return isNaN(n) || !/^[-+]?[\d.]/.test(raw) ? { text: cell.textContent.trim().toLowerCase() } : { num: n };
  }
  function compare(a, b) {
    if (a.num !== undefined && b.num !== undefined) return a.num - b.num;
    if (a.num !== undefined) return -1;
    if (b.num !== undefined) return 1;
    return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
  }
  function enhance(table, n) {
    var body = table.tBodies[0], head = table.tHead;
    if (!body || !head || body.rows.length <= 10) return;
    var wrap = table.closest(".table-wrap") || table;
    var label = document.createElement("label");
    label.className = "table-filter";
    label.textContent = "Filter rows ";
    var input = document.createElement("input");
    input.type = "search";
    input.id = "table-filter-" + n;
    label.htmlFor = input.id;
    label.appendChild(input);
    wrap.parentNode.insertBefore(label, wrap);
    input.addEventListener("input", function () {
      table.dataset.query = input.value.toLowerCase();
      refresh(table);
    });
    Array.prototype.forEach.call(head.rows[0].cells, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(head.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var d = compare(cellValue(a.cells[col]), cellValue(b.cells[col]));
          return asc ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  // Shows the rows that hold the filter box's words and match every filter
  // list above the table (`data-filter` names the row's `data-*` words).
  function refresh(table) {
    var q = table.dataset.query || "";
    var tools = document.querySelector('[data-filters-for="' + table.id + '"]');
    var selects = tools ? Array.prototype.slice.call(tools.querySelectorAll("select[data-filter]")) : [];
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      var words = q === "" || r.textContent.toLowerCase().indexOf(q) >= 0;
      var picked = selects.every(function (s) {
        return s.value === "" || (" " + (r.dataset[s.dataset.filter] || "") + " ").indexOf(" " + s.value + " ") >= 0;
      });
      r.hidden = !(words && picked);
    });
  }
  function filters(tools) {
    var table = document.getElementById(tools.dataset.filtersFor);
    if (!table || !table.tBodies[0]) return;
    tools.hidden = false;
    Array.prototype.forEach.call(tools.querySelectorAll("select[data-filter]"), function (s) {
      s.addEventListener("change", function () { refresh(table); });
    });
  }
  // A table wider than its box scrolls: it takes focus, so arrow keys scroll
  // it, named by the heading of its section.
  function scrollable(wrap) {
    if (wrap.hasAttribute("tabindex")) return;
    var wide = wrap.scrollWidth > wrap.clientWidth + 1;
    if (!wide) return;
    var section = wrap.closest("section"), heading = section && section.querySelector("h2, h3");
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", heading ? heading.textContent.trim() : "Table");
  }
  function run() {
    Array.prototype.forEach.call(document.querySelectorAll("table.data"), enhance);
    Array.prototype.forEach.call(document.querySelectorAll("[data-filters-for]"), filters);
    var wraps = document.querySelectorAll(".table-wrap");
    Array.prototype.forEach.call(wraps, scrollable);
    addEventListener("resize", function () { Array.prototype.forEach.call(wraps, scrollable); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run); else run();
})();
