/* One key project's map: its outline (or point) and its linked items as dots by traffic light, from the
   projects API, over the deployment's base map (#cmd-project-map-config). No inline script (CSP). */
(function () {
  "use strict";
  var el = document.getElementById("cmd-project-map");
  if (!el || !window.L || !window.ZhiliLayers) { return; }
  var Z = window.ZhiliLayers;
  var config = Z.config("cmd-project-map-config"), latLng = Z.projector(config.tileCrs);
  var T = config.labels || {}, LABELS = T.lights || {};
  var map = L.map(el, { maxZoom: 18, attributionControl: !!config.tileUrl }).setView([31.43, 120.56], 11);
  Z.baseMap(map, config);
  fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
    if (!r.ok) { throw new Error(r.status); }
    return r.json();
  }).then(function (p) {
    var bounds = L.latLngBounds([]);
    if (p.outline) {
      var shape = L.geoJSON(p.outline, {
        style: { color: "#b91c1c", weight: 2, fillOpacity: 0.15 },
        coordsToLatLng: function (c) { return latLng(c[1], c[0]); }
      }).addTo(map);
      bounds.extend(shape.getBounds());
    }
    if (p.lat != null && p.lon != null) {
      L.marker(latLng(p.lat, p.lon), { title: p.name }).addTo(map).bindPopup(Z.esc(p.name) + "<br>" + p.progress + "%");
      bounds.extend(latLng(p.lat, p.lon));
    }
    var placed = 0;
    p.work_items.forEach(function (i) {
      if (i.lat == null || i.lon == null) { return; }
      placed += 1;
      var light = i.closed_at ? null : i.light;
      L.circleMarker(latLng(i.lat, i.lon), { radius: 8, color: "#fff", weight: 1, fillOpacity: 0.95, fillColor: light ? Z.LIGHT[light] : "#64748b" })
        .addTo(map).bindPopup(Z.esc(i.title) + "<br>" + Z.esc(i.state) + (light ? " · " + Z.esc(LABELS[light]) : ""));
      bounds.extend(latLng(i.lat, i.lon));
    });
    document.getElementById("cmd-project-items").textContent = (T.items || "").replace("%(count)s", p.work_items.length).replace("%(placed)s", placed);
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16, animate: false }); }
    el.dataset.items = String(placed);
    el.dataset.mapReady = "true";
  }).catch(function () {
    el.dataset.mapReady = "error";
    document.getElementById("cmd-project-items").textContent = T.failed || "";
  });
})();
