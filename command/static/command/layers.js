/* The one map's layers, shared by the command map and the wall screen: grids coloured by an indicator
   (choropleth), open items as clustered markers by traffic light, and a heat layer. Each layer is made
   once; a refresh updates it in place (markers kept by layer and id, grid colours restyled, heat points
   replaced), so a screen that polls for days does not pile up layers. The base map is the deployment's
   (MAP_TILE_URL; none: the outlines stand alone); when its tiles are drawn in GCJ-02 (Chinese tile
   services, MAP_TILE_CRS=gcj02) every WGS-84 coordinate we draw is shifted to GCJ-02 so it lies on the
   tiles (the published forward transform, as territory/coords.py). No inline script (CSP). */
(function () {
  "use strict";
  var LIGHT = { red: "#dc2626", yellow: "#f59e0b", green: "#16a34a" };
  var RANK = { red: 3, yellow: 2, green: 1 };
  // The ring of a marker tells its layer: grid events white, enforcement cases dark, applications violet.
  var RING = { event: { color: "#fff", weight: 1 }, "case": { color: "#111827", weight: 3 }, application: { color: "#7c3aed", weight: 3 } };

  // WGS-84 → GCJ-02 (Krasovsky 1940 ellipsoid); outside China's box the two coincide.
  var KA = 6378245.0, KEE = 0.00669342162296594323, PI = Math.PI;
  function gcj02(lon, lat) {
    if (!(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271)) { return [lon, lat]; }
    var x = lon - 105.0, y = lat - 35.0;
    var common = (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + common;
    dLat += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    dLat += (160.0 * Math.sin(y / 12.0 * PI) + 320.0 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + common;
    dLon += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    dLon += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    var radLat = lat / 180.0 * PI, magic = 1.0 - KEE * Math.sin(radLat) * Math.sin(radLat), sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((KA * (1.0 - KEE)) / (magic * sqrtMagic) * PI);
    dLon = (dLon * 180.0) / (KA / sqrtMagic * Math.cos(radLat) * PI);
    return [lon + dLon, lat + dLat];
  }

  /* A function (lat, lon in WGS-84) → L.LatLng on a map whose tiles are in `crs`. */
  function projector(crs) {
    if (crs === "gcj02") {
      return function (lat, lon) { var p = gcj02(lon, lat); return L.latLng(p[1], p[0]); };
    }
    return function (lat, lon) { return L.latLng(lat, lon); };
  }

  /* The deployment's base map, when one is configured: { tileUrl, tileAttribution, tileCrs }. */
  function baseMap(map, config) {
    if (!config || !config.tileUrl) { return null; }
    return L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }

  /* The base-map settings a page passes in a json_script element (none: {}). */
  function config(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  }
  var RAMP = ["#dbeafe", "#93c5fd", "#3b82f6", "#1d4ed8", "#1e3a8a"];
  var GRADE = { A: "#15803d", B: "#65a30d", C: "#ca8a04", D: "#ea580c", E: "#b91c1c" };

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function display(value, kind) {
    if (value == null) { return "—"; }
    if (kind === "rate") { return (value * 100).toFixed(1) + "%"; }
    return String(value);
  }

  function create(map, options) {
    options = options || {};
    var latLng = projector(options.crs);
    map.createPane("cmdGrids");
    map.getPane("cmdGrids").style.zIndex = 350;  // under the markers, and after them in the DOM
    var values = {}, range = [0, 0], kind = "score";

    function fill(code) {
      var v = values[code];
      if (v == null) { return { fillColor: "#64748b", fillOpacity: 0.12 }; }
      if (kind === "score" && v.grade) { return { fillColor: GRADE[v.grade], fillOpacity: 0.45 }; }
      var span = range[1] - range[0], step = span > 0 ? Math.min(4, Math.floor(((v.value - range[0]) / span) * 5)) : 2;
      return { fillColor: RAMP[step], fillOpacity: 0.5 };
    }
    function style(feature) {
      var f = fill(feature.properties.code);
      return { pane: "cmdGrids", color: options.outline || "#2563eb", weight: 1, fillColor: f.fillColor, fillOpacity: f.fillOpacity };
    }
    var grids = L.geoJSON(null, {
      pane: "cmdGrids",
      style: style,
      coordsToLatLng: function (c) { return latLng(c[1], c[0]); },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(function () {
          var p = feature.properties, v = values[p.code];
          return esc(p.name) + "：" + esc(v ? display(v.value, kind) : "—") + (v && v.grade ? "（" + esc(v.grade) + "）" : "");
        }, { sticky: true });
      }
    }).addTo(map);
    var drawn = {};  // grid codes already on the layer

    var cluster = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 50,
      iconCreateFunction: function (group) {
        var worst = "green";
        group.getAllChildMarkers().forEach(function (m) { if (RANK[m.options.light] > RANK[worst]) { worst = m.options.light; } });
        var n = group.getChildCount();
        return L.divIcon({ html: "<div><span>" + n + "</span></div>", className: "marker-cluster cmd-cluster cmd-cluster-" + worst, iconSize: L.point(40, 40) });
      }
    }).addTo(map);
    var markers = {};  // "layer:id" → marker, kept across refreshes

    var heat = L.heatLayer ? L.heatLayer([], { radius: 22, blur: 18, maxZoom: 16 }) : null;

    return {
      grids: grids,
      cluster: cluster,
      heat: heat,
      latLng: latLng,
      setGrids: function (collection) {
        kind = (collection.indicator && collection.indicator.kind) || "score";
        values = {};
        var nums = [];
        collection.features.forEach(function (f) {
          var p = f.properties;
          values[p.code] = { value: p.value, grade: p.grade };
          if (typeof p.value === "number") { nums.push(p.value); }
          if (!drawn[p.code]) { drawn[p.code] = true; grids.addData(f); }
        });
        range = nums.length ? [Math.min.apply(null, nums), Math.max.apply(null, nums)] : [0, 0];
        grids.setStyle(style);
        return grids.getBounds();
      },
      /* features: the open items to show (grid events, and on the command map cases and applications:
         `properties.layer`); popup(properties) → HTML or null. */
      setItems: function (features, popup, popupOptions) {
        var seen = {}, added = [], removed = [], restyled = [];
        features.forEach(function (f) {
          var p = f.properties, c = f.geometry.coordinates, layer = p.layer || "event", key = layer + ":" + p.id, m = markers[key];
          seen[key] = true;
          // A new light restyles the marker in place, so an open card stays open.
          if (m && m.options.light !== p.light) { m.options.light = p.light; m.setStyle({ fillColor: LIGHT[p.light] }); restyled.push(m); }
          if (!m) {
            var ring = RING[layer] || RING.event;
            m = L.circleMarker(latLng(c[1], c[0]), { radius: 8, color: ring.color, weight: ring.weight, fillColor: LIGHT[p.light], fillOpacity: 0.95, light: p.light, layer: layer });
            var html = popup ? popup(p) : null;
            if (html) { m.bindPopup(html, popupOptions); }
            markers[key] = m;
            added.push(m);
          }
        });
        Object.keys(markers).forEach(function (id) {
          if (!seen[id]) { removed.push(markers[id]); delete markers[id]; }
        });
        if (removed.length) { cluster.removeLayers(removed); }
        if (added.length) { cluster.addLayers(added); }
        if (restyled.length) { cluster.refreshClusters(restyled); }
        return Object.keys(markers).length;
      },
      setHeat: function (collection) {
        if (!heat) { return; }
        var max = 1;
        var points = collection.features.map(function (f) {
          var c = f.geometry.coordinates, w = f.properties.weight || 1, at = latLng(c[1], c[0]);
          if (w > max) { max = w; }
          return [at.lat, at.lng, w];
        });
        heat.setOptions({ max: max });
        heat.setLatLngs(points);
      },
      esc: esc
    };
  }

  window.ZhiliLayers = { create: create, display: display, esc: esc, LIGHT: LIGHT, baseMap: baseMap, config: config, gcj02: gcj02, projector: projector };
})();
