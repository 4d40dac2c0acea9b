/* The wall screen: polls its JSON endpoints and updates the page in place. Charts and map layers are
   made once and only their data replaced; a failed request shows "connection lost, reconnecting" with the
   time of the last data and retries with back-off (2 s doubling to 60 s), so the screen rides out a server
   restart. Its words come with the map's settings (#scr-map-config labels, translated on the server). */
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root || !window.L || !window.echarts || !window.ZhiliLayers) { return; }
  var Z = window.ZhiliLayers, d = root.dataset;
  var EVERY = { figures: 60000, feed: 15000, items: 30000, grids: 300000, heat: 300000 };
  var BACKOFF_MIN = 2000, BACKOFF_MAX = 60000;
  var unit = "level=" + encodeURIComponent(d.level) + "&code=" + encodeURIComponent(d.code);
  var headers = { Accept: "application/json" };
  if (d.token) { headers.Authorization = "Screen " + d.token; }
  var failing = {}, lastData = null, ticks = 0;
  var config = Z.config("scr-map-config"), T = config.labels || {};

  function getJSON(url) {
    return fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + unit, { credentials: "same-origin", headers: headers, cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); });
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hms(t) { return pad(t.getHours()) + ":" + pad(t.getMinutes()) + ":" + pad(t.getSeconds()); }
  function status() {
    var down = Object.keys(failing).some(function (k) { return failing[k]; });
    document.getElementById("scr-offline").hidden = !down;
    root.dataset.online = down ? "false" : "true";
    document.getElementById("scr-data-time").textContent = lastData ? hms(lastData) : "—";
  }

  /* One poller per source: on success wait its interval, on failure back off and say so. */
  function poll(name, url, apply) {
    var delay = BACKOFF_MIN;
    function run() {
      getJSON(url).then(function (data) {
        apply(data);
        failing[name] = false;
        delay = BACKOFF_MIN;
        lastData = new Date();
        ticks += 1;
        root.dataset.ticks = String(ticks);
        status();
        setTimeout(run, EVERY[name]);
      }).catch(function () {
        failing[name] = true;
        status();
        setTimeout(run, delay);
        delay = Math.min(delay * 2, BACKOFF_MAX);
      });
    }
    run();
  }

  // ---- KPI tiles: built once, their text replaced.
  var tiles = {};
  function kpis(list) {
    var box = document.getElementById("scr-kpis");
    list.forEach(function (k) {
      var t = tiles[k.code];
      if (!t) {
        t = document.createElement("div");
        t.className = "scr-kpi";
        t.dataset.kpi = k.code;
        t.innerHTML = '<div class="scr-kpi-name"></div><div class="scr-kpi-value"></div><div class="scr-kpi-change"></div>';
        box.appendChild(t);
        tiles[k.code] = t;
      }
      t.querySelector(".scr-kpi-name").textContent = k.name;
      t.classList.toggle("missing", !k.connected);
      var value = k.connected ? Z.display(k.value, k.kind) + (k.grade ? " " + k.grade : "") : (T.notConnected || "").replace("%(source)s", k.source);
      t.querySelector(".scr-kpi-value").textContent = value;
      var change = t.querySelector(".scr-kpi-change");
      change.classList.remove("up", "down");
      if (k.mom == null) { change.textContent = (T.change || "").replace("%(change)s", "—"); return; }
      change.classList.add(k.mom >= 0 ? "up" : "down");
      change.textContent = (T.change || "").replace("%(change)s", k.kind === "count" ? (k.mom * 100).toFixed(1) + "%" : k.kind === "rate" ? (T.points || "").replace("%(change)s", (k.mom * 100).toFixed(1)) : k.mom.toFixed(1));
    });
  }

  // ---- Charts: one instance each, setOption replaces the series data.
  var AXIS = { axisLabel: { color: "#cbd5e1", fontSize: 16 }, axisLine: { lineStyle: { color: "#334155" } }, splitLine: { lineStyle: { color: "#1e293b" } } };
  var trend = echarts.init(document.getElementById("scr-trend"), null, { renderer: "canvas" });
  trend.setOption({
    textStyle: { fontFamily: "Noto Sans CJK SC, sans-serif" },
    legend: { data: [T.filed, T.closed], textStyle: { color: "#e2e8f0", fontSize: 18 }, top: 0 },
    grid: { left: 50, right: 16, top: 40, bottom: 30 },
    xAxis: Object.assign({ type: "category", data: [] }, AXIS),
    yAxis: Object.assign({ type: "value", minInterval: 1 }, AXIS),
    series: [
      { name: T.filed, type: "line", smooth: true, data: [], lineStyle: { width: 3 }, itemStyle: { color: "#38bdf8" }, areaStyle: { opacity: 0.15 } },
      { name: T.closed, type: "line", smooth: true, data: [], lineStyle: { width: 3 }, itemStyle: { color: "#4ade80" } }
    ],
    animation: false
  });
  var ranking = echarts.init(document.getElementById("scr-ranking"), null, { renderer: "canvas" });
  ranking.setOption({
    textStyle: { fontFamily: "Noto Sans CJK SC, sans-serif" },
    grid: { left: 120, right: 50, top: 10, bottom: 20 },
    xAxis: Object.assign({ type: "value", max: 100 }, AXIS),
    yAxis: Object.assign({ type: "category", inverse: true, data: [] }, AXIS),
    series: [{ type: "bar", data: [], barMaxWidth: 22, label: { show: true, position: "right", color: "#e2e8f0", fontSize: 16 } }],
    animation: false
  });
  var GRADE = { A: "#22c55e", B: "#84cc16", C: "#eab308", D: "#f97316", E: "#ef4444" };
  function figures(data) {
    kpis(data.kpis);
    trend.setOption({ xAxis: { data: data.trend.days.map(function (s) { return s.slice(5); }) }, series: [{ data: data.trend.filed }, { data: data.trend.closed }] });
    var rows = data.ranking.slice(0, 12);
    ranking.setOption({
      yAxis: { data: rows.map(function (r) { return r.name; }) },
      series: [{ data: rows.map(function (r) { return { value: r.score, itemStyle: { color: GRADE[r.grade] || "#64748b" } }; }) }]
    });
    root.dataset.figuresReady = "true";
  }

  // ---- Feed and warnings: the list's rows replaced each tick.
  function rowsOf(list, empty, make) {
    var items = list.map(make);
    if (!items.length) {
      var li = document.createElement("li");
      li.className = "empty";
      li.textContent = empty;
      items = [li];
    }
    return items;
  }
  function line(tagClass, tag, at, what) {
    var li = document.createElement("li"), t = new Date(at);
    li.innerHTML = '<span class="tag ' + tagClass + '"></span><time></time><span class="what"></span>';
    li.children[0].textContent = tag;
    li.children[1].textContent = pad(t.getHours()) + ":" + pad(t.getMinutes());
    li.children[2].textContent = what;
    return li;
  }
  function feedOf(data) {
    document.getElementById("scr-feed").replaceChildren.apply(document.getElementById("scr-feed"), rowsOf(data.feed, T.feedEmpty, function (r) {
      return line(r.kind, r.kind === "new" ? T["new"] : T.overdue, r.at, r.category + " · " + r.place + " · " + r.receipt_number);
    }));
    var panel = document.getElementById("scr-warnings-panel");
    panel.hidden = data.warnings == null;  // no warnings source installed: no panel
    if (data.warnings != null) {
      var box = document.getElementById("scr-warnings");
      box.replaceChildren.apply(box, rowsOf(data.warnings, T.warningsEmpty, function (w) {
        return line("warn", w.level || T.warning, w.raised_at, w.title || "");
      }));
    }
    root.dataset.feedReady = "true";
  }

  // ---- Map: outlines + choropleth by the composite score, clustered items, heat.
  // Over the deployment's base map when one is configured (its attribution shown), else outlines alone.
  var map = L.map("scr-map", { zoomControl: false, attributionControl: !!config.tileUrl, maxZoom: 18, zoomSnap: 0.25 }).setView([31.43, 120.56], 11);
  Z.baseMap(map, config);
  var layers = Z.create(map, { outline: "#60a5fa", crs: config.tileCrs });
  if (layers.heat) { layers.heat.addTo(map); }
  var fitted = false;
  function fit(bounds) {
    if (!fitted && bounds && bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20], animate: false }); fitted = true; }
  }
  function popup(p) {
    return '<strong>' + Z.esc(p.receipt_number) + "</strong><br>" + Z.esc(p.category) + " · " + Z.esc(p.state);
  }

  function clock() {
    document.getElementById("scr-clock").textContent = hms(new Date());
  }
  clock();
  setInterval(clock, 1000);
  poll("figures", d.figures, figures);
  poll("feed", d.feed, feedOf);
  poll("grids", d.grids + "?indicator=score", function (fc) { fit(layers.setGrids(fc)); root.dataset.gridsReady = "true"; });
  poll("items", d.items, function (fc) {
    root.dataset.markers = String(layers.setItems(fc.features, popup));
    root.dataset.itemsReady = "true";
  });
  poll("heat", d.heat, function (fc) { layers.setHeat(fc); });
  // The columns settle once the tiles are filled: charts and map follow their boxes' sizes.
  if (window.ResizeObserver) {
    new ResizeObserver(function () { trend.resize(); ranking.resize(); map.invalidateSize(); })
      .observe(document.getElementById("scr-ranking"));
  }
  window.addEventListener("resize", function () { trend.resize(); ranking.resize(); map.invalidateSize(); });
})();
