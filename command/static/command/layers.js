/* The one map's layers, shared by the command map and the wall screen: grids coloured by an indicator
   (choropleth), open items as clustered markers by traffic light, and a heat layer. Each layer is made
   once; a refresh updates it in place (markers kept by id, grid colours restyled, heat points replaced),
   so a screen that polls for days does not pile up layers. No inline script (CSP). */
(function () {
  "use strict";
  var LIGHT = { red: "#dc2626", yellow: "#f59e0b", green: "#16a34a" };
  var RANK = { red: 3, yellow: 2, green: 1 };
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
    var markers = {};  // item id → marker, kept across refreshes

    var heat = L.heatLayer ? L.heatLayer([], { radius: 22, blur: 18, maxZoom: 16 }) : null;

    return {
      grids: grids,
      cluster: cluster,
      heat: heat,
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
      /* features: the items.geojson features to show; popup(properties) → HTML or null. */
      setItems: function (features, popup, popupOptions) {
        var seen = {}, added = [], removed = [], restyled = [];
        features.forEach(function (f) {
          var p = f.properties, c = f.geometry.coordinates, m = markers[p.id];
          seen[p.id] = true;
          // A new light restyles the marker in place, so an open card stays open.
          if (m && m.options.light !== p.light) { m.options.light = p.light; m.setStyle({ fillColor: LIGHT[p.light] }); restyled.push(m); }
          if (!m) {
            m = L.circleMarker([c[1], c[0]], { radius: 8, color: "#fff", weight: 1, fillColor: LIGHT[p.light], fillOpacity: 0.95, light: p.light });
            var html = popup ? popup(p) : null;
            if (html) { m.bindPopup(html, popupOptions); }
            markers[p.id] = m;
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
          var c = f.geometry.coordinates, w = f.properties.weight || 1;
          if (w > max) { max = w; }
          return [c[1], c[0], w];
        });
        heat.setOptions({ max: max });
        heat.setLatLngs(points);
      },
      esc: esc
    };
  }

  window.ZhiliLayers = { create: create, display: display, esc: esc, LIGHT: LIGHT };
})();
