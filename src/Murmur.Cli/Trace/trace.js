// murmur trace: interactivity for the pre-drawn SVG. No network, no libraries.
window.onerror = function (message, source, line) {
  document.body.dataset.error = String(message) + " (line " + line + ")";
};
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("trace-data").textContent);
  var events = data.events;
  var svg = document.getElementById("diagram");
  var marks = Array.prototype.slice.call(svg.querySelectorAll("g.ev"));
  var edges = Array.prototype.slice.call(svg.querySelectorAll(".arrow, .seg"));
  var tip = document.getElementById("tip");
  var selected = -1;

  if (marks.length !== events.length) {
    throw new Error("the diagram has " + marks.length + " marks for " + events.length + " events");
  }

  // -1: a happened before b; 1: after; 0: equal; 2: concurrent.
  function compare(a, b) {
    var less = false, more = false, n = Math.max(a.length, b.length);
    for (var i = 0; i < n; i++) {
      var x = a[i] || 0, y = b[i] || 0;
      if (x < y) { less = true; } else if (x > y) { more = true; }
    }
    return less && more ? 2 : less ? -1 : more ? 1 : 0;
  }

  function clear() {
    document.body.classList.remove("selecting");
    marks.forEach(function (m) { m.classList.remove("past", "future", "conc", "selected"); });
    edges.forEach(function (e) { e.classList.remove("near"); });
  }

  function show(index) {
    clear();
    if (index < 0) { return; }
    var clock = events[index].clock;
    marks.forEach(function (m, i) {
      var order = compare(events[i].clock, clock);
      m.classList.add(i === index ? "selected" : order === 2 ? "conc" : order < 0 ? "past" : order > 0 ? "future" : "selected");
    });
    edges.forEach(function (e) {
      if (e.getAttribute("data-from") === String(index) || e.getAttribute("data-to") === String(index)) { e.classList.add("near"); }
    });
    document.body.classList.add("selecting");
  }

  function pretty(json) {
    try { return JSON.stringify(JSON.parse(json), null, 2); } catch (e) { return json; }
  }

  function place(ev) {
    var x = ev.clientX + 16, y = ev.clientY + 16;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 8) { x = Math.max(8, ev.clientX - w - 16); }
    if (y + h > window.innerHeight - 8) { y = Math.max(8, ev.clientY - h - 16); }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }

  marks.forEach(function (m) {
    var i = Number(m.getAttribute("data-i"));
    m.addEventListener("mouseenter", function (ev) {
      tip.textContent = data.actors[events[i].lane] + " · " + events[i].id + "\n" + pretty(events[i].json);
      tip.hidden = false;
      place(ev);
      if (selected < 0) { show(i); }
    });
    m.addEventListener("mousemove", place);
    m.addEventListener("mouseleave", function () {
      tip.hidden = true;
      if (selected < 0) { clear(); } else { show(selected); }
    });
    m.addEventListener("click", function (ev) {
      ev.stopPropagation();
      selected = selected === i ? -1 : i;
      show(selected);
    });
    m.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { selected = selected === i ? -1 : i; show(selected); ev.preventDefault(); }
    });
  });
  svg.addEventListener("click", function () { selected = -1; clear(); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { selected = -1; clear(); }
  });

  // page.html#select=EVENT_ID opens with that event selected (for links and screenshots).
  var match = /^#select=(.+)$/.exec(location.hash);
  if (match) {
    var wanted = decodeURIComponent(match[1]);
    events.forEach(function (e, i) { if (e.id === wanted) { selected = i; } });
    show(selected);
  }

  var body = document.body;
  body.dataset.lanes = String(svg.querySelectorAll("g.lane").length);
  body.dataset.marks = String(marks.length);
  body.dataset.arrows = String(svg.querySelectorAll("path.arrow").length);
  body.dataset.rendered = "ok";
}());
