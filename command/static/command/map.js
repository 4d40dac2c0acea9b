/* The command map: grid outlines of the unit and its open items as circle markers by traffic light, with
   a card per item (link to the item). Data from the territory and command APIs; no inline script. */
(function () {
  "use strict";
  var el = document.getElementById("cmd-map");
  if (!el || !window.L) { return; }
  var COLOURS = { red: "#dc2626", yellow: "#f59e0b", green: "#16a34a" };
  var LABELS = { red: "超期", yellow: "预警", green: "正常" };
  var map = L.map(el).setView([31.43, 120.56], 11);
  var items = L.layerGroup().addTo(map);
  var features = [];
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function chosen() {
    var on = {};
    document.querySelectorAll("#cmd-map-filters input[name=light]").forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }
  function draw() {
    var on = chosen(), shown = 0;
    items.clearLayers();
    features.forEach(function (f) {
      var p = f.properties;
      if (!on[p.light]) { return; }
      shown += 1;
      var c = f.geometry.coordinates;
      L.circleMarker([c[1], c[0]], { radius: 7, color: "#fff", weight: 1, fillColor: COLOURS[p.light], fillOpacity: 0.9 })
        .bindPopup('<div class="cmd-card" data-item-card="' + esc(p.id) + '"><strong>' + esc(p.receipt_number) + "</strong> " +
          '<span class="badge cmd-' + esc(p.light) + '">' + LABELS[p.light] + "</span><br>" + esc(p.title) + "<br>" +
          esc(p.category) + " · " + esc(p.state) + '<br><a href="' + esc(p.url) + '">打开事项</a></div>')
        .addTo(items);
    });
    document.getElementById("cmd-map-count").textContent = "显示 " + shown + " / " + features.length + " 件";
    el.dataset.markers = String(shown);
  }
  document.querySelectorAll("#cmd-map-filters input").forEach(function (box) { box.addEventListener("change", draw); });
  var grids = el.dataset.grids ? getJSON(el.dataset.grids).then(function (data) {
    var layer = L.geoJSON(data, { interactive: false, style: { color: "#2563eb", weight: 1, fillOpacity: 0.05 } }).addTo(map);
    if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
  }) : Promise.resolve();
  Promise.all([grids, getJSON(el.dataset.items)]).then(function (res) {
    features = res[1].features;
    draw();
    // Keep every marker in view as well as the outlines.
    var pts = features.map(function (f) { return [f.geometry.coordinates[1], f.geometry.coordinates[0]]; });
    if (pts.length) { map.fitBounds(L.latLngBounds(pts).extend(map.getBounds()), { padding: [20, 20], animate: false }); }
    el.dataset.mapReady = "true";
  }).catch(function () { el.dataset.mapReady = "error"; document.getElementById("cmd-map-count").textContent = "地图数据暂时无法读取。"; });
})();
