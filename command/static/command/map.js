/* The command map: grid outlines coloured by a chosen indicator, open items as clustered markers by
   traffic light — grid events with a card of their actions (static/command/map_card.js), enforcement
   cases and approvals applications with a card linking to them, each a layer the dispatcher toggles — a
   heat layer of reports (static/command/layers.js), key projects, the party layer (党建项目, 党员先锋岗) and
   the key places by their inspections (重点场所),
   over the deployment's base map when one is configured (#cmd-map-config). Data from the command map
   API; no inline script. */
(function () {
  "use strict";
  var el = document.getElementById("cmd-map");
  if (!el || !window.L || !window.ZhiliLayers) { return; }
  var Z = window.ZhiliLayers;
  var config = Z.config("cmd-map-config"), T = config.labels || {}, LABELS = T.lights || {};
  var map = L.map(el, { maxZoom: 18, attributionControl: !!config.tileUrl }).setView([31.43, 120.56], 11);
  Z.baseMap(map, config);
  var layers = Z.create(map, { crs: config.tileCrs });
  var latLng = layers.latLng;
  // The open items of each layer, as last read; a layer switched off keeps its rows but shows none.
  var items = { event: [], "case": [], application: [] }, unplaced = { "case": 0, application: 0 };
  var sources = { event: el.dataset.items, "case": el.dataset.cases, application: el.dataset.applications };
  var unit = "level=" + encodeURIComponent(el.dataset.level) + "&code=" + encodeURIComponent(el.dataset.code);
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }
  function chosen(name) {
    var on = {};
    document.querySelectorAll("#cmd-map-filters input[name=" + name + "]").forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }
  function inScope(code) {
    // What lies in this unit, and what belongs to the units it lies in.
    var here = el.dataset.code;
    return code.indexOf(here) === 0 || here.indexOf(code) === 0;
  }
  var projects = L.layerGroup();
  function projectLayer() {
    if (!document.getElementById("cmd-map-projects").checked) { map.removeLayer(projects); return; }
    getJSON(el.dataset.projects).then(function (list) {
      projects.clearLayers();
      list.forEach(function (p) {
        if (!inScope(p.territory_code) || p.lat == null || p.lon == null) { return; }
        L.marker(latLng(p.lat, p.lon), { title: p.name }).bindPopup('<div data-project-card="' + Z.esc(p.id) + '"><strong>' + Z.esc(p.name) + "</strong><br>" +
          Z.esc(p.owner_unit_name) + " · " + Z.esc(T.progress) + " " + Z.esc(p.progress) + '%<br><a href="' + Z.esc(el.dataset.projectPage.replace("/0/", "/" + p.id + "/")) + '">' + Z.esc(T.projectMap) + "</a></div>").addTo(projects);
      });
      projects.addTo(map);
      el.dataset.projectsShown = String(projects.getLayers().length);
    }).catch(function () { document.getElementById("cmd-map-legend").textContent = T.projectsFailed; });
  }
  document.getElementById("cmd-map-projects").addEventListener("change", projectLayer);
  // 重点场所: key places coloured by their inspections (the command map API's places layer).
  var keyPlaces = L.layerGroup(), PLACE = T.places || {};
  function placeCard(p) {
    return '<div class="cmd-card" data-place-card="' + Z.esc(p.id) + '"><strong>' + Z.esc(p.name) + '</strong> <span class="badge">' + Z.esc(p.kind_title) + "</span><br>" +
      '<span class="badge cmd-' + Z.esc(p.light) + '">' + Z.esc(PLACE[p.status]) + "</span> " + Z.esc((PLACE.every || "").replace("%(days)s", p.inspection_days)) +
      "<br>" + Z.esc(PLACE.last) + " " + Z.esc(p.last_checked || PLACE.never) +
      "<br>" + Z.esc(p.place) + (p.approximate ? ' <span class="muted" data-approximate>（' + Z.esc(T.approximate) + "）</span>" : "") +
      (p.url ? '<br><a href="' + Z.esc(p.url) + '">' + Z.esc(PLACE.open) + "</a>" : "") + "</div>";
  }
  function placeLayer() {
    var status = document.getElementById("cmd-map-status");
    if (!document.getElementById("cmd-map-places").checked) { map.removeLayer(keyPlaces); el.dataset.placesShown = "0"; return; }
    getJSON(el.dataset.places + "?" + unit).then(function (fc) {
      keyPlaces.clearLayers();
      fc.features.forEach(function (f) {
        var p = f.properties;
        L.circleMarker(latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]), { radius: 7, color: "#0f766e", weight: 3, fillColor: Z.LIGHT[p.light], fillOpacity: 0.9 })
          .bindPopup(placeCard(p), { maxWidth: 320 }).addTo(keyPlaces);
      });
      keyPlaces.addTo(map);
      el.dataset.placesShown = String(keyPlaces.getLayers().length);
      status.textContent = (PLACE.shown || "").replace("%(count)s", keyPlaces.getLayers().length);
    }).catch(function () { document.getElementById("cmd-map-legend").textContent = PLACE.failed; });
  }
  document.getElementById("cmd-map-places").addEventListener("change", placeLayer);
  // 党建一图: party projects and 党员先锋岗 (the party app's GeoJSON layer, names masked there).
  var party = L.layerGroup();
  var PARTY_KINDS = T.partyKinds || {};
  function partyCard(p) {
    var detail = p.layer === "party_project" ? Z.esc(p.organisation) + " · " + Z.esc(T.milestones) + " " + Z.esc(p.milestones_done) + "/" + Z.esc(p.milestones) : Z.esc(p.member);
    return '<div data-party-card="' + Z.esc(p.layer) + "-" + Z.esc(p.id) + '"><strong>' + Z.esc(p.name) + "</strong> <span class=\"badge\">" + Z.esc(PARTY_KINDS[p.layer]) + "</span><br>" + detail + "</div>";
  }
  function partyLayer() {
    if (!document.getElementById("cmd-map-party").checked) { map.removeLayer(party); return; }
    getJSON(el.dataset.party).then(function (fc) {
      party.clearLayers();
      fc.features.forEach(function (f) {
        var p = f.properties;
        if (p.territory_code && !inScope(p.territory_code)) { return; }
        L.circleMarker(latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]), { radius: 8, color: "#b71c1c", fillColor: p.layer === "party_project" ? "#e53935" : "#ffca28", fillOpacity: 0.9, weight: 2 })
          .bindPopup(partyCard(p)).addTo(party);
      });
      party.addTo(map);
      el.dataset.partyShown = String(party.getLayers().length);
    }).catch(function () { document.getElementById("cmd-map-legend").textContent = T.partyFailed; });
  }
  document.getElementById("cmd-map-party").addEventListener("change", partyLayer);
  function eventCard(p) {
    return '<div class="cmd-card" data-item-card="' + Z.esc(p.id) + '"><strong>' + Z.esc(p.receipt_number) + "</strong> " +
      '<span class="badge cmd-' + Z.esc(p.light) + '">' + Z.esc(LABELS[p.light]) + "</span><br>" + Z.esc(p.title) + "<br>" +
      Z.esc(p.category) + ' · <a href="' + Z.esc(p.url) + '">' + Z.esc((T.open || {}).event) + "</a>" +
      '<div class="cmd-card-slot" data-card-slot data-url="' + Z.esc(el.dataset.card.replace("/0/", "/" + p.id + "/")) + '">' + Z.esc(T.cardLoading) + "</div></div>";
  }
  /* A case's or an application's card: what the layer's API gives (no party, no applicant) and a link. */
  function workCard(p) {
    var names = T.layers || {}, open = T.open || {};
    return '<div class="cmd-card" data-work-card="' + Z.esc(p.layer) + "-" + Z.esc(p.id) + '"><strong>' + Z.esc(p.number) + "</strong> " +
      '<span class="badge cmd-' + Z.esc(p.light) + '">' + Z.esc(LABELS[p.light]) + '</span> <span class="badge">' + Z.esc(names[p.layer]) + "</span><br>" +
      Z.esc(p.title) + "<br>" + Z.esc(p.state_title) + (p.unit ? " · " + Z.esc(p.unit) : "") +
      (p.due ? "<br>" + Z.esc(T.due) + " " + Z.esc(p.due) : "") +
      "<br>" + Z.esc(p.place) + (p.approximate ? ' <span class="muted" data-approximate>（' + Z.esc(T.approximate) + "）</span>" : "") +
      '<br><a href="' + Z.esc(p.url) + '">' + Z.esc(open[p.layer]) + "</a></div>";
  }
  function card(p) { return (p.layer || "event") === "event" ? eventCard(p) : workCard(p); }
  function read(layer) {
    return getJSON(sources[layer] + "?" + unit).then(function (fc) {
      items[layer] = fc.features;
      if (layer in unplaced) { unplaced[layer] = fc.unplaced || 0; }
    });
  }
  /* The switched-on layers, read afresh. */
  function refresh() {
    var on = chosen("layer");
    return Promise.all(Object.keys(items).filter(function (k) { return on[k]; }).map(read)).then(draw);
  }
  if (window.ZhiliMapCard) {
    window.ZhiliMapCard.attach(map, {
      labels: T.card || {},
      onDone: function (note) {
        document.getElementById("cmd-map-status").textContent = note;
        read("event").then(draw).catch(function () { document.getElementById("cmd-map-count").textContent = T.failed; });
      }
    });
  }
  function draw() {
    var lights = chosen("light"), on = chosen("layer"), all = [], missing = 0;
    Object.keys(items).forEach(function (layer) {
      if (!on[layer]) { return; }
      all = all.concat(items[layer]);
      missing += unplaced[layer] || 0;
    });
    var shown = layers.setItems(all.filter(function (f) { return lights[f.properties.light]; }), card, { maxWidth: 380, minWidth: 300, maxHeight: 420 });
    document.getElementById("cmd-map-count").textContent = (T.shown || "").replace("%(shown)s", shown).replace("%(all)s", all.length) +
      (missing ? " · " + (T.unplaced || "").replace("%(count)s", missing) : "");
    el.dataset.markers = String(shown);
    Object.keys(items).forEach(function (layer) { el.dataset["shown" + layer.charAt(0).toUpperCase() + layer.slice(1)] = String(on[layer] ? items[layer].length : 0); });
  }
  function grids() {
    var picker = document.getElementById("cmd-map-indicator"), indicator = picker.value;
    return getJSON(el.dataset.grids + "?" + unit + "&indicator=" + encodeURIComponent(indicator)).then(function (fc) {
      var bounds = layers.setGrids(fc);
      document.getElementById("cmd-map-legend").textContent = fc.connected === false ? T.notConnected : fc.coloured === false ? T.tooManyGrids : (T.legend || "").replace("%(indicator)s", picker.options[picker.selectedIndex].text);
      return bounds;
    });
  }
  function heat() {
    var box = document.getElementById("cmd-map-heat");
    if (!layers.heat) { return; }
    if (box.checked) {
      getJSON(el.dataset.heat + "?" + unit).then(function (fc) { layers.setHeat(fc); layers.heat.addTo(map); });
    } else {
      map.removeLayer(layers.heat);
    }
  }
  document.querySelectorAll("#cmd-map-filters input[name=light]").forEach(function (box) { box.addEventListener("change", draw); });
  document.querySelectorAll("#cmd-map-filters input[name=layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      el.dataset.layersReady = "false";
      (box.checked ? read(box.value) : Promise.resolve()).then(draw).then(function () { el.dataset.layersReady = "true"; })
        .catch(function () { document.getElementById("cmd-map-count").textContent = T.failed; });
    });
  });
  document.getElementById("cmd-map-indicator").addEventListener("change", grids);
  document.getElementById("cmd-map-heat").addEventListener("change", heat);
  Promise.all([grids(), refresh()]).then(function (res) {
    var bounds = res[0];
    Object.keys(items).forEach(function (layer) {
      items[layer].forEach(function (f) { bounds.extend(latLng(f.geometry.coordinates[1], f.geometry.coordinates[0])); });
    });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], animate: false });
      el.dataset.bounds = bounds.toBBoxString();  // what was drawn, in the tiles' coordinates
    }
    el.dataset.layersReady = "true";
    el.dataset.mapReady = "true";
  }).catch(function () { el.dataset.mapReady = "error"; document.getElementById("cmd-map-count").textContent = T.failed; });
})();
