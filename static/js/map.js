/* Territory map (/territory/map/) and the small map of a grid's page. Draws the district outline, towns,
   villages and grids from the territory JSON API with Chinese labels, a legend and a layer control; a click
   on a grid opens a popup with its details and the people assigned to it (fetched from grids/{code}/).
   Hooks for browser tests: the map container gets data-district-loaded, data-towns-loaded,
   data-villages-loaded and data-grids-loaded (feature counts) and data-map-ready="true" when drawn;
   each grid's SVG path carries data-grid-code; the popup body carries data-grid-detail="<code>". */
(function () {
  "use strict";

  var configNode = document.getElementById("territory-map-config");
  if (!configNode || typeof L === "undefined") { return; }
  var config = JSON.parse(configNode.textContent);
  var T = config.labels || {};

  var AREA_COLOURS = { A: "#c0392b", B: "#e67e22", C: "#27ae60" };
  var DEDICATED_COLOUR = "#6c3fb5";
  var TOWN_PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
                      "#9c755f", "#e15759", "#bab0ac", "#8cd17d", "#86bcb6", "#d4a6c8"];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(url + " → HTTP " + r.status); }
      return r.json();
    });
  }

  function baseMap(container, maxZoom) {
    var map = L.map(container, {
      zoomControl: true, attributionControl: !!config.tileUrl, maxZoom: maxZoom || 18, zoomSnap: 0.25
    });
    // Outlines above the grid fills, letting clicks through to the grids.
    map.createPane("outlines");
    map.getPane("outlines").style.zIndex = 450;
    map.getPane("outlines").style.pointerEvents = "none";
    var tiles = null;
    if (config.tileUrl) {
      tiles = L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    return { map: map, tiles: tiles };
  }

  function gridStyle(props) {
    var dedicated = props.kind === "dedicated";
    return {
      className: "grid-shape grid-kind-" + props.kind,
      color: dedicated ? DEDICATED_COLOUR : "#455a64",
      weight: dedicated ? 2 : 0.8,
      dashArray: dedicated ? "4 3" : null,
      fillColor: dedicated ? DEDICATED_COLOUR : (AREA_COLOURS[props.area_class] || "#888"),
      fillOpacity: dedicated ? 0.45 : 0.18
    };
  }

  function gridPopupContent(detail) {
    var p = detail.properties;
    var rows = [
      [T.code, p.code],
      [T.kind, p.kind_label + (p.dedicated_to ? "（" + p.dedicated_to + "）" : "")],
      [T.areaClass, p.area_class_label || p.area_class],
      [T.village, p.village_name + " " + p.village],
      [T.town, p.town_name + " " + p.town]
    ];
    var table = el("table", { "class": "grid-popup-table" }, rows.map(function (row) {
      return el("tr", {}, [el("th", { text: row[0] }), el("td", { text: row[1] })]);
    }));
    var people = el("ul", { "class": "plain grid-popup-people", "data-grid-people": "" },
      detail.people.length ? detail.people.map(function (person) {
        return el("li", {}, [
          person.display_name + " ",
          el("span", { "class": "badge role", text: person.role_label }),
          " ",
          el("span", { "class": "muted small", text: person.org_unit.name })
        ]);
      }) : [el("li", { "class": "muted", text: T.nobody })]);
    var children = [
      el("strong", { "class": "grid-popup-title", text: p.name }),
      p.synthetic ? el("span", { "class": "badge synthetic", text: T.synthetic }) : el("span"),
      table,
      el("div", { "class": "grid-popup-heading", text: T.people }),
      people
    ];
    if (config.urls && config.urls.gridPage) {
      children.push(el("a", { href: config.urls.gridPage.replace("{code}", p.code), text: T.details + " →" }));
    }
    return el("div", { "class": "grid-popup", "data-grid-detail": p.code }, children);
  }

  function legendControl(hasDedicated) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = el("div", { "class": "map-legend", "data-map-legend": "" }, [el("strong", { text: T.legend })]);
      function item(swatchStyle, label) {
        box.appendChild(el("div", { "class": "legend-item" }, [
          el("span", { "class": "legend-swatch", style: swatchStyle }), label
        ]));
      }
      item("border:3px solid #1f2933;background:transparent", T.district);
      item("border:2px solid #4e79a7;background:transparent", T.towns);
      item("border:1px dashed #37474f;background:transparent", T.villages);
      item("background:" + AREA_COLOURS.A + ";opacity:.6", T.comprehensive + " · " + T.classA);
      item("background:" + AREA_COLOURS.B + ";opacity:.6", T.comprehensive + " · " + T.classB);
      item("background:" + AREA_COLOURS.C + ";opacity:.6", T.comprehensive + " · " + T.classC);
      if (hasDedicated) { item("border:2px dashed " + DEDICATED_COLOUR + ";background:rgba(108,63,181,.45)", T.dedicated); }
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return control;
  }

  function anySynthetic(collections) {
    return collections.some(function (fc) {
      return fc.features.some(function (f) { return f.properties && f.properties.synthetic; });
    });
  }

  function initTerritoryMap(container) {
    var status = document.getElementById("map-status");
    var note = document.getElementById("map-synthetic-note");
    var base = baseMap(container);
    var map = base.map;
    map.setView([31.44, 120.6], 11);

    Promise.all([
      fetchJson(config.urls.district), fetchJson(config.urls.towns),
      fetchJson(config.urls.villages), fetchJson(config.urls.grids)
    ]).then(function (results) {
      var district = results[0], towns = results[1], villages = results[2], grids = results[3];

      var districtLayer = L.geoJSON(district, {
        pane: "outlines", interactive: false,
        style: { className: "district-shape", color: "#1f2933", weight: 3, fill: false }
      });
      var townIndex = {};
      towns.features.forEach(function (f, i) { townIndex[f.properties.code] = i; });
      var townLayer = L.geoJSON(towns, {
        pane: "outlines", interactive: false,
        style: function (f) {
          var colour = TOWN_PALETTE[townIndex[f.properties.code] % TOWN_PALETTE.length];
          return { className: "town-shape", color: colour, weight: 2.5, fill: false };
        }
      });
      var villageLayer = L.geoJSON(villages, {
        pane: "outlines", interactive: false,
        style: { className: "village-shape", color: "#37474f", weight: 1, dashArray: "3 3", fill: false }
      });

      var gridLayer = L.geoJSON(grids, {
        style: function (f) { return gridStyle(f.properties); },
        onEachFeature: function (f, layer) {
          layer.on("click", function (e) {
            var popup = L.popup({ maxWidth: 320, autoPanPadding: [16, 16] })
              .setLatLng(e.latlng).setContent(el("div", { "class": "muted", text: T.loading })).openOn(map);
            fetchJson(config.urls.grid.replace("{code}", f.properties.code)).then(function (detail) {
              popup.setContent(gridPopupContent(detail));
            }).catch(function () {
              popup.setContent(el("div", { "class": "errors", text: T.failed }));
            });
          });
        }
      });

      // Labels: towns always; villages from zoom 13; grid codes from zoom 15.
      var townLabels = L.layerGroup(), villageLabels = L.layerGroup(), gridLabels = L.layerGroup();
      function label(group, latlng, text, cls) {
        group.addLayer(L.tooltip({ permanent: true, direction: "center", className: cls, interactive: false })
          .setLatLng(latlng).setContent(text));
      }
      function seatOf(f, layer) {
        var seat = f.properties.seat;
        return seat ? L.latLng(seat[1], seat[0]) : layer.getBounds().getCenter();
      }
      townLayer.eachLayer(function (layer) {
        label(townLabels, seatOf(layer.feature, layer), layer.feature.properties.name, "map-label town-label");
      });
      villageLayer.eachLayer(function (layer) {
        label(villageLabels, seatOf(layer.feature, layer), layer.feature.properties.name, "map-label village-label");
      });
      gridLayer.eachLayer(function (layer) {
        var props = layer.feature.properties;
        var text = props.kind === "dedicated" ? props.code + " " + props.dedicated_to : props.code;
        label(gridLabels, layer.getBounds().getCenter(), text, "map-label grid-label");
      });

      districtLayer.addTo(map);
      townLayer.addTo(map);
      villageLayer.addTo(map);
      gridLayer.addTo(map);
      townLabels.addTo(map);

      gridLayer.eachLayer(function (layer) {
        var path = layer.getElement && layer.getElement();
        if (path) { path.setAttribute("data-grid-code", layer.feature.properties.code); }
      });

      function syncLabels() {
        var zoom = map.getZoom();
        if (zoom >= 13) { villageLabels.addTo(map); } else { map.removeLayer(villageLabels); }
        if (zoom >= 15) { gridLabels.addTo(map); } else { map.removeLayer(gridLabels); }
      }
      map.on("zoomend", syncLabels);

      var overlays = {};
      overlays[T.district] = districtLayer;
      overlays[T.towns] = townLayer;
      overlays[T.villages] = villageLayer;
      overlays[T.grids] = gridLayer;
      overlays[T.labels] = townLabels;
      var baseLayers = {};
      if (base.tiles) { baseLayers[T.baseLayer] = base.tiles; }
      L.control.layers(baseLayers, overlays, { collapsed: window.innerWidth < 720 }).addTo(map);
      var hasDedicated = grids.features.some(function (f) { return f.properties.kind === "dedicated"; });
      legendControl(hasDedicated).addTo(map);

      // A grid worker sees a handful of grids: fit those; otherwise the user's towns (or the district).
      var bounds = districtLayer.getBounds();
      if (grids.features.length && grids.features.length <= 20) { bounds = gridLayer.getBounds(); }
      else if (towns.features.length) { bounds = townLayer.getBounds(); }
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); }
      syncLabels();

      var synthetic = anySynthetic([district, towns, villages, grids]);
      if (note) { note.hidden = !synthetic; }
      container.setAttribute("data-synthetic", synthetic ? "true" : "false");
      container.setAttribute("data-district-loaded", String(district.features.length));
      container.setAttribute("data-towns-loaded", String(towns.features.length));
      container.setAttribute("data-villages-loaded", String(villages.features.length));
      container.setAttribute("data-grids-loaded", String(grids.features.length));
      container.setAttribute("data-map-ready", "true");
      if (status) {
        status.textContent = T.towns + " " + towns.features.length + " · " + T.villages + " " +
          villages.features.length + " · " + T.gridCount + " " + grids.features.length;
      }
    }).catch(function (error) {
      container.setAttribute("data-map-ready", "error");
      if (status) { status.textContent = T.failed + "：" + error.message; status.classList.add("errors"); }
    });
  }

  function initGridMap(container) {
    var featureNode = document.getElementById("grid-detail-feature");
    if (!featureNode) { return; }
    var feature = JSON.parse(featureNode.textContent);
    var map = baseMap(container).map;
    var layer = L.geoJSON(feature, { style: gridStyle(feature.properties) }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [20, 20] });
    layer.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "map-label grid-label" });
    container.setAttribute("data-map-ready", "true");
  }

  var territoryContainer = document.getElementById("territory-map");
  if (territoryContainer) { initTerritoryMap(territoryContainer); }
  var gridContainer = document.getElementById("grid-detail-map");
  if (gridContainer) { initGridMap(gridContainer); }
})();
