// 好差评统计: stacked bars of the five levels per row, the satisfaction rate on a second axis.
(function () {
  var el = document.getElementById("ratings-chart");
  var data = JSON.parse(document.getElementById("ratings-chart-data").textContent);
  if (!el || !window.echarts) return;
  var colours = ["#2e7d32", "#66bb6a", "#bdbdbd", "#ef6c00", "#c62828"];
  var series = data.levels.map(function (level, i) {
    return { name: level.name, type: "bar", stack: "levels", data: level.data, itemStyle: { color: colours[i] } };
  });
  series.push({ name: data.rate_name, type: "line", yAxisIndex: 1, data: data.rates, itemStyle: { color: "#1f6feb" } });
  var chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 48, right: 48, top: 40, bottom: 70 },
    xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: data.categories.length > 4 ? 30 : 0 } },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
