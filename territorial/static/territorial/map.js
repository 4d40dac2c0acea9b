/* The small maps of the 三资 pages: asset cards as markers, resources as their outlines. Reads
   #territorial-map-config ({tileUrl, tileAttribution, points: [{lon, lat, label}], outlines:
   [{outline: GeoJSON Polygon, label}]}); the container gets data-map-ready="true" when drawn. */
(function () {
  "use strict";
  var node = document.getElementById("territorial-map-config");
  var container = document.querySelector("[data-tr-map]");
  if (!node || !container || typeof L === "undefined") { return; }
  var config = JSON.parse(node.textContent);
  var map = L.map(container, { zoomControl: true, attributionControl: !!config.tileUrl, maxZoom: 19 });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }
  var layers = [];
  (config.points || []).forEach(function (p) {
    layers.push(L.circleMarker([p.lat, p.lon], { radius: 7, color: "#a61b1b", fillOpacity: 0.7 })
      .bindTooltip(p.label));
  });
  (config.outlines || []).forEach(function (o) {
    layers.push(L.geoJSON(o.outline, { style: { color: "#2e7d32", weight: 2, fillOpacity: 0.25 } })
      .bindTooltip(o.label));
  });
  if (!layers.length) { container.hidden = true; return; }
  var group = L.featureGroup(layers).addTo(map);
  map.fitBounds(group.getBounds(), { maxZoom: 16, padding: [20, 20] });
  container.setAttribute("data-map-ready", "true");
}());
