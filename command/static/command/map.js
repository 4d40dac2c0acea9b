/* The command map: grid outlines coloured by a chosen indicator, open items as clustered markers by
   traffic light with a card per item (its actions: static/command/map_card.js), a heat layer of reports (static/command/layers.js), key projects and the party layer (党建项目, 党员先锋岗). Data from
   the command map API; no inline script. */
(function () {
  "use strict";
  var el = document.getElementById("cmd-map");
  if (!el || !window.L || !window.ZhiliLayers) { return; }
  var Z = window.ZhiliLayers, LABELS = { red: "超期", yellow: "预警", green: "正常" };
  var map = L.map(el, { maxZoom: 18 }).setView([31.43, 120.56], 11);
  var layers = Z.create(map);
  var features = [];
  var unit = "level=" + encodeURIComponent(el.dataset.level) + "&code=" + encodeURIComponent(el.dataset.code);
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }
  function chosen() {
    var on = {};
    document.querySelectorAll("#cmd-map-filters input[name=light]").forEach(function (box) { on[box.value] = box.checked; });
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
        L.marker([p.lat, p.lon], { title: p.name }).bindPopup('<div data-project-card="' + Z.esc(p.id) + '"><strong>' + Z.esc(p.name) + "</strong><br>" +
          Z.esc(p.owner_unit_name) + " · 进度 " + Z.esc(p.progress) + '%<br><a href="' + Z.esc(el.dataset.projectPage.replace("/0/", "/" + p.id + "/")) + '">项目一张图</a></div>').addTo(projects);
      });
      projects.addTo(map);
      el.dataset.projectsShown = String(projects.getLayers().length);
    }).catch(function () { document.getElementById("cmd-map-legend").textContent = "重点项目暂时无法读取。"; });
  }
  document.getElementById("cmd-map-projects").addEventListener("change", projectLayer);
  // 党建一图: party projects and 党员先锋岗 (the party app's GeoJSON layer, names masked there).
  var party = L.layerGroup();
  var PARTY_KINDS = { party_project: "党建项目", vanguard_post: "党员先锋岗" };
  function partyCard(p) {
    var detail = p.layer === "party_project" ? Z.esc(p.organisation) + " · 里程碑 " + Z.esc(p.milestones_done) + "/" + Z.esc(p.milestones) : Z.esc(p.member);
    return '<div data-party-card="' + Z.esc(p.layer) + "-" + Z.esc(p.id) + '"><strong>' + Z.esc(p.name) + "</strong> <span class=\"badge\">" + (PARTY_KINDS[p.layer] || "") + "</span><br>" + detail + "</div>";
  }
  function partyLayer() {
    if (!document.getElementById("cmd-map-party").checked) { map.removeLayer(party); return; }
    getJSON(el.dataset.party).then(function (fc) {
      party.clearLayers();
      fc.features.forEach(function (f) {
        var p = f.properties;
        if (p.territory_code && !inScope(p.territory_code)) { return; }
        L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], { radius: 8, color: "#b71c1c", fillColor: p.layer === "party_project" ? "#e53935" : "#ffca28", fillOpacity: 0.9, weight: 2 })
          .bindPopup(partyCard(p)).addTo(party);
      });
      party.addTo(map);
      el.dataset.partyShown = String(party.getLayers().length);
    }).catch(function () { document.getElementById("cmd-map-legend").textContent = "党建一图暂时无法读取。"; });
  }
  document.getElementById("cmd-map-party").addEventListener("change", partyLayer);
  function card(p) {
    return '<div class="cmd-card" data-item-card="' + Z.esc(p.id) + '"><strong>' + Z.esc(p.receipt_number) + "</strong> " +
      '<span class="badge cmd-' + Z.esc(p.light) + '">' + LABELS[p.light] + "</span><br>" + Z.esc(p.title) + "<br>" +
      Z.esc(p.category) + ' · <a href="' + Z.esc(p.url) + '">打开事项</a>' +
      '<div class="cmd-card-slot" data-card-slot data-url="' + Z.esc(el.dataset.card.replace("/0/", "/" + p.id + "/")) + '">载入可执行操作…</div></div>';
  }
  function refresh() {
    return getJSON(el.dataset.items + "?" + unit).then(function (fc) { features = fc.features; draw(); });
  }
  if (window.ZhiliMapCard) {
    window.ZhiliMapCard.attach(map, {
      onDone: function (note) {
        document.getElementById("cmd-map-status").textContent = note;
        refresh().catch(function () { document.getElementById("cmd-map-count").textContent = "地图数据暂时无法读取。"; });
      }
    });
  }
  function draw() {
    var on = chosen();
    var shown = layers.setItems(features.filter(function (f) { return on[f.properties.light]; }), card, { maxWidth: 380, minWidth: 300, maxHeight: 420 });
    document.getElementById("cmd-map-count").textContent = "显示 " + shown + " / " + features.length + " 件";
    el.dataset.markers = String(shown);
  }
  function grids() {
    var indicator = document.getElementById("cmd-map-indicator").value;
    return getJSON(el.dataset.grids + "?" + unit + "&indicator=" + encodeURIComponent(indicator)).then(function (fc) {
      var bounds = layers.setGrids(fc);
      document.getElementById("cmd-map-legend").textContent = fc.connected === false ? "该指标数据源未接入" : fc.coloured === false ? "网格过多，请选择镇/街道后按指标着色" : "网格按“" + fc.indicator.zh + "”着色（近30天）";
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
  document.getElementById("cmd-map-indicator").addEventListener("change", grids);
  document.getElementById("cmd-map-heat").addEventListener("change", heat);
  Promise.all([grids(), getJSON(el.dataset.items + "?" + unit)]).then(function (res) {
    features = res[1].features;
    draw();
    var bounds = res[0];
    features.forEach(function (f) { bounds.extend([f.geometry.coordinates[1], f.geometry.coordinates[0]]); });
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20], animate: false }); }
    el.dataset.mapReady = "true";
  }).catch(function () { el.dataset.mapReady = "error"; document.getElementById("cmd-map-count").textContent = "地图数据暂时无法读取。"; });
})();
