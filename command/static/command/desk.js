/* The desk's charts: the daily trend of filed and closed items (a click opens the items of that day) and
   the ranking of the units one level down by the composite score (a click opens that unit's desk). Data
   from /api/v1/command/figures/; the words from each chart's data- attributes (translated in the
   template); no inline script (strict CSP). */
(function () {
  "use strict";
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }
  var trend = document.getElementById("cmd-trend");
  if (trend && window.echarts) {
    var api = trend.dataset.api, T = trend.dataset;
    Promise.all([getJSON(api + "&indicator=filed&group_by=day"), getJSON(api + "&indicator=closed&group_by=day")]).then(function (res) {
      var chart = echarts.init(trend);
      chart.setOption({
        title: { text: T.title, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" }, legend: { top: 24, data: [T.filed, T.closed] },
        grid: { top: 60, left: 40, right: 16, bottom: 30 },
        xAxis: { type: "category", data: res[0].series.map(function (p) { return p.day.slice(5); }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: T.filed, type: "line", data: res[0].series.map(function (p) { return p.value; }) },
          { name: T.closed, type: "line", data: res[1].series.map(function (p) { return p.value; }) }
        ]
      });
      chart.on("click", function (p) {
        var day = res[0].series[p.dataIndex].day;
        var code = p.seriesIndex === 1 ? "closed" : "filed";
        var url = new URL(trend.dataset.items, window.location.origin);
        url.searchParams.set("from", day); url.searchParams.set("to", day); url.searchParams.set("indicator", code);
        window.location.href = url.toString();
      });
    }).catch(function () { trend.textContent = T.failed; });
  }
  var ranking = document.getElementById("cmd-ranking");
  if (ranking && window.echarts) {
    getJSON(ranking.dataset.api + "&indicator=score&group_by=unit").then(function (res) {
      var units = res.units.filter(function (u) { return u.value !== null; }).slice(0, 12).reverse();
      if (!res.units.length) { ranking.textContent = ranking.dataset.none; return; }
      var chart = echarts.init(ranking);
      chart.setOption({
        title: { text: ranking.dataset.title, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { top: 40, left: 110, right: 30, bottom: 20 },
        xAxis: { type: "value", max: 100 },
        yAxis: { type: "category", data: units.map(function (u) { return u.name; }) },
        series: [{ type: "bar", data: units.map(function (u) { return u.value; }),
          label: { show: true, position: "right", formatter: function (p) { return p.value + " " + (units[p.dataIndex].grade || ""); } } }]
      });
      chart.on("click", function (p) {
        var unit = units[p.dataIndex];
        var level = { district: "town", town: "village", village: "grid" }[res.level];
        window.location.href = "/command/?level=" + level + "&code=" + unit.code;
      });
    }).catch(function () { ranking.textContent = ranking.dataset.failed; });
  }
})();
