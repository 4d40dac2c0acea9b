/* A small Leaflet map to pick a point: div[data-pick-map] with data-config="<id of a json_script>" holding
   { features: GeoJSON FeatureCollection (the grid or the district), tileUrl, tileAttribution, tileCrs,
   point: [lon, lat] or null }. A tap puts the marker there and fills the form's lon/lat/crs (crs = the
   tiles' coordinate system: Chinese map tiles are GCJ-02; without tiles the outlines are WGS-84).
   A position from the phone (event "grid:point", WGS-84) moves the marker too.
   Test hooks: data-map-ready="true" once drawn; data-picked="lon,lat" after a pick. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  Array.prototype.forEach.call(document.querySelectorAll("[data-pick-map]"), function (container) {
    var config = JSON.parse(document.getElementById(container.dataset.config).textContent);
    var form = container.closest("form");
    var map = L.map(container, { zoomControl: true, attributionControl: !!config.tileUrl, maxZoom: 19 });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    var outline = L.geoJSON(config.features, {
      style: { color: "#b42318", weight: 2, fillColor: "#b42318", fillOpacity: 0.06 },
      interactive: false
    }).addTo(map);
    var bounds = outline.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([31.43, 120.6], 12); }
    var marker = null;

    function place(lon, lat, crs, fillForm) {
      if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.circleMarker([lat, lon], { radius: 9, color: "#fff", weight: 2, fillColor: "#b42318", fillOpacity: 1 }).addTo(map); }
      container.dataset.picked = lon.toFixed(6) + "," + lat.toFixed(6);
      if (fillForm && form) {
        form.querySelector("[name='lon']").value = lon.toFixed(7);
        form.querySelector("[name='lat']").value = lat.toFixed(7);
        var crsInput = form.querySelector("[name='crs']");
        if (crsInput) { crsInput.value = crs; }
      }
      var label = document.getElementById(container.id + "-picked");
      if (label) { label.textContent = lon.toFixed(5) + ", " + lat.toFixed(5); }
    }

    // A new point answers the place's error the form came back with (the server checks the new one).
    function clearPlaceErrors() {
      if (!form) { return; }
      Array.prototype.forEach.call(form.querySelectorAll("[data-field-error='lon'], [data-field-error='lat']"), function (node) {
        node.hidden = true;
      });
    }

    map.on("click", function (event) {
      place(event.latlng.lng, event.latlng.lat, config.tileCrs || "wgs84", true);
      clearPlaceErrors();
    });
    document.addEventListener("grid:point", function (event) {
      place(event.detail.lon, event.detail.lat, "wgs84", false);
      clearPlaceErrors();
      map.panTo([event.detail.lat, event.detail.lon]);
    });
    if (config.point) { place(config.point[0], config.point[1], config.pointCrs || "wgs84", false); }
    setTimeout(function () { map.invalidateSize(); }, 50);
    container.dataset.mapReady = "true";
  });
})();
